# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that check the database settings before anything is created, and describe an instance as a plan."""

from __future__ import annotations

import ipaddress
import re

from ansible_collections.shoppulse.analytics.plugins.module_utils.waits import delay_errors

# Log types RDS for PostgreSQL can export to CloudWatch Logs (RDS user guide, "Publishing PostgreSQL logs").
POSTGRES_LOG_EXPORTS = ("postgresql", "upgrade")
# Performance Insights retention: 7 days (free tier), a whole number of months (31-day units) up to 23, or 731.
PI_RETENTION_DAYS = tuple([7] + [31 * months for months in range(1, 24)] + [731])
# gp3 for RDS for PostgreSQL: 20 GiB to 64 TiB (RDS user guide, "Amazon RDS DB instance storage").
STORAGE_GIB = (20, 65536)
# RDS identifiers: letters, digits or hyphens, starting with a letter, no "--" and no trailing "-"; at most 63 for
# a DB instance, 255 for a DB snapshot (CreateDBInstance, CreateDBSnapshot references).
IDENTIFIER = re.compile(r"^[a-zA-Z](?!.*--)[a-zA-Z0-9-]*(?<!-)$")
IDENTIFIER_LENGTH = {"instance": 63, "snapshot": 255}
# An existing snapshot to restore: its identifier (automated ones start "rds:") or, for a shared one, its ARN.
SNAPSHOT_SOURCE = re.compile(r"^(arn:aws[a-z-]*:rds:[a-z0-9-]+:[0-9]{12}:snapshot:)?(rds:)?(?P<name>.+)$")
# Database names for RDS for PostgreSQL: 1-63 letters, digits or underscores, starting with a letter.
DATABASE_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]{0,62}$")


# Settings that are numbers: `-e name=value` hands them over as strings.
NUMERIC_SETTINGS = ("rds_allocated_storage", "rds_performance_insights_retention_days", "rds_backup_retention_days", "rds_port",
                    "rds_wait_timeout", "rds_wait_delay")


def _numbers(settings: dict) -> dict:
    """The settings with whole numbers written as text turned into numbers; anything else is left for the checks to name."""
    numbers = dict(settings)
    for name in NUMERIC_SETTINGS:
        value = numbers.get(name)
        if isinstance(value, str) and re.fullmatch(r"\s*-?[0-9]+\s*", value):
            numbers[name] = int(value)
    return numbers


