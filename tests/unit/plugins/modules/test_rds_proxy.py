"""rds_proxy and rds_proxy_info: every branch that talks to RDS, on moto (with the fidelity layer) and a Stubber."""

import boto3
import pytest
from botocore.stub import ANY, Stubber
from moto import mock_aws
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry, RetryingBotoClientWrapper

from ansible_collections.shoppulse.analytics.plugins.filter.rds_proxy import rds_proxy_as_declared, rds_proxy_pool_and_targets_as_declared
from ansible_collections.shoppulse.analytics.plugins.module_utils import rds_proxy as utils
from ansible_collections.shoppulse.analytics.plugins.modules import rds_proxy, rds_proxy_info
from localenv import fidelity, latency

from .conftest import ModuleExit

SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shoppulse-db-AbCdEf"
ROLE = "arn:aws:iam::123456789012:role/shoppulse-proxy"


@pytest.fixture(name="aws")
def fixture_aws():
    fidelity.apply_all()
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{zone}")["Subnet"]["SubnetId"]
                   for i, zone in ((1, "a"), (2, "b"), (3, "a"))]
        groups = [ec2.create_security_group(GroupName=f"db{i}", Description="db", VpcId=vpc)["GroupId"] for i in (1, 2)]
        rds = boto3.client("rds", region_name="us-east-1")
        for identifier in ("db1", "db2"):
            rds.create_db_instance(DBInstanceIdentifier=identifier, Engine="postgres", DBInstanceClass="db.t3.medium",
                                   MasterUsername="u", MasterUserPassword="password-password", AllocatedStorage=20)
        yield {"rds": rds, "subnets": subnets, "groups": groups}


@pytest.fixture(autouse=True)
def fixture_no_sleep(monkeypatch):
    """Waiters poll without sleeping; a fake clock advances by each requested delay."""
    now = [0.0]
    monkeypatch.setattr(utils, "clock", lambda: now[0])
    monkeypatch.setattr(utils, "sleep", lambda seconds: now.__setitem__(0, now[0] + seconds))


def args(aws, **extra):
    base = {
        "name": "proxy1",
        "engine_family": "POSTGRESQL",
        "auth": [{"secret_arn": SECRET, "iam_auth": "DISABLED"}],
        "role_arn": ROLE,
        "vpc_subnet_ids": aws["subnets"][:2],
        "vpc_security_group_ids": [aws["groups"][0]],
        "require_tls": True,
        "idle_client_timeout": 1800,
        "connection_pool": {"max_connections_percent": 100, "max_idle_connections_percent": 50, "connection_borrow_timeout": 120},
        "db_instance_identifiers": ["db1"],
        "tags": {"env": "test"},
        "wait_delay": 1,
    }
    base.update(extra)
    return base


def pool_of(aws, name="proxy1"):
    return aws["rds"].describe_db_proxy_target_groups(DBProxyName=name)["TargetGroups"][0]["ConnectionPoolConfig"]


# --- create, keep, delete -----------------------------------------------------------------------------------------


def test_creates_the_proxy_with_pool_targets_and_tags_then_keeps_it(run_module, aws):
    created = run_module(rds_proxy.main, args(aws, wait_for_targets=True))
    proxy = created["proxy"]
    assert created["changed"] and created["changes"][0] == "created" and not created["replaced"]
    assert (proxy["engine_family"], proxy["require_tls"], proxy["idle_client_timeout"], proxy["status"]) == ("POSTGRESQL", True, 1800, "available")
    assert proxy["endpoint"].startswith("proxy1.") and proxy["tags"] == {"env": "test"}
    assert proxy["auth"] == [{"auth_scheme": "SECRETS", "secret_arn": SECRET, "iam_auth": "DISABLED"}]
    assert proxy["target_group"]["connection_pool_config"]["max_idle_connections_percent"] == 50
    assert [(t["rds_resource_id"], t["target_health"]["state"]) for t in proxy["targets"]] == [("db1", "AVAILABLE")]

    again = run_module(rds_proxy.main, args(aws, wait_for_targets=True), diff=True)
    assert not again["changed"] and again["changes"] == [] and again["diff"]["before"] == again["diff"]["after"]


