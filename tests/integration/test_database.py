"""The database layer, read back from the emulator, holds the issue's acceptance properties."""

import pytest

from .conftest import DB_INSTANCE_ID, NAME

# The parameters roles/rds/defaults/main.yml sets (rds_parameters), as DescribeDBParameters reports them.
TLS_PARAMETER = ("rds.force_ssl", "1")
LOGGING_PARAMETERS = {
    "log_connections": "1",
    "log_disconnections": "1",
    "log_lock_waits": "1",
    "log_min_duration_statement": "1000",
    "log_temp_files": "0",
    "log_autovacuum_min_duration": "10000",
}


@pytest.fixture(scope="module")
def security_group(aws, db_instance):
    ids = [g["VpcSecurityGroupId"] for g in db_instance["VpcSecurityGroups"]]
    assert len(ids) == 1, f"{DB_INSTANCE_ID} should be in the database security group only, is in {ids}"
    return aws("ec2").describe_security_groups(GroupIds=ids)["SecurityGroups"][0]


@pytest.fixture(scope="module")
def parameters(aws, db_instance):
    """{name: parameter} of the instance's parameter group, every page."""
    name = db_instance["DBParameterGroups"][0]["DBParameterGroupName"]
    pages = aws("rds").get_paginator("describe_db_parameters").paginate(DBParameterGroupName=name)
    return {p["ParameterName"]: p for page in pages for p in page["Parameters"]}


def test_one_instance_in_the_account(aws):
    identifiers = [i["DBInstanceIdentifier"] for i in aws("rds").describe_db_instances()["DBInstances"]]
    assert identifiers == [DB_INSTANCE_ID], f"expected only {DB_INSTANCE_ID}, the account has {identifiers}"


def test_engine_class_and_database(db_instance):
    actual = {k: db_instance.get(k) for k in ("Engine", "EngineVersion", "DBInstanceClass", "DBName", "DBInstanceStatus")}
    assert actual == {"Engine": "postgres", "EngineVersion": "15.4", "DBInstanceClass": "db.t3.medium",
                      "DBName": "shoppulse", "DBInstanceStatus": "available"}


def test_storage_is_100_gb_of_encrypted_gp3_at_its_baseline(db_instance):
    actual = {k: db_instance.get(k) for k in ("AllocatedStorage", "StorageType", "Iops", "StorageThroughput", "StorageEncrypted")}
    assert actual == {"AllocatedStorage": 100, "StorageType": "gp3", "Iops": 3000, "StorageThroughput": 125,
                      "StorageEncrypted": True}
    assert db_instance.get("KmsKeyId", "").startswith("arn:aws:kms:"), "an encrypted instance reports its storage key's ARN"


def test_availability_backups_and_protection(db_instance):
    actual = {k: db_instance.get(k) for k in ("PubliclyAccessible", "MultiAZ", "BackupRetentionPeriod", "DeletionProtection")}
    # DeletionProtection is off in the local environment only (inventories/prod turns it on).
    assert actual == {"PubliclyAccessible": False, "MultiAZ": False, "BackupRetentionPeriod": 0, "DeletionProtection": False}


def test_performance_insights_for_seven_days(db_instance):
    actual = (db_instance.get("PerformanceInsightsEnabled"), db_instance.get("PerformanceInsightsRetentionPeriod"))
    assert actual == (True, 7), "Performance Insights should be enabled with 7 days of retention"


def test_postgresql_and_upgrade_logs_are_exported(db_instance):
    exports = db_instance.get("EnabledCloudwatchLogsExports", [])
    assert sorted(exports) == ["postgresql", "upgrade"] and len(exports) == 2, f"exports are {exports}"


def test_subnet_group_holds_exactly_the_isolated_subnets(db_instance, subnet_ids_by_tier, outputs, vpc):
    group = db_instance["DBSubnetGroup"]
    members = sorted(s["SubnetIdentifier"] for s in group["Subnets"])
    assert group["VpcId"] == vpc["VpcId"], f"subnet group {group['DBSubnetGroupName']} is in {group['VpcId']}"
    assert members == subnet_ids_by_tier.get("isolated"), f"{group['DBSubnetGroupName']} holds {members}, not the tier=isolated subnets"
    assert members == sorted(outputs["IsolatedSubnetIds"]), "the subnet group and outputs.json IsolatedSubnetIds differ"
    reachable = set(members) & set(subnet_ids_by_tier.get("public", []) + subnet_ids_by_tier.get("private", []))
    assert not reachable, f"the subnet group holds public or private subnets: {sorted(reachable)}"


