"""The rds_proxy filter makes the module's own comparisons of the pool and the targets."""

from ansible_collections.shoppulse.analytics.plugins.filter.rds_proxy import FilterModule
from ansible_collections.shoppulse.analytics.plugins.filter.rds_proxy import rds_proxy_pool_and_targets_as_declared as settled

POOL = {"max_connections_percent": 100, "max_idle_connections_percent": 50, "connection_borrow_timeout": 120}
PROXY = {
    "status": "available",
    "target_group": {"connection_pool_config": {**POOL, "session_pinning_filters": []}},
    "targets": [{"rds_resource_id": "db", "type": "RDS_INSTANCE", "target_health": {"state": "AVAILABLE"}}],
}


def test_a_proxy_with_its_pool_and_only_its_instance_is_settled():
    assert settled(PROXY, POOL, ["db"])
    assert settled(PROXY, {"max_connections_percent": 100}, ["db"]), "a pool setting not declared is left as it is"
    assert settled({**PROXY, "targets": [{**PROXY["targets"][0], "target_health": {"state": "REGISTERING"}}]}, POOL, ["db"]), \
        "the target's health is waited for, not set"


def test_anything_the_module_would_change_or_wait_for_is_not():
    assert not settled(None, POOL, ["db"]) and not settled({}, POOL, ["db"])
    assert not settled({**PROXY, "status": "creating"}, POOL, ["db"])
    assert not settled(PROXY, {**POOL, "max_idle_connections_percent": 10}, ["db"])
    assert not settled(PROXY, {**POOL, "session_pinning_filters": ["EXCLUDE_VARIABLE_SETS"]}, ["db"])
    assert not settled(PROXY, POOL, ["other"]), "a missing target is registered"
    assert not settled({**PROXY, "targets": PROXY["targets"] + [{"rds_resource_id": "old", "type": "RDS_INSTANCE"}]}, POOL, ["db"]), \
        "a target no longer declared is deregistered"
    assert not settled({**PROXY, "targets": []}, POOL, ["db"])


def test_the_filter_is_exported():
    assert set(FilterModule().filters()) == {"rds_proxy_settings_errors", "rds_proxy_as_declared", "rds_proxy_pool_and_targets_as_declared"}