def test_check_mode_creates_nothing_and_predicts_the_proxy(run_module, aws):
    result = run_module(rds_proxy.main, args(aws), check_mode=True, diff=True)
    assert result["changed"] and result["changes"] == ["created"]
    assert result["diff"]["before"] == {} and result["diff"]["after"]["idle_client_timeout"] == 1800
    assert result["proxy"]["targets"] == [{"rds_resource_id": "db1", "type": "RDS_INSTANCE"}]
    assert aws["rds"].describe_db_proxies()["DBProxies"] == []


def test_deletes_then_reports_nothing_to_do(run_module, aws):
    run_module(rds_proxy.main, args(aws))
    predicted = run_module(rds_proxy.main, {"name": "proxy1", "state": "absent"}, check_mode=True, diff=True)
    assert predicted["changed"] and predicted["diff"]["after"] == {} and len(aws["rds"].describe_db_proxies()["DBProxies"]) == 1
    deleted = run_module(rds_proxy.main, {"name": "proxy1", "state": "absent"})
    assert deleted["changed"] and deleted["proxy"] == {} and aws["rds"].describe_db_proxies()["DBProxies"] == []
    assert not run_module(rds_proxy.main, {"name": "proxy1", "state": "absent"})["changed"]


# --- modify in place ------------------------------------------------------------------------------------------------


def test_modifies_the_proxy_in_place_and_reports_exactly_that(run_module, aws):
    run_module(rds_proxy.main, args(aws))
    wanted = args(aws, idle_client_timeout=900, debug_logging=True, vpc_security_group_ids=aws["groups"])
    predicted = run_module(rds_proxy.main, wanted, check_mode=True, diff=True)
    assert sorted(predicted["changes"]) == ["debug_logging", "idle_client_timeout", "vpc_security_group_ids"]
    assert predicted["diff"]["after"]["idle_client_timeout"] == 900 and predicted["diff"]["before"]["idle_client_timeout"] == 1800
    assert aws["rds"].describe_db_proxies()["DBProxies"][0]["IdleClientTimeout"] == 1800

    modified = run_module(rds_proxy.main, wanted)
    assert sorted(modified["changes"]) == ["debug_logging", "idle_client_timeout", "vpc_security_group_ids"]
    described = aws["rds"].describe_db_proxies()["DBProxies"][0]
    assert (described["IdleClientTimeout"], described["DebugLogging"], sorted(described["VpcSecurityGroupIds"])) == (900, True, sorted(aws["groups"]))
    assert not run_module(rds_proxy.main, wanted)["changed"]


def test_changes_the_auth_list_when_an_entry_differs(run_module, aws):
    run_module(rds_proxy.main, args(aws))
    same_with_order = run_module(rds_proxy.main, args(aws, auth=[{"secret_arn": SECRET}]))
    assert not same_with_order["changed"]
    changed = run_module(rds_proxy.main, args(aws, auth=[{"secret_arn": SECRET, "iam_auth": "REQUIRED"}]))
    assert changed["changes"] == ["auth"] and aws["rds"].describe_db_proxies()["DBProxies"][0]["Auth"][0]["IAMAuth"] == "REQUIRED"


def test_updates_the_pool_sending_every_field(run_module, aws):
    run_module(rds_proxy.main, args(aws, connection_pool={"max_connections_percent": 90, "max_idle_connections_percent": 10,
                                                          "connection_borrow_timeout": 30, "init_query": "SET x = 1"}))
    changed = run_module(rds_proxy.main, args(aws, connection_pool={"max_connections_percent": 80}))
    assert changed["changes"] == ["connection_pool.max_connections_percent"]
    assert pool_of(aws) == {"MaxConnectionsPercent": 80, "MaxIdleConnectionsPercent": 10, "ConnectionBorrowTimeout": 30,
                            "SessionPinningFilters": [], "InitQuery": "SET x = 1"}
    filters = run_module(rds_proxy.main, args(aws, connection_pool={"session_pinning_filters": ["EXCLUDE_VARIABLE_SETS"], "init_query": ""}))
    assert sorted(filters["changes"]) == ["connection_pool.init_query", "connection_pool.session_pinning_filters"]
    assert pool_of(aws)["SessionPinningFilters"] == ["EXCLUDE_VARIABLE_SETS"] and "InitQuery" not in pool_of(aws)


