"""RDS DB instances and DB parameter groups, as the RDS API reference and the RDS User Guide describe them.

Data-model fixes (what an instance reports) patch moto's ``DBInstance``; what the API refuses or defers is patched
on ``RDSResponse``, so moto's own internal calls (restores, blue/green switchovers, CloudFormation) keep working.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any, Callable

from localenv.fidelity import entry

API = "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference"
GUIDE = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide"

# gp3: below this allocated storage (GiB) the engine gets the small baseline and no IOPS or throughput may be given;
# at or above it the large baseline applies (User Guide, "gp3 storage" table; Oracle and SQL Server differ, not modelled).
_GP3_THRESHOLD = {"postgres": 400, "mysql": 400, "mariadb": 400}
_GP3_SMALL_BASELINE = (3000, 125)  # IOPS, MiB/s
_GP3_LARGE_BASELINE = (12000, 500)

# Performance Insights retention: 7, month * 31 for 1 to 23 months, or 731 (CreateDBInstance reference).
_PI_RETENTION_DAYS = frozenset([7, 731] + [31 * month for month in range(1, 24)])
_DEFAULT_RDS_KEY_ALIAS = "alias/aws/rds"

# ModifyDBInstance parameters that AWS holds for the maintenance window unless ApplyImmediately is set, each with the
# PendingModifiedValues member it is listed under and the instance attribute it finally changes ("Settings for DB
# instances"). Storage type before its IOPS and throughput, so that applying them in this order is consistent.
_DEFERRED = {
    "DBInstanceClass": "db_instance_class",
    "AllocatedStorage": "allocated_storage",
    "StorageType": "storage_type",
    "Iops": "iops",
    "StorageThroughput": "storage_throughput",
    "EngineVersion": "engine_version",
    "MultiAZ": "multi_az",
    "CACertificateIdentifier": "ca_certificate_identifier",
    "LicenseModel": "license_model",
    "BackupRetentionPeriod": "backup_retention_period",
}

# Engine defaults of the DB parameter group families we model: what DescribeEngineDefaultParameters returns, and the base
# that DescribeDBParameters overlays a group's own values on. Derived from a real PostgreSQL 15's pg_settings and the RDS
# for PostgreSQL parameter pages by `python -m localenv.parameters --write` (see that module), not listed by hand.
_FAMILY_FILES = {"postgres15": Path(__file__).resolve().parent.parent / "data" / "postgres15_parameters.json"}

# Variables RDS substitutes in a parameter formula such as {DBInstanceClassMemory/32768} (RDS User Guide, "DB parameter
# formulas"); a formula stands for a number, so it is accepted for integer and float parameters.
_FORMULA_VARIABLES = ("AllocatedStorage", "DBInstanceClassMemory", "DBInstanceVCPU", "EndPointPort", "TrueIfReplica",
                      "DBInstanceClassHugePagesDefault")


def _load_family(path: Path) -> dict[str, dict[str, Any]]:
    document = json.loads(path.read_text(encoding="utf-8"))
    return {parameter["ParameterName"]: parameter for parameter in document["parameters"]}


ENGINE_DEFAULTS: dict[str, dict[str, dict[str, Any]]] = {family: _load_family(path) for family, path in _FAMILY_FILES.items()}


def _is_formula(value: str) -> bool:
    return any(f"{{{variable}" in value for variable in _FORMULA_VARIABLES)


def _number_in_range(value: str, allowed: str, parse: Callable[[str], float]) -> bool:
    bounds = re.fullmatch(r"(-?[0-9.e+]+)-(-?[0-9.e+]+)", allowed)
    try:
        number = parse(value)
    except ValueError:
        return False
    return bounds is None or float(bounds.group(1)) <= number <= float(bounds.group(2))


def valid_value(parameter: dict[str, Any], value: str) -> bool:
    """Whether RDS accepts ``value`` for ``parameter``: its data type and allowed values, as DescribeEngineDefaultParameters
    reports them."""
    data_type, allowed = parameter["DataType"], parameter.get("AllowedValues")
    if data_type in ("integer", "float"):
        if _is_formula(value):
            return True
        return _number_in_range(value, allowed or "", int if data_type == "integer" else float)
    if allowed is None:
        return True  # a free string, or a list without a fixed set of members
    choices = {choice.lower() for choice in allowed.split(",")}
    if data_type == "list":
        return all(member.strip().lower() in choices for member in value.split(","))
    return value.lower() in choices


def _models() -> Any:
    from moto.rds import models  # pylint: disable=import-outside-toplevel  # patched at start, before serving

    return models


def _exceptions() -> Any:
    from moto.rds import exceptions  # pylint: disable=import-outside-toplevel

    return exceptions


def _response_class() -> Any:
    from moto.rds.responses import RDSResponse  # pylint: disable=import-outside-toplevel

    return RDSResponse


Hook = tuple[Callable[[Any], Any] | None, Callable[[Any], Any] | None, Callable[[Any, Any, Any], None] | None]
_HOOKS: dict[str, list[Hook]] = {}


def _hook(name: str, validate: Callable[[Any], Any] | None = None, prepare: Callable[[Any], Any] | None = None,
          after: Callable[[Any, Any, Any], None] | None = None) -> None:
    """Add an entry's hooks to one RDSResponse handler.

    Every entry's ``validate(response)`` runs first, so that a refused request changes nothing; then every
    ``prepare(response)`` (which may rewrite the request), moto's handler, and ``after(response, prepared, result)``.
    """
    hooks = _HOOKS.get(name)
    if hooks is None:
        hooks = _HOOKS[name] = []
        response_class = _response_class()
        original = getattr(response_class, name)

        @functools.wraps(original)
        def handler(self: Any) -> Any:
            for check in (hook[0] for hook in hooks):
                if check:
                    check(self)
            prepared = [hook[1](self) if hook[1] else None for hook in hooks]
            result = original(self)
            for hook, state in zip(hooks, prepared):
                if hook[2]:
                    hook[2](self, state, result)
            return result

        setattr(response_class, name, handler)
    hooks.append((validate, prepare, after))


def _default_rds_key_arn(backend: Any) -> str:
    """The ARN of the account's AWS managed key for RDS in the region, created on first use as AWS does."""
    kms = backend.kms
    key_id = kms.get_key_id_from_alias(_DEFAULT_RDS_KEY_ALIAS)
    if key_id is None:
        key = kms.create_key(policy=None, key_usage="ENCRYPT_DECRYPT", key_spec="SYMMETRIC_DEFAULT",
                             description="Default key that protects my RDS database volumes when no other key is defined", tags=None)
        key.key_manager = "AWS"
        kms.create_alias(key.id, _DEFAULT_RDS_KEY_ALIAS)
        return key.arn
    return kms.describe_key(key_id).arn


