"""RDS publishes its instances' metrics to CloudWatch every minute, unasked; the emulator does so for what the local
PostgreSQL server standing in for RDS truly measures, and for nothing else.

A sample is taken when a CloudWatch read (GetMetricData, GetMetricStatistics, ListMetrics) finds the last one a period
old: 60 s at AWS's pace, scaled by the latency setting like every other duration (``localenv/latency.py``; 0, the
default, samples at every read). No thread is needed, and a read always sees the samples AWS would have published by
then. Each available instance gets, in ``AWS/RDS`` by ``DBInstanceIdentifier``:

- ``DatabaseConnections``: the server's client backends (``pg_stat_activity``), the sampling connection left out;
- ``FreeStorageSpace``: the instance's allocated storage less the size of the server's databases.

CPU, memory, latency and I/O metrics are not published: the stand-in shares its host, so any figure would be invented.
Without a running local server nothing is published.
"""

from __future__ import annotations

from contextlib import closing
from typing import Any

import psycopg2

from localenv import latency, standin_db
from localenv.fidelity import entry

PERIOD = 60.0  # seconds between two samples at AWS's pace: RDS's one-minute metrics
GIB = 1024 ** 3
MEASURE = """
SELECT (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()),
       (SELECT sum(pg_database_size(datname)) FROM pg_database)
"""
_LAST_SAMPLE = "_shoppulse_metrics_sampled_at"


def measure(cfg: Any) -> tuple[int, int] | None:
    """(client connections, bytes the databases take) from the local server, asked as ``postgres`` over its socket;
    None when it is not running."""
    if cfg is None or not (cfg.pgsocket / f".s.PGSQL.{cfg.pg_port}").exists():
        return None
    try:
        with closing(psycopg2.connect(host=str(cfg.pgsocket), port=cfg.pg_port, user="postgres", dbname="postgres",
                                      connect_timeout=standin_db.CONNECT_TIMEOUT)) as conn, conn.cursor() as cursor:
            cursor.execute(MEASURE)
            connections, used = cursor.fetchone()
    except psycopg2.Error:
        return None
    return int(connections), int(used)


def _due(instance: Any, now: float) -> bool:
    last = instance.__dict__.get(_LAST_SAMPLE)
    return last is None or now - last >= PERIOD * latency.current().scale


def publish_due(account_id: str, region: str) -> int:
    """Publish a sample for each available instance of the account and region whose last one is a period old; the
    number of instances sampled."""
    from moto.cloudwatch.models import cloudwatch_backends  # pylint: disable=import-outside-toplevel  # patched before serving
    from moto.core.utils import utcnow  # pylint: disable=import-outside-toplevel
    from moto.rds.models import rds_backends  # pylint: disable=import-outside-toplevel

    now = latency.clock()
    instances = [instance for instance in rds_backends[account_id][region].databases.values()
                 if instance.status == "available" and _due(instance, now)]
    if not instances:
        return 0
    measured = measure(standin_db.settings())
    if measured is None:
        return 0
    connections, used = measured
    # A one-minute datapoint carries the start of its minute, as CloudWatch reports it; moto keeps naive UTC times.
    minute = utcnow().replace(second=0, microsecond=0)
    for instance in instances:
        dimensions = [{"Name": "DBInstanceIdentifier", "Value": instance.db_instance_identifier}]
        cloudwatch_backends[account_id][region].put_metric_data("AWS/RDS", [
            {"MetricName": "DatabaseConnections", "Dimensions": dimensions, "Value": connections, "Unit": "Count", "Timestamp": minute},
            {"MetricName": "FreeStorageSpace", "Dimensions": dimensions, "Unit": "Bytes", "Timestamp": minute,
             "Value": max(int(instance.allocated_storage) * GIB - used, 0)},
        ])
        instance.__dict__[_LAST_SAMPLE] = now
    return len(instances)


@entry(
    key="cloudwatch-rds-instance-metrics",
    api="GetMetricData, GetMetricStatistics, ListMetrics (AWS/RDS)",
    moto="no RDS metric is ever published: `AWS/RDS` is empty unless a client puts data itself",
    aws="RDS sends each instance's metrics to CloudWatch every minute; the emulator publishes DatabaseConnections and "
    "FreeStorageSpace measured on the local PostgreSQL, and nothing it cannot measure",
    reference="https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/monitoring-cloudwatch.html",
)
def rds_instance_metrics() -> None:
    from moto.cloudwatch.responses import CloudWatchResponse  # pylint: disable=import-outside-toplevel  # patched before serving

    for action in ("get_metric_data", "get_metric_statistics", "list_metrics"):
        original = getattr(CloudWatchResponse, action)

        def read(self: Any, _original: Any = original) -> Any:
            publish_due(self.current_account, self.region)
            return _original(self)

        setattr(CloudWatchResponse, action, read)
