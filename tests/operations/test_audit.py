"""playbooks/audit.yml on a private local environment: every rule passes where site.yml built it; an instance made by
hand in the environment's subnet group fails the rules it breaks, named; then every rule fails at once after the
environment is broken through the API, the way an operator or an attacker could break it.

Storage encryption cannot be turned off (ModifyDBInstance has no such setting, on AWS as in the emulator), so the
instance is replaced by one of the same name created unencrypted, public, without Performance Insights, log exports
or deletion protection: the audit then reads the same names and inventory as before.
"""

import io
import json
import re
import zipfile
from contextlib import closing
from pathlib import Path

import boto3
import psycopg2
import pytest
import requests

from tests.roles.conftest import CLOSED_PORT
from tests.roles.conftest import fixture_run_playbook  # noqa: F401  pylint: disable=unused-import
from tests.roles.playbook_output import changed_tasks, ok

PORT = 4722
PG_PORT = 25521
NAME = "shoppulse-analytics"
INSTANCE = NAME
PARAMETER_GROUP = f"{INSTANCE}-postgres15"
SECURITY_GROUP = f"{INSTANCE}-sg"
PROXY = f"{NAME}-proxy"
SECRET = f"{NAME}/rds/master"
# The environment asks for deletion protection, so that rule 11 has something to check.
ARGS = ("-e", "rds_deletion_protection=true")
RULES = {
    1: "instance-not-public",
    2: "storage-encrypted",
    3: "instance-forces-tls",
    4: "proxy-requires-tls",
    5: "security-group-closed",
    6: "isolated-no-egress",
    7: "flow-logs-all",
    8: "performance-insights",
    9: "log-exports",
    10: "secret-proxy-only",
    11: "deletion-protection",
    12: "rotation-function-exists",
    13: "functions-secret",
    14: "tenant-tables-rls",
    15: "app-role-no-ddl",
    16: "recommended-alarms",
}
# What each broken rule's detail must name, so that a FAIL is known to be for the right reason.
BROKEN_DETAILS = {
    1: "is publicly accessible",
    2: "storage is not encrypted",
    3: "rds.force_ssl = 0",
    4: "accepts connections without TLS",
    5: "tcp 22 from 0.0.0.0/0",
    6: "0.0.0.0/0 -> nat-",
    7: "REJECT",
    8: "Performance Insights off",
    9: "does not export upgrade",
    10: "role shoppulse-analytics-reporting (read-everything)",
    11: "deletion protection off",
    12: "does not exist",
    13: f"function {NAME}-orders gets the master secret in RDS_SECRET_ARN",
    14: "orders has row-level security disabled",
    15: "shoppulse_app may create in schema public",
    16: "no alarm with an action to",
}
# An instance made outside the collection in the environment's subnet group, as a restore by hand makes it: the
# engine's default parameter group and security group, no Performance Insights, no log exports, no protection.
STRAY = "restored-by-hand"
STRAY_BREAKS = {5: f"{STRAY} is also in sg-", 8: f"{STRAY} has Performance Insights off",
                9: f"{STRAY} does not export postgresql, upgrade", 11: f"{STRAY} has deletion protection off"}


def lines(result) -> dict[int, tuple[str, str]]:
    """The report's lines by rule number: (PASS or FAIL, the rest of the line)."""
    found = re.findall(r"^\s*(PASS|FAIL)\s+(\d+) (\S+)\s+(.*)$", result.stdout, re.MULTILINE)
    return {int(rule): (verdict, f"{name} {detail}") for verdict, rule, name, detail in found}


@pytest.fixture(name="environment", scope="module")
def fixture_environment(converged_environment_at):
    """The converged environment (the run's snapshot, tests/converged.py) on the module's ports."""
    with converged_environment_at(PORT, PG_PORT) as env:
        yield env


