"""The platform's own functions on the shared converged environment (tests/environment.py), run for real by the
emulator: test-db-connection through playbooks/check_connectivity.yml and boto3, and the rotation function site.yml
builds (inventories/local turns secrets_rotation_function on), through RotateSecret with boto3.

The module puts back what it changes: the application role's password changed behind the secret's back is set back
to the secret's; the rotation leaves the secret, the database and the proxy agreeing, which site.yml then confirms.
"""

import json
import time
from contextlib import closing
from pathlib import Path

import psycopg2
import pytest

from localenv import services
from tests.environment import PG_PORT
from tests.roles.playbook_output import changed_tasks, ok, recap

CHECK = "playbooks/check_connectivity.yml"
FUNCTION = "test-db-connection"
ROTATION = "shoppulse-analytics-secret-rotation"
WAIT = 300  # seconds at most for the rotation the emulator runs after RotateSecret answers; polled
FOUR_STEPS = ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue",
              "secretsmanager:UpdateSecretVersionStage"]
NETWORK_INTERFACES = ["ec2:AssignPrivateIpAddresses", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
                      "ec2:DescribeNetworkInterfaces", "ec2:UnassignPrivateIpAddresses"]


@pytest.fixture(name="env", scope="module")
def fixture_env(shared_environment):
    ok(shared_environment.converge)
    return shared_environment


def secret(env, stage="AWSCURRENT", output="DatabaseSecretArn"):
    found = env.client("secretsmanager").get_secret_value(SecretId=env.outputs[output], VersionStage=stage)
    return json.loads(found["SecretString"])


def admin(env, statement, *args):
    cfg = services.Settings(state=Path(env.env["SHOPPULSE_LOCAL_STATE"]), emulator_host="127.0.0.1", emulator_port=env.port,
                            pg_port=PG_PORT)
    with closing(psycopg2.connect(host=str(cfg.pgsocket), port=PG_PORT, user="postgres", dbname="postgres")) as conn:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(statement, args)


def logs_in(username, password):
    try:
        psycopg2.connect(host="127.0.0.1", port=PG_PORT, user=username, password=password, dbname="postgres",
                         sslmode="require", connect_timeout=10).close()
    except psycopg2.OperationalError:
        return False
    return True


def invoke(env):
    answer = env.client("lambda").invoke(FunctionName=FUNCTION, Payload=b"{}")
    assert "FunctionError" not in answer, answer["Payload"].read()
    return json.loads(answer["Payload"].read())


def log_text(env, function):
    logs = env.client("logs")
    group = f"/aws/lambda/{function}"
    return "\n".join(event["message"] for stream in logs.describe_log_streams(logGroupName=group)["logStreams"]
                     for event in logs.get_log_events(logGroupName=group, logStreamName=stream["logStreamName"])["events"])


def statements(env, function):
    iam = env.client("iam")
    role = f"{function}-role"
    names = iam.list_role_policies(RoleName=role)["PolicyNames"]
    assert names == [function] and not iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"], \
        "one inline policy, nothing attached"
    document = iam.get_role_policy(RoleName=role, PolicyName=function)["PolicyDocument"]
    document = json.loads(document) if isinstance(document, str) else document
    return {item["Sid"]: item for item in document["Statement"]}


def actions(statement):
    return sorted([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])


def test_site_builds_the_rotation_function_while_the_proxys_target_registers(env):
    output = env.converge.stdout
    built = output.find("changed: [localhost]", output.find(
        "TASK [shoppulse.analytics.lambda_function : Ensure the function runs the package in the VPC with its environment]"))

    assert output.find("TASK [Register the instance as the proxy's target once the proxy is available]") < built
    assert built < output.find("TASK [Wait for the proxy's target]") < output.find("PLAY [Build the schema layer]")
    assert "TASK [Build the rotation function unless this run has built it]" not in output, "built once, in the main play"
    # Secrets Manager may invoke it, for this account's secrets only.
    account = env.client("sts").get_caller_identity()["Account"]
    [statement] = json.loads(env.client("lambda").get_policy(FunctionName=ROTATION)["Policy"])["Statement"]
    assert (statement["Principal"], statement["Action"], statement["Condition"]) == (
        {"Service": "secretsmanager.amazonaws.com"}, "lambda:InvokeFunction", {"StringEquals": {"AWS:SourceAccount": account}})


def test_check_connectivity_deploys_test_db_connection_and_reports_tls(env):
    first = env.playbook(CHECK)
    again = env.playbook(CHECK)

    ok(first)
    ok(again)
    assert changed_tasks(again) == ["Invoke test-db-connection"], "the second run only invokes it"
    table = again.stdout
    assert "ok               True" in table and "tls              TLSv1." in table and "failed step      -" in table
    result = invoke(env)
    assert result["ok"] is True and result["tls_version"].startswith("TLSv1.") and result["server_version"].startswith("15.")
    assert result["endpoint"] == env.outputs["DatabaseProxyEndpoint"], "the function connects to the proxy's name"


