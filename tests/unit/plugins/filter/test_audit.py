"""posture_findings: each rule passes on a sound environment and fails, naming the cause, when broken."""

import copy

import pytest

from ansible_collections.shoppulse.analytics.plugins.filter.audit import FilterModule, environment_databases, posture_findings, posture_table

SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shoppulse-analytics/rds/master-AbCdEf"
PROXY_ROLE = "shoppulse-analytics-proxy-role"
PROXY_ROLE_ARN = f"arn:aws:iam::123456789012:role/{PROXY_ROLE}"
GROUP = "sg-0123456789abcdef0"
ISOLATED = ["subnet-iso-a", "subnet-iso-b"]
LOCAL = {"destination_cidr_block": "10.0.0.0/16", "gateway_id": "local", "state": "active"}
APP_SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shoppulse-analytics/rds/app-GhIjKl"
TENANT_TABLES = ["tenants", "users", "orders", "fulfillment", "marketing_campaigns", "role_metric_visibility",
                 "governance_rules", "audit_logs"]
READ_SECRET = {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": SECRET_ARN}
TOPIC = "arn:aws:sns:us-east-1:123456789012:shoppulse-analytics-alarms"


def table(table_id, subnets=(), main=False, routes=(LOCAL,)):
    associations = [{"subnet_id": subnet, "main": False} for subnet in subnets] + ([{"main": True}] if main else [])
    return {"id": table_id, "associations": associations, "routes": list(routes)}


def policy(name, *statements, kind="inline"):
    return {"name": name, "kind": kind, "document": {"Version": "2012-10-17", "Statement": list(statements)}}


SOUND = {
    "vpc": {
        "vpc_id": "vpc-1",
        "isolated_subnet_ids": ISOLATED,
        "route_tables": [
            table("rtb-main", main=True),
            table("rtb-public", ["subnet-pub-a"], routes=[LOCAL, {"destination_cidr_block": "0.0.0.0/0", "gateway_id": "igw-1"}]),
            table("rtb-isolated", ISOLATED),
        ],
        "flow_logs": [{"flow_log_id": "fl-1", "resource_id": "vpc-1", "flow_log_status": "ACTIVE", "traffic_type": "ALL"}],
    },
    "secrets": {"secret_arn": SECRET_ARN, "secret_name": "shoppulse-analytics/rds/master", "username": "shoppulse_admin",
                "resource_policy": None},
    "rds": {
        "instance_identifier": "shoppulse-analytics",
        "port": 5432,
        "security_group_id": GROUP,
        "security_group_ingress": [
            {"ip_protocol": "tcp", "from_port": 5432, "to_port": 5432, "user_id_group_pairs": [{"group_id": GROUP}],
             "ip_ranges": [], "ipv6_ranges": [], "prefix_list_ids": []},
        ],
        "settings": {
            "publicly_accessible": False,
            "storage_encrypted": True,
            "deletion_protection": True,
            "performance_insights_enabled": True,
            "log_exports": ["postgresql", "upgrade"],
            "parameter_group": "shoppulse-analytics-postgres15",
            "security_groups": [GROUP],
        },
    },
    "rds_proxy": {"proxy_name": "shoppulse-analytics-proxy", "proxy_arn": "arn:aws:rds:us-east-1:123456789012:db-proxy:prx-1",
                  "require_tls": True, "role_name": PROXY_ROLE, "role_arn": PROXY_ROLE_ARN},
    "parameters": {"rds.force_ssl": {"value": "1", "source": "user"}},
    "principals": [
        {"type": "role", "name": PROXY_ROLE, "arn": PROXY_ROLE_ARN, "policies": [policy("read-database-secret", READ_SECRET)]},
        {"type": "role", "name": "shoppulse-analytics-flow-logs", "policies": [
            policy("deliver-flow-logs", {"Effect": "Allow", "Action": ["logs:PutLogEvents"], "Resource": "*"})]},
        {"type": "user", "name": "deployer", "groups": [], "policies": [
            {"name": "AdministratorAccess", "kind": "aws-managed", "arn": "arn:aws:iam::aws:policy/AdministratorAccess", "document": None}]},
    ],
    "expected": {"deletion_protection": True, "extra_ingress": []},
    "secrets_app": {"secret_arn": APP_SECRET_ARN, "secret_name": "shoppulse-analytics/rds/app", "username": "shoppulse_app"},
    "lambda_environments": [{"name": "orders-api", "variables": {"RDS_SECRET_ARN": APP_SECRET_ARN, "RDS_PORT": "5432"}}],
    "database": {
        "database": "shoppulse", "reachable": True, "reason": "", "app_role": "shoppulse_app",
        "expected_tables": TENANT_TABLES,
        "tables": [{"name": name, "rls": True, "tenant_policies": ["tenant_isolation"]} for name in sorted(TENANT_TABLES)],
        "app": {"role": "shoppulse_app", "ddl": [], "create_on_schemas": [], "owns": [], "member_of": []},
    },
    "monitoring": {"topic_arn": TOPIC, "alarms": [
        {"metric_name": metric, "dimensions": [{"name": dimension, "value": value}], "alarm_actions": [TOPIC]}
        for dimension, value, metrics in (
            ("DBInstanceIdentifier", "shoppulse-analytics", ("CPUUtilization", "DatabaseConnections", "FreeableMemory",
                                                             "FreeStorageSpace", "ReadLatency", "WriteLatency", "DBLoad")),
            ("ProxyName", "shoppulse-analytics-proxy", ("ClientConnections", "DatabaseConnections")))
        for metric in metrics]},
}


def findings(facts):
    return {finding["rule"]: finding for finding in posture_findings(facts)}


def changed(path: str, value):
    """SOUND with the value at a dotted path replaced."""
    facts = copy.deepcopy(SOUND)
    *parents, last = path.split(".")
    target = facts
    for key in parents:
        target = target[key]
    target[last] = value
    return facts


def test_a_sound_environment_passes_every_rule_in_order():
    found = posture_findings(SOUND)
    assert [finding["rule"] for finding in found] == list(range(1, 17))
    assert all(finding["passed"] for finding in found), [finding for finding in found if not finding["passed"]]
    assert len({finding["name"] for finding in found}) == 16


@pytest.mark.parametrize(
    "rule, facts, detail",
    [
        (1, changed("rds.settings.publicly_accessible", True), "shoppulse-analytics is publicly accessible"),
        (2, changed("rds.settings.storage_encrypted", False), "shoppulse-analytics storage is not encrypted"),
        (3, changed("parameters", {"rds.force_ssl": {"value": "0"}}), "shoppulse-analytics-postgres15 has rds.force_ssl = 0"),
        (3, changed("parameters", {}), "shoppulse-analytics-postgres15 has rds.force_ssl = unset"),
        (4, changed("rds_proxy.require_tls", False), "shoppulse-analytics-proxy accepts connections without TLS"),
        (4, changed("rds_proxy.proxy_arn", None), "no DB proxy shoppulse-analytics-proxy"),
        (8, changed("rds.settings.performance_insights_enabled", False), "Performance Insights off"),
        (9, changed("rds.settings.log_exports", ["postgresql"]), "does not export upgrade"),
        (9, changed("rds.settings.log_exports", []), "does not export postgresql, upgrade"),
        (11, changed("rds.settings.deletion_protection", False), "deletion protection off (rds_deletion_protection is true)"),
        (16, changed("monitoring", {}), "no alarm topic (the monitoring layer is not built)"),
        (16, changed("monitoring.alarms", SOUND["monitoring"]["alarms"][1:]), f"no alarm with an action to {TOPIC} on shoppulse-analytics CPUUtilization"),
        (16, changed("monitoring.alarms", [{**alarm, "alarm_actions": []} if alarm["dimensions"][0]["name"] == "ProxyName" else alarm
                                           for alarm in SOUND["monitoring"]["alarms"]]),
         "on shoppulse-analytics-proxy ClientConnections, shoppulse-analytics-proxy DatabaseConnections"),
    ],
    ids=["public", "unencrypted", "force-ssl-0", "force-ssl-unset", "proxy-tls-off", "no-proxy", "pi-off", "upgrade-log",
         "no-logs", "deletion-protection-off", "no-topic", "no-cpu-alarm", "proxy-alarms-without-action"],
)
def test_a_broken_setting_fails_its_rule_only(rule, facts, detail):
    found = findings(facts)
    assert not found[rule]["passed"] and detail in found[rule]["detail"], found[rule]
    assert [number for number, finding in found.items() if not finding["passed"]] == [rule]


def test_without_an_instance_every_instance_rule_fails_naming_it():
    found = findings(changed("rds.settings", {}))
    for rule in (1, 2, 3, 8, 9, 11):
        assert found[rule] == {**found[rule], "passed": False, "detail": "no DB instance shoppulse-analytics"}


def test_deletion_protection_is_only_required_when_the_environment_asks_for_it():
    facts = changed("expected.deletion_protection", False)
    facts["rds"]["settings"]["deletion_protection"] = False
    assert findings(facts)[11] == {"rule": 11, "name": "deletion-protection", "passed": True,
                                   "detail": "not asked for (rds_deletion_protection is false); off"}


@pytest.mark.parametrize(
    "permission, detail",
    [
        ({"ip_protocol": "tcp", "from_port": 22, "to_port": 22, "ip_ranges": [{"cidr_ip": "0.0.0.0/0"}]}, "admits tcp 22 from 0.0.0.0/0"),
        ({"ip_protocol": "tcp", "from_port": 5432, "to_port": 5432, "ip_ranges": [{"cidr_ip": "10.9.0.0/16"}]}, "admits tcp 5432 from 10.9.0.0/16"),
        ({"ip_protocol": "tcp", "from_port": 5432, "to_port": 5432, "user_id_group_pairs": [{"group_id": "sg-other"}]},
         "admits tcp 5432 from sg-other"),
        ({"ip_protocol": "-1", "user_id_group_pairs": [{"group_id": GROUP}]}, f"admits all traffic from {GROUP}"),
        ({"ip_protocol": "tcp", "from_port": 0, "to_port": 65535, "ipv6_ranges": [{"cidr_ipv6": "::/0"}]}, "admits tcp 0-65535 from ::/0"),
        ({"ip_protocol": "tcp", "from_port": 5432, "to_port": 5432, "prefix_list_ids": [{"prefix_list_id": "pl-1"}]}, "admits tcp 5432 from pl-1"),
    ],
    ids=["ssh-from-anywhere", "undeclared-cidr", "undeclared-group", "all-traffic-from-itself", "ipv6-all-ports", "prefix-list"],
)
def test_anything_beyond_itself_and_the_declared_sources_fails_the_security_group_rule(permission, detail):
    facts = copy.deepcopy(SOUND)
    facts["rds"]["security_group_ingress"].append(permission)
    found = findings(facts)[5]
    assert not found["passed"] and found["detail"] == f"{GROUP} {detail}", found


def test_declared_sources_pass_the_security_group_rule():
    facts = changed("expected.extra_ingress", ["10.0.2.0/24", {"source": "sg-runner", "description": "schema runner"}])
    facts["rds"]["security_group_ingress"].append({"ip_protocol": "tcp", "from_port": 5432, "to_port": 5432,
                                                   "ip_ranges": [{"cidr_ip": "10.0.2.0/24"}],
                                                   "user_id_group_pairs": [{"group_id": "sg-runner"}]})
    assert findings(facts)[5]["passed"]


def test_an_instance_in_another_group_fails_the_security_group_rule():
    found = findings(changed("rds.settings.security_groups", [GROUP, "sg-default"]))[5]
    assert not found["passed"] and found["detail"] == "shoppulse-analytics is also in sg-default"


def test_a_missing_security_group_fails_its_rule():
    assert findings(changed("rds.security_group_id", None))[5]["detail"] == "no database security group"


def test_a_route_out_of_an_isolated_table_fails_naming_subnets_and_target():
    facts = copy.deepcopy(SOUND)
    facts["vpc"]["route_tables"][2]["routes"].append({"destination_cidr_block": "0.0.0.0/0", "nat_gateway_id": "nat-1"})
    found = findings(facts)[6]
    assert not found["passed"]
    assert found["detail"] == "subnet-iso-a via rtb-isolated: 0.0.0.0/0 -> nat-1; subnet-iso-b via rtb-isolated: 0.0.0.0/0 -> nat-1"


def test_an_isolated_subnet_without_a_table_is_judged_by_the_main_table():
    facts = copy.deepcopy(SOUND)
    tables = facts["vpc"]["route_tables"]
    tables[2]["associations"] = [{"subnet_id": "subnet-iso-a", "main": False}]
    assert findings(facts)[6]["passed"]  # the main table has the local route only
    tables[0]["routes"].append({"destination_prefix_list_id": "pl-s3", "gateway_id": "vpce-1"})
    found = findings(facts)[6]
    assert not found["passed"] and found["detail"] == "subnet-iso-b via rtb-main (main): pl-s3 -> vpce-1"


def test_without_isolated_subnets_the_route_rule_fails():
    found = findings(changed("vpc.isolated_subnet_ids", []))[6]
    assert not found["passed"] and found["detail"] == "no isolated subnets in VPC vpc-1"


@pytest.mark.parametrize(
    "flow_logs, detail",
    [
        ([], "no flow log on vpc-1"),
        ([{"flow_log_id": "fl-1", "resource_id": "vpc-1", "flow_log_status": "ACTIVE", "traffic_type": "REJECT"}],
         "no ACTIVE flow log of ALL traffic on vpc-1 (fl-1: REJECT traffic, ACTIVE)"),
        ([{"flow_log_id": "fl-1", "resource_id": "vpc-1", "flow_log_status": "INACTIVE", "traffic_type": "ALL"}],
         "no ACTIVE flow log of ALL traffic on vpc-1 (fl-1: ALL traffic, INACTIVE)"),
        ([{"flow_log_id": "fl-2", "resource_id": "vpc-other", "flow_log_status": "ACTIVE", "traffic_type": "ALL"}], "no flow log on vpc-1"),
    ],
    ids=["none", "rejects-only", "inactive", "other-vpc"],
)
def test_flow_logs_must_capture_all_traffic_of_the_vpc(flow_logs, detail):
    found = findings(changed("vpc.flow_logs", flow_logs))[7]
    assert not found["passed"] and found["detail"] == detail


def test_without_a_vpc_the_flow_log_rule_fails():
    assert findings(changed("vpc.vpc_id", None))[7] == {"rule": 7, "name": "flow-logs-all", "passed": False, "detail": "no VPC"}


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*"},
        {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::123456789012:root"]}, "Action": "secretsmanager:*"},
    ],
    ids=["anyone", "account-root"],
)
def test_a_resource_policy_granting_others_fails_the_secret_rule(statement):
    found = findings(changed("secrets.resource_policy", {"Version": "2012-10-17", "Statement": [statement]}))[10]
    principal = "*" if statement["Principal"] == "*" else "arn:aws:iam::123456789012:root"
    assert not found["passed"] and found["detail"] == f"resource policy lets {principal} read it"


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "Allow", "Principal": {"AWS": PROXY_ROLE_ARN}, "Action": "secretsmanager:GetSecretValue", "Resource": "*"},
        {"Effect": "Deny", "Principal": "*", "Action": "secretsmanager:GetSecretValue", "Resource": "*"},
        {"Effect": "Allow", "Principal": "*", "Action": "secretsmanager:DescribeSecret", "Resource": "*"},
    ],
    ids=["proxy-role", "deny", "other-action"],
)
def test_a_resource_policy_that_grants_no_one_else_passes(statement):
    assert findings(changed("secrets.resource_policy", {"Version": "2012-10-17", "Statement": statement}))[10]["passed"]