def test_refuses_max_idle_above_the_current_max_connections(run_module, aws):
    run_module(rds_proxy.main, args(aws, connection_pool={"max_connections_percent": 40, "max_idle_connections_percent": 20}))
    with pytest.raises(ModuleExit, match="max_idle_connections_percent: 60 exceeds max_connections_percent 40"):
        run_module(rds_proxy.main, args(aws, connection_pool={"max_idle_connections_percent": 60}))
    assert pool_of(aws)["MaxIdleConnectionsPercent"] == 20


def test_updates_tags(run_module, aws):
    arn = run_module(rds_proxy.main, args(aws, tags={"a": "1", "b": "2"}))["proxy"]["db_proxy_arn"]
    changed = run_module(rds_proxy.main, args(aws, tags={"a": "9"}))
    assert changed["changes"] == ["tags"] and changed["proxy"]["tags"] == {"a": "9"}
    kept = run_module(rds_proxy.main, args(aws, tags={"c": "3"}, purge_tags=False))
    assert kept["proxy"]["tags"] == {"a": "9", "c": "3"}
    assert aws["rds"].list_tags_for_resource(ResourceName=arn)["TagList"] == [{"Key": "a", "Value": "9"}, {"Key": "c", "Value": "3"}]


def test_keeps_targets_in_step_with_the_list(run_module, aws):
    run_module(rds_proxy.main, args(aws))
    added = run_module(rds_proxy.main, args(aws, db_instance_identifiers=["db1", "db2"]))
    assert added["changes"] == ["db_instance_identifiers"]
    assert sorted(t["rds_resource_id"] for t in added["proxy"]["targets"]) == ["db1", "db2"]
    kept = run_module(rds_proxy.main, args(aws, db_instance_identifiers=["db2"], purge_targets=False))
    assert not kept["changed"]
    removed = run_module(rds_proxy.main, args(aws, db_instance_identifiers=["db2"]), diff=True)
    assert removed["changes"] == ["db_instance_identifiers"] and len(removed["diff"]["before"]["targets"]) == 2
    assert [t["RdsResourceId"] for t in aws["rds"].describe_db_proxy_targets(DBProxyName="proxy1")["Targets"]] == ["db2"]
    assert not run_module(rds_proxy.main, args(aws, db_instance_identifiers=None))["changed"]


def test_an_unknown_instance_fails_naming_it(run_module, aws):
    run_module(rds_proxy.main, args(aws))
    with pytest.raises(ModuleExit, match="Could not register ghost as a target of proxy proxy1.*DBInstanceNotFound"):
        run_module(rds_proxy.main, args(aws, db_instance_identifiers=["db1", "ghost"]))


# --- what cannot change in place -------------------------------------------------------------------------------------


def test_refuses_a_subnet_change_without_replace(run_module, aws):
    run_module(rds_proxy.main, args(aws))
    with pytest.raises(ModuleExit) as refused:
        run_module(rds_proxy.main, args(aws, vpc_subnet_ids=aws["subnets"][1:]))
    assert "Proxy proxy1 cannot be changed in place (vpc_subnet_ids is" in refused.value.result["msg"]
    assert "set replace=true" in refused.value.result["msg"]


def test_replaces_when_told(run_module, aws):
    old = run_module(rds_proxy.main, args(aws))["proxy"]["db_proxy_arn"]
    predicted = run_module(rds_proxy.main, args(aws, vpc_subnet_ids=aws["subnets"][1:], replace=True), check_mode=True)
    assert predicted["replaced"] and predicted["changes"] == ["vpc_subnet_ids", "created"]
    assert aws["rds"].describe_db_proxies()["DBProxies"][0]["DBProxyArn"] == old
    replaced = run_module(rds_proxy.main, args(aws, vpc_subnet_ids=aws["subnets"][1:], replace=True))
    assert replaced["replaced"] and replaced["proxy"]["db_proxy_arn"] != old
    assert sorted(replaced["proxy"]["vpc_subnet_ids"]) == sorted(aws["subnets"][1:])
    assert [t["rds_resource_id"] for t in replaced["proxy"]["targets"]] == ["db1"]


# --- validation, before any call -------------------------------------------------------------------------------------


