"""An instance is stopping before stopped and starting before available, on the latency profile (0.5 s per state on a
clock the test moves), and its proxy target is unavailable meanwhile; with latency off both settle at once."""

import pytest
from botocore.exceptions import ClientError

from tests.localenv.test_fidelity_lifecycle import (  # noqa: F401  pylint: disable=unused-import
    POSTGRES,
    create_proxy,
    error_of,
    fixture_aws,
    fixture_network,
    instance_status,
    target_health,
)


def health(rds):
    return [{key: found[key] for key in ("State", "Reason") if key in found} for found in target_health(rds)]


def instance_behind_a_proxy(aws, network, timed=None):
    """db1 as the registered target of p1, whose secret holds db1's master password; settled when the clock is timed."""
    rds = aws["rds"]
    rds.create_db_instance(DBInstanceIdentifier="db1", **POSTGRES)
    create_proxy(aws, network)
    if timed:
        timed.advance(1.1)
    rds.register_db_proxy_targets(DBProxyName="p1", DBInstanceIdentifiers=["db1"])
    if timed:
        timed.advance(0.6)
    assert health(rds) == [{"State": "AVAILABLE"}]


def test_stop_passes_through_stopping_and_start_through_starting_with_the_target_unreachable(aws, network, timed):
    rds = aws["rds"]
    instance_behind_a_proxy(aws, network, timed)
    down = [{"State": "UNAVAILABLE", "Reason": "UNREACHABLE"}]

    assert rds.stop_db_instance(DBInstanceIdentifier="db1")["DBInstance"]["DBInstanceStatus"] == "stopping"
    assert instance_status(rds) == "stopping" and health(rds) == down
    timed.advance(0.6)
    assert instance_status(rds) == "stopped" and health(rds) == down

    assert rds.start_db_instance(DBInstanceIdentifier="db1")["DBInstance"]["DBInstanceStatus"] == "starting"
    assert health(rds) == down
    timed.advance(0.6)
    assert instance_status(rds) == "available" and health(rds) == [{"State": "AVAILABLE"}]


def test_an_instance_that_is_still_stopping_cannot_be_started(aws, timed):
    rds = aws["rds"]
    rds.create_db_instance(DBInstanceIdentifier="db1", **POSTGRES)
    timed.advance(1.1)
    rds.stop_db_instance(DBInstanceIdentifier="db1")
    with pytest.raises(ClientError) as stopping:
        rds.start_db_instance(DBInstanceIdentifier="db1")
    assert error_of(stopping) == ("InvalidDBInstanceState", 400)
    timed.advance(0.6)
    rds.start_db_instance(DBInstanceIdentifier="db1")


def test_with_latency_off_the_instance_stops_and_starts_at_once_and_the_target_follows(aws, network):
    rds = aws["rds"]
    instance_behind_a_proxy(aws, network)
    rds.stop_db_instance(DBInstanceIdentifier="db1")
    assert instance_status(rds) == "stopped" and health(rds) == [{"State": "UNAVAILABLE", "Reason": "UNREACHABLE"}]
    rds.start_db_instance(DBInstanceIdentifier="db1")
    assert instance_status(rds) == "available" and health(rds) == [{"State": "AVAILABLE"}]
