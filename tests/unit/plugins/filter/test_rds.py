"""The rds filters refuse what RDS would refuse, naming the variable, and shape instances for a plan."""

import pytest

from ansible_collections.shoppulse.analytics.plugins.filter.rds import (
    FilterModule,
    rds_change_errors,
    rds_identifier_errors,
    rds_ingress_rule,
    rds_instance_as_declared,
    rds_instance_settings,
    rds_restart_changes,
    rds_settings_errors,
    rds_snapshot_errors,
)

SEED = {
    "rds_instance_identifier": "shoppulse-analytics",
    "rds_vpc_id": "vpc-0123456789abcdef0",
    "rds_subnet_ids": ["subnet-a", "subnet-b"],
    "rds_secret_arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:shoppulse/rds/master-AbCdEf",
    "rds_instance_class": "db.t3.medium",
    "rds_engine_version": "15.4",
    "rds_allocated_storage": 100,
    "rds_log_exports": ["postgresql", "upgrade"],
    "rds_performance_insights": True,
    "rds_performance_insights_retention_days": 7,
    "rds_backup_retention_days": 0,
    "rds_database_name": "shoppulse",
    "rds_port": 5432,
    "rds_extra_ingress": [],
}


def test_the_seed_settings_are_sound():
    assert not rds_settings_errors(SEED)
    assert not rds_change_errors(SEED, None)


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"rds_instance_class": "t3.medium"}, "rds_instance_class: 't3.medium' is not a DB instance class"),
        ({"rds_allocated_storage": 19}, "rds_allocated_storage: 19 GB is outside 20-65536 GB"),
        ({"rds_allocated_storage": 65537}, "rds_allocated_storage: 65537 GB is outside 20-65536 GB"),
        ({"rds_engine_version": "16.1"}, "rds_engine_version: '16.1' is not a PostgreSQL 15 version"),
        ({"rds_engine_version": "15"}, "rds_engine_version: '15' is not a PostgreSQL 15 version"),
        ({"rds_log_exports": ["postgresql", "audit"]}, "rds_log_exports: audit is not a log PostgreSQL exports"),
        ({"rds_performance_insights_retention_days": 30}, "rds_performance_insights_retention_days: 30 is not a retention"),
        ({"rds_backup_retention_days": 36}, "rds_backup_retention_days: 36 is outside 0-35 days"),
        ({"rds_database_name": "1db"}, "rds_database_name: '1db' must be 1-63 letters"),
        ({"rds_port": 80}, "rds_port: 80 is outside 1150-65535"),
        ({"rds_instance_identifier": "db--x"}, "rds_instance_identifier: 'db--x' must be 1-63 letters"),
        ({"rds_instance_identifier": "db-"}, "rds_instance_identifier: 'db-' must be 1-63 letters"),
        ({"rds_extra_ingress": ["0.0.0.0/0"]}, "rds_extra_ingress: 0.0.0.0/0 would open the database to every address"),
        ({"rds_extra_ingress": ["office"]}, "rds_extra_ingress: 'office' is neither a CIDR nor a security group id"),
        ({"rds_wait_timeout": "0"}, "rds_wait_timeout: 0 is not a number of seconds"),
        ({"rds_wait_timeout": 60, "rds_wait_delay": 90}, "rds_wait_delay: 90 must be at least 1 second and at most rds_wait_timeout (60)"),
    ],
)
def test_a_bad_setting_is_named(change, expected):
    errors = rds_settings_errors({**SEED, **change})
    assert len(errors) == 1 and errors[0].startswith(expected), errors


@pytest.mark.parametrize(
    "change, expected",
    [
        ({"rds_vpc_id": ""}, "rds_vpc_id: '' is not a VPC id"),
        ({"rds_subnet_ids": ["subnet-a", "subnet-a"]}, "rds_subnet_ids: a DB subnet group needs subnets in at least two"),
        ({"rds_secret_arn": "shoppulse/rds/master"}, "rds_secret_arn: 'shoppulse/rds/master' is not a Secrets Manager secret ARN"),
    ],
)
def test_bad_wiring_is_named(change, expected):
    errors = rds_change_errors({**SEED, **change}, None)
    assert len(errors) == 1 and errors[0].startswith(expected), errors


def test_retention_accepts_every_value_performance_insights_does():
    for days in [7, 31, 62, 713, 731]:
        assert not rds_settings_errors({**SEED, "rds_performance_insights_retention_days": days})
    assert not rds_settings_errors({**SEED, "rds_performance_insights": False, "rds_performance_insights_retention_days": 1})