@pytest.mark.parametrize("extra, message", [
    ({"idle_client_timeout": 0}, "idle_client_timeout: 0 is outside 1-28800"),
    ({"idle_client_timeout": 28801}, "idle_client_timeout: 28801 is outside 1-28800"),
    ({"connection_pool": {"max_connections_percent": 101}}, "connection_pool.max_connections_percent: 101 is outside 1-100"),
    ({"connection_pool": {"connection_borrow_timeout": 301}}, "connection_pool.connection_borrow_timeout: 301 is outside 0-300"),
    ({"connection_pool": {"max_connections_percent": 50, "max_idle_connections_percent": 51}}, "51 exceeds max_connections_percent 50"),
    ({"auth": [{"secret_arn": "my-secret"}]}, "auth[0].secret_arn: 'my-secret' is not a Secrets Manager secret ARN"),
    ({"auth": [{"iam_auth": "REQUIRED"}]}, "auth[0].secret_arn: required with auth_scheme SECRETS"),
    ({"vpc_subnet_ids": ["subnet-1"]}, "vpc_subnet_ids: a proxy needs at least two subnets"),
    ({"name": "1proxy"}, "name: '1proxy' must be 1 to 63 letters"),
    ({"name": "my--proxy"}, "name: 'my--proxy' must be 1 to 63 letters"),
    ({"role_arn": "proxy-role"}, "role_arn: 'proxy-role' is not an ARN"),
])
def test_bad_options_fail_before_any_call(run_module, monkeypatch, extra, message):
    monkeypatch.setattr(rds_proxy.AnsibleAWSModule, "client", lambda *a, **k: pytest.fail("no AWS call expected"))
    with pytest.raises(ModuleExit) as failed:
        run_module(rds_proxy.main, args({"subnets": ["subnet-1", "subnet-2"], "groups": ["sg-1"]}, **extra))
    assert message in failed.value.result["msg"]


def test_subnets_in_one_zone_are_refused_before_creation(run_module, aws):
    with pytest.raises(ModuleExit, match="vpc_subnet_ids: a proxy needs subnets in at least two availability zones, got us-east-1a"):
        run_module(rds_proxy.main, args(aws, vpc_subnet_ids=[aws["subnets"][0], aws["subnets"][2]]))
    assert aws["rds"].describe_db_proxies()["DBProxies"] == []


def test_creation_needs_engine_role_subnets_and_auth(run_module, aws):
    with pytest.raises(ModuleExit) as failed:
        run_module(rds_proxy.main, {"name": "proxy1"})
    assert failed.value.result["msg"] == ("engine_family: required to create proxy proxy1; role_arn: required to create proxy proxy1; "
                                          "vpc_subnet_ids: required to create proxy proxy1; auth: required to create proxy proxy1")
    assert aws["rds"].describe_db_proxies()["DBProxies"] == []


# --- info --------------------------------------------------------------------------------------------------------------


def test_info_lists_all_or_one_in_the_module_shape(run_module, aws):
    created = run_module(rds_proxy.main, args(aws))["proxy"]
    run_module(rds_proxy.main, args(aws, name="proxy2", db_instance_identifiers=["db2"]))
    one = run_module(rds_proxy_info.main, {"name": "proxy1"})["proxies"]
    assert len(one) == 1 and one[0]["db_proxy_arn"] == created["db_proxy_arn"] and one[0]["tags"] == {"env": "test"}
    assert one[0]["target_group"]["connection_pool_config"] == created["target_group"]["connection_pool_config"]
    assert sorted(p["db_proxy_name"] for p in run_module(rds_proxy_info.main, {})["proxies"]) == ["proxy1", "proxy2"]
    assert run_module(rds_proxy_info.main, {"name": "missing"})["proxies"] == []


def test_info_reads_the_role_and_log_groups_beside_only_when_named(run_module, aws):  # pylint: disable=unused-argument
    boto3.client("iam").create_role(RoleName="proxy-role", AssumeRolePolicyDocument="{}")
    boto3.client("logs", region_name="us-east-1").create_log_group(logGroupName="/aws/rds/proxy/proxy1")
    found = run_module(rds_proxy_info.main, {"name": "proxy1", "role_name": "proxy-role", "policy_name": "read",
                                             "log_group_names": ["/aws/rds/proxy/proxy1", "/aws/rds/proxy/other"]})
    assert found["proxies"] == [] and found["role"]["role_name"] == "proxy-role" and found["role"]["policy_document"] is None
    assert found["log_groups"]["/aws/rds/proxy/proxy1"]["log_group_name"] == "/aws/rds/proxy/proxy1"
    assert found["log_groups"]["/aws/rds/proxy/other"] == {}
    assert set(run_module(rds_proxy_info.main, {"name": "proxy1"})) == {"changed", "proxies", "invocation"}