def _in_range(value, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _storage_errors(size, current_size) -> list[str]:
    if not _in_range(size, *STORAGE_GIB):
        return [f"rds_allocated_storage: {size!r} GB is outside {STORAGE_GIB[0]}-{STORAGE_GIB[1]} GB, the range RDS allows for gp3"]
    # A storage increase must add at least 10 % (RDS user guide, "Increasing DB instance storage capacity").
    if current_size is None or size == current_size:
        return []
    if size < current_size:
        return [f"rds_allocated_storage: {size} GB is below the instance's {current_size} GB; RDS storage can grow but never shrink"]
    if size * 10 < current_size * 11:
        return [f"rds_allocated_storage: {size} GB grows {current_size} GB by less than the 10 % RDS requires"]
    return []


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


def _version_errors(version: str, current_version) -> list[str]:
    if not re.match(r"^15\.\d+$", version):
        return [f"rds_engine_version: {version!r} is not a PostgreSQL 15 version (15.<minor>, e.g. 15.4)"]
    if current_version and re.match(r"^\d+(\.\d+)*$", str(current_version)) and _version(version) < _version(str(current_version)):
        return [f"rds_engine_version: {version} is older than the instance's {current_version}; RDS cannot downgrade an engine"]
    return []


def _ingress_errors(sources) -> list[str]:
    errors = []
    for item in sources:
        source = item.get("source") if isinstance(item, dict) else item
        if isinstance(source, str) and re.match(r"^sg-[0-9a-f]{8,17}$", source):
            continue
        try:
            network = ipaddress.ip_network(str(source), strict=True)
        except ValueError:
            errors.append(f"rds_extra_ingress: {source!r} is neither a CIDR nor a security group id")
            continue
        if network.prefixlen == 0:
            errors.append(f"rds_extra_ingress: {source} would open the database to every address")
    return errors


def _wiring_errors(settings: dict) -> list[str]:
    errors = []
    if not str(settings["rds_vpc_id"]).startswith("vpc-"):
        errors.append(f"rds_vpc_id: {settings['rds_vpc_id']!r} is not a VPC id")
    if len(set(settings["rds_subnet_ids"])) < 2:
        errors.append(f"rds_subnet_ids: a DB subnet group needs subnets in at least two availability zones, got {len(set(settings['rds_subnet_ids']))}")
    if not re.match(r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+$", str(settings["rds_secret_arn"])):
        errors.append(f"rds_secret_arn: {settings['rds_secret_arn']!r} is not a Secrets Manager secret ARN")
    return errors


def rds_identifier_errors(value, variable: str, kind: str = "instance") -> list[str]:
    """The message naming ``variable`` when ``value`` is not an RDS identifier of that kind, else nothing.

    ``kind`` is ``instance`` (a DB instance identifier), ``snapshot`` (a new manual snapshot's identifier) or
    ``snapshot_source`` (an existing snapshot to restore: an identifier, an automated ``rds:`` one, or an ARN).
    """
    text = "" if value is None else str(value)
    if kind == "snapshot_source":
        name = SNAPSHOT_SOURCE.match(text)
        if name and not rds_identifier_errors(name.group("name"), variable, "snapshot"):
            return []
        return [f"{variable}: {value!r} is not a DB snapshot identifier (letters, digits and single hyphens, starting with a letter), "
                "an automated one (rds:...) or a snapshot ARN"]
    limit = IDENTIFIER_LENGTH[kind]
    if IDENTIFIER.match(text) and len(text) <= limit:
        return []
    return [f"{variable}: {value!r} must be 1-{limit} letters, digits or single hyphens, starting with a letter and not ending with a hyphen"]


def rds_settings_errors(settings: dict) -> list[str]:
    """Return one message per bad setting, each naming its variable; needs nothing but the settings."""
    settings = _numbers(settings)
    errors = _ingress_errors(settings.get("rds_extra_ingress") or [])
    errors += rds_identifier_errors(settings["rds_instance_identifier"], "rds_instance_identifier")
    if settings.get("rds_snapshot_identifier"):
        errors += rds_identifier_errors(settings["rds_snapshot_identifier"], "rds_snapshot_identifier", "snapshot_source")
    if not re.match(r"^db\.[a-z0-9-]+\.[a-z0-9]+$", str(settings["rds_instance_class"])):
        errors.append(f"rds_instance_class: {settings['rds_instance_class']!r} is not a DB instance class (db.<family>.<size>, e.g. db.t3.medium)")
    errors += _version_errors(str(settings["rds_engine_version"]), None)
    errors += _storage_errors(settings["rds_allocated_storage"], None)
    unknown = [name for name in settings["rds_log_exports"] if name not in POSTGRES_LOG_EXPORTS]
    if unknown:
        errors.append(f"rds_log_exports: {', '.join(map(str, unknown))} is not a log PostgreSQL exports (choose from {', '.join(POSTGRES_LOG_EXPORTS)})")
    if settings["rds_performance_insights"] and settings["rds_performance_insights_retention_days"] not in PI_RETENTION_DAYS:
        errors.append(
            f"rds_performance_insights_retention_days: {settings['rds_performance_insights_retention_days']!r} is not a retention "
            "Performance Insights accepts (7, a multiple of 31 up to 713, or 731)"
        )
    if not _in_range(settings["rds_backup_retention_days"], 0, 35):
        errors.append(f"rds_backup_retention_days: {settings['rds_backup_retention_days']!r} is outside 0-35 days")
    if not DATABASE_NAME.match(str(settings["rds_database_name"])):
        errors.append(f"rds_database_name: {settings['rds_database_name']!r} must be 1-63 letters, digits or underscores, starting with a letter")
    if not _in_range(settings["rds_port"], 1150, 65535):
        errors.append(f"rds_port: {settings['rds_port']!r} is outside 1150-65535, the ports RDS allows")
    return errors + _wait_errors(settings)


def _wait_errors(settings: dict) -> list[str]:
    """The wait must be able to poll at least once (both settings are optional to callers of the filter)."""
    timeout, delay = settings.get("rds_wait_timeout", 1), settings.get("rds_wait_delay", 1)
    if not _in_range(timeout, 1, 86400):
        return [f"rds_wait_timeout: {timeout!r} is not a number of seconds (1 or more)"]
    return delay_errors("rds_wait_delay", delay, "rds_wait_timeout", timeout)


def rds_change_errors(settings: dict, current: dict | None) -> list[str]:
    """What the earlier layers handed over, and what RDS cannot do to the instance as it is (``current``)."""
    current = current or {}
    settings = _numbers(settings)
    errors = _wiring_errors(settings)
    if current:
        errors += _storage_errors(settings["rds_allocated_storage"], current.get("allocated_storage"))
        errors += _version_errors(str(settings["rds_engine_version"]), current.get("engine_version"))
    return errors


def rds_snapshot_errors(snapshot: dict, settings: dict, variable: str) -> list[str]:
    """Why the snapshot (as amazon.aws.rds_snapshot_info returns it) cannot become an instance with ``settings``.

    A restore keeps the snapshot's engine, version, encryption and size as the floor: the declared settings may only
    start there. ``variable`` names the snapshot in the messages.
    """
    settings = _numbers(settings)
    name = snapshot.get("db_snapshot_identifier")
    version = str(snapshot.get("engine_version") or "")
    if snapshot.get("engine") != "postgres" or not re.match(r"^15\.\d+$", version):
        return [f"{variable}: {name} is a snapshot of {snapshot.get('engine')} {version}, not of PostgreSQL 15"]
    if snapshot.get("status") != "available":
        return [f"{variable}: {name} is {snapshot.get('status')}, not available; run again once it is"]
    if not snapshot.get("encrypted"):
        return [f"{variable}: {name} is not encrypted and a restore cannot encrypt it; copy it with a KMS key first "
                "(aws rds copy-db-snapshot --kms-key-id) and restore the copy"]
    errors = []
    declared = str(settings["rds_engine_version"])
    if re.match(r"^15\.\d+$", declared) and _version(declared) < _version(version):
        errors.append(f"rds_engine_version: {declared} is older than the snapshot's {version}; RDS cannot downgrade an engine")
    size = settings["rds_allocated_storage"]
    if isinstance(size, int) and size < (snapshot.get("allocated_storage") or 0):
        errors.append(f"rds_allocated_storage: {size} GB is below the snapshot's {snapshot['allocated_storage']} GB; a restore cannot shrink storage")
    return errors


def rds_instance_settings(instance: dict | None) -> dict:
    """The settings this collection manages, from an instance as amazon.aws.rds_instance_info returns it.

    Values waiting for the maintenance window count as the instance's settings, since that is what it will run.
    """
    if not instance:
        return {}
    pending = instance.get("pending_modified_values") or {}

    def value(key: str):
        return pending.get(key, instance.get(key))

    return {
        "engine_version": value("engine_version"),
        "instance_class": value("db_instance_class"),
        "allocated_storage": value("allocated_storage"),
        "storage_type": value("storage_type"),
        "storage_encrypted": instance.get("storage_encrypted"),
        "publicly_accessible": instance.get("publicly_accessible"),
        "multi_az": value("multi_az"),
        "backup_retention_period": value("backup_retention_period"),
        "deletion_protection": instance.get("deletion_protection"),
        "performance_insights_enabled": bool(instance.get("performance_insights_enabled")),
        "performance_insights_retention_period": instance.get("performance_insights_retention_period")
        if instance.get("performance_insights_enabled")
        else None,
        "log_exports": sorted(instance.get("enabled_cloudwatch_logs_exports") or []),
        "parameter_group": next((group["db_parameter_group_name"] for group in instance.get("db_parameter_groups") or []), None),
        "subnet_group": (instance.get("db_subnet_group") or {}).get("db_subnet_group_name"),
        "security_groups": sorted(group["vpc_security_group_id"] for group in instance.get("vpc_security_groups") or []),
        "db_name": instance.get("db_name"),
        "port": (instance.get("endpoint") or {}).get("port"),
        "auto_minor_version_upgrade": instance.get("auto_minor_version_upgrade"),
    }


def rds_instance_as_declared(instance: dict | None, after: dict, tags: dict, maintenance_window: str | None = None) -> bool:
    """Whether amazon.aws.rds_instance would find nothing to change on ``instance`` (as rds_instance_info returns it):
    nothing waiting for the maintenance window, the declared settings (``after``, shaped as rds_instance_settings
    shapes the instance's), exactly the declared tags, its tags copied to snapshots, and the declared maintenance
    window when one is declared (RDS keeps it in lower case)."""
    if not instance or instance.get("pending_modified_values"):
        return False
    declared = {**after, "security_groups": sorted(after.get("security_groups") or []), "log_exports": sorted(after.get("log_exports") or [])}
    return (rds_instance_settings(instance) == declared and (instance.get("tags") or {}) == tags
            and instance.get("copy_tags_to_snapshot") is True
            and (not maintenance_window or instance.get("preferred_maintenance_window") == maintenance_window.lower()))


# Changes that restart the instance, so the run must choose between now and the maintenance window.
RESTART_SETTINGS = ("instance_class", "allocated_storage", "storage_type", "engine_version")


def rds_restart_changes(before: dict, after: dict) -> list[str]:
    """The restarting settings that differ between an existing instance (``before``) and the declared one."""
    if not before:
        return []
    return [name for name in RESTART_SETTINGS if str(before.get(name)) != str(after.get(name))]


def rds_ingress_rule(source, port: int) -> dict:
    """A shoppulse.analytics.ec2_vpc_security_group rule admitting one declared source (a CIDR or a security group id)."""
    if isinstance(source, dict):
        source, description = source["source"], source.get("description", "declared source")
    else:
        description = "declared source"
    rule = {"proto": "tcp", "ports": [int(port)], "rule_desc": f"PostgreSQL from {description}"}
    rule["group_id" if str(source).startswith("sg-") else "cidr_ip"] = source
    return rule


class FilterModule:
    """Database settings filters."""

    def filters(self):
        return {
            "rds_settings_errors": rds_settings_errors,
            "rds_change_errors": rds_change_errors,
            "rds_instance_settings": rds_instance_settings,
            "rds_instance_as_declared": rds_instance_as_declared,
            "rds_restart_changes": rds_restart_changes,
            "rds_ingress_rule": rds_ingress_rule,
            "rds_identifier_errors": rds_identifier_errors,
            "rds_snapshot_errors": rds_snapshot_errors,
        }