@pytest.mark.parametrize(
    "principal, reader",
    [
        ({"type": "role", "name": "reporting", "policies": [policy("read", READ_SECRET)]}, "role reporting (read)"),
        ({"type": "user", "name": "alice", "groups": [], "policies": [
            policy("all-secrets", {"Effect": "Allow", "Action": ["secretsmanager:Get*"], "Resource": "arn:aws:secretsmanager:*:*:secret:*"},
                   kind="customer-managed")]}, "user alice (all-secrets)"),
        ({"type": "group", "name": "ops", "policies": [policy("admin", {"Effect": "Allow", "Action": "*", "Resource": "*"})]}, "group ops (admin)"),
        ({"type": "role", "name": "everything-but-iam", "policies": [
            policy("not-iam", {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})]}, "role everything-but-iam (not-iam)"),
        ({"type": "role", "name": "by-prefix", "policies": [
            policy("prefix", {"Effect": "Allow", "Action": "SecretsManager:GetSecretValue",
                              "Resource": "arn:aws:secretsmanager:us-east-1:123456789012:secret:shoppulse-analytics/rds/master-??????"})]},
         "role by-prefix (prefix)"),
    ],
    ids=["inline-role", "customer-managed-user", "group-admin", "not-action", "wildcard-arn"],
)
def test_an_iam_policy_granting_another_principal_fails_the_secret_rule(principal, reader):
    facts = copy.deepcopy(SOUND)
    facts["principals"].append(principal)
    found = findings(facts)[10]
    assert not found["passed"] and found["detail"] == f"{reader} may read it"


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "arn:aws:secretsmanager:us-east-1:123456789012:secret:other-*"},
        {"Effect": "Allow", "Action": "*", "NotResource": SECRET_ARN},
        {"Effect": "Allow", "NotAction": "secretsmanager:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "*", "Resource": "*"},
    ],
    ids=["other-secret", "not-resource", "not-action-secrets", "deny"],
)
def test_iam_policies_that_do_not_reach_the_secret_pass(statement):
    facts = copy.deepcopy(SOUND)
    facts["principals"].append({"type": "role", "name": "other", "policies": [policy("p", statement)]})
    assert findings(facts)[10]["passed"]