@pytest.fixture(name="aws", scope="module")
def fixture_aws(environment):  # pylint: disable=unused-argument  # the emulator must be up
    return lambda service: boto3.client(service, region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{PORT}",
                                        aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture(name="audit", scope="module")
def fixture_audit(environment, run_playbook):
    def run():
        return run_playbook("playbooks/audit.yml", *ARGS, port=PORT, env=environment, timeout=600)

    return run


@pytest.fixture(name="sound", scope="module")
def fixture_sound(aws, audit):
    """The audit of the environment as site.yml builds it, with deletion protection asked for."""
    # The snapshot holds every layer a rule reads (the schema layer's row-level security and application role, rules 14
    # and 15; the monitoring layer's alarms, rule 16): only the instance's protection changes, set as the rds layer
    # sets it (that the layer does: tests/operations/test_snapshot_restore.py, test_destroy.py's partial environment).
    aws("rds").modify_db_instance(DBInstanceIdentifier=INSTANCE, DeletionProtection=True, ApplyImmediately=True)
    return audit()


@pytest.fixture(name="stray", scope="module")
def fixture_stray(sound, aws, audit):  # pylint: disable=unused-argument  # the sound audit runs first
    """The audit with an instance made by hand in the environment's subnet group, which is then deleted."""
    rds = aws("rds")
    own = rds.describe_db_instances(DBInstanceIdentifier=INSTANCE)["DBInstances"][0]
    rds.create_db_instance(
        DBInstanceIdentifier=STRAY, Engine="postgres", EngineVersion=own["EngineVersion"], DBInstanceClass=own["DBInstanceClass"],
        AllocatedStorage=own["AllocatedStorage"], StorageType="gp3", StorageEncrypted=True, PubliclyAccessible=False,
        MasterUsername="someone", MasterUserPassword="someone-password-1", DBSubnetGroupName=own["DBSubnetGroup"]["DBSubnetGroupName"])
    result = audit()
    rds.delete_db_instance(DBInstanceIdentifier=STRAY, SkipFinalSnapshot=True)
    rds.get_waiter("db_instance_deleted").wait(DBInstanceIdentifier=STRAY, WaiterConfig={"Delay": 2})
    return result


@pytest.fixture(name="broken", scope="module")
def fixture_broken(stray, aws, audit):  # pylint: disable=unused-argument  # the audits before run first
    """The audit after every rule has been broken."""
    break_every_rule(aws)
    return audit()


def replace_instance_unencrypted(rds) -> None:
    """Delete the instance and create one of the same name, unencrypted, public, without Performance Insights,
    the upgrade log export or deletion protection, in the same subnet group, security group and parameter group."""
    old = rds.describe_db_instances(DBInstanceIdentifier=INSTANCE)["DBInstances"][0]
    rds.modify_db_instance(DBInstanceIdentifier=INSTANCE, DeletionProtection=False, ApplyImmediately=True)
    rds.delete_db_instance(DBInstanceIdentifier=INSTANCE, SkipFinalSnapshot=True)
    rds.create_db_instance(
        DBInstanceIdentifier=INSTANCE, Engine="postgres", EngineVersion=old["EngineVersion"],
        DBInstanceClass=old["DBInstanceClass"], AllocatedStorage=old["AllocatedStorage"], StorageType="gp3",
        MasterUsername="shoppulse_admin", MasterUserPassword="replaced-by-hand-1", DBName="shoppulse",
        DBSubnetGroupName=old["DBSubnetGroup"]["DBSubnetGroupName"], DBParameterGroupName=PARAMETER_GROUP,
        VpcSecurityGroupIds=[group["VpcSecurityGroupId"] for group in old["VpcSecurityGroups"]],
        StorageEncrypted=False, PubliclyAccessible=True, EnablePerformanceInsights=False, DeletionProtection=False,
        EnableCloudwatchLogsExports=["postgresql"],
    )


def open_isolated_subnets(ec2, vpc_id: str) -> None:
    """Route the isolated table to the NAT gateway, and move one isolated subnet onto a main table routed to the
    internet gateway: the audit must follow a subnet without a table of its own to the main one."""
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"]
    isolated = next(table for table in tables if {"Key": "Name", "Value": f"{NAME}-isolated"} in table.get("Tags", []))
    main = next(table for table in tables if any(link["Main"] for link in table["Associations"]))
    nat = ec2.describe_nat_gateways(Filter=[{"Name": "vpc-id", "Values": [vpc_id]}])["NatGateways"][0]["NatGatewayId"]
    igw = ec2.describe_internet_gateways(
        Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])["InternetGateways"][0]["InternetGatewayId"]
    ec2.create_route(RouteTableId=isolated["RouteTableId"], DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    ec2.create_route(RouteTableId=main["RouteTableId"], DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.disassociate_route_table(AssociationId=isolated["Associations"][-1]["RouteTableAssociationId"])


def replace_flow_log_with_rejects_only(ec2, vpc_id: str) -> None:
    old = ec2.describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc_id]}])["FlowLogs"][0]
    ec2.delete_flow_logs(FlowLogIds=[old["FlowLogId"]])
    ec2.create_flow_logs(ResourceIds=[vpc_id], ResourceType="VPC", TrafficType="REJECT", LogDestinationType="cloud-watch-logs",
                         LogGroupName=old["LogGroupName"], DeliverLogsPermissionArn=old["DeliverLogsPermissionArn"])