# --- the filters that skip the module: rds_proxy_info's read "as declared" exactly when the module changes nothing ----


def found(run_module, name="proxy1"):
    return next(iter(run_module(rds_proxy_info.main, {"name": name})["proxies"]), None)


def agrees(run_module, options) -> bool:
    """The filter's verdict on the proxy as read, checked against the module given the same options in check mode
    (a module that fails - a change only a replacement makes - changes nothing either, but is never skipped)."""
    verdict = rds_proxy_as_declared(found(run_module, options["name"]), options)
    try:
        changed = run_module(rds_proxy.main, options, check_mode=True)["changed"]
    except ModuleExit as failed:
        assert failed.failed and not verdict
        return verdict
    assert verdict is not changed, (verdict, changed)
    return verdict


def test_the_proxy_is_as_declared_exactly_when_the_module_would_change_nothing(run_module, aws):
    declared = args(aws, tags={"env": "test", "Name": "proxy1"})
    start = {key: value for key, value in declared.items() if key not in ("connection_pool", "db_instance_identifiers")}
    assert not agrees(run_module, start), "a missing proxy is created"
    run_module(rds_proxy.main, {**declared, "wait_for_targets": True})
    assert agrees(run_module, start) and agrees(run_module, declared)
    assert agrees(run_module, {**start, "tags": None}), "tags not declared are left alone"
    drifts = {
        "a mutable setting": {"idle_client_timeout": 900},
        "require_tls": {"require_tls": False},
        "the role": {"role_arn": ROLE + "-2"},
        "security groups": {"vpc_security_group_ids": aws["groups"]},
        "an auth entry's description": {"auth": [{"secret_arn": SECRET, "iam_auth": "DISABLED", "description": "other"}]},
        "a second auth entry": {"auth": [{"secret_arn": SECRET, "iam_auth": "DISABLED"}, {"secret_arn": SECRET + "2", "iam_auth": "DISABLED"}]},
        "a tag's value": {"tags": {"env": "prod", "Name": "proxy1"}},
        "a tag to purge": {"tags": {"env": "test"}},
        "the subnets (a replacement)": {"vpc_subnet_ids": aws["subnets"][1:]},
    }
    for what, change in drifts.items():
        assert not agrees(run_module, {**start, **change}), what
    assert agrees(run_module, {**start, "tags": {"env": "test"}, "purge_tags": False}), "a tag kept when not purged"
    pool, targets = {"connection_pool": {"max_idle_connections_percent": 10}}, {"db_instance_identifiers": ["db2"]}
    assert not agrees(run_module, {**declared, **pool}) and not agrees(run_module, {**declared, **targets})
    assert not agrees(run_module, {**declared, **targets, "purge_targets": False}), "db2 is still to register"
    assert rds_proxy_pool_and_targets_as_declared(found(run_module), declared["connection_pool"], ["db1"])
    assert not rds_proxy_pool_and_targets_as_declared(found(run_module), declared["connection_pool"], ["db2"])


# --- waits against AWS's pace: the emulator's lifecycles at scale 1 (the latency profile's figures) ----------------------


@pytest.fixture(name="aws_pace")
def fixture_aws_pace():
    """Lifecycles timed by the shipped latency profile at scale 1 (a proxy is creating for minutes); off afterwards."""
    previous = latency.configure(latency.from_env({latency.SCALE_VARIABLE: "1"}))
    yield
    latency.configure(previous)


def test_creation_wait_times_out_naming_the_proxy_s_last_state(run_module, aws, aws_pace):  # pylint: disable=unused-argument
    with pytest.raises(ModuleExit) as failed:
        run_module(rds_proxy.main, args(aws, wait_timeout=60, wait_delay=15))
    assert failed.value.result["msg"] == "Timed out after 60s waiting for proxy proxy1 to become available: status is creating"
    assert failed.value.result["changes"] == ["created"]
    assert aws["rds"].describe_db_proxies(DBProxyName="proxy1")["DBProxies"][0]["Status"] == "creating"


