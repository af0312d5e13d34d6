"""The RDS instance and parameter group entries answer as the RDS API reference and User Guide say."""

import json
import re

import boto3
import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.amazon.aws.plugins.modules import rds_instance, rds_instance_param_group
from botocore.exceptions import ClientError
from moto import mock_aws

from localenv import fidelity, parameters, services

POSTGRES = {"Engine": "postgres", "EngineVersion": "15.4", "DBInstanceClass": "db.t3.medium",
            "MasterUsername": "shoppulse_admin", "MasterUserPassword": "password-password"}


@pytest.fixture(name="rds")
def fixture_rds():
    fidelity.apply_all()
    with mock_aws():
        yield boto3.client("rds", region_name="us-east-1")


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def create(rds, identifier="db1", **settings):
    return rds.create_db_instance(DBInstanceIdentifier=identifier, **{**POSTGRES, "AllocatedStorage": 100, **settings})["DBInstance"]


def described(rds, identifier="db1"):
    return rds.describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]


def default_rds_key_arn():
    return boto3.client("kms", region_name="us-east-1").describe_key(KeyId="alias/aws/rds")["KeyMetadata"]["Arn"]


# rds-gp3-storage-baseline

@pytest.mark.parametrize(("allocated", "iops", "throughput"), [(100, 3000, 125), (399, 3000, 125), (400, 12000, 500), (1000, 12000, 500)])
def test_gp3_reports_its_baseline_by_size(rds, allocated, iops, throughput):
    create(rds, AllocatedStorage=allocated, StorageType="gp3")
    instance = described(rds)
    assert (instance["StorageType"], instance["Iops"], instance["StorageThroughput"]) == ("gp3", iops, throughput)


def test_gp3_baseline_follows_the_storage_size(rds):
    create(rds, StorageType="gp3")
    rds.modify_db_instance(DBInstanceIdentifier="db1", AllocatedStorage=500, ApplyImmediately=True)
    assert (described(rds)["Iops"], described(rds)["StorageThroughput"]) == (12000, 500)


def test_gp3_reports_provisioned_values_from_400_gib(rds):
    create(rds, AllocatedStorage=500, StorageType="gp3", Iops=15000, StorageThroughput=750)
    assert (described(rds)["Iops"], described(rds)["StorageThroughput"]) == (15000, 750)


@pytest.mark.parametrize("provisioned", [{"Iops": 3000}, {"StorageThroughput": 125}, {"Iops": 12000, "StorageThroughput": 500}])
def test_gp3_below_400_gib_refuses_iops_and_throughput(rds, provisioned):
    with pytest.raises(ClientError) as refused:
        create(rds, StorageType="gp3", **provisioned)
    assert error_code(refused) == "InvalidParameterCombination"
    assert "storage size less than 400" in refused.value.response["Error"]["Message"]
    assert rds.describe_db_instances()["DBInstances"] == []


def test_gp3_below_400_gib_refuses_iops_on_modify(rds):
    create(rds, StorageType="gp3")
    with pytest.raises(ClientError) as refused:
        rds.modify_db_instance(DBInstanceIdentifier="db1", StorageThroughput=200, ApplyImmediately=True)
    assert error_code(refused) == "InvalidParameterCombination"


def test_gp2_has_no_storage_throughput(rds):
    create(rds, StorageType="gp2")
    assert "StorageThroughput" not in described(rds)


# rds-performance-insights

def test_performance_insights_defaults_when_enabled(rds):
    create(rds, EnablePerformanceInsights=True)
    instance = described(rds)
    assert instance["PerformanceInsightsEnabled"] is True
    assert instance["PerformanceInsightsRetentionPeriod"] == 7
    assert instance["PerformanceInsightsKMSKeyId"] == default_rds_key_arn()


def test_performance_insights_is_reported_off_when_not_enabled(rds):
    create(rds)
    instance = described(rds)
    assert instance["PerformanceInsightsEnabled"] is False
    assert "PerformanceInsightsRetentionPeriod" not in instance and "PerformanceInsightsKMSKeyId" not in instance