def test_without_a_secret_the_secret_rule_fails():
    found = findings(changed("secrets.secret_arn", None))[10]
    assert not found["passed"] and found["detail"] == "no secret shoppulse-analytics/rds/master"


def test_the_table_has_one_aligned_line_per_rule():
    lines = posture_table(posture_findings(changed("rds.settings.publicly_accessible", True))).splitlines()
    assert len(lines) == 16
    assert lines[0] == "FAIL  1 instance-not-public       shoppulse-analytics is publicly accessible"
    assert lines[9].startswith("PASS 10 secret-proxy-only         only role shoppulse-analytics-proxy-role may read")


def test_the_filters_are_registered():
    assert set(FilterModule().filters()) == {"posture_findings", "posture_table", "environment_databases"}


FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:rotate"


@pytest.mark.parametrize(
    "configured, functions, passed, detail",
    [
        (None, [], True, "no rotation function configured on shoppulse-analytics/rds/master"),
        (FUNCTION, [FUNCTION], True, f"rotation function {FUNCTION} exists"),
        (FUNCTION, [f"{FUNCTION}:$LATEST"], True, f"rotation function {FUNCTION} exists"),
        (FUNCTION, [], False, f"rotation function {FUNCTION} does not exist"),
        (FUNCTION, [f"{FUNCTION}-other"], False, f"rotation function {FUNCTION} does not exist"),
    ],
    ids=["none-configured", "exists", "exists-qualified", "missing", "another-function"],
)
def test_a_configured_rotation_function_must_exist(configured, functions, passed, detail):
    facts = changed("secrets.rotation_lambda_arn", configured)
    facts["functions"] = functions
    assert findings(facts)[12] == {"rule": 12, "name": "rotation-function-exists", "passed": passed, "detail": detail}
    assert [number for number, finding in findings(facts).items() if not finding["passed"]] == ([] if passed else [12])