def test_target_wait_times_out_naming_each_target_s_last_state(run_module, aws):
    run_module(rds_proxy.main, args(aws, db_instance_identifiers=[]))  # created at once: latency is still off
    previous = latency.configure(latency.from_env({latency.SCALE_VARIABLE: "1"}))
    try:
        with pytest.raises(ModuleExit) as failed:
            run_module(rds_proxy.main, args(aws, db_instance_identifiers=["db1"], wait_for_targets=True, wait_timeout=60))
    finally:
        latency.configure(previous)
    assert failed.value.result["msg"] == ("Timed out after 60s waiting for the targets of proxy proxy1 to become available: "
                                          "db1: REGISTERING")


# --- waits and API errors, through a Stubber -----------------------------------------------------------------------------


@pytest.fixture(name="stubbed")
def fixture_stubbed(monkeypatch):
    client = boto3.client("rds", region_name="us-east-1")
    stubber = Stubber(client)
    wrapped = RetryingBotoClientWrapper(client, AWSRetry.jittered_backoff(retries=1))
    monkeypatch.setattr(rds_proxy.AnsibleAWSModule, "client", lambda self, *a, **k: wrapped)
    with stubber:
        yield stubber


PROXY = {"DBProxyName": "proxy1", "DBProxyArn": "arn:aws:rds:us-east-1:123456789012:db-proxy:prx-1", "Status": "available",
         "EngineFamily": "POSTGRESQL", "VpcSubnetIds": ["subnet-1", "subnet-2"], "VpcSecurityGroupIds": ["sg-1"],
         "Auth": [{"AuthScheme": "SECRETS", "SecretArn": SECRET, "IAMAuth": "DISABLED"}], "RoleArn": ROLE, "RequireTLS": True,
         "IdleClientTimeout": 1800, "DebugLogging": False, "Endpoint": "proxy1.proxy-x.us-east-1.rds.amazonaws.com"}
GROUP = {"DBProxyName": "proxy1", "TargetGroupName": "default", "IsDefault": True, "Status": "available",
         "ConnectionPoolConfig": {"MaxConnectionsPercent": 100, "MaxIdleConnectionsPercent": 50, "ConnectionBorrowTimeout": 120,
                                  "SessionPinningFilters": []}}


def stub_read(stubbed, proxy=None, targets=None, tags=None):
    stubbed.add_response("describe_db_proxies", {"DBProxies": [proxy or PROXY]}, {"DBProxyName": "proxy1"})
    stubbed.add_response("list_tags_for_resource", {"TagList": tags or []}, {"ResourceName": PROXY["DBProxyArn"]})
    stubbed.add_response("describe_db_proxy_target_groups", {"TargetGroups": [GROUP]}, {"DBProxyName": "proxy1", "TargetGroupName": "default"})
    stubbed.add_response("describe_db_proxy_targets", {"Targets": targets or []}, {"DBProxyName": "proxy1", "TargetGroupName": "default"})


def stub_args(**extra):
    return {"name": "proxy1", "wait_delay": 5, "wait_timeout": 10, **extra}


def test_waits_for_a_modifying_proxy_then_times_out_with_its_status(run_module, stubbed):
    stub_read(stubbed, proxy={**PROXY, "Status": "modifying"})
    for _poll in range(3):  # at 0 s, 5 s and 10 s: then the deadline has passed
        stubbed.add_response("describe_db_proxies", {"DBProxies": [{**PROXY, "Status": "modifying"}]}, {"DBProxyName": "proxy1"})
    with pytest.raises(ModuleExit) as failed:
        run_module(rds_proxy.main, stub_args(idle_client_timeout=60))
    assert failed.value.result["msg"] == ("Timed out after 10s waiting for proxy proxy1 to become available: "
                                          "status is modifying")
    stubbed.assert_no_pending_responses()


def test_target_health_timeout_names_state_reason_and_description(run_module, stubbed):
    bad = {"RdsResourceId": "db1", "Type": "RDS_INSTANCE", "Port": 5432,
           "TargetHealth": {"State": "UNAVAILABLE", "Reason": "AUTH_FAILURE", "Description": "Proxy does not have any registered credentials"}}
    stub_read(stubbed, targets=[bad])
    for _poll in range(3):
        stubbed.add_response("describe_db_proxy_targets", {"Targets": [bad]}, {"DBProxyName": "proxy1", "TargetGroupName": "default"})
    with pytest.raises(ModuleExit) as failed:
        run_module(rds_proxy.main, stub_args(wait_for_targets=True))
    assert failed.value.result["msg"] == ("Timed out after 10s waiting for the targets of proxy proxy1 to become available: "
                                          "db1: UNAVAILABLE (AUTH_FAILURE: Proxy does not have any registered credentials)")


