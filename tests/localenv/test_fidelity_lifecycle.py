"""Resources pass through the states the AWS API references give them, timed by the latency profile (0.5 s per state
here, on a clock the test moves), and settle at once with latency off."""

import json
from contextlib import closing

import boto3
import psycopg2
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from localenv import fidelity, latency, services, standin_db

SECRET_NAME = "db-master"
POSTGRES = {"Engine": "postgres", "DBInstanceClass": "db.t3.micro", "MasterUsername": "admin_user",
            "MasterUserPassword": "right-password", "AllocatedStorage": 20}
ROLE = "arn:aws:iam::123456789012:role/proxy"


# One session for the module: its clients share loaded service models, which keeps each test's setup short.
SESSION = boto3.session.Session(region_name="us-east-1")


@pytest.fixture(name="aws")
def fixture_aws():
    """moto in-process with the fidelity layer; no local database to judge credentials by, unless a test adds one."""
    fidelity.apply_all()
    previous = standin_db.configure(None)
    with mock_aws():
        yield {name: SESSION.client(name) for name in ("ec2", "rds", "secretsmanager")}
    standin_db.configure(previous)


@pytest.fixture(name="local_db")
def fixture_local_db(aws, standin_postgres):  # pylint: disable=unused-argument  # aws first: it clears the setting
    """The session's PostgreSQL stands in for RDS: target health is judged by it; the test's roles go afterwards."""
    standin_db.configure(standin_postgres)
    yield standin_postgres
    admin(standin_postgres, f"DROP ROLE IF EXISTS {POSTGRES['MasterUsername']}")


@pytest.fixture(name="without_the_user", params=["running", "not-running"])
def fixture_without_the_user(request, local_db, tmp_path):
    """A local database that cannot judge the master user: running without it, or not running at all."""
    if request.param == "not-running":
        standin_db.configure(services.Settings(state=tmp_path, emulator_host="127.0.0.1", emulator_port=0,
                                               pg_port=local_db.pg_port))


@pytest.fixture(name="network")
def fixture_network(aws):
    ec2 = aws["ec2"]
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{zone}")["Subnet"]["SubnetId"]
               for i, zone in ((1, "a"), (2, "b"))]
    return {"vpc": vpc, "subnets": subnets}


def error_of(excinfo):
    return excinfo.value.response["Error"]["Code"], excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"]


def instance_status(rds, name="db1"):
    return rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]["DBInstanceStatus"]


def proxy_status(rds, name="p1"):
    return rds.describe_db_proxies(DBProxyName=name)["DBProxies"][0]["Status"]


def target_health(rds, name="p1"):
    return [target["TargetHealth"] for target in rds.describe_db_proxy_targets(DBProxyName=name)["Targets"]]


def admin(cfg, statement):
    """Run one statement as ``postgres`` over the server's unix socket."""
    connection = psycopg2.connect(host=str(cfg.pgsocket), port=cfg.pg_port, user="postgres", dbname="postgres")
    with closing(connection) as conn:
        conn.autocommit = True
        conn.cursor().execute(statement)


@pytest.fixture(name="settled_health")
def fixture_settled_health(aws, network, timed):
    """Instance db1 behind proxy p1, whose secret holds the master user with the password given; registered, the
    target's health once registration has run its course (without the emulator's Description text)."""

    def settle(password):
        rds = aws["rds"]
        rds.create_db_instance(DBInstanceIdentifier="db1", **POSTGRES)
        create_proxy(aws, network, password=password)
        timed.advance(1.1)
        rds.register_db_proxy_targets(DBProxyName="p1", DBInstanceIdentifiers=["db1"])
        timed.advance(0.6)
        health = target_health(rds)[0]
        return {key: health[key] for key in ("State", "Reason") if key in health}

    return settle


def create_proxy(aws, network, password="right-password", name="p1"):
    secret = aws["secretsmanager"].create_secret(
        Name=f"{name}-secret", SecretString=json.dumps({"username": "admin_user", "password": password}))["ARN"]
    return aws["rds"].create_db_proxy(DBProxyName=name, EngineFamily="POSTGRESQL", RoleArn=ROLE, VpcSubnetIds=network["subnets"],
                                      Auth=[{"AuthScheme": "SECRETS", "SecretArn": secret}])["DBProxy"]


