"""The rds filters refuse what RDS would refuse, naming the variable, and shape instances for a plan."""

import pytest

from ansible_collections.shoppulse.analytics.plugins.filter.rds import (
    FilterModule,
    rds_change_errors,
    rds_ingress_rule,
    rds_instance_settings,
    rds_restart_changes,
    rds_settings_errors,
)

SEED = {
    "rds_instance_identifier": "shoppulse-analytics-db",
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
        "rds_settings_errors", "rds_change_errors", "rds_instance_settings", "rds_restart_changes", "rds_ingress_rule"}


def test_numbers_given_as_text_on_the_command_line_are_numbers():
    text = {**SEED, "rds_allocated_storage": "120", "rds_performance_insights_retention_days": "31",
            "rds_backup_retention_days": "7", "rds_port": "5433"}
    assert not rds_settings_errors(text)
    assert not rds_change_errors(text, {"allocated_storage": 100})
    errors = rds_settings_errors({**SEED, "rds_allocated_storage": "lots", "rds_port": "x"})
    assert errors == ["rds_allocated_storage: 'lots' GB is outside 20-65536 GB, the range RDS allows for gp3",
                      "rds_port: 'x' is outside 1150-65535, the ports RDS allows"]