def _gp3_baseline(instance: Any) -> tuple[int, int] | None:
    """The IOPS and throughput a gp3 instance reports when none were provisioned, or None where not modelled."""
    threshold = _GP3_THRESHOLD.get(getattr(instance, "engine", None))
    if threshold is None or instance.__dict__.get("_storage_type") != "gp3":
        return None
    allocated = instance.__dict__.get("_allocated_storage") or 0
    return _GP3_LARGE_BASELINE if allocated >= threshold else _GP3_SMALL_BASELINE


def _refuse_gp3_provisioning(engine: str | None, storage_type: str | None, allocated: int | None, params: Any) -> None:
    """InvalidParameterCombination for IOPS or throughput on gp3 below the engine's threshold, as AWS answers."""
    threshold = _GP3_THRESHOLD.get(engine or "")
    if threshold is None or storage_type != "gp3" or allocated is None or int(allocated) >= threshold:
        return
    if params.get("Iops") is not None or params.get("StorageThroughput") is not None:
        raise _exceptions().InvalidParameterCombination(
            f"You can't specify IOPS or storage throughput for engine {engine} and a storage size less than {threshold}.")


@entry(
    key="rds-gp3-storage-baseline",
    api="CreateDBInstance, ModifyDBInstance, DescribeDBInstances",
    moto="a gp3 instance created without `Iops`/`StorageThroughput` reports neither (amazon.aws `rds_instance` reads both: "
    "KeyError on the second run); IOPS and throughput are accepted on any volume size",
    aws="gp3 on RDS for PostgreSQL, MySQL and MariaDB reports its baseline: 3000 IOPS and 125 MiB/s below 400 GiB, 12000 IOPS "
    "and 500 MiB/s from 400 GiB; giving `Iops` or `StorageThroughput` below 400 GiB is `InvalidParameterCombination`",
    reference=f"{GUIDE}/CHAP_Storage.html#gp3-storage",
)
def gp3_storage_baseline() -> None:
    models = _models()

    def get_iops(self: Any) -> int | None:
        value = self.__dict__.get("_iops")
        if self.__dict__.get("_storage_type") == "gp3" and value is None:
            baseline = _gp3_baseline(self)
            return baseline[0] if baseline else None
        return value

    def set_iops(self: Any, value: Any) -> None:
        self._iops = int(value) if value is not None else None  # pylint: disable=protected-access

    def get_throughput(self: Any) -> int | None:
        if self.__dict__.get("_storage_type") != "gp3":
            return None  # StorageThroughput applies only to gp3
        value = self.__dict__.get("_storage_throughput")
        if value is None:
            baseline = _gp3_baseline(self)
            return baseline[1] if baseline else None
        return value

    def set_throughput(self: Any, value: Any) -> None:
        self._storage_throughput = int(value) if value else None  # pylint: disable=protected-access

    models.DBInstance.iops = property(get_iops, set_iops)
    models.DBInstance.storage_throughput = property(get_throughput, set_throughput)

    def refuse_on_create(response: Any) -> None:
        params = response.params
        _refuse_gp3_provisioning(params.get("Engine"), params.get("StorageType"), params.get("AllocatedStorage"), params)

    def refuse_on_modify(response: Any) -> None:
        params = response.params
        instance = response.backend.describe_db_instances(params.get("DBInstanceIdentifier"))[0]
        pending = _pending(instance)
        storage_type = params.get("StorageType") or pending.get("StorageType") or instance.storage_type
        allocated = params.get("AllocatedStorage") or pending.get("AllocatedStorage") or instance.allocated_storage
        _refuse_gp3_provisioning(instance.engine, storage_type, allocated, params)

    _hook("create_db_instance", validate=refuse_on_create)
    _hook("modify_db_instance", validate=refuse_on_modify)