def test_performance_insights_uses_the_given_key_and_retention(rds):
    key = boto3.client("kms", region_name="us-east-1").create_key()["KeyMetadata"]
    create(rds, EnablePerformanceInsights=True, PerformanceInsightsRetentionPeriod=731, PerformanceInsightsKMSKeyId=key["KeyId"])
    instance = described(rds)
    assert (instance["PerformanceInsightsRetentionPeriod"], instance["PerformanceInsightsKMSKeyId"]) == (731, key["Arn"])


@pytest.mark.parametrize("days", [0, 8, 30, 94, 714, 732])
def test_performance_insights_refuses_an_invalid_retention(rds, days):
    with pytest.raises(ClientError) as refused:
        create(rds, EnablePerformanceInsights=True, PerformanceInsightsRetentionPeriod=days)
    assert error_code(refused) == "InvalidParameterValue"
    create(rds, EnablePerformanceInsights=True)
    with pytest.raises(ClientError) as refused_on_modify:
        rds.modify_db_instance(DBInstanceIdentifier="db1", PerformanceInsightsRetentionPeriod=days)
    assert error_code(refused_on_modify) == "InvalidParameterValue"
    assert described(rds)["PerformanceInsightsRetentionPeriod"] == 7


@pytest.mark.parametrize("days", [7, 31, 93, 341, 589, 713, 731])
def test_performance_insights_accepts_every_documented_retention(rds, days):
    create(rds, EnablePerformanceInsights=True, PerformanceInsightsRetentionPeriod=days)
    assert described(rds)["PerformanceInsightsRetentionPeriod"] == days


def test_performance_insights_changes_apply_at_once(rds):
    create(rds)
    rds.modify_db_instance(DBInstanceIdentifier="db1", EnablePerformanceInsights=True, PerformanceInsightsRetentionPeriod=31)
    instance = described(rds)
    assert (instance["PerformanceInsightsEnabled"], instance["PerformanceInsightsRetentionPeriod"]) == (True, 31)
    assert instance["PendingModifiedValues"] == {}
    rds.modify_db_instance(DBInstanceIdentifier="db1", EnablePerformanceInsights=False)
    instance = described(rds)
    assert instance["PerformanceInsightsEnabled"] is False and "PerformanceInsightsRetentionPeriod" not in instance


# rds-storage-encryption-default-key

def test_encrypted_storage_uses_the_default_rds_key(rds):
    create(rds, StorageEncrypted=True)
    assert described(rds)["KmsKeyId"] == default_rds_key_arn()


def test_encrypted_storage_reports_the_given_key_as_its_arn_and_refuses_an_unknown_one(rds):
    key = boto3.client("kms", region_name="us-east-1").create_key()["KeyMetadata"]
    create(rds, StorageEncrypted=True, KmsKeyId=key["KeyId"])
    assert described(rds)["KmsKeyId"] == key["Arn"]
    with pytest.raises(ClientError) as refused:
        create(rds, "db2", StorageEncrypted=True, KmsKeyId="0b9e6b2c-0000-4000-8000-000000000000")
    assert error_code(refused) == "KMSKeyNotAccessibleFault"


# rds-modify-db-instance-pending

def test_deferred_changes_wait_in_pending_modified_values(rds):
    create(rds, StorageType="gp3", BackupRetentionPeriod=0)
    answer = rds.modify_db_instance(DBInstanceIdentifier="db1", DBInstanceClass="db.t3.large", AllocatedStorage=120,
                                    MultiAZ=True, EngineVersion="15.5", BackupRetentionPeriod=7)["DBInstance"]
    expected = {"DBInstanceClass": "db.t3.large", "AllocatedStorage": 120, "MultiAZ": True, "EngineVersion": "15.5",
                "BackupRetentionPeriod": 7}
    for instance in (answer, described(rds)):
        assert instance["PendingModifiedValues"] == expected
        assert (instance["DBInstanceClass"], instance["AllocatedStorage"], instance["MultiAZ"]) == ("db.t3.medium", 100, False)
        assert (instance["EngineVersion"], instance["BackupRetentionPeriod"]) == ("15.4", 0)