# ec2-nat-gateway-lifecycle

def test_nat_gateway_is_pending_then_available_and_deleting_then_deleted(aws, network, timed):
    ec2 = aws["ec2"]
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    created = ec2.create_nat_gateway(SubnetId=network["subnets"][0], AllocationId=allocation)["NatGateway"]
    nat = created["NatGatewayId"]

    def state():
        return ec2.describe_nat_gateways(NatGatewayIds=[nat])["NatGateways"][0]["State"]

    assert created["State"] == "pending"
    assert [ng["NatGatewayId"] for ng in ec2.describe_nat_gateways(Filter=[{"Name": "state", "Values": ["pending"]}])["NatGateways"]] == [nat]
    timed.advance(0.4)
    assert state() == "pending"
    timed.advance(0.2)
    assert state() == "available"

    ec2.delete_nat_gateway(NatGatewayId=nat)
    assert state() == "deleting"
    timed.advance(0.6)
    assert state() == "deleted"


# rds-db-instance-lifecycle

def test_db_instance_is_creating_then_backing_up_then_available(aws, timed):
    rds = aws["rds"]
    assert rds.create_db_instance(DBInstanceIdentifier="db1", **POSTGRES)["DBInstance"]["DBInstanceStatus"] == "creating"
    seen = []
    for _step in range(4):
        seen.append(instance_status(rds))
        timed.advance(0.4)
    assert seen == ["creating", "creating", "backing-up", "available"]


def test_db_instance_without_backups_skips_backing_up(aws, timed):
    rds = aws["rds"]
    rds.create_db_instance(DBInstanceIdentifier="db1", BackupRetentionPeriod=0, **POSTGRES)
    timed.advance(0.6)
    assert instance_status(rds) == "available"


def test_db_instance_is_modifying_after_an_immediate_change_only(aws, timed):
    rds = aws["rds"]
    rds.create_db_instance(DBInstanceIdentifier="db1", **POSTGRES)
    timed.advance(1.1)
    rds.modify_db_instance(DBInstanceIdentifier="db1", DBInstanceClass="db.t3.small")
    assert instance_status(rds) == "available"
    modified = rds.modify_db_instance(DBInstanceIdentifier="db1", DBInstanceClass="db.t3.small", ApplyImmediately=True)["DBInstance"]
    assert modified["DBInstanceStatus"] == instance_status(rds) == "modifying"
    timed.advance(0.6)
    assert instance_status(rds) == "available"


def test_db_instance_cannot_be_modified_while_creating(aws, timed):
    rds = aws["rds"]
    rds.create_db_instance(DBInstanceIdentifier="db1", **POSTGRES)
    with pytest.raises(ClientError) as creating:
        rds.modify_db_instance(DBInstanceIdentifier="db1", DBInstanceClass="db.t3.small", ApplyImmediately=True)
    assert error_of(creating) == ("InvalidDBInstanceState", 400)
    assert "isn't in a valid state" in creating.value.response["Error"]["Message"]
    assert instance_status(rds) == "creating"
    timed.advance(1.1)
    assert instance_status(rds) == "available"
    modified = rds.modify_db_instance(DBInstanceIdentifier="db1", DBInstanceClass="db.t3.small", ApplyImmediately=True)
    assert modified["DBInstance"]["DBInstanceStatus"] == "modifying"