ROTATION_ROLE = "shoppulse-analytics-secret-rotation-role"


@pytest.mark.parametrize(
    "configured, passed",
    [(f"{FUNCTION}:1", True), (None, False), (f"{FUNCTION}-other", False)],
    ids=["the-secrets-rotation-function", "no-rotation-configured", "another-function"],
)
def test_only_the_rotation_function_the_secret_names_may_read_it_beside_the_proxy(configured, passed):
    facts = changed("secrets.rotation_lambda_arn", configured)
    facts["functions"] = [FUNCTION, f"{FUNCTION}-other"]
    facts["function_roles"] = {FUNCTION: f"arn:aws:iam::123456789012:role/{ROTATION_ROLE}",
                               f"{FUNCTION}-other": "arn:aws:iam::123456789012:role/other-role"}
    facts["principals"].append({"type": "role", "name": ROTATION_ROLE, "policies": [policy("rotate", READ_SECRET)]})
    found = findings(facts)[10]
    assert found["passed"] is passed, found
    assert found["detail"] == (f"only role {PROXY_ROLE} and its rotation function's role {ROTATION_ROLE} may read "
                               "shoppulse-analytics/rds/master" if passed else f"role {ROTATION_ROLE} (rotate) may read it")


# Every instance and proxy of the environment, as the audit gives them when it reads the whole VPC.
STRAY_SETTINGS = {"publicly_accessible": False, "storage_encrypted": True, "deletion_protection": False,
                  "performance_insights_enabled": False, "log_exports": [], "parameter_group": "default.postgres15",
                  "security_groups": ["sg-default"]}