def _performance_insights_settings(backend: Any, params: Any, instance: Any | None) -> dict[str, Any] | None:
    """Validate the request's Performance Insights parameters; return the settings to apply, or None if untouched."""
    enable = params.get("EnablePerformanceInsights")
    retention = params.get("PerformanceInsightsRetentionPeriod")
    key = params.get("PerformanceInsightsKMSKeyId")
    if retention is not None and int(retention) not in _PI_RETENTION_DAYS:
        raise _exceptions().InvalidParameterValue(
            f"Invalid Performance Insights retention period: {retention}. Valid values are 7, month * 31 where month is "
            "a number of months from 1-23, and 731.")
    if enable is None and retention is None and key is None:
        return None
    enabled = bool(enable) if enable is not None else bool(instance is not None and instance.performance_insights_enabled)
    if not enabled:
        return {"enabled": False, "retention": None, "key": None}
    current_retention = instance.performance_insights_retention_period if instance is not None else None
    current_key = instance.performance_insights_kms_key_id if instance is not None else None
    return {
        "enabled": True,
        "retention": int(retention) if retention is not None else (current_retention or 7),
        "key": backend._validate_kms_key(key) if key else (current_key or _default_rds_key_arn(backend)),  # pylint: disable=protected-access
    }


def _apply_performance_insights(instance: Any, settings: dict[str, Any] | None) -> None:
    if settings is not None:
        instance.performance_insights_enabled = settings["enabled"]
        instance.performance_insights_retention_period = settings["retention"]
        instance.performance_insights_kms_key_id = settings["key"]


def _instance_of(response: Any, result: Any) -> Any:
    """The DB instance an ActionResult carries (moto's create and modify answer with it)."""
    return result.result["DBInstance"] if hasattr(result, "result") else response.backend.describe_db_instances(
        response.params.get("DBInstanceIdentifier"))[0]


