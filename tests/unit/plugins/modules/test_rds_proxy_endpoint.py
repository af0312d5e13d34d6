"""rds_proxy_endpoint: create, keep, modify, refuse or replace, delete, on moto with the fidelity layer; errors via a Stubber."""

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry, RetryingBotoClientWrapper

from ansible_collections.shoppulse.analytics.plugins.module_utils import rds_proxy as utils
from ansible_collections.shoppulse.analytics.plugins.modules import rds_proxy_endpoint
from localenv import fidelity

from .conftest import ModuleExit

SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"


@pytest.fixture(name="aws")
def fixture_aws(monkeypatch):
    now = [0.0]
    monkeypatch.setattr(utils, "clock", lambda: now[0])
    monkeypatch.setattr(utils, "sleep", lambda seconds: now.__setitem__(0, now[0] + seconds))
    fidelity.apply_all()
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{z}")["Subnet"]["SubnetId"]
                   for i, z in ((1, "a"), (2, "b"), (3, "c"))]
        groups = [ec2.create_security_group(GroupName=f"sg{i}", Description="x", VpcId=vpc)["GroupId"] for i in (1, 2)]
        rds = boto3.client("rds", region_name="us-east-1")
        rds.create_db_proxy(DBProxyName="proxy1", EngineFamily="POSTGRESQL", RoleArn="arn:aws:iam::123456789012:role/p",
                            VpcSubnetIds=subnets[:2], Auth=[{"AuthScheme": "SECRETS", "SecretArn": SECRET}])
        yield {"rds": rds, "subnets": subnets, "groups": groups}


def args(aws, **extra):
    return {"name": "reader", "db_proxy_name": "proxy1", "vpc_subnet_ids": aws["subnets"][:2], "vpc_security_group_ids": [aws["groups"][0]],
            "target_role": "READ_ONLY", "tags": {"env": "test"}, "wait_delay": 1, **extra}


def test_creates_then_keeps(run_module, aws):
    predicted = run_module(rds_proxy_endpoint.main, args(aws), check_mode=True, diff=True)
    assert predicted["changed"] and predicted["diff"]["before"] == {} and [e["IsDefault"] for e in aws["rds"].describe_db_proxy_endpoints(
        DBProxyName="proxy1")["DBProxyEndpoints"]] == [True]
    created = run_module(rds_proxy_endpoint.main, args(aws))
    endpoint = created["endpoint"]
    assert created["changes"] == ["created"] and endpoint["target_role"] == "READ_ONLY" and endpoint["tags"] == {"env": "test"}
    assert endpoint["status"] == "available" and not endpoint["is_default"]
    again = run_module(rds_proxy_endpoint.main, args(aws), diff=True)
    assert not again["changed"] and again["diff"]["before"] == again["diff"]["after"]


def test_modifies_security_groups_and_tags_in_place(run_module, aws):
    arn = run_module(rds_proxy_endpoint.main, args(aws))["endpoint"]["db_proxy_endpoint_arn"]
    wanted = args(aws, vpc_security_group_ids=aws["groups"], tags={"env": "prod"})
    predicted = run_module(rds_proxy_endpoint.main, wanted, check_mode=True)
    assert predicted["changes"] == ["vpc_security_group_ids", "tags"] and predicted["endpoint"]["tags"] == {"env": "prod"}
    modified = run_module(rds_proxy_endpoint.main, wanted)
    assert modified["changes"] == ["vpc_security_group_ids", "tags"]
    assert sorted(modified["endpoint"]["vpc_security_group_ids"]) == sorted(aws["groups"])
    assert aws["rds"].list_tags_for_resource(ResourceName=arn)["TagList"] == [{"Key": "env", "Value": "prod"}]
    assert not run_module(rds_proxy_endpoint.main, wanted)["changed"]


def test_refuses_then_replaces_a_target_role_change(run_module, aws):
    old = run_module(rds_proxy_endpoint.main, args(aws))["endpoint"]["db_proxy_endpoint_arn"]
    with pytest.raises(ModuleExit, match="cannot be changed in place \\(target_role is 'READ_ONLY', asked for 'READ_WRITE'\\)"):
        run_module(rds_proxy_endpoint.main, args(aws, target_role="READ_WRITE"))
    replaced = run_module(rds_proxy_endpoint.main, args(aws, target_role="READ_WRITE", replace=True))
    assert replaced["changes"] == ["target_role", "created"]
    assert replaced["endpoint"]["target_role"] == "READ_WRITE" and replaced["endpoint"]["db_proxy_endpoint_arn"] != old


