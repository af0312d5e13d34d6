"""RDS instances publish the metrics the local PostgreSQL truly measures, once a period (every read with latency off)."""

from contextlib import ExitStack, closing
from datetime import datetime, timedelta, timezone

import psycopg2

from localenv import standin_db
from tests.localenv.test_fidelity_lifecycle import (  # noqa: F401  pylint: disable=unused-import
    POSTGRES,
    SESSION,
    fixture_aws,
    fixture_local_db,
)

GIB = 1024 ** 3


def latest(cloudwatch, metric, name="db1"):
    """Every value of one metric over the last hour up to now, oldest first, by the minute, with the maximum (GetMetricData).

    The window ends a minute on: a sample carries the start of its minute, which is past ``now`` when the emulator
    samples after the minute turned (EndTime is exclusive)."""
    now = datetime.now(timezone.utc)
    watched = {"Namespace": "AWS/RDS", "MetricName": metric, "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": name}]}
    answer = cloudwatch.get_metric_data(
        MetricDataQueries=[{"Id": "m", "MetricStat": {"Metric": watched, "Period": 60, "Stat": "Maximum"}}],
        StartTime=now - timedelta(hours=1), EndTime=now + timedelta(minutes=1))
    return answer["MetricDataResults"][0]["Values"]


def connections_held(cfg, count):
    stack = ExitStack()
    for _number in range(count):
        stack.enter_context(closing(psycopg2.connect(host=str(cfg.pgsocket), port=cfg.pg_port, user="postgres", dbname="postgres")))
    return stack


def databases_size(cfg):
    with closing(psycopg2.connect(host=str(cfg.pgsocket), port=cfg.pg_port, user="postgres", dbname="postgres")) as conn, \
            conn.cursor() as cursor:
        cursor.execute("SELECT sum(pg_database_size(datname)) FROM pg_database")
        return int(cursor.fetchone()[0])


def test_connections_are_the_servers_client_backends_and_move_with_them(aws, local_db):
    aws["rds"].create_db_instance(DBInstanceIdentifier="db1", **POSTGRES)
    cloudwatch = SESSION.client("cloudwatch")

    before = max(latest(cloudwatch, "DatabaseConnections"))
    with connections_held(local_db, 3):
        during = max(latest(cloudwatch, "DatabaseConnections"))

    assert during == before + 3


def test_free_storage_is_the_allocated_storage_less_the_databases(aws, local_db):
    aws["rds"].create_db_instance(DBInstanceIdentifier="db1", **POSTGRES)
    cloudwatch = SESSION.client("cloudwatch")

    [free] = latest(cloudwatch, "FreeStorageSpace")

    assert abs(free - (20 * GIB - databases_size(local_db))) < 1024 * 1024  # a megabyte of catalogue churn at most


def test_nothing_the_standin_cannot_measure_is_published(aws, local_db):
    aws["rds"].create_db_instance(DBInstanceIdentifier="db1", **POSTGRES)
    cloudwatch = SESSION.client("cloudwatch")

    names = {metric["MetricName"] for metric in cloudwatch.list_metrics(Namespace="AWS/RDS")["Metrics"]}

    assert names == {"DatabaseConnections", "FreeStorageSpace"}
    assert latest(cloudwatch, "CPUUtilization") == []


def test_a_sample_a_minute_on_the_latency_clock(aws, local_db, timed):
    aws["rds"].create_db_instance(DBInstanceIdentifier="db1", **POSTGRES)
    cloudwatch = SESSION.client("cloudwatch")
    assert latest(cloudwatch, "DatabaseConnections") == []  # creating: an instance publishes once available

    timed.advance(1.1)
    first = latest(cloudwatch, "DatabaseConnections")
    with connections_held(local_db, 2):
        timed.advance(59)
        within_the_minute = latest(cloudwatch, "DatabaseConnections")
        timed.advance(1.5)
        a_minute_on = latest(cloudwatch, "DatabaseConnections")

    assert len(first) == 1 and within_the_minute == first
    assert max(a_minute_on) == first[0] + 2


def test_no_local_server_no_metrics(aws):
    aws["rds"].create_db_instance(DBInstanceIdentifier="db1", **POSTGRES)
    assert standin_db.settings() is None

    assert SESSION.client("cloudwatch").list_metrics(Namespace="AWS/RDS")["Metrics"] == []