def test_apply_immediately_applies_the_change_and_everything_pending(rds):
    create(rds)
    rds.modify_db_instance(DBInstanceIdentifier="db1", DBInstanceClass="db.t3.large")
    rds.modify_db_instance(DBInstanceIdentifier="db1", AllocatedStorage=150, ApplyImmediately=True)
    instance = described(rds)
    assert (instance["DBInstanceClass"], instance["AllocatedStorage"], instance["PendingModifiedValues"]) == ("db.t3.large", 150, {})


def test_settings_that_ignore_apply_immediately_change_at_once(rds):
    create(rds, BackupRetentionPeriod=1)
    rds.modify_db_instance(DBInstanceIdentifier="db1", DeletionProtection=True, BackupRetentionPeriod=7, PubliclyAccessible=True,
                           CloudwatchLogsExportConfiguration={"EnableLogTypes": ["postgresql"]})
    instance = described(rds)
    assert (instance["DeletionProtection"], instance["BackupRetentionPeriod"], instance["PubliclyAccessible"]) == (True, 7, True)
    assert instance["EnabledCloudwatchLogsExports"] == ["postgresql"]
    assert instance["PendingModifiedValues"] == {}


def test_requesting_the_current_value_leaves_nothing_pending(rds):
    create(rds)
    rds.modify_db_instance(DBInstanceIdentifier="db1", DBInstanceClass="db.t3.medium", AllocatedStorage=100)
    assert described(rds)["PendingModifiedValues"] == {}


def test_asking_back_the_current_value_withdraws_the_pending_change(rds):
    create(rds, StorageType="gp2")
    rds.modify_db_instance(DBInstanceIdentifier="db1", StorageType="gp3", DBInstanceClass="db.t3.large")
    assert described(rds)["PendingModifiedValues"] == {"StorageType": "gp3", "DBInstanceClass": "db.t3.large"}
    rds.modify_db_instance(DBInstanceIdentifier="db1", StorageType="gp2")
    instance = described(rds)
    assert (instance["StorageType"], instance["PendingModifiedValues"]) == ("gp2", {"DBInstanceClass": "db.t3.large"})


def test_a_rename_waits_for_the_maintenance_window(rds):
    create(rds)
    answer = rds.modify_db_instance(DBInstanceIdentifier="db1", NewDBInstanceIdentifier="db2")["DBInstance"]
    assert (answer["DBInstanceIdentifier"], answer["PendingModifiedValues"]) == ("db1", {"DBInstanceIdentifier": "db2"})
    assert described(rds)["PendingModifiedValues"] == {"DBInstanceIdentifier": "db2"}
    rds.modify_db_instance(DBInstanceIdentifier="db1", ApplyImmediately=True)
    assert (described(rds, "db2")["DBInstanceIdentifier"], described(rds, "db2")["PendingModifiedValues"]) == ("db2", {})


def test_a_rename_with_apply_immediately_happens_at_once(rds):
    create(rds)
    rds.modify_db_instance(DBInstanceIdentifier="db1", NewDBInstanceIdentifier="db2", ApplyImmediately=True)
    assert [i["DBInstanceIdentifier"] for i in rds.describe_db_instances()["DBInstances"]] == ["db2"]


# rds-modify-db-instance-port

def test_a_new_port_is_the_endpoints_port(rds):
    create(rds)
    rds.modify_db_instance(DBInstanceIdentifier="db1", DBPortNumber=5433)
    instance = described(rds)
    assert (instance["Endpoint"]["Port"], instance["DbInstancePort"]) == (5433, 5433)


# rds-delete-db-instance-final-snapshot