def test_db_instance_is_deleting_then_not_found(aws, timed):
    rds = aws["rds"]
    rds.create_db_instance(DBInstanceIdentifier="db1", **POSTGRES)
    timed.advance(1.1)
    assert rds.delete_db_instance(DBInstanceIdentifier="db1", SkipFinalSnapshot=True)["DBInstance"]["DBInstanceStatus"] == "deleting"
    assert instance_status(rds) == "deleting"
    with pytest.raises(ClientError) as again:
        rds.delete_db_instance(DBInstanceIdentifier="db1", SkipFinalSnapshot=True)
    assert error_of(again) == ("InvalidDBInstanceState", 400)
    with pytest.raises(ClientError) as modify:
        rds.modify_db_instance(DBInstanceIdentifier="db1", DeletionProtection=True, ApplyImmediately=True)
    assert error_of(modify) == ("InvalidDBInstanceState", 400)

    timed.advance(0.6)
    with pytest.raises(ClientError) as gone:
        instance_status(rds)
    assert error_of(gone) == ("DBInstanceNotFound", 404)
    assert rds.describe_db_instances()["DBInstances"] == []
    assert rds.create_db_instance(DBInstanceIdentifier="db1", **POSTGRES)["DBInstance"]["DBInstanceStatus"] == "creating"


# rds-db-snapshot-lifecycle

def test_db_snapshot_is_creating_then_available(aws, timed):
    rds = aws["rds"]
    rds.create_db_instance(DBInstanceIdentifier="db1", **POSTGRES)
    timed.advance(1.1)
    assert rds.create_db_snapshot(DBInstanceIdentifier="db1", DBSnapshotIdentifier="s1")["DBSnapshot"]["Status"] == "creating"
    timed.advance(0.4)
    assert rds.describe_db_snapshots(DBSnapshotIdentifier="s1")["DBSnapshots"][0]["Status"] == "creating"
    timed.advance(0.2)
    assert rds.describe_db_snapshots(DBSnapshotIdentifier="s1")["DBSnapshots"][0]["Status"] == "available"


# rds-db-instance-security-group-removing

def groups_of(rds):
    return sorted((group["VpcSecurityGroupId"], group["Status"])
                  for group in rds.describe_db_instances(DBInstanceIdentifier="db1")["DBInstances"][0]["VpcSecurityGroups"])


def test_a_security_group_taken_off_an_instance_is_removing_for_a_while(aws, timed):
    ec2, rds = aws["ec2"], aws["rds"]
    first, second = (ec2.create_security_group(GroupName=name, Description=name)["GroupId"] for name in ("first", "second"))
    rds.create_db_instance(DBInstanceIdentifier="db1", VpcSecurityGroupIds=[first, second], BackupRetentionPeriod=0, **POSTGRES)
    timed.advance(1.1)
    rds.modify_db_instance(DBInstanceIdentifier="db1", VpcSecurityGroupIds=[first])
    assert groups_of(rds) == sorted([(first, "active"), (second, "removing")])
    timed.advance(0.6)
    assert groups_of(rds) == [(first, "active")]


def test_a_security_group_taken_off_goes_at_once_with_latency_off(aws):
    ec2, rds = aws["ec2"], aws["rds"]
    first, second = (ec2.create_security_group(GroupName=name, Description=name)["GroupId"] for name in ("first", "second"))
    rds.create_db_instance(DBInstanceIdentifier="db1", VpcSecurityGroupIds=[first, second], **POSTGRES)
    rds.modify_db_instance(DBInstanceIdentifier="db1", VpcSecurityGroupIds=[second])
    assert groups_of(rds) == [(second, "active")]


# rds-db-proxy-lifecycle

def test_db_proxy_is_creating_and_refuses_changes_until_available(aws, network, timed):
    rds = aws["rds"]
    assert create_proxy(aws, network)["Status"] == "creating"
    refused = [
        lambda: rds.modify_db_proxy(DBProxyName="p1", IdleClientTimeout=60),
        lambda: rds.modify_db_proxy_target_group(DBProxyName="p1", TargetGroupName="default",
                                                 ConnectionPoolConfig={"MaxConnectionsPercent": 50}),
        lambda: rds.register_db_proxy_targets(DBProxyName="p1", DBInstanceIdentifiers=["db1"]),
    ]
    for call in refused:
        with pytest.raises(ClientError) as excinfo:
            call()
        assert error_of(excinfo) == ("InvalidDBProxyStateFault", 400)
    timed.advance(0.6)
    assert proxy_status(rds) == "available"
    rds.modify_db_proxy_target_group(DBProxyName="p1", TargetGroupName="default", ConnectionPoolConfig={"MaxConnectionsPercent": 50})


