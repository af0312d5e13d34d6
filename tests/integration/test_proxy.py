"""The connection pool, read back from the emulator: the proxy, its target and the IAM role it reads the secret with."""

import json
from urllib.parse import unquote

import pytest

from .conftest import DB_INSTANCE_ID, PROXY_NAME, PROXY_ROLE_NAME


def as_list(value):
    return value if isinstance(value, list) else [value]


def policy_document(document):
    """IAM returns policy documents URL-encoded in its XML; boto3 usually decodes them, the emulator may not."""
    return json.loads(unquote(document)) if isinstance(document, str) else document


@pytest.fixture(scope="module")
def proxy(aws):
    proxies = aws("rds").describe_db_proxies()["DBProxies"]
    names = [p["DBProxyName"] for p in proxies]
    assert names == [PROXY_NAME], f"expected only the proxy {PROXY_NAME}, the account has {names}"
    return proxies[0]


@pytest.fixture(scope="module")
def role(aws):
    return aws("iam").get_role(RoleName=PROXY_ROLE_NAME)["Role"]


@pytest.fixture(scope="module")
def secret_kms_key(aws, outputs):
    """The ARN of the secret's customer-managed key, or None for the AWS-managed key (the local environment)."""
    key = aws("secretsmanager").describe_secret(SecretId=outputs["DatabaseSecretArn"]).get("KmsKeyId")
    return aws("kms").describe_key(KeyId=key)["KeyMetadata"]["Arn"] if key else None


def test_proxy_is_a_postgresql_proxy_requiring_tls(proxy):
    actual = {k: proxy.get(k) for k in ("EngineFamily", "RequireTLS", "IdleClientTimeout", "DebugLogging", "Status")}
    assert actual == {"EngineFamily": "POSTGRESQL", "RequireTLS": True, "IdleClientTimeout": 1800, "DebugLogging": False,
                      "Status": "available"}


def test_proxy_logs_in_with_the_master_and_the_application_secrets(proxy, outputs):
    auth = [{k: entry.get(k) for k in ("AuthScheme", "SecretArn", "IAMAuth", "ClientPasswordAuthType")} for entry in proxy["Auth"]]
    assert auth == [{"AuthScheme": "SECRETS", "SecretArn": outputs[output], "IAMAuth": "DISABLED",
                     "ClientPasswordAuthType": "POSTGRES_SCRAM_SHA_256"}
                    for output in ("DatabaseSecretArn", "DatabaseAppSecretArn")]


def test_proxy_assumes_its_own_role(proxy, role):
    assert proxy["RoleArn"] == role["Arn"]


def test_proxy_is_in_the_isolated_subnets_and_the_database_group(proxy, subnet_ids_by_tier, outputs, vpc):
    assert proxy["VpcId"] == vpc["VpcId"]
    assert sorted(proxy["VpcSubnetIds"]) == subnet_ids_by_tier.get("isolated"), "the proxy should be in the tier=isolated subnets"
    assert sorted(proxy["VpcSubnetIds"]) == sorted(outputs["IsolatedSubnetIds"])
    assert proxy["VpcSecurityGroupIds"] == [outputs["DatabaseSecurityGroupId"]], "the proxy should be in the database group only"


def test_default_target_group_pools_100_percent_keeping_half_idle(aws):
    groups = aws("rds").describe_db_proxy_target_groups(DBProxyName=PROXY_NAME)["TargetGroups"]
    defaults = [g for g in groups if g.get("IsDefault")]
    assert len(defaults) == 1, f"expected one default target group, found {[g['TargetGroupName'] for g in groups]}"
    pool = defaults[0]["ConnectionPoolConfig"]
    actual = {k: pool.get(k) for k in ("MaxConnectionsPercent", "MaxIdleConnectionsPercent", "ConnectionBorrowTimeout")}
    assert actual == {"MaxConnectionsPercent": 100, "MaxIdleConnectionsPercent": 50, "ConnectionBorrowTimeout": 120}