def test_delete_refuses_without_a_final_snapshot_choice(rds):
    create(rds)
    with pytest.raises(ClientError) as refused:
        rds.delete_db_instance(DBInstanceIdentifier="db1")
    assert error_code(refused) == "InvalidParameterCombination"
    with pytest.raises(ClientError) as both:
        rds.delete_db_instance(DBInstanceIdentifier="db1", SkipFinalSnapshot=True, FinalDBSnapshotIdentifier="final")
    assert error_code(both) == "InvalidParameterCombination"
    assert described(rds)["DBInstanceStatus"] == "available"


def test_delete_with_a_final_snapshot_takes_it(rds):
    create(rds)
    rds.delete_db_instance(DBInstanceIdentifier="db1", FinalDBSnapshotIdentifier="db1-final")
    assert [s["DBSnapshotIdentifier"] for s in rds.describe_db_snapshots(DBSnapshotIdentifier="db1-final")["DBSnapshots"]] == ["db1-final"]
    assert rds.describe_db_instances()["DBInstances"] == []


def test_delete_skipping_the_snapshot_and_deletion_protection(rds):
    create(rds, DeletionProtection=True)
    with pytest.raises(ClientError) as protected:
        rds.delete_db_instance(DBInstanceIdentifier="db1", SkipFinalSnapshot=True)
    assert error_code(protected) == "InvalidParameterCombination"
    rds.modify_db_instance(DBInstanceIdentifier="db1", DeletionProtection=False)
    rds.delete_db_instance(DBInstanceIdentifier="db1", SkipFinalSnapshot=True)
    assert rds.describe_db_instances()["DBInstances"] == []


# rds-describe-engine-default-parameters

REQUIRED = {"rds.force_ssl", "log_min_duration_statement", "log_statement", "log_connections", "log_disconnections", "log_lock_waits",
            "log_temp_files", "log_autovacuum_min_duration", "log_rotation_age", "shared_preload_libraries", "max_connections",
            "idle_in_transaction_session_timeout", "statement_timeout", "rds.log_retention_period"}


def test_engine_defaults_of_postgres15(rds):
    defaults = rds.describe_engine_default_parameters(DBParameterGroupFamily="postgres15")["EngineDefaults"]
    assert defaults["DBParameterGroupFamily"] == "postgres15" and len(defaults["Parameters"]) == 100
    every = rds.get_paginator("describe_engine_default_parameters").paginate(DBParameterGroupFamily="postgres15").build_full_result()
    by_name = {parameter["ParameterName"]: parameter for parameter in every["EngineDefaults"]["Parameters"]}
    assert REQUIRED <= set(by_name)
    assert by_name["rds.force_ssl"]["ParameterValue"] == "1"
    assert by_name["max_connections"]["ApplyType"] == "static" and by_name["log_statement"]["ApplyType"] == "dynamic"
    for parameter in by_name.values():
        assert {"Description", "Source", "ApplyType", "DataType", "IsModifiable", "ApplyMethod"} <= set(parameter)
        assert "AllowedValues" in parameter or parameter["DataType"] in ("string", "list")
        assert parameter["Source"] in {"engine-default", "system"}


def test_engine_defaults_page(rds):
    paginator = rds.get_paginator("describe_engine_default_parameters")
    pages = list(paginator.paginate(DBParameterGroupFamily="postgres15", PaginationConfig={"PageSize": 20}))
    first = rds.describe_engine_default_parameters(DBParameterGroupFamily="postgres15", MaxRecords=20)["EngineDefaults"]
    everything = [p["ParameterName"] for page in pages for p in page["EngineDefaults"]["Parameters"]]
    assert everything == sorted(everything) and REQUIRED <= set(everything)
    assert len(first["Parameters"]) == min(20, len(everything))


# rds-describe-db-parameters-full-set and rds-modify-db-parameter-group-validates

@pytest.fixture(name="group")
def fixture_group(rds):
    rds.create_db_parameter_group(DBParameterGroupName="pg15", DBParameterGroupFamily="postgres15", Description="ShopPulse")
    return "pg15"