@pytest.mark.parametrize(
    "size, current, expected",
    [
        (100, {"allocated_storage": 200}, "rds_allocated_storage: 100 GB is below the instance's 200 GB"),
        (105, {"allocated_storage": 100}, "rds_allocated_storage: 105 GB grows 100 GB by less than the 10 %"),
    ],
)
def test_storage_only_grows_by_ten_percent_or_more(size, current, expected):
    errors = rds_change_errors({**SEED, "rds_allocated_storage": size}, current)
    assert len(errors) == 1 and errors[0].startswith(expected), errors
    assert not rds_change_errors({**SEED, "rds_allocated_storage": 110}, {"allocated_storage": 100})


def test_an_engine_never_goes_back():
    errors = rds_change_errors(SEED, {"engine_version": "15.10"})
    assert errors == ["rds_engine_version: 15.4 is older than the instance's 15.10; RDS cannot downgrade an engine"]
    assert not rds_change_errors({**SEED, "rds_engine_version": "15.10"}, {"engine_version": "15.4"})


INSTANCE = {
    "engine_version": "15.4",
    "db_instance_class": "db.t3.medium",
    "allocated_storage": 100,
    "storage_type": "gp3",
    "storage_encrypted": True,
    "publicly_accessible": False,
    "multi_az": False,
    "backup_retention_period": 0,
    "deletion_protection": False,
    "performance_insights_enabled": True,
    "performance_insights_retention_period": 7,
    "enabled_cloudwatch_logs_exports": ["upgrade", "postgresql"],
    "db_parameter_groups": [{"db_parameter_group_name": "pg"}],
    "db_subnet_group": {"db_subnet_group_name": "subnets"},
    "vpc_security_groups": [{"vpc_security_group_id": "sg-2"}, {"vpc_security_group_id": "sg-1"}],
    "db_name": "shoppulse",
    "endpoint": {"address": "db.example", "port": 5432},
    "auto_minor_version_upgrade": False,
    "pending_modified_values": {},
}


def test_an_instance_is_flattened_into_its_settings():
    settings = rds_instance_settings(INSTANCE)
    assert settings["instance_class"] == "db.t3.medium"
    assert settings["log_exports"] == ["postgresql", "upgrade"]
    assert settings["security_groups"] == ["sg-1", "sg-2"]
    assert settings["parameter_group"] == "pg" and settings["subnet_group"] == "subnets" and settings["port"] == 5432
    assert rds_instance_settings(None) == {} and rds_instance_settings({}) == {}


def test_a_pending_change_counts_as_made():
    pending = {**INSTANCE, "pending_modified_values": {"db_instance_class": "db.t3.large", "allocated_storage": 200}}
    settings = rds_instance_settings(pending)
    assert settings["instance_class"] == "db.t3.large" and settings["allocated_storage"] == 200


def test_an_instance_runs_as_declared_only_with_every_setting_tag_and_nothing_pending():
    tagged = {**INSTANCE, "tags": {"Name": "db", "environment": "local"}, "copy_tags_to_snapshot": True,
              "preferred_maintenance_window": "sun:05:00-sun:06:00"}
    after = {**rds_instance_settings(tagged), "security_groups": ["sg-2", "sg-1"], "log_exports": ["upgrade", "postgresql"]}
    tags = {"Name": "db", "environment": "local"}

    assert rds_instance_as_declared(tagged, after, tags)
    assert rds_instance_as_declared(tagged, after, tags, "Sun:05:00-Sun:06:00")
    assert not rds_instance_as_declared(tagged, after, tags, "mon:05:00-mon:06:00")
    assert not rds_instance_as_declared(None, after, tags) and not rds_instance_as_declared({}, after, tags)
    assert not rds_instance_as_declared(tagged, {**after, "deletion_protection": True}, tags)
    assert not rds_instance_as_declared(tagged, after, {**tags, "owner": "ops"})
    assert not rds_instance_as_declared(tagged, after, {"Name": "db"}), "a tag no longer declared is purged"
    assert not rds_instance_as_declared({**tagged, "copy_tags_to_snapshot": False}, after, tags)
    # A change left for the maintenance window: the module compares with what runs now, so it is left to it.
    pending = {**tagged, "pending_modified_values": {"db_instance_class": "db.t3.large"}}
    assert not rds_instance_as_declared(pending, {**after, "instance_class": "db.t3.large"}, tags)


def test_restart_changes_name_class_storage_and_version_only():
    before = rds_instance_settings(INSTANCE)
    after = {**before, "instance_class": "db.t3.large", "allocated_storage": 200, "deletion_protection": True}
    assert rds_restart_changes(before, after) == ["instance_class", "allocated_storage"]
    assert rds_restart_changes(before, dict(before)) == []
    assert rds_restart_changes({}, after) == []