@entry(
    key="rds-performance-insights",
    api="CreateDBInstance, ModifyDBInstance, DescribeDBInstances",
    moto="`EnablePerformanceInsights`, `PerformanceInsightsRetentionPeriod` and `PerformanceInsightsKMSKeyId` are dropped; "
    "`PerformanceInsightsEnabled` is never returned (amazon.aws `rds_instance` then reports changed on every run); any "
    "retention is accepted",
    aws="the instance reports `PerformanceInsightsEnabled`, and when enabled its retention (default 7 days) and KMS key ARN "
    "(default: the account's `aws/rds` key); retention must be 7, month * 31 (1-23 months) or 731, else "
    "`InvalidParameterValue`; a change applies at once whatever `ApplyImmediately` says",
    reference=f"{API}/API_CreateDBInstance.html",
)
def performance_insights() -> None:
    models = _models()
    models.DBInstance.performance_insights_enabled = False  # class defaults: instances that never set it report false
    models.DBInstance.performance_insights_retention_period = None
    models.DBInstance.performance_insights_kms_key_id = None

    def prepare_create(response: Any) -> dict[str, Any] | None:
        return _performance_insights_settings(response.backend, response.params, None)

    def prepare_modify_check(response: Any) -> None:
        instance = response.backend.describe_db_instances(response.params.get("DBInstanceIdentifier"))[0]
        _performance_insights_settings(response.backend, response.params, instance)

    def prepare_modify(response: Any) -> dict[str, Any] | None:
        instance = response.backend.describe_db_instances(response.params.get("DBInstanceIdentifier"))[0]
        settings = _performance_insights_settings(response.backend, response.params, instance)
        for name in ("EnablePerformanceInsights", "PerformanceInsightsRetentionPeriod", "PerformanceInsightsKMSKeyId"):
            if name in response.params:
                del response.params[name]  # applied here, not left as stray attributes by moto's update()
        return settings

    def apply(response: Any, settings: dict[str, Any] | None, result: Any) -> None:
        _apply_performance_insights(_instance_of(response, result), settings)

    _hook("create_db_instance", validate=prepare_create, prepare=prepare_create, after=apply)
    _hook("modify_db_instance", validate=prepare_modify_check, prepare=prepare_modify, after=apply)


@entry(
    key="rds-storage-encryption-default-key",
    api="CreateDBInstance, DescribeDBInstances",
    moto="an encrypted instance created without `KmsKeyId` reports `KmsKeyId: default_kms_key_id`; a given key is stored "
    "as written, unknown keys included",
    aws="without `KmsKeyId` RDS encrypts with the account's default key (`aws/rds`) and reports its ARN; a given key is "
    "reported as its ARN, and a key that does not exist is `KMSKeyNotAccessibleFault`",
    reference=f"{API}/API_CreateDBInstance.html",
)
def storage_encryption_default_key() -> None:
    def resolve_key(response: Any) -> None:
        params = response.params
        if not params.get("StorageEncrypted") or params.get("DBClusterIdentifier"):
            return
        key = params.get("KmsKeyId")
        backend = response.backend
        params["KmsKeyId"] = backend._validate_kms_key(key) if key else _default_rds_key_arn(backend)  # pylint: disable=protected-access

    _hook("create_db_instance", prepare=resolve_key)


def _pending(instance: Any) -> dict[str, Any]:
    """The instance's pending modifications, by PendingModifiedValues member (kept on the instance)."""
    return instance.__dict__.setdefault("_shoppulse_pending_modified_values", {})


def _defer_rename(params: Any, instance: Any, pending: dict[str, Any]) -> None:
    """Hold a NewDBInstanceIdentifier for the maintenance window, listed as the pending DBInstanceIdentifier."""
    renamed = params.get("NewDBInstanceIdentifier")
    if not renamed:
        return
    del params["NewDBInstanceIdentifier"]
    if renamed.lower() != instance.db_instance_identifier.lower():
        pending["DBInstanceIdentifier"] = renamed.lower()
    else:
        pending.pop("DBInstanceIdentifier", None)


