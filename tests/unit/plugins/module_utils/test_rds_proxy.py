"""The pure parts of module_utils/rds_proxy: validation, comparison, planning, prediction, waiting, normalising."""

import pytest

from ansible_collections.shoppulse.analytics.plugins.module_utils import rds_proxy as utils

SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
PROXY = {"DBProxyName": "p", "RequireTLS": True, "IdleClientTimeout": 1800, "DebugLogging": False, "RoleArn": "arn:aws:iam::1:role/r",
         "VpcSecurityGroupIds": ["sg-1", "sg-2"], "VpcSubnetIds": ["subnet-1", "subnet-2"], "EngineFamily": "POSTGRESQL",
         "Auth": [{"AuthScheme": "SECRETS", "SecretArn": SECRET, "IAMAuth": "DISABLED", "ClientPasswordAuthType": "POSTGRES_SCRAM_SHA_256"}]}


def params(**extra):
    base = {"name": "p", "idle_client_timeout": None, "connection_pool": None, "auth": None, "vpc_subnet_ids": None, "role_arn": None}
    return {**base, **extra}


def test_valid_options_have_no_errors():
    assert utils.validation_errors(params(idle_client_timeout=28800, auth=[{"secret_arn": SECRET}], vpc_subnet_ids=["a", "b"],
                                          connection_pool={"max_connections_percent": 1, "max_idle_connections_percent": 0,
                                                           "connection_borrow_timeout": 300})) == []


def test_every_error_is_listed_naming_its_option():
    errors = utils.validation_errors(params(name="-x", idle_client_timeout=0, vpc_subnet_ids=["a", "a"],
                                            connection_pool={"max_connections_percent": 0, "connection_borrow_timeout": -1}))
    expected = ["name", "idle_client_timeout", "connection_pool.max_connections_percent", "connection_pool.connection_borrow_timeout", "vpc_subnet_ids"]
    assert [e.split(":")[0] for e in errors] == expected


def test_only_differing_mutable_settings_are_sent():
    assert utils.proxy_changes(PROXY, {"require_tls": True, "idle_client_timeout": 60, "vpc_security_group_ids": ["sg-2", "sg-1"],
                                       "auth": [{"secret_arn": SECRET, "auth_scheme": "SECRETS"}]}) == {"IdleClientTimeout": 60}
    assert utils.proxy_changes(PROXY, {"auth": [{"secret_arn": SECRET}, {"secret_arn": SECRET + "2"}]})["Auth"] == [
        {"SecretArn": SECRET}, {"SecretArn": SECRET + "2"}]


def test_immutable_differences_compare_subnets_as_sets():
    assert utils.immutable_differences(PROXY, {"vpc_subnet_ids": ["subnet-2", "subnet-1"], "engine_family": "POSTGRESQL"}) == {}
    assert utils.immutable_differences(PROXY, {"engine_family": "MYSQL"}) == {"engine_family": ("POSTGRESQL", "MYSQL")}


def test_pool_request_sends_every_field_and_reports_what_differs():
    group = {"ConnectionPoolConfig": {"MaxConnectionsPercent": 100, "MaxIdleConnectionsPercent": 50, "ConnectionBorrowTimeout": 120,
                                      "SessionPinningFilters": []}}
    changed, config = utils.pool_request(group, {"max_idle_connections_percent": 40, "max_connections_percent": 100})
    assert changed == ["max_idle_connections_percent"]
    assert config == {"MaxConnectionsPercent": 100, "MaxIdleConnectionsPercent": 40, "ConnectionBorrowTimeout": 120, "SessionPinningFilters": []}
    assert utils.pool_request(group, {"init_query": ""})[0] == []


def test_target_plan_registers_missing_and_purges_extra():
    targets = [{"RdsResourceId": "db1", "Type": "RDS_INSTANCE"}, {"RdsResourceId": "db9", "Type": "RDS_INSTANCE"},
               {"RdsResourceId": "c1-i1", "Type": "RDS_INSTANCE", "TrackedClusterId": "c1"}, {"RdsResourceId": "c1", "Type": "TRACKED_CLUSTER"}]
    plan = utils.target_changes(targets, ["db1", "db2", "db2"], None, purge=True)
    assert plan == {"register_instances": ["db2"], "register_clusters": [], "deregister_instances": ["db9"], "deregister_clusters": []}
    assert utils.target_changes(targets, ["db2"], [], purge=False)["deregister_clusters"] == []
    assert utils.target_changes(targets, None, [], purge=True)["deregister_clusters"] == ["c1"]


def test_unhealthy_ignores_cluster_entries_and_unused_readers():
    targets = [{"RdsResourceId": "c1", "Type": "TRACKED_CLUSTER"},
               {"RdsResourceId": "r1", "Type": "RDS_INSTANCE", "TrackedClusterId": "c1", "TargetHealth": {"State": "UNUSED"}},
               {"RdsResourceId": "db1", "Type": "RDS_INSTANCE", "TargetHealth": {"State": "UNAVAILABLE", "Reason": "CONNECTION_FAILED"}}]
    assert [utils.describe_health(t) for t in utils.unhealthy(targets)] == ["db1: UNAVAILABLE (CONNECTION_FAILED)"]


def test_poll_gives_up_at_the_deadline_with_the_last_word(monkeypatch):
    now = [0.0]
    monkeypatch.setattr(utils, "clock", lambda: now[0])
    monkeypatch.setattr(utils, "sleep", lambda seconds: now.__setitem__(0, now[0] + seconds))
    seen = []

    def check():
        seen.append(now[0])
        return False, f"status is creating at {now[0]:.0f}"

    with pytest.raises(utils.WaitTimeout, match="Timed out after 30s waiting for x: status is creating at 30"):
        utils.poll(check, 30, 10, "x")
    assert seen == [0, 10, 20, 30]


def test_predicted_and_applied_states_normalise_like_real_ones():
    state = utils.predicted_proxy({"name": "p", "engine_family": "POSTGRESQL", "auth": [{"secret_arn": SECRET, "iam_auth": None}],
                                   "tags": {"a": "1"}, "connection_pool": {"max_connections_percent": 90},
                                   "db_instance_identifiers": ["db1"], "db_cluster_identifiers": None})
    after = utils.apply_changes(state, {"SecurityGroups": ["sg-9"]}, None, {"b": "2"},
                                {"register_instances": [], "register_clusters": ["c1"], "deregister_instances": ["db1"], "deregister_clusters": []})
    view = utils.normalise(after)
    assert view["auth"] == [{"secret_arn": SECRET}] and view["vpc_security_group_ids"] == ["sg-9"] and view["tags"] == {"b": "2"}
    assert view["target_group"] == {"connection_pool_config": {"max_connections_percent": 90}}
    assert view["targets"] == [{"rds_resource_id": "c1", "tracked_cluster_id": "c1", "type": "TRACKED_CLUSTER"}]
    assert "status" not in utils.for_diff(view) and utils.normalise(None) == {}