def test_target_health_wait_ends_when_registering_turns_available(run_module, stubbed):
    target = {"RdsResourceId": "db1", "Type": "RDS_INSTANCE", "Port": 5432}
    stub_read(stubbed, targets=[{**target, "TargetHealth": {"State": "REGISTERING"}}])
    stubbed.add_response("describe_db_proxy_targets", {"Targets": [{**target, "TargetHealth": {"State": "REGISTERING"}}]})
    stubbed.add_response("describe_db_proxy_targets", {"Targets": [{**target, "TargetHealth": {"State": "AVAILABLE"}}]})
    stub_read(stubbed, targets=[{**target, "TargetHealth": {"State": "AVAILABLE"}}])
    result = run_module(rds_proxy.main, stub_args(wait_for_targets=True))
    assert not result["changed"] and result["proxy"]["targets"][0]["target_health"] == {"state": "AVAILABLE"}


def test_creation_waits_until_available(run_module, stubbed, monkeypatch):
    monkeypatch.setattr(rds_proxy.ProxyManager, "check_subnet_zones", lambda self: None)
    stubbed.add_client_error("describe_db_proxies", "DBProxyNotFoundFault", "no proxy", 404)
    stubbed.add_response("create_db_proxy", {"DBProxy": {**PROXY, "Status": "creating"}})
    stubbed.add_response("describe_db_proxies", {"DBProxies": [{**PROXY, "Status": "creating"}]})
    stubbed.add_response("describe_db_proxies", {"DBProxies": [PROXY]})
    stub_read(stubbed)
    stub_read(stubbed)
    request = stub_args(engine_family="POSTGRESQL", role_arn=ROLE, vpc_subnet_ids=["subnet-1", "subnet-2"], auth=[{"secret_arn": SECRET}])
    result = run_module(rds_proxy.main, request)
    assert result["changed"] and result["changes"] == ["created"] and result["proxy"]["status"] == "available"
    stubbed.assert_no_pending_responses()


def test_deletion_waits_until_gone_and_times_out_with_the_status(run_module, stubbed):
    stub_read(stubbed)
    stubbed.add_response("delete_db_proxy", {"DBProxy": {**PROXY, "Status": "deleting"}}, {"DBProxyName": "proxy1"})
    for _poll in range(3):
        stubbed.add_response("describe_db_proxies", {"DBProxies": [{**PROXY, "Status": "deleting"}]})
    with pytest.raises(ModuleExit, match="Timed out after 10s waiting for proxy proxy1 to be deleted: status is deleting"):
        run_module(rds_proxy.main, stub_args(state="absent"))


def test_deletion_wait_ends_when_the_proxy_is_gone(run_module, stubbed):
    stub_read(stubbed)
    stubbed.add_response("delete_db_proxy", {"DBProxy": {**PROXY, "Status": "deleting"}})
    stubbed.add_response("describe_db_proxies", {"DBProxies": [{**PROXY, "Status": "deleting"}]})
    stubbed.add_client_error("describe_db_proxies", "DBProxyNotFoundFault", "gone", 404)
    assert run_module(rds_proxy.main, stub_args(state="absent"))["changed"]
    stubbed.assert_no_pending_responses()


def test_an_already_registered_target_is_a_no_op(run_module, stubbed):
    stub_read(stubbed)
    stubbed.add_client_error("register_db_proxy_targets", "DBProxyTargetAlreadyRegisteredFault", "already registered", 400,
                             expected_params={"DBProxyName": "proxy1", "TargetGroupName": "default", "DBInstanceIdentifiers": ["db1"]})
    stub_read(stubbed, targets=[{"RdsResourceId": "db1", "Type": "RDS_INSTANCE", "TargetHealth": {"State": "AVAILABLE"}}])
    result = run_module(rds_proxy.main, stub_args(db_instance_identifiers=["db1"]))
    assert result["changed"] and result["changes"] == ["db_instance_identifiers"]


