"""The RDS Proxy entries answer as the RDS API reference says."""

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from localenv import fidelity

SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
ROLE = "arn:aws:iam::123456789012:role/proxy"


@pytest.fixture(name="rds")
def fixture_rds():
    fidelity.apply_all()
    with mock_aws():
        yield boto3.client("rds", region_name="us-east-1")


@pytest.fixture(name="network")
def fixture_network(rds):  # pylint: disable=unused-argument
    ec2 = boto3.client("ec2", region_name="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{z}")["Subnet"]["SubnetId"]
               for i, z in ((1, "a"), (2, "b"))]
    groups = [ec2.create_security_group(GroupName=f"sg{i}", Description="x", VpcId=vpc)["GroupId"] for i in (1, 2)]
    return {"vpc": vpc, "subnets": subnets, "groups": groups}


@pytest.fixture(name="proxy")
def fixture_proxy(rds, network):
    return rds.create_db_proxy(
        DBProxyName="p1", EngineFamily="POSTGRESQL", RoleArn=ROLE, VpcSubnetIds=network["subnets"],
        VpcSecurityGroupIds=[network["groups"][0]], Auth=[{"AuthScheme": "SECRETS", "SecretArn": SECRET, "IAMAuth": "DISABLED"}],
    )["DBProxy"]


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


@pytest.mark.parametrize("call", [
    lambda rds: rds.describe_db_proxy_targets(DBProxyName="missing"),
    lambda rds: rds.describe_db_proxy_target_groups(DBProxyName="missing"),
    lambda rds: rds.modify_db_proxy_target_group(DBProxyName="missing", TargetGroupName="default", ConnectionPoolConfig={"MaxConnectionsPercent": 50}),
    lambda rds: rds.register_db_proxy_targets(DBProxyName="missing", DBInstanceIdentifiers=["db1"]),
    lambda rds: rds.deregister_db_proxy_targets(DBProxyName="missing", DBInstanceIdentifiers=["db1"]),
    lambda rds: rds.delete_db_proxy(DBProxyName="missing"),
], ids=["describe-targets", "describe-target-groups", "modify-target-group", "register", "deregister", "delete"])
def test_a_missing_proxy_is_db_proxy_not_found(rds, call):
    with pytest.raises(ClientError) as excinfo:
        call(rds)
    assert error_code(excinfo) == "DBProxyNotFoundFault"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_modify_db_proxy_changes_what_the_api_allows(rds, network, proxy):
    other_secret = SECRET.replace("db-", "other-")
    modified = rds.modify_db_proxy(
        DBProxyName="p1", RequireTLS=True, IdleClientTimeout=900, DebugLogging=True, RoleArn=ROLE + "2",
        SecurityGroups=network["groups"], Auth=[{"AuthScheme": "SECRETS", "SecretArn": other_secret, "IAMAuth": "REQUIRED"}],
    )["DBProxy"]
    assert (modified["RequireTLS"], modified["IdleClientTimeout"], modified["DebugLogging"], modified["RoleArn"]) == (True, 900, True, ROLE + "2")
    described = rds.describe_db_proxies(DBProxyName="p1")["DBProxies"][0]
    assert described["VpcSecurityGroupIds"] == network["groups"]
    assert described["Auth"] == [{"AuthScheme": "SECRETS", "SecretArn": other_secret, "IAMAuth": "REQUIRED"}]
    assert described["VpcSubnetIds"] == proxy["VpcSubnetIds"] and described["EngineFamily"] == "POSTGRESQL"


def test_modify_db_proxy_renames_and_refuses_unknown_or_taken_names(rds, network, proxy):
    rds.create_db_proxy(DBProxyName="p2", EngineFamily="POSTGRESQL", RoleArn=ROLE, VpcSubnetIds=network["subnets"],
                        Auth=[{"AuthScheme": "SECRETS", "SecretArn": SECRET}])
    with pytest.raises(ClientError) as taken:
        rds.modify_db_proxy(DBProxyName="p1", NewDBProxyName="p2")
    assert error_code(taken) == "DBProxyAlreadyExistsFault"
    with pytest.raises(ClientError) as missing:
        rds.modify_db_proxy(DBProxyName="nope", IdleClientTimeout=60)
    assert error_code(missing) == "DBProxyNotFoundFault"
    renamed = rds.modify_db_proxy(DBProxyName="p1", NewDBProxyName="p3")["DBProxy"]
    assert renamed["DBProxyName"] == "p3" and renamed["DBProxyArn"] == proxy["DBProxyArn"]
    assert rds.describe_db_proxy_target_groups(DBProxyName="p3")["TargetGroups"][0]["DBProxyName"] == "p3"


def test_modify_target_group_keeps_what_is_omitted(rds, proxy):  # pylint: disable=unused-argument
    rds.modify_db_proxy_target_group(DBProxyName="p1", TargetGroupName="default", ConnectionPoolConfig={
        "MaxConnectionsPercent": 90, "MaxIdleConnectionsPercent": 10, "ConnectionBorrowTimeout": 30, "InitQuery": "SET x=1"})
    rds.modify_db_proxy_target_group(DBProxyName="p1", TargetGroupName="default", ConnectionPoolConfig={"MaxConnectionsPercent": 80})
    pool = rds.describe_db_proxy_target_groups(DBProxyName="p1")["TargetGroups"][0]["ConnectionPoolConfig"]
    assert pool == {"MaxConnectionsPercent": 80, "MaxIdleConnectionsPercent": 10, "ConnectionBorrowTimeout": 30,
                    "SessionPinningFilters": [], "InitQuery": "SET x=1"}