@entry(
    key="rds-modify-db-instance-pending",
    api="ModifyDBInstance, DescribeDBInstances",
    moto="every change is applied at once whatever `ApplyImmediately` says, a rename included; `PendingModifiedValues` is "
    "never returned",
    aws="without `ApplyImmediately` the instance class, allocated storage, storage type, IOPS, storage throughput, engine "
    "version, Multi-AZ, CA certificate, license model, a rename (`NewDBInstanceIdentifier`, pending as `DBInstanceIdentifier`) "
    "and a backup retention change to or from 0 wait for the maintenance "
    "window: the instance keeps its values and lists the new ones under `PendingModifiedValues`; `ApplyImmediately` "
    "applies them and everything pending; the other settings (Performance Insights, deletion protection, log exports, "
    "security groups, other backup retention changes...) apply at once; asking for the current value again withdraws "
    "that pending change",
    reference=f"{GUIDE}/USER_ModifyInstance.Settings.html",
)
def modify_db_instance_pending() -> None:
    models = _models()
    models.DBInstance.pending_modified_values = property(lambda self: dict(_pending(self)))

    def defer_or_apply(response: Any) -> None:
        params = response.params
        instance = response.backend.describe_db_instances(params.get("DBInstanceIdentifier"))[0]
        pending = _pending(instance)
        if params.get("ApplyImmediately"):
            renamed = pending.pop("DBInstanceIdentifier", None)
            if renamed and not params.get("NewDBInstanceIdentifier"):
                params["NewDBInstanceIdentifier"] = renamed
            for member, value in list(pending.items()):
                if member not in params:
                    params[member] = value
            pending.clear()
            return
        _defer_rename(params, instance, pending)
        for member, attribute in _DEFERRED.items():
            if member not in params or params[member] is None:
                continue
            value = params[member]
            current = getattr(instance, attribute)
            if member == "BackupRetentionPeriod" and (int(value) == 0) == (int(current or 0) == 0):
                continue  # nonzero to nonzero applies as soon as possible, not in the window
            del params[member]
            if value != current:
                pending[member] = value
            else:
                pending.pop(member, None)  # asked back to the current value: nothing is left to apply

    _hook("modify_db_instance", prepare=defer_or_apply)


@entry(
    key="rds-modify-db-instance-port",
    api="ModifyDBInstance",
    moto="`DBPortNumber` is stored under a name nothing reads: the endpoint keeps its old port",
    aws="the new port applies at once (the instance reboots), whatever `ApplyImmediately` says, and is the endpoint's port",
    reference=f"{API}/API_ModifyDBInstance.html",
)
def modify_db_instance_port() -> None:
    def take_port(response: Any) -> int | None:
        port = response.params.get("DBPortNumber")
        if "DBPortNumber" in response.params:
            del response.params["DBPortNumber"]
        return int(port) if port is not None else None

    def apply(response: Any, port: int | None, result: Any) -> None:
        if port is not None:
            _instance_of(response, result).port = port

    _hook("modify_db_instance", prepare=take_port, after=apply)


@entry(
    key="rds-delete-db-instance-final-snapshot",
    api="DeleteDBInstance",
    moto="deletes the instance when neither `SkipFinalSnapshot` nor `FinalDBSnapshotIdentifier` is given (no snapshot is "
    "taken), and when both are (the identifier is ignored); deletion protection is already refused",
    aws="without `SkipFinalSnapshot` a `FinalDBSnapshotIdentifier` is required and with it none may be given: either "
    "mistake is `InvalidParameterCombination`",
    reference=f"{API}/API_DeleteDBInstance.html",
)
def delete_requires_final_snapshot_choice() -> None:
    def refuse(response: Any) -> None:
        params = response.params
        instance = response.backend.describe_db_instances(params.get("DBInstanceIdentifier"))[0]
        if instance.deletion_protection or instance.db_cluster_identifier is not None:
            return  # moto refuses the former already; instances of a cluster take no final snapshot
        skip = bool(params.get("SkipFinalSnapshot"))
        final = params.get("FinalDBSnapshotIdentifier")
        if not skip and not final:
            raise _exceptions().InvalidParameterCombination("FinalDBSnapshotIdentifier is required unless SkipFinalSnapshot is specified.")
        if skip and final:
            raise _exceptions().InvalidParameterCombination("You cannot specify both FinalDBSnapshotIdentifier and SkipFinalSnapshot.")

    _hook("delete_db_instance", validate=refuse)


# RestoreDBInstanceFromDBSnapshot settings moto takes from the snapshot's source instance when they are false or 0 (it
# keeps only truthy overrides), with the instance attribute each sets, and the default AWS gives those not given: the
# request reference's defaults (deletion protection off, tags not copied) and the operation's Single-AZ deployment.
_RESTORE_SETTINGS = {
    "DeletionProtection": ("deletion_protection", False),
    "CopyTagsToSnapshot": ("copy_tags_to_snapshot", False),
    "MultiAZ": ("multi_az", False),
    "PubliclyAccessible": ("publicly_accessible", None),
    "AutoMinorVersionUpgrade": ("auto_minor_version_upgrade", None),
    "BackupRetentionPeriod": ("backup_retention_period", None),
}
_RESOURCE_ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