def test_db_proxy_is_modifying_then_available(aws, network, timed):
    rds = aws["rds"]
    create_proxy(aws, network)
    timed.advance(0.6)
    assert rds.modify_db_proxy(DBProxyName="p1", IdleClientTimeout=60)["DBProxy"]["Status"] == "modifying"
    assert proxy_status(rds) == "modifying"
    timed.advance(0.6)
    assert proxy_status(rds) == "available"


def test_db_proxy_is_deleting_then_not_found(aws, network, timed):
    rds = aws["rds"]
    create_proxy(aws, network)
    timed.advance(0.6)
    assert rds.delete_db_proxy(DBProxyName="p1")["DBProxy"]["Status"] == "deleting"
    assert proxy_status(rds) == "deleting"
    timed.advance(0.6)
    with pytest.raises(ClientError) as gone:
        proxy_status(rds)
    assert error_of(gone) == ("DBProxyNotFoundFault", 404)


# rds-db-proxy-target-health

@pytest.mark.parametrize(("password", "settled"), [
    ("right-password", {"State": "AVAILABLE"}),
    ("stale-password", {"State": "UNAVAILABLE", "Reason": "AUTH_FAILURE"}),
], ids=["secret-matches", "secret-refused"])
def test_target_is_registering_then_available_or_refused(aws, network, timed, password, settled):
    rds = aws["rds"]
    rds.create_db_instance(DBInstanceIdentifier="db1", **POSTGRES)
    create_proxy(aws, network, password=password)
    timed.advance(1.1)
    rds.register_db_proxy_targets(DBProxyName="p1", DBInstanceIdentifiers=["db1"])
    assert target_health(rds) == [{"State": "REGISTERING"}]
    timed.advance(0.4)
    assert target_health(rds) == [{"State": "REGISTERING"}]
    timed.advance(0.2)
    health = target_health(rds)[0]
    assert {key: health[key] for key in ("State", "Reason") if key in health} == settled
    if password != "right-password":
        assert "p1-secret" in health["Description"]


@pytest.mark.parametrize(("password", "settled"), [
    ("rotated-password", {"State": "AVAILABLE"}),
    ("right-password", {"State": "UNAVAILABLE", "Reason": "AUTH_FAILURE"}),
], ids=["secret-matches-the-database", "secret-matches-the-api-only"])
def test_target_health_is_the_local_database_s_answer_after_a_rotation(settled_health, local_db, password, settled):
    admin(local_db, "CREATE ROLE admin_user LOGIN PASSWORD 'right-password'")  # the stand-in playbook
    admin(local_db, "ALTER ROLE admin_user PASSWORD 'rotated-password'")  # a rotation, inside the database only
    assert settled_health(password) == settled


@pytest.mark.parametrize(("password", "settled"), [
    ("right-password", {"State": "AVAILABLE"}),
    ("stale-password", {"State": "UNAVAILABLE", "Reason": "AUTH_FAILURE"}),
], ids=["api-password", "other-password"])
@pytest.mark.usefixtures("without_the_user")
def test_target_health_falls_back_to_the_api_password(settled_health, password, settled):
    assert settled_health(password) == settled


def test_target_health_follows_a_password_changed_through_the_api(aws, settled_health):
    rds = aws["rds"]
    assert settled_health("changed-password") == {"State": "UNAVAILABLE", "Reason": "AUTH_FAILURE"}
    rds.modify_db_instance(DBInstanceIdentifier="db1", MasterUserPassword="changed-password", ApplyImmediately=True)
    assert target_health(rds) == [{"State": "AVAILABLE"}]