def with_members(instances=(), proxies=()):
    """SOUND with the environment's instance and proxy listed as members, and the ``instances`` and ``proxies`` given."""
    facts = copy.deepcopy(SOUND)
    facts["instances"] = [{"identifier": "shoppulse-analytics", "settings": facts["rds"]["settings"]}, *instances]
    facts["proxies"] = [{**facts["rds_proxy"], "vpc_security_group_ids": [GROUP]}, *proxies]
    facts["parameter_groups"] = {"shoppulse-analytics-postgres15": facts.pop("parameters"),
                                 "default.postgres15": {"rds.force_ssl": {"value": "0"}}}
    return facts


def test_the_members_of_a_sound_environment_pass_every_rule():
    assert all(finding["passed"] for finding in posture_findings(with_members()))


def test_every_instance_in_the_environment_is_judged_and_named():
    found = findings(with_members([{"identifier": "restored-by-hand", "settings": STRAY_SETTINGS}]))
    assert [number for number, finding in found.items() if not finding["passed"]] == [3, 5, 8, 9, 11]
    assert found[3]["detail"] == "restored-by-hand: parameter group default.postgres15 has rds.force_ssl = 0"
    assert found[5]["detail"] == "restored-by-hand is also in sg-default"
    assert found[8]["detail"] == "restored-by-hand has Performance Insights off"
    assert found[9]["detail"] == "restored-by-hand does not export postgresql, upgrade"
    assert found[11]["detail"] == "restored-by-hand has deletion protection off (rds_deletion_protection is true)"