@entry(
    key="rds-restore-db-instance-from-db-snapshot",
    api="RestoreDBInstanceFromDBSnapshot",
    moto="the restored instance copies the source instance as the snapshot holds it, its `DbiResourceId` included; `DeletionProtection`, "
    "`CopyTagsToSnapshot`, `MultiAZ`, `PubliclyAccessible`, `AutoMinorVersionUpgrade` and `BackupRetentionPeriod` given as "
    "false or 0 are ignored for the source's values, and the first three are the source's when not given",
    aws="the restored instance has its own Region-unique `DbiResourceId`; a setting given applies, false and 0 included; "
    "not given, deletion protection is off, tags are not copied to snapshots and the instance is Single-AZ",
    reference=f"{API}/API_RestoreDBInstanceFromDBSnapshot.html",
)
def restore_db_instance_from_db_snapshot() -> None:
    from moto.moto_api._internal import mock_random  # pylint: disable=import-outside-toplevel

    def settings(response: Any) -> dict[str, Any]:
        params = response.params
        chosen = {}
        for member, (attribute, default) in _RESTORE_SETTINGS.items():
            value = params.get(member)
            if value is not None:
                chosen[attribute] = int(value) if attribute == "backup_retention_period" else value
            elif default is not None:
                chosen[attribute] = default
        return chosen

    def apply(response: Any, chosen: dict[str, Any], result: Any) -> None:
        instance = _instance_of(response, result)
        for attribute, value in chosen.items():
            setattr(instance, attribute, value)
        instance.dbi_resource_id = "db-" + "".join(mock_random.choice(_RESOURCE_ID_CHARS) for _position in range(26))

    _hook("restore_db_instance_from_db_snapshot", prepare=settings, after=apply)


def _page(items: list[dict[str, Any]], params: Any) -> tuple[list[dict[str, Any]], str | None]:
    """One page of ``items`` by MaxRecords (default and most 100) and an opaque Marker, as the Describe calls page."""
    start = int(params.get("Marker") or 0)
    size = max(1, min(int(params.get("MaxRecords") or 100), 100))
    marker = str(start + size) if start + size < len(items) else None
    return items[start:start + size], marker


@entry(
    key="rds-describe-engine-default-parameters",
    api="DescribeEngineDefaultParameters",
    moto="not implemented: every call fails with HTTP 500",
    aws="the family's parameters with their default value (if RDS sets one), description, source, apply type, data type, "
    "allowed values and modifiability, paged by `MaxRecords`/`Marker`; modelled for `postgres15` only, other families "
    "still fail",
    reference=f"{API}/API_DescribeEngineDefaultParameters.html",
)
def describe_engine_default_parameters() -> None:
    from moto.core.responses import ActionResult  # pylint: disable=import-outside-toplevel

    def handler(self: Any) -> Any:
        family = self.params.get("DBParameterGroupFamily")
        defaults = ENGINE_DEFAULTS.get(family)
        if defaults is None:
            raise NotImplementedError(f"the emulator has no engine defaults recorded for DB parameter group family {family}")
        page, marker = _page([dict(defaults[name]) for name in sorted(defaults)], self.params)
        engine_defaults: dict[str, Any] = {"DBParameterGroupFamily": family, "Parameters": page}
        if marker:
            engine_defaults["Marker"] = marker
        return ActionResult({"EngineDefaults": engine_defaults})

    _response_class().describe_engine_default_parameters = handler