def test_parameter_group_is_postgres15_of_this_instance(aws, db_instance):
    assert len(db_instance["DBParameterGroups"]) == 1, f"the instance has parameter groups {db_instance['DBParameterGroups']}"
    name = db_instance["DBParameterGroups"][0]["DBParameterGroupName"]
    assert not name.startswith("default."), f"the instance uses the default group {name}, not its own"
    group = aws("rds").describe_db_parameter_groups(DBParameterGroupName=name)["DBParameterGroups"][0]
    assert group["DBParameterGroupFamily"] == "postgres15", f"{name} is of family {group['DBParameterGroupFamily']}"


def test_parameter_group_forces_tls(parameters):
    name, value = TLS_PARAMETER
    assert name in parameters, f"{name} is not listed by DescribeDBParameters"
    # rds.force_ssl is already 1 by default from PostgreSQL 15 on, so RDS may list it with Source system:
    # the value in force is what counts.
    assert parameters[name].get("ParameterValue") == value, f"{name} is {parameters[name].get('ParameterValue')!r}, not {value}"


@pytest.mark.parametrize("name", sorted(LOGGING_PARAMETERS))
def test_parameter_group_sets_the_logging_parameters(parameters, name):
    assert name in parameters, f"{name} is not listed by DescribeDBParameters"
    actual = (parameters[name].get("ParameterValue"), parameters[name].get("Source"))
    assert actual == (LOGGING_PARAMETERS[name], "user"), f"{name}: (value, source) is {actual}"


def test_security_group_admits_only_postgresql_from_itself(security_group, vpc):
    group_id = security_group["GroupId"]
    assert security_group["VpcId"] == vpc["VpcId"], f"{group_id} is not in the VPC"
    permissions = security_group["IpPermissions"]
    assert len(permissions) == 1, f"{group_id} should have one ingress permission, has {permissions}"
    permission = permissions[0]
    assert (permission["IpProtocol"], permission.get("FromPort"), permission.get("ToPort")) == ("tcp", 5432, 5432), permission
    assert [pair["GroupId"] for pair in permission["UserIdGroupPairs"]] == [group_id], (
        f"port 5432 should be open to members of {group_id} only: {permission['UserIdGroupPairs']}")
    cidrs = permission.get("IpRanges", []) + permission.get("Ipv6Ranges", []) + permission.get("PrefixListIds", [])
    assert not cidrs, f"{group_id} admits address ranges: {cidrs}"


@pytest.mark.parametrize("log", ["postgresql", "upgrade"])
def test_exported_log_group_keeps_30_days(aws, log):
    name = f"/aws/rds/instance/{DB_INSTANCE_ID}/{log}"
    groups = [g for g in aws("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"] if g["logGroupName"] == name]
    assert groups, f"log group {name} does not exist"
    assert groups[0].get("retentionInDays") == 30, f"{name} keeps events {groups[0].get('retentionInDays')} days, not 30"


def test_the_seed_s_operators_find_the_instance_s_log_groups(aws):
    """The seed's README reads these two groups: the default environment's instance has the seed's name."""
    seed = ["/aws/rds/instance/shoppulse-analytics/postgresql", "/aws/rds/instance/shoppulse-analytics/upgrade"]
    if NAME != "shoppulse-analytics":
        pytest.skip(f"SHOPPULSE_NAME={NAME}: not the seed's names")
    found = [g["logGroupName"] for g in aws("logs").describe_log_groups(logGroupNamePrefix="/aws/rds/instance/shoppulse-analytics/")["logGroups"]]
    assert found == seed


def test_outputs_name_the_instance_and_its_group(outputs, db_instance, security_group):
    assert outputs["DatabaseEndpoint"] == db_instance["Endpoint"]["Address"]
    assert outputs["DatabaseSecurityGroupId"] == security_group["GroupId"]