def test_a_group_lists_the_whole_family_with_its_own_values_over_it(rds, group):
    rds.modify_db_parameter_group(DBParameterGroupName=group, Parameters=[
        {"ParameterName": "log_min_duration_statement", "ParameterValue": "500", "ApplyMethod": "immediate"}])
    parameters = {p["ParameterName"]: p for p in rds.get_paginator("describe_db_parameters").paginate(
        DBParameterGroupName=group).build_full_result()["Parameters"]}
    assert REQUIRED <= set(parameters)
    assert parameters["log_min_duration_statement"]["ParameterValue"] == "500"
    assert parameters["log_min_duration_statement"]["Source"] == "user"
    assert parameters["rds.force_ssl"]["ParameterValue"] == "1" and parameters["rds.force_ssl"]["Source"] != "user"


@pytest.mark.parametrize("source", ["user", "system", "engine-default"])
def test_the_source_filter(rds, group, source):
    rds.modify_db_parameter_group(DBParameterGroupName=group, Parameters=[
        {"ParameterName": "statement_timeout", "ParameterValue": "60000", "ApplyMethod": "immediate"}])
    listed = rds.describe_db_parameters(DBParameterGroupName=group, Source=source)["Parameters"]
    assert listed and {p["Source"] for p in listed} == {source}
    assert ("statement_timeout" in [p["ParameterName"] for p in listed]) == (source == "user")


def test_modify_refuses_a_parameter_the_family_does_not_have(rds, group):
    with pytest.raises(ClientError) as refused:
        rds.modify_db_parameter_group(DBParameterGroupName=group, Parameters=[
            {"ParameterName": "rds.force_tls", "ParameterValue": "1", "ApplyMethod": "pending-reboot"}])
    assert error_code(refused) == "InvalidParameterValue"
    assert rds.describe_db_parameters(DBParameterGroupName=group, Source="user")["Parameters"] == []


def valid_and_invalid(parameter):
    """A value RDS accepts for the parameter and one it refuses (None: a free string, which has none)."""
    data_type, allowed = parameter["DataType"], parameter.get("AllowedValues")
    if data_type == "boolean":
        return "1", "2"
    if data_type in ("integer", "float"):
        low, high = re.fullmatch(r"(-?[0-9.e+]+)-(-?[0-9.e+]+)", allowed).groups()
        if data_type == "integer":
            return low, str(int(high) + 1)
        return low, "not-a-number" if float(high) > 1e300 else repr(float(high) * 2 + 1)
    if allowed is None:
        return "shoppulse", None
    return allowed.split(",")[0], "not-a-choice"


def test_every_parameter_of_postgres15_accepts_a_valid_value_and_refuses_an_invalid_one(rds, group):
    family = json.loads(parameters.DATA.read_text(encoding="utf-8"))["parameters"]
    assert len(family) > 300 and {"log_duration", "application_name", "log_checkpoints", "track_io_timing"} <= {
        p["ParameterName"] for p in family}
    values = {p["ParameterName"]: valid_and_invalid(p) for p in family}
    for parameter in family:
        name, (_valid, invalid) = parameter["ParameterName"], values[parameter["ParameterName"]]
        if invalid is None:
            assert parameter["DataType"] in ("string", "list") and "AllowedValues" not in parameter, name
            continue
        with pytest.raises(ClientError) as refused:
            rds.modify_db_parameter_group(DBParameterGroupName=group, Parameters=[
                {"ParameterName": name, "ParameterValue": invalid, "ApplyMethod": "pending-reboot"}])
        assert error_code(refused) == "InvalidParameterValue", name
    names = sorted(values)
    for start in range(0, len(names), 20):  # ModifyDBParameterGroup takes up to 20 parameters a call
        rds.modify_db_parameter_group(DBParameterGroupName=group, Parameters=[
            {"ParameterName": name, "ParameterValue": values[name][0], "ApplyMethod": "pending-reboot"} for name in names[start:start + 20]])
    listed = {p["ParameterName"]: p for p in rds.get_paginator("describe_db_parameters").paginate(
        DBParameterGroupName=group, Source="user").build_full_result()["Parameters"]}
    assert {name: p["ParameterValue"] for name, p in listed.items()} == {name: value for name, (value, _invalid) in values.items()}