def test_deletes_then_reports_nothing_to_do(run_module, aws):
    run_module(rds_proxy_endpoint.main, args(aws))
    assert run_module(rds_proxy_endpoint.main, {"name": "reader", "state": "absent"}, check_mode=True)["changed"]
    assert len(aws["rds"].describe_db_proxy_endpoints(DBProxyName="proxy1")["DBProxyEndpoints"]) == 2
    assert run_module(rds_proxy_endpoint.main, {"name": "reader", "state": "absent"})["changed"]
    assert len(aws["rds"].describe_db_proxy_endpoints(DBProxyName="proxy1")["DBProxyEndpoints"]) == 1
    assert not run_module(rds_proxy_endpoint.main, {"name": "reader", "state": "absent"})["changed"]


@pytest.mark.parametrize("extra, message", [
    ({"name": "default"}, "name: 'default' must be"),
    ({"vpc_subnet_ids": ["subnet-1"]}, "vpc_subnet_ids: a proxy endpoint needs at least two subnets"),
])
def test_bad_options_fail_before_any_call(run_module, monkeypatch, extra, message):
    monkeypatch.setattr(rds_proxy_endpoint.AnsibleAWSModule, "client", lambda *a, **k: pytest.fail("no AWS call expected"))
    with pytest.raises(ModuleExit, match=message):
        run_module(rds_proxy_endpoint.main, {"name": "reader", **extra})


def test_creation_needs_the_proxy_and_subnets(run_module, aws):  # pylint: disable=unused-argument
    with pytest.raises(ModuleExit, match="db_proxy_name: required to create proxy endpoint reader; vpc_subnet_ids: required"):
        run_module(rds_proxy_endpoint.main, {"name": "reader"})


@pytest.fixture(name="stubbed")
def fixture_stubbed(monkeypatch):
    now = [0.0]
    monkeypatch.setattr(utils, "clock", lambda: now[0])
    monkeypatch.setattr(utils, "sleep", lambda seconds: now.__setitem__(0, now[0] + seconds))
    client = boto3.client("rds", region_name="us-east-1")
    stubber = Stubber(client)
    monkeypatch.setattr(rds_proxy_endpoint.AnsibleAWSModule, "client",
                        lambda self, *a, **k: RetryingBotoClientWrapper(client, AWSRetry.jittered_backoff(retries=1)))
    with stubber:
        yield stubber


ENDPOINT = {"DBProxyEndpointName": "reader", "DBProxyEndpointArn": "arn:aws:rds:us-east-1:123456789012:db-proxy-endpoint:prx-endpoint-1",
            "DBProxyName": "proxy1", "Status": "creating", "VpcSubnetIds": ["subnet-1", "subnet-2"], "TargetRole": "READ_ONLY"}


def test_creation_wait_times_out_with_the_status(run_module, stubbed):
    stubbed.add_client_error("describe_db_proxy_endpoints", "DBProxyEndpointNotFoundFault", "none", 404)
    stubbed.add_response("create_db_proxy_endpoint", {"DBProxyEndpoint": ENDPOINT})
    for _poll in range(3):
        stubbed.add_response("describe_db_proxy_endpoints", {"DBProxyEndpoints": [ENDPOINT]})
    with pytest.raises(ModuleExit, match="Timed out after 10s waiting for proxy endpoint reader to become available: status is creating"):
        run_module(rds_proxy_endpoint.main, {"name": "reader", "db_proxy_name": "proxy1", "vpc_subnet_ids": ["subnet-1", "subnet-2"],
                                             "target_role": "READ_ONLY", "wait_timeout": 10, "wait_delay": 5})


def test_create_error_names_the_endpoint_and_proxy(run_module, stubbed):
    stubbed.add_client_error("describe_db_proxy_endpoints", "DBProxyEndpointNotFoundFault", "none", 404)
    stubbed.add_client_error("create_db_proxy_endpoint", "DBProxyEndpointQuotaExceededFault", "too many endpoints", 400)
    with pytest.raises(ModuleExit, match="Could not create proxy endpoint reader of proxy proxy1.*too many endpoints"):
        run_module(rds_proxy_endpoint.main, {"name": "reader", "db_proxy_name": "proxy1", "vpc_subnet_ids": ["subnet-1", "subnet-2"]})


def test_describe_error_is_reported(run_module, stubbed):
    stubbed.add_client_error("describe_db_proxy_endpoints", "AccessDenied", "not allowed", 403)
    with pytest.raises(ModuleExit, match="Could not describe proxy endpoint reader.*not allowed"):
        run_module(rds_proxy_endpoint.main, {"name": "reader", "state": "absent"})