def _group_parameters(group: Any, defaults: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The family's parameters with the group's own values over them (Source "user"), sorted by name."""
    merged = {name: dict(parameter) for name, parameter in defaults.items()}
    for name, own in group.parameters.items():
        parameter = merged.setdefault(name, {"ParameterName": name})
        if "ParameterValue" in own:
            parameter["ParameterValue"] = own["ParameterValue"]
        parameter["Source"] = "user"
        if own.get("ApplyMethod"):
            parameter["ApplyMethod"] = own["ApplyMethod"]
    return [merged[name] for name in sorted(merged)]


@entry(
    key="rds-describe-db-parameters-full-set",
    api="DescribeDBParameters",
    moto="lists only the parameters that were set on the group, and ignores the `Source` filter",
    aws="lists every parameter of the group's family: the engine defaults, with the values set on the group over them "
    "(`Source: user`); `Source` (`user`, `system`, `engine-default`) filters; paged by `MaxRecords`/`Marker`; "
    "modelled for `postgres15` groups",
    reference=f"{API}/API_DescribeDBParameters.html",
)
def describe_db_parameters_full_set() -> None:
    from moto.core.responses import ActionResult  # pylint: disable=import-outside-toplevel

    original = _response_class().describe_db_parameters

    @functools.wraps(original)
    def handler(self: Any) -> Any:
        name = self.params.get("DBParameterGroupName")
        groups = self.backend.describe_db_parameter_groups({"db_parameter_group_name": name})
        if not groups:
            raise _exceptions().DBParameterGroupNotFoundError(name)
        defaults = ENGINE_DEFAULTS.get(groups[0].family)
        if defaults is None:
            return original(self)
        parameters = _group_parameters(groups[0], defaults)
        source = self.params.get("Source")
        if source:
            parameters = [parameter for parameter in parameters if parameter.get("Source") == source]
        page, marker = _page(parameters, self.params)
        return ActionResult({"Parameters": page, "Marker": marker})

    _response_class().describe_db_parameters = handler


@entry(
    key="rds-modify-db-parameter-group-validates",
    api="ModifyDBParameterGroup",
    moto="any parameter name and any value is accepted and stored, and `immediate` is accepted for a static parameter",
    aws="a name the family does not have, or a value outside the parameter's data type and allowed values (a formula such "
    "as `{DBInstanceClassMemory/32768}` stands for a number), is `InvalidParameterValue`; `ApplyMethod: immediate` on a "
    "static parameter is `InvalidParameterCombination` (`immediate` is for dynamic parameters only); modelled for "
    "`postgres15` groups, whose parameters are derived from PostgreSQL 15's `pg_settings` and RDS's `rds.*` parameters "
    "(`localenv/data/postgres15_parameters.json`, `python -m localenv.parameters --write`)",
    reference=f"{API}/API_ModifyDBParameterGroup.html",
)
def modify_db_parameter_group_validates() -> None:
    models = _models()
    original = models.RDSBackend.modify_db_parameter_group

    @functools.wraps(original)
    def modify(self: Any, db_parameter_group_name: str, db_parameter_group_parameters: Any) -> Any:
        group = self.db_parameter_groups.get(db_parameter_group_name)
        defaults = ENGINE_DEFAULTS.get(group.family) if group is not None else None
        if defaults is not None:
            parameters = list(db_parameter_group_parameters)
            for parameter in parameters:
                name = parameter.get("ParameterName")
                if name not in defaults:
                    raise _exceptions().InvalidParameterValue(f"Could not find parameter with name: {name}")
                value = parameter.get("ParameterValue")
                if value is not None and not valid_value(defaults[name], str(value)):
                    allowed = defaults[name].get("AllowedValues")
                    raise _exceptions().InvalidParameterValue(
                        f"Value: {value} is not a valid {defaults[name]['DataType']} for parameter: {name}"
                        + (f" (allowed values: {allowed})" if allowed else ""))
                if parameter.get("ApplyMethod") == "immediate" and defaults[name]["ApplyType"] == "static":
                    raise _exceptions().InvalidParameterCombination("cannot use immediate apply method for static parameter")
            db_parameter_group_parameters = parameters
        return original(self, db_parameter_group_name, db_parameter_group_parameters)

    models.RDSBackend.modify_db_parameter_group = modify


@entry(
    key="rds-db-instance-log-exports-omitted",
    api="CreateDBInstance, ModifyDBInstance, DescribeDBInstances",
    moto="an instance that exports no logs reports `EnabledCloudwatchLogsExports: []`",
    aws="`EnabledCloudwatchLogsExports` lists the log types the instance exports and is absent when it exports none",
    reference=f"{API}/API_DBInstance.html",
)
def db_instance_log_exports_omitted() -> None:
    # The serializer reads an AWS member name before moto's snake_case attribute, which moto's own code keeps using.
    _models().DBInstance.EnabledCloudwatchLogsExports = property(
        lambda self: list(self.enabled_cloudwatch_logs_exports) or None)