def test_a_formula_is_accepted_for_a_numeric_parameter(rds, group):
    rds.modify_db_parameter_group(DBParameterGroupName=group, Parameters=[
        {"ParameterName": "effective_cache_size", "ParameterValue": "{DBInstanceClassMemory/16384}", "ApplyMethod": "pending-reboot"}])


def test_the_parameter_file_is_what_postgresql_15_reports():
    try:
        settings = parameters.read_pg_settings()
    except services.ServiceError as missing:
        pytest.skip(f"PostgreSQL 15 is not installed: {missing}")
    assert parameters.render(parameters.family(settings)) == parameters.DATA.read_text(encoding="utf-8"), (
        "localenv/data/postgres15_parameters.json is out of date: run `make parameters`")


def test_modify_refuses_immediate_for_a_static_parameter(rds, group):
    with pytest.raises(ClientError) as refused:
        rds.modify_db_parameter_group(DBParameterGroupName=group, Parameters=[
            {"ParameterName": "shared_preload_libraries", "ParameterValue": "pg_stat_statements,auto_explain", "ApplyMethod": "immediate"}])
    assert error_code(refused) == "InvalidParameterCombination"
    rds.modify_db_parameter_group(DBParameterGroupName=group, Parameters=[
        {"ParameterName": "shared_preload_libraries", "ParameterValue": "pg_stat_statements,auto_explain", "ApplyMethod": "pending-reboot"}])
    listed = rds.describe_db_parameters(DBParameterGroupName=group, Source="user")["Parameters"]
    assert [(p["ParameterName"], p["ApplyMethod"]) for p in listed] == [("shared_preload_libraries", "pending-reboot")]


# amazon.aws modules against the patched emulator: a second run changes nothing.

@pytest.fixture(name="run_module")
def fixture_run_module(monkeypatch, capsys):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")

    def run(main, args):
        with patch_module_args({"region": "us-east-1", **args}), pytest.raises(SystemExit) as exited:
            main()
        result = json.loads(capsys.readouterr().out)
        assert not exited.value.code, result.get("msg")
        return result

    return run


def test_rds_instance_param_group_sets_force_ssl_and_is_idempotent(rds, run_module):  # pylint: disable=unused-argument
    args = {"name": "pg15", "engine": "postgres15", "description": "ShopPulse", "state": "present",
            "params": {"rds.force_ssl": 1, "log_min_duration_statement": 500}}
    first = run_module(rds_instance_param_group.main, args)
    assert first["changed"] and first["errors"] == []
    assert run_module(rds_instance_param_group.main, args) == {**first, "changed": False}
    unknown = run_module(rds_instance_param_group.main, {**args, "params": {"rds.force_tls": 1}})
    assert unknown["errors"] == ["Parameter rds.force_tls is not an available parameter for the postgres15 engine"]