def test_the_only_target_is_the_instance_and_it_is_available(aws, db_instance):
    targets = aws("rds").describe_db_proxy_targets(DBProxyName=PROXY_NAME)["Targets"]
    assert len(targets) == 1, f"expected one target, found {[t.get('RdsResourceId') for t in targets]}"
    target = targets[0]
    assert (target.get("Type"), target.get("RdsResourceId")) == ("RDS_INSTANCE", DB_INSTANCE_ID)
    assert target.get("TargetArn") == db_instance["DBInstanceArn"]
    assert (target.get("Endpoint"), target.get("Port")) == (db_instance["Endpoint"]["Address"], db_instance["Endpoint"]["Port"])
    assert target.get("TargetHealth", {}).get("State") == "AVAILABLE", f"target health is {target.get('TargetHealth')}"


def test_role_is_trusted_by_rds_only(role):
    statements = as_list(policy_document(role["AssumeRolePolicyDocument"])["Statement"])
    actual = [(s.get("Effect"), {k: as_list(v) for k, v in s.get("Principal", {}).items()}, as_list(s.get("Action")))
              for s in statements]
    assert actual == [("Allow", {"Service": ["rds.amazonaws.com"]}, ["sts:AssumeRole"])], f"the trust policy allows {actual}"


def test_role_has_no_managed_policies(aws):
    attached = aws("iam").list_attached_role_policies(RoleName=PROXY_ROLE_NAME)["AttachedPolicies"]
    assert not attached, f"{PROXY_ROLE_NAME} should hold only its inline policy, has {[p['PolicyArn'] for p in attached]}"


def test_role_may_read_only_the_master_and_application_secrets(aws, outputs, secret_kms_key):
    iam = aws("iam")
    names = iam.list_role_policies(RoleName=PROXY_ROLE_NAME)["PolicyNames"]
    assert names == ["read-database-secret"], f"{PROXY_ROLE_NAME} has inline policies {names}"
    document = policy_document(iam.get_role_policy(RoleName=PROXY_ROLE_NAME, PolicyName=names[0])["PolicyDocument"])
    statements = as_list(document["Statement"])
    for statement in statements:
        assert not {"NotAction", "NotResource", "NotPrincipal"} & set(statement), f"an inverted statement grants too much: {statement}"
        assert "*" not in "".join(as_list(statement.get("Action")) + as_list(statement.get("Resource"))), (
            f"a wildcard in {statement}")
    granted = sorted((s["Effect"], a, r) for s in statements for a in as_list(s["Action"]) for r in as_list(s["Resource"]))
    expected = [("Allow", "secretsmanager:GetSecretValue", outputs[output]) for output in ("DatabaseSecretArn", "DatabaseAppSecretArn")]
    if secret_kms_key:  # a customer-managed key: decrypt it, and only through Secrets Manager
        expected.append(("Allow", "kms:Decrypt", secret_kms_key))
    assert granted == sorted(expected), f"the role is granted {granted}"
    for statement in statements:
        if "kms:Decrypt" in as_list(statement["Action"]):
            via = statement.get("Condition", {}).get("StringEquals", {}).get("kms:ViaService")
            assert via == "secretsmanager.us-east-1.amazonaws.com", f"kms:Decrypt without the kms:ViaService condition: {statement}"


def test_proxy_log_group_keeps_30_days(aws):
    name = f"/aws/rds/proxy/{PROXY_NAME}"
    groups = [g for g in aws("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"] if g["logGroupName"] == name]
    assert groups, f"log group {name} does not exist"
    assert groups[0].get("retentionInDays") == 30, f"{name} keeps events {groups[0].get('retentionInDays')} days, not 30"


def test_outputs_name_the_proxy_endpoint(outputs, proxy):
    assert outputs["DatabaseProxyEndpoint"] == proxy["Endpoint"]
    assert outputs["LambdaEnvironment"]["RDS_PROXY_ENDPOINT"] == proxy["Endpoint"]