def test_the_functions_roles_allow_only_what_their_code_uses(env):
    account = env.client("sts").get_caller_identity()["Account"]
    check, rotation = statements(env, FUNCTION), statements(env, ROTATION)

    assert sorted(check) == ["ManageItsNetworkInterfaces", "ReadTheSecretItConnectsWith", "WriteItsLog"]
    assert actions(check["ReadTheSecretItConnectsWith"]) == ["secretsmanager:GetSecretValue"]
    assert check["ReadTheSecretItConnectsWith"]["Resource"] == env.outputs["LambdaEnvironment"]["RDS_SECRET_ARN"]
    assert sorted(rotation) == ["ManageItsNetworkInterfaces", "RotateItsSecrets", "WriteItsLog"]
    assert actions(rotation["RotateItsSecrets"]) == FOUR_STEPS
    assert rotation["RotateItsSecrets"]["Resource"] == [env.outputs["DatabaseSecretArn"], env.outputs["DatabaseAppSecretArn"]]
    for function, found in ((FUNCTION, check), (ROTATION, rotation)):
        assert actions(found["WriteItsLog"]) == ["logs:CreateLogStream", "logs:PutLogEvents"]
        assert found["WriteItsLog"]["Resource"] == f"arn:aws:logs:us-east-1:{account}:log-group:/aws/lambda/{function}:*"
        assert actions(found["ManageItsNetworkInterfaces"]) == NETWORK_INTERFACES
        config = env.client("lambda").get_function_configuration(FunctionName=function)
        assert sorted(config["VpcConfig"]["SubnetIds"]) == sorted(env.outputs["PrivateSubnetIds"])
        assert config["VpcConfig"]["SecurityGroupIds"] == [env.outputs["DatabaseSecurityGroupId"]]
        group = env.client("logs").describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{function}")["logGroups"][0]
        assert group["retentionInDays"] == 30


def test_a_password_changed_behind_the_secrets_back_fails_at_authentication_and_is_never_shown(env):
    current = secret(env, output="DatabaseAppSecretArn")
    assert env.outputs["LambdaEnvironment"]["RDS_SECRET_ARN"] == env.outputs["DatabaseAppSecretArn"]
    changed = "Changed-Behind-The-Secrets-Back-1"
    admin(env, f"ALTER ROLE {current['username']} PASSWORD %s", changed)
    try:
        result = invoke(env)
        check = env.playbook(CHECK)
    finally:
        admin(env, f"ALTER ROLE {current['username']} PASSWORD %s", current["password"])

    assert result["ok"] is False and result["step"] == "authentication" and "password authentication failed" in result["error"]
    assert check.returncode != 0 and recap(check)["failed"] == 1
    assert "test-db-connection failed at authentication: secret or proxy target health" in " ".join(check.stdout.split())
    for text in (json.dumps(result), check.stdout, log_text(env, FUNCTION)):
        assert current["password"] not in text and changed not in text


@pytest.mark.parametrize("output", ["DatabaseSecretArn", "DatabaseAppSecretArn"])
def test_rotate_secret_without_a_function_arn_rotates_with_the_configured_one(env, output):
    sm = env.client("secretsmanager")
    arn = env.outputs[output]
    old = secret(env, output=output)
    assert sm.describe_secret(SecretId=arn)["RotationLambdaARN"].endswith(f":function:{ROTATION}")

    token = sm.rotate_secret(SecretId=arn)["VersionId"]

    deadline = time.monotonic() + WAIT
    while "AWSCURRENT" not in sm.describe_secret(SecretId=arn)["VersionIdsToStages"].get(token, []):
        assert time.monotonic() < deadline, f"the rotation did not finish within {WAIT} s:\n{log_text(env, ROTATION)[-3000:]}"
        time.sleep(1)
    new = secret(env, output=output)
    assert new["password"] != old["password"] and secret(env, "AWSPREVIOUS", output)["password"] == old["password"]
    assert logs_in(new["username"], new["password"]) and not logs_in(old["username"], old["password"])
    targets = env.client("rds").describe_db_proxy_targets(DBProxyName="shoppulse-analytics-proxy")["Targets"]
    assert [target["TargetHealth"]["State"] for target in targets] == ["AVAILABLE"]
    assert old["password"] not in log_text(env, ROTATION) and new["password"] not in log_text(env, ROTATION)


def test_site_yml_after_the_rotation_changes_nothing(env):
    again = env.site()

    assert ok(again)["changed"] == 0, changed_tasks(again)