def test_modify_target_group_accepts_zero_idle(rds, proxy):  # pylint: disable=unused-argument
    rds.modify_db_proxy_target_group(DBProxyName="p1", TargetGroupName="default", ConnectionPoolConfig={"MaxIdleConnectionsPercent": 0})
    assert rds.describe_db_proxy_target_groups(DBProxyName="p1")["TargetGroups"][0]["ConnectionPoolConfig"]["MaxIdleConnectionsPercent"] == 0


def test_register_refuses_unknown_instances_clusters_and_duplicates(rds, proxy):  # pylint: disable=unused-argument
    with pytest.raises(ClientError) as unknown:
        rds.register_db_proxy_targets(DBProxyName="p1", DBInstanceIdentifiers=["ghost"])
    assert error_code(unknown) == "DBInstanceNotFound"
    with pytest.raises(ClientError) as unknown_cluster:
        rds.register_db_proxy_targets(DBProxyName="p1", DBClusterIdentifiers=["ghost"])
    assert error_code(unknown_cluster) == "DBClusterNotFoundFault"
    with pytest.raises(ClientError) as no_group:
        rds.register_db_proxy_targets(DBProxyName="p1", TargetGroupName="other", DBInstanceIdentifiers=["ghost"])
    assert error_code(no_group) == "DBProxyTargetGroupNotFoundFault"

    instance = rds.create_db_instance(DBInstanceIdentifier="db1", Engine="postgres", DBInstanceClass="db.t3.medium",
                                      MasterUsername="u", MasterUserPassword="password-password", AllocatedStorage=20, Port=5433)["DBInstance"]
    registered = rds.register_db_proxy_targets(DBProxyName="p1", DBInstanceIdentifiers=["db1"])["DBProxyTargets"]
    assert [(t["RdsResourceId"], t["Port"], t["TargetArn"]) for t in registered] == [("db1", 5433, instance["DBInstanceArn"])]
    with pytest.raises(ClientError) as duplicate:
        rds.register_db_proxy_targets(DBProxyName="p1", DBInstanceIdentifiers=["db1"])
    assert error_code(duplicate) == "DBProxyTargetAlreadyRegisteredFault"
    targets = rds.describe_db_proxy_targets(DBProxyName="p1")["Targets"]
    assert [(t["RdsResourceId"], t["Endpoint"]) for t in targets] == [("db1", instance["Endpoint"]["Address"])]


def test_proxy_endpoints_lifecycle(rds, network, proxy):
    created = rds.create_db_proxy_endpoint(DBProxyName="p1", DBProxyEndpointName="reader", VpcSubnetIds=network["subnets"],
                                           TargetRole="READ_ONLY", Tags=[{"Key": "a", "Value": "1"}])["DBProxyEndpoint"]
    assert created["TargetRole"] == "READ_ONLY" and created["VpcSecurityGroupIds"] == proxy["VpcSecurityGroupIds"]
    assert created["DBProxyEndpointArn"].split(":")[5] == "db-proxy-endpoint" and not created["IsDefault"]
    listed = rds.describe_db_proxy_endpoints(DBProxyName="p1")["DBProxyEndpoints"]
    assert [(e["DBProxyEndpointName"], e["IsDefault"], e["Endpoint"]) for e in listed] == [
        ("default", True, proxy["Endpoint"]), ("reader", False, created["Endpoint"])]

    rds.add_tags_to_resource(ResourceName=created["DBProxyEndpointArn"], Tags=[{"Key": "b", "Value": "2"}])
    rds.remove_tags_from_resource(ResourceName=created["DBProxyEndpointArn"], TagKeys=["a"])
    assert rds.list_tags_for_resource(ResourceName=created["DBProxyEndpointArn"])["TagList"] == [{"Key": "b", "Value": "2"}]

    modified = rds.modify_db_proxy_endpoint(DBProxyEndpointName="reader", VpcSecurityGroupIds=[network["groups"][1]])["DBProxyEndpoint"]
    assert modified["VpcSecurityGroupIds"] == [network["groups"][1]]
    with pytest.raises(ClientError) as duplicate:
        rds.create_db_proxy_endpoint(DBProxyName="p1", DBProxyEndpointName="reader", VpcSubnetIds=network["subnets"])
    assert error_code(duplicate) == "DBProxyEndpointAlreadyExistsFault"

    rds.delete_db_proxy_endpoint(DBProxyEndpointName="reader")
    with pytest.raises(ClientError) as gone:
        rds.describe_db_proxy_endpoints(DBProxyEndpointName="reader")
    assert error_code(gone) == "DBProxyEndpointNotFoundFault"


def test_proxy_endpoints_go_with_their_proxy(rds, network, proxy):  # pylint: disable=unused-argument
    rds.create_db_proxy_endpoint(DBProxyName="p1", DBProxyEndpointName="reader", VpcSubnetIds=network["subnets"])
    with pytest.raises(ClientError) as missing:
        rds.create_db_proxy_endpoint(DBProxyName="nope", DBProxyEndpointName="other", VpcSubnetIds=network["subnets"])
    assert error_code(missing) == "DBProxyNotFoundFault"
    rds.delete_db_proxy(DBProxyName="p1")
    assert rds.describe_db_proxy_endpoints()["DBProxyEndpoints"] == []