def test_a_modify_is_waited_for_before_the_pool_changes(run_module, stubbed):
    stub_read(stubbed)
    stubbed.add_response("modify_db_proxy", {"DBProxy": PROXY}, {"DBProxyName": "proxy1", "IdleClientTimeout": 60})
    stubbed.add_response("describe_db_proxies", {"DBProxies": [{**PROXY, "Status": "modifying"}]})
    stubbed.add_response("describe_db_proxies", {"DBProxies": [PROXY]})
    stubbed.add_response("modify_db_proxy_target_group", {"DBProxyTargetGroup": GROUP}, {
        "DBProxyName": "proxy1", "TargetGroupName": "default",
        "ConnectionPoolConfig": {"MaxConnectionsPercent": 100, "MaxIdleConnectionsPercent": 20, "ConnectionBorrowTimeout": 120,
                                 "SessionPinningFilters": []}})
    stubbed.add_response("describe_db_proxies", {"DBProxies": [PROXY]})
    stub_read(stubbed)
    result = run_module(rds_proxy.main, stub_args(idle_client_timeout=60, connection_pool={"max_idle_connections_percent": 20}))
    assert result["changes"] == ["idle_client_timeout", "connection_pool.max_idle_connections_percent"]
    stubbed.assert_no_pending_responses()


@pytest.mark.parametrize("operation, request_args, message", [
    ("modify_db_proxy", {"idle_client_timeout": 60}, "Could not modify proxy proxy1 (IdleClientTimeout)"),
    ("modify_db_proxy_target_group", {"connection_pool": {"max_idle_connections_percent": 10}}, "Could not modify the connection pool of proxy proxy1"),
    ("add_tags_to_resource", {"tags": {"a": "b"}}, "Could not update the tags of proxy proxy1"),
    ("register_db_proxy_targets", {"db_instance_identifiers": ["db1"], "purge_targets": False}, "Could not register db1 as a target of proxy proxy1"),
    ("deregister_db_proxy_targets", {"db_instance_identifiers": []}, "Could not deregister db9 from proxy proxy1"),
    ("delete_db_proxy", {"state": "absent"}, "Could not delete proxy proxy1"),
])
def test_api_errors_name_what_was_attempted(run_module, stubbed, operation, request_args, message):
    stub_read(stubbed, targets=[{"RdsResourceId": "db9", "Type": "RDS_INSTANCE", "TargetHealth": {"State": "AVAILABLE"}}])
    stubbed.add_client_error(operation, "InvalidDBProxyStateFault", "the proxy is busy", 400, expected_params=None)
    with pytest.raises(ModuleExit) as failed:
        run_module(rds_proxy.main, stub_args(**request_args))
    assert message in failed.value.result["msg"] and "the proxy is busy" in failed.value.result["msg"]


def test_describe_error_is_reported(run_module, stubbed):
    stubbed.add_client_error("describe_db_proxies", "AccessDenied", "not allowed", 403)
    with pytest.raises(ModuleExit, match="Could not describe proxy proxy1.*not allowed"):
        run_module(rds_proxy.main, stub_args())


def test_create_error_is_reported(run_module, stubbed, monkeypatch):
    monkeypatch.setattr(rds_proxy.ProxyManager, "check_subnet_zones", lambda self: None)
    stubbed.add_client_error("describe_db_proxies", "DBProxyNotFoundFault", "no proxy", 404)
    stubbed.add_client_error("create_db_proxy", "DBProxyQuotaExceeded", "too many proxies", 400, expected_params={
        "DBProxyName": "proxy1", "EngineFamily": "POSTGRESQL", "RoleArn": ROLE, "VpcSubnetIds": ["subnet-1", "subnet-2"],
        "Auth": [{"AuthScheme": "SECRETS", "SecretArn": SECRET}], "RequireTLS": True, "Tags": ANY})
    request = stub_args(engine_family="POSTGRESQL", role_arn=ROLE, vpc_subnet_ids=["subnet-1", "subnet-2"], auth=[{"secret_arn": SECRET}],
                        require_tls=True, tags={"a": "b"})
    with pytest.raises(ModuleExit, match="Could not create proxy proxy1.*too many proxies"):
        run_module(rds_proxy.main, request)


def test_info_error_is_reported(run_module, stubbed):
    stubbed.add_client_error("describe_db_proxies", "AccessDenied", "not allowed", 403)
    with pytest.raises(ModuleExit, match="Could not describe proxies.*not allowed"):
        run_module(rds_proxy_info.main, {})