def share_the_secret(aws) -> None:
    """A resource policy that lets the account root read the secret, and a role whose inline policy reads every secret."""
    iam, secrets = aws("iam"), aws("secretsmanager")
    secrets.put_resource_policy(SecretId=SECRET, ResourcePolicy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]}))
    iam.create_role(RoleName=f"{NAME}-reporting", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    iam.put_role_policy(RoleName=f"{NAME}-reporting", PolicyName="read-everything", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "secretsmanager:Get*", "Resource": "*"}]}))


def configure_a_rotation_function_then_delete_it(aws, port: int) -> None:
    """The secret rotates with a function that no longer exists: configured while it did, deleted since."""
    # The emulator's Lambda only records invocations without Docker: the function does nothing.
    requests.post(f"http://127.0.0.1:{port}/moto-api/config", json={"lambda": {"use_docker": False}}, timeout=10).raise_for_status()
    role = aws("iam").create_role(RoleName=f"{NAME}-rotation", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("rotate.py", "def handler(event, context):\n    return None\n")
    function = aws("lambda").create_function(FunctionName=f"{NAME}-rotation", Runtime="python3.12", Role=role,
                                             Handler="rotate.handler", Code={"ZipFile": code.getvalue()})["FunctionArn"]
    aws("secretsmanager").rotate_secret(SecretId=SECRET, RotationLambdaARN=function, RotationRules={"AutomaticallyAfterDays": 30})
    aws("lambda").delete_function(FunctionName=function)


def give_the_master_secret_to_a_function(aws) -> None:
    """A function configured the way the seed configured every function: RDS_SECRET_ARN names the master secret."""
    master = aws("secretsmanager").describe_secret(SecretId=SECRET)["ARN"]
    role = aws("iam").create_role(RoleName=f"{NAME}-orders", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("orders.py", "def handler(event, context):\n    return None\n")
    aws("lambda").create_function(FunctionName=f"{NAME}-orders", Runtime="python3.12", Role=role, Handler="orders.handler",
                                  Code={"ZipFile": code.getvalue()}, Environment={"Variables": {"RDS_SECRET_ARN": master}})


def as_master(aws, *statements: str) -> list:
    """Run ``statements`` on the database as the master user, in one transaction; the last one's rows, if any."""
    secret = json.loads(aws("secretsmanager").get_secret_value(SecretId=SECRET)["SecretString"])
    conn = psycopg2.connect(host="127.0.0.1", port=PG_PORT, dbname="shoppulse", user=secret["username"],
                            password=secret["password"], sslmode="require", connect_timeout=10)
    with closing(conn), conn, conn.cursor() as cur:
        for statement in statements:
            cur.execute(statement)
        return cur.fetchall() if cur.description else []


def loosen_the_database(aws) -> None:
    """As the master user: the application role may create tables in public, and orders' row-level security is off."""
    as_master(aws, "GRANT CREATE ON SCHEMA public TO shoppulse_app", "ALTER TABLE orders DISABLE ROW LEVEL SECURITY")


def break_every_rule(aws) -> None:
    rds, ec2 = aws("rds"), aws("ec2")
    vpc_id = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [NAME]}])["Vpcs"][0]["VpcId"]
    replace_instance_unencrypted(rds)  # rules 1, 2, 8, 9 and 11
    rds.modify_db_parameter_group(DBParameterGroupName=PARAMETER_GROUP, Parameters=[{
        "ParameterName": "rds.force_ssl", "ParameterValue": "0", "ApplyMethod": "pending-reboot"}])
    rds.modify_db_proxy(DBProxyName=PROXY, RequireTLS=False)
    group_id = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [SECURITY_GROUP]}])["SecurityGroups"][0]["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    open_isolated_subnets(ec2, vpc_id)
    replace_flow_log_with_rejects_only(ec2, vpc_id)
    share_the_secret(aws)
    configure_a_rotation_function_then_delete_it(aws, PORT)
    give_the_master_secret_to_a_function(aws)  # rule 13
    loosen_the_database(aws)  # rules 14 and 15
    aws("cloudwatch").delete_alarms(AlarmNames=[f"{NAME}-rds-cpu"])  # rule 16


def test_a_bad_setting_is_refused_in_one_line_before_any_aws_call(run_playbook):
    # Nothing listens on the closed port: any AWS call would fail with a connection error instead.
    result = run_playbook("playbooks/audit.yml", "-e", "audit_write_report=maybe", port=CLOSED_PORT)
    assert result.returncode != 0 and "audit_write_report: maybe is not a boolean" in result.stdout, result.stdout[-2000:]
    assert "Could not connect" not in result.stdout + result.stderr


def test_every_rule_passes_where_site_yml_built_the_environment(sound, environment):
    ok(sound)
    # Read-only: the report is the one thing it writes.
    assert changed_tasks(sound) == ["Write audit.json with every rule's finding"]
    assert lines(sound) == {rule: ("PASS", lines(sound)[rule][1]) for rule in RULES}, sound.stdout[-3000:]
    assert all(lines(sound)[rule][1].startswith(name) for rule, name in RULES.items())
    report = json.loads((Path(environment["SHOPPULSE_ARTIFACTS_DIR"]) / "audit.json").read_text())
    assert report["passed"] is True and [finding["rule"] for finding in report["findings"]] == list(RULES)


def test_a_broken_environment_fails_the_audit_naming_every_rule(broken):
    assert broken.returncode != 0
    failed = ", ".join(f"{rule} {name}" for rule, name in RULES.items())
    # The message is one line; the callback may wrap it in its YAML.
    output = " ".join((broken.stdout + broken.stderr).split())
    assert f"audit of local: {len(RULES)} of {len(RULES)} rules failed: {failed}" in output, broken.stdout[-3000:]


def test_an_instance_made_by_hand_in_the_subnet_group_fails_the_rules_it_breaks_named(stray):
    assert stray.returncode != 0
    found = lines(stray)
    assert sorted(rule for rule, (verdict, _text) in found.items() if verdict == "FAIL") == sorted(STRAY_BREAKS), stray.stdout[-3000:]
    for rule, detail in STRAY_BREAKS.items():
        assert detail in found[rule][1], found[rule]


@pytest.mark.parametrize("rule", list(RULES), ids=list(RULES.values()))
def test_each_broken_rule_is_reported_failed_with_its_cause(broken, rule):
    verdict, text = lines(broken)[rule]
    assert verdict == "FAIL" and text.startswith(RULES[rule]), text
    assert BROKEN_DETAILS[rule] in text, text


def test_the_main_table_a_subnet_falls_back_to_is_audited(broken):
    assert re.search(r"subnet-\w+ via rtb-\w+ \(main\): 0\.0\.0\.0/0 -> igw-", lines(broken)[6][1]), lines(broken)[6][1]


def test_the_secret_resource_policy_is_audited(broken):
    assert "resource policy lets arn:aws:iam::123456789012:root read it" in lines(broken)[10][1]


def test_the_schema_layer_puts_the_application_role_s_access_right_and_fails_naming_what_is_missing(broken, aws, environment,
                                                                                                    run_playbook):
    """On the broken environment (rules 14 and 15 broken in the database) with orders' updated_at trigger dropped too:
    the schema layer alone puts the access right in one transaction, its one change, then fails naming the trigger."""
    assert lines(broken)[14][0] == lines(broken)[15][0] == "FAIL"
    as_master(aws, "DROP TRIGGER orders_set_updated_at ON orders")
    result = run_playbook("site.yml", "--tags", "schema", *ARGS, port=PORT, env=environment, timeout=600)
    assert result.returncode != 0 and changed_tasks(result) == [
        "shoppulse.analytics.schema : Put the application role's access right, in one transaction"], result.stdout[-3000:]
    assert "database shoppulse is missing: orders: BEFORE UPDATE trigger calling public.set_updated_at" in result.stdout, \
        result.stdout[-3000:]
    assert as_master(aws, "SELECT relrowsecurity FROM pg_class WHERE oid = 'public.orders'::regclass") == [(True,)]
    assert as_master(aws, "SELECT has_schema_privilege('shoppulse_app', 'public', 'CREATE')") == [(False,)]