def test_every_proxy_in_the_environment_is_judged_and_named():
    stray = {"proxy_name": "by-hand-proxy", "require_tls": False, "vpc_security_group_ids": [GROUP, "sg-open"]}
    found = findings(with_members(proxies=[stray]))
    assert [number for number, finding in found.items() if not finding["passed"]] == [4, 5]
    assert found[4]["detail"] == "by-hand-proxy accepts connections without TLS"
    assert found[5]["detail"] == "by-hand-proxy is also in sg-open"


ENVIRONMENT = {"instance_identifier": "shoppulse-analytics", "proxy_name": "shoppulse-analytics-proxy", "vpc_id": "vpc-1",
               "subnet_group": "shoppulse-analytics-subnets", "security_group_id": GROUP,
               "parameter_group": "shoppulse-analytics-postgres15", "tags": {"environment": "local", "managed-by": "ansible"},
               "restored_from_tag": "shoppulse:restored-from"}


def instance(identifier, subnet_group="shoppulse-analytics-subnets", vpc="vpc-1", groups=(GROUP,),
             parameter_group="shoppulse-analytics-postgres15", tags=None):
    return {"db_instance_identifier": identifier, "db_instance_status": "available",
            "db_subnet_group": {"db_subnet_group_name": subnet_group, "vpc_id": vpc},
            "vpc_security_groups": [{"vpc_security_group_id": group} for group in groups],
            "db_parameter_groups": [{"db_parameter_group_name": parameter_group}], "tags": tags or {}}


def test_environment_databases_tells_the_collections_instances_from_others():
    own_tags = {"environment": "local", "managed-by": "ansible"}
    instances = [
        instance("shoppulse-analytics", tags={**own_tags, "Name": "shoppulse-analytics"}),
        instance("restored", tags={**own_tags, "Name": "restored", "shoppulse:restored-from": "snap"}),
        # A restore outside the collection: the source's tags, copied, name another instance.
        instance("by-hand", groups=("sg-default",), parameter_group="default.postgres15",
                 tags={**own_tags, "Name": "shoppulse-analytics"}),
        instance("elsewhere", subnet_group="other", vpc="vpc-2", groups=("sg-2",), parameter_group="other"),
        instance("same-vpc", subnet_group="other", groups=("sg-2",), parameter_group="other"),
    ]
    proxies = [{"db_proxy_name": "shoppulse-analytics-proxy", "vpc_id": "vpc-1", "vpc_security_group_ids": [GROUP]},
               {"db_proxy_name": "other-proxy", "vpc_id": "vpc-2", "vpc_security_group_ids": ["sg-2"]},
               {"db_proxy_name": "by-hand-proxy", "vpc_id": "vpc-1", "vpc_security_group_ids": [GROUP]}]

    found = environment_databases(instances, proxies, ENVIRONMENT)

    assert [(member["identifier"], member["ours"], member["restored"]) for member in found["instances"]] == [
        ("shoppulse-analytics", True, False), ("restored", True, True), ("by-hand", False, False), ("same-vpc", False, False)]
    assert [(member["proxy_name"], member["ours"]) for member in found["proxies"]] == [
        ("shoppulse-analytics-proxy", True), ("by-hand-proxy", False)]
    assert found["foreign"] == [
        "DB instance by-hand (subnet group shoppulse-analytics-subnets, VPC vpc-1)",
        "DB instance same-vpc (VPC vpc-1)",
        f"DB proxy by-hand-proxy (security group {GROUP}, VPC vpc-1)",
    ]
    assert found["instances"][1]["settings"]["parameter_group"] == "shoppulse-analytics-postgres15"