@pytest.mark.parametrize(("app_password", "settled"), [
    ("app-password", {"State": "AVAILABLE"}),
    ("stale-app-password", {"State": "UNAVAILABLE", "Reason": "AUTH_FAILURE"}),
], ids=["every-secret-accepted", "application-secret-refused"])
def test_target_health_judges_every_auth_entry(aws, network, timed, local_db, app_password, settled):
    """A second user's secret (the application role's) is judged as the master's is: the master's accepted does not
    hide the other one refused."""
    admin(local_db, "CREATE ROLE admin_user LOGIN PASSWORD 'right-password'")
    admin(local_db, "CREATE ROLE app_user LOGIN PASSWORD 'app-password'")
    try:
        rds, secrets = aws["rds"], aws["secretsmanager"]
        rds.create_db_instance(DBInstanceIdentifier="db1", **POSTGRES)
        arns = [secrets.create_secret(Name=name, SecretString=json.dumps({"username": user, "password": password}))["ARN"]
                for name, user, password in (("master", "admin_user", "right-password"), ("app", "app_user", app_password))]
        rds.create_db_proxy(DBProxyName="p1", EngineFamily="POSTGRESQL", RoleArn=ROLE, VpcSubnetIds=network["subnets"],
                            Auth=[{"AuthScheme": "SECRETS", "SecretArn": arn} for arn in arns])
        timed.advance(1.1)
        rds.register_db_proxy_targets(DBProxyName="p1", DBInstanceIdentifiers=["db1"])
        timed.advance(0.6)
        health = target_health(rds)[0]
        assert {key: health[key] for key in ("State", "Reason") if key in health} == settled
        if settled["State"] == "UNAVAILABLE":
            assert arns[1] in health["Description"]
    finally:
        admin(local_db, "DROP ROLE IF EXISTS app_user")


def test_target_health_is_judged_however_the_target_was_registered(aws, network, timed):
    rds = aws["rds"]
    rds.create_db_instance(DBInstanceIdentifier="db1", **POSTGRES)
    create_proxy(aws, network, password="stale-password")
    timed.advance(1.1)
    instant = {**latency.current().seconds, ("db_proxy_target", "register"): (("REGISTERING", 0.0),)}
    latency.configure(latency.Latency(scale=1.0, seconds=instant, source="no registration time"))  # timed restores it
    rds.register_db_proxy_targets(DBProxyName="p1", DBInstanceIdentifiers=["db1"])
    health = target_health(rds)[0]
    assert (health["State"], health["Reason"]) == ("UNAVAILABLE", "AUTH_FAILURE")


def test_a_target_must_be_an_instance_that_is_ready(aws, network, timed):
    rds = aws["rds"]
    create_proxy(aws, network)
    timed.advance(0.6)
    rds.create_db_instance(DBInstanceIdentifier="db1", **POSTGRES)
    with pytest.raises(ClientError) as creating:
        rds.register_db_proxy_targets(DBProxyName="p1", DBInstanceIdentifiers=["db1"])
    assert error_of(creating) == ("InvalidDBInstanceState", 400)
    assert "unsupported state - CREATING" in creating.value.response["Error"]["Message"]
    timed.advance(0.6)  # backing-up: registrable
    rds.register_db_proxy_targets(DBProxyName="p1", DBInstanceIdentifiers=["db1"])


# latency off: moto's answers, unchanged

def test_with_latency_off_everything_settles_at_once(aws, network):
    rds, ec2 = aws["rds"], aws["ec2"]
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    assert ec2.create_nat_gateway(SubnetId=network["subnets"][0], AllocationId=allocation)["NatGateway"]["State"] == "available"
    assert rds.create_db_instance(DBInstanceIdentifier="db1", **POSTGRES)["DBInstance"]["DBInstanceStatus"] == "available"
    assert rds.create_db_snapshot(DBInstanceIdentifier="db1", DBSnapshotIdentifier="s1")["DBSnapshot"]["Status"] == "available"
    assert create_proxy(aws, network, password="stale-password")["Status"] == "available"
    registered = rds.register_db_proxy_targets(DBProxyName="p1", DBInstanceIdentifiers=["db1"])["DBProxyTargets"]
    assert registered[0]["TargetHealth"] == {"State": "REGISTERING"}  # moto's: on the first read only, no reason ever
    assert target_health(rds) == [{"State": "AVAILABLE"}]
    rds.delete_db_proxy(DBProxyName="p1")
    assert rds.describe_db_proxies()["DBProxies"] == []
    rds.delete_db_instance(DBInstanceIdentifier="db1", SkipFinalSnapshot=True)
    assert rds.describe_db_instances()["DBInstances"] == []