@pytest.mark.parametrize("apply_immediately", [True, False])
def test_rds_instance_second_run_changes_nothing(rds, run_module, apply_immediately):
    ec2 = boto3.client("ec2", region_name="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{zone}")["Subnet"]["SubnetId"]
               for i, zone in ((1, "a"), (2, "b"))]
    group = ec2.create_security_group(GroupName="db", Description="db", VpcId=vpc)["GroupId"]
    rds.create_db_subnet_group(DBSubnetGroupName="db", DBSubnetGroupDescription="db", SubnetIds=subnets)
    rds.create_db_parameter_group(DBParameterGroupName="pg15", DBParameterGroupFamily="postgres15", Description="ShopPulse")
    args = {
        "db_instance_identifier": "shoppulse", "engine": "postgres", "engine_version": "15.4", "db_instance_class": "db.t3.medium",
        "allocated_storage": 100, "storage_type": "gp3", "storage_encrypted": True, "publicly_accessible": False,
        "enable_performance_insights": True, "performance_insights_retention_period": 7,
        "enable_cloudwatch_logs_exports": ["postgresql", "upgrade"], "multi_az": False, "backup_retention_period": 0,
        "deletion_protection": False, "db_subnet_group_name": "db", "db_parameter_group_name": "pg15",
        "vpc_security_group_ids": [group], "master_username": "shoppulse_admin", "master_user_password": "password-password",
        "db_name": "shoppulse", "tags": {"Project": "shoppulse"}, "apply_immediately": apply_immediately, "skip_final_snapshot": True,
    }
    first = run_module(rds_instance.main, args)
    assert first["changed"] and (first["iops"], first["storage_throughput"]) == (3000, 125)
    assert first["performance_insights_enabled"] is True
    second = run_module(rds_instance.main, args)
    assert not second["changed"]
    resized = run_module(rds_instance.main, {**args, "db_instance_class": "db.t3.large"})
    assert resized["changed"]
    assert not run_module(rds_instance.main, {**args, "db_instance_class": "db.t3.large"})["changed"]
    expected_class = "db.t3.large" if apply_immediately else "db.t3.medium"
    assert described(rds, "shoppulse")["DBInstanceClass"] == expected_class


# rds-restore-db-instance-from-db-snapshot

def restored(rds, **settings):
    """db1, with everything the restore settings can turn on, snapshotted and restored as db2 with ``settings``."""
    create(rds, DeletionProtection=True, CopyTagsToSnapshot=True, MultiAZ=True, AutoMinorVersionUpgrade=True,
           BackupRetentionPeriod=7, PubliclyAccessible=True)
    rds.create_db_snapshot(DBSnapshotIdentifier="snap1", DBInstanceIdentifier="db1")
    rds.restore_db_instance_from_db_snapshot(DBInstanceIdentifier="db2", DBSnapshotIdentifier="snap1", **settings)
    return described(rds, "db2")


def test_a_restored_instance_has_its_own_resource_id(rds):
    assert restored(rds)["DbiResourceId"] != described(rds, "db1")["DbiResourceId"]
    assert described(rds, "db2")["DbiResourceId"].startswith("db-")


def test_a_restore_defaults_to_no_deletion_protection_no_tag_copy_and_single_az(rds):
    instance = restored(rds)
    assert (instance["DeletionProtection"], instance["CopyTagsToSnapshot"], instance["MultiAZ"]) == (False, False, False)
    assert instance["BackupRetentionPeriod"] == 7  # "Default: Uses existing setting"


def test_settings_given_as_false_or_zero_apply_to_the_restored_instance(rds):
    instance = restored(rds, PubliclyAccessible=False, AutoMinorVersionUpgrade=False, BackupRetentionPeriod=0)
    assert (instance["PubliclyAccessible"], instance["AutoMinorVersionUpgrade"], instance["BackupRetentionPeriod"]) == (False, False, 0)


def test_settings_given_as_true_apply_to_the_restored_instance(rds):
    instance = restored(rds, DeletionProtection=True, CopyTagsToSnapshot=True, MultiAZ=True)
    assert (instance["DeletionProtection"], instance["CopyTagsToSnapshot"], instance["MultiAZ"]) == (True, True, True)


# rds-db-instance-log-exports-omitted

def test_log_exports_are_omitted_when_none_and_listed_when_some(rds):
    assert "EnabledCloudwatchLogsExports" not in create(rds)
    assert "EnabledCloudwatchLogsExports" not in described(rds)
    rds.modify_db_instance(DBInstanceIdentifier="db1", CloudwatchLogsExportConfiguration={"EnableLogTypes": ["postgresql", "upgrade"]})
    assert described(rds)["EnabledCloudwatchLogsExports"] == ["postgresql", "upgrade"]
    rds.modify_db_instance(DBInstanceIdentifier="db1", CloudwatchLogsExportConfiguration={"DisableLogTypes": ["postgresql", "upgrade"]})
    assert "EnabledCloudwatchLogsExports" not in described(rds)