def test_a_restore_tag_without_the_environments_tags_is_not_the_collections():
    stray = instance("copy", tags={"Name": "copy", "shoppulse:restored-from": "snap", "environment": "staging"})
    assert environment_databases([stray], [], ENVIRONMENT)["foreign"] == [
        f"DB instance copy (subnet group shoppulse-analytics-subnets, security group {GROUP}, "
        "parameter group shoppulse-analytics-postgres15, VPC vpc-1)"]


def with_table(name, **fields):
    """SOUND with one tenant table's row-level security facts changed."""
    facts = copy.deepcopy(SOUND)
    facts["database"]["tables"] = [{**table, **fields} if table["name"] == name else table for table in facts["database"]["tables"]]
    return facts


@pytest.mark.parametrize(
    "rule, facts, detail",
    [
        (13, changed("secrets_app.secret_arn", None), "no application secret shoppulse-analytics/rds/app"),
        (13, changed("secrets_app.username", "shoppulse_admin"), "is the master's or holds the master user"),
        (13, changed("lambda_environments", [{"name": "orders-api", "variables": {"RDS_SECRET_ARN": SECRET_ARN}}]),
         "function orders-api gets the master secret in RDS_SECRET_ARN"),
        (13, changed("lambda_environments", [{"name": "report", "variables": {"DB_SECRET": "shoppulse-analytics/rds/master"}}]),
         "function report gets the master secret in DB_SECRET"),
        (14, with_table("orders", rls=False), "orders has row-level security disabled"),
        (14, with_table("audit_logs", tenant_policies=[]), "audit_logs has no policy on tenant_id"),
        (14, changed("database.tables", [t for t in SOUND["database"]["tables"] if t["name"] != "users"]), "users has no tenant_id"),
        (15, changed("database.app.create_on_schemas", ["public"]), "shoppulse_app may create in schema public"),
        (15, changed("database.app.ddl", ["createdb", "create on database shoppulse"]), "shoppulse_app has createdb, create on database"),
        (15, changed("database.app.owns", ["table orders_copy"]), "shoppulse_app owns table orders_copy"),
        (15, changed("database.app.member_of", ["rds_superuser"]), "shoppulse_app is a member of rds_superuser"),
        (15, changed("database.app", None), "no application role shoppulse_app in database shoppulse"),
    ],
    ids=["no-app-secret", "app-secret-master-user", "function-gets-master-arn", "function-gets-master-name", "rls-disabled",
         "no-tenant-policy", "table-without-tenant-id", "create-on-schema", "ddl-attributes", "owns-a-table", "member-of-a-role",
         "no-app-role"],
)
def test_a_broken_least_privilege_setting_fails_its_rule_only(rule, facts, detail):
    found = findings(facts)
    assert not found[rule]["passed"] and detail in found[rule]["detail"], found[rule]
    assert [number for number, finding in found.items() if not finding["passed"]] == [rule]


def test_a_database_that_cannot_be_read_fails_both_database_rules_with_the_reason():
    facts = changed("database", {"database": "shoppulse", "reachable": False, "reason": "password authentication failed"})
    found = findings(facts)
    for rule in (14, 15):
        assert found[rule]["passed"] is False
        assert found[rule]["detail"] == "database shoppulse could not be read (password authentication failed)"


def test_functions_without_the_master_secret_pass_and_name_the_application_secret():
    assert findings(SOUND)[13]["detail"] == "the functions' secret is shoppulse-analytics/rds/app (user shoppulse_app)"