def test_ingress_rules_take_cidrs_groups_and_descriptions():
    assert rds_ingress_rule("10.0.2.0/24", 5432) == {
        "proto": "tcp", "ports": [5432], "rule_desc": "PostgreSQL from declared source", "cidr_ip": "10.0.2.0/24"}
    rule = rds_ingress_rule({"source": "sg-0123456789abcdef0", "description": "schema runner"}, "5432")
    assert rule["group_id"] == "sg-0123456789abcdef0" and rule["rule_desc"] == "PostgreSQL from schema runner"
    assert rule["ports"] == [5432]


def test_every_filter_is_exported():
    assert set(FilterModule().filters()) == {
        "rds_settings_errors", "rds_change_errors", "rds_instance_settings", "rds_restart_changes", "rds_ingress_rule",
        "rds_identifier_errors", "rds_snapshot_errors", "rds_instance_as_declared"}


def test_numbers_given_as_text_on_the_command_line_are_numbers():
    text = {**SEED, "rds_allocated_storage": "120", "rds_performance_insights_retention_days": "31",
            "rds_backup_retention_days": "7", "rds_port": "5433"}
    assert not rds_settings_errors(text)
    assert not rds_change_errors(text, {"allocated_storage": 100})
    errors = rds_settings_errors({**SEED, "rds_allocated_storage": "lots", "rds_port": "x"})
    assert errors == ["rds_allocated_storage: 'lots' GB is outside 20-65536 GB, the range RDS allows for gp3",
                      "rds_port: 'x' is outside 1150-65535, the ports RDS allows"]


@pytest.mark.parametrize(
    "value, kind, ok",
    [
        ("shoppulse-analytics", "instance", True),
        ("a" * 63, "instance", True),
        ("a" * 64, "instance", False),
        ("a" * 255, "snapshot", True),
        ("a" * 256, "snapshot", False),
        ("db--x", "instance", False),
        ("db-", "snapshot", False),
        ("1db", "snapshot", False),
        ("", "instance", False),
        (None, "instance", False),
        ("snap-1", "snapshot_source", True),
        ("rds:shoppulse-analytics-2026-01-01-00-05", "snapshot_source", True),
        ("arn:aws:rds:us-east-1:123456789012:snapshot:snap-1", "snapshot_source", True),
        ("arn:aws:rds:us-east-1:123456789012:snapshot:rds:snap-1", "snapshot_source", True),
        ("snap_1", "snapshot_source", False),
        ("rds:", "snapshot_source", False),
        ("", "snapshot_source", False),
    ],
)
def test_identifiers_follow_the_rds_rules(value, kind, ok):
    errors = rds_identifier_errors(value, "some_variable", kind)
    assert (errors == []) is ok, errors
    assert all(error.startswith("some_variable: ") and "\n" not in error for error in errors)


def test_a_snapshot_to_restore_is_named_in_the_settings():
    assert not rds_settings_errors({**SEED, "rds_snapshot_identifier": "snap-1"})
    errors = rds_settings_errors({**SEED, "rds_snapshot_identifier": "snap 1"})
    assert len(errors) == 1 and errors[0].startswith("rds_snapshot_identifier: 'snap 1' is not a DB snapshot identifier"), errors


SNAPSHOT = {"db_snapshot_identifier": "snap-1", "engine": "postgres", "engine_version": "15.4", "status": "available",
            "encrypted": True, "allocated_storage": 100}


@pytest.mark.parametrize(
    "change, settings, expected",
    [
        ({"engine": "mysql", "engine_version": "8.0.35"}, {}, "restore_snapshot: snap-1 is a snapshot of mysql 8.0.35, not of PostgreSQL 15"),
        ({"engine_version": "14.9"}, {}, "restore_snapshot: snap-1 is a snapshot of postgres 14.9, not of PostgreSQL 15"),
        ({"status": "creating"}, {}, "restore_snapshot: snap-1 is creating, not available"),
        ({"encrypted": False}, {}, "restore_snapshot: snap-1 is not encrypted and a restore cannot encrypt it"),
        ({"engine_version": "15.10"}, {}, "rds_engine_version: 15.4 is older than the snapshot's 15.10"),
        ({"allocated_storage": 200}, {}, "rds_allocated_storage: 100 GB is below the snapshot's 200 GB"),
        ({"allocated_storage": 200}, {"rds_allocated_storage": "150"}, "rds_allocated_storage: 150 GB is below the snapshot's 200 GB"),
    ],
)
def test_a_snapshot_that_cannot_become_the_instance_is_refused(change, settings, expected):
    errors = rds_snapshot_errors({**SNAPSHOT, **change}, {**SEED, **settings}, "restore_snapshot")
    assert len(errors) == 1 and errors[0].startswith(expected), errors


def test_a_snapshot_may_grow_into_the_declared_settings():
    assert not rds_snapshot_errors(SNAPSHOT, SEED, "restore_snapshot")
    assert not rds_snapshot_errors({**SNAPSHOT, "engine_version": "15.2", "allocated_storage": 20}, SEED, "restore_snapshot")
