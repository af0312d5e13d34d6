"""RDS and EC2: what still uses a group, the default security group of a restored instance, and the automated
backups of an instance without a backup retention period, as the API references describe them."""

from __future__ import annotations

import functools
from typing import Any, Callable

from localenv.fidelity import entry

RDS_API = "https://docs.aws.amazon.com/AmazonRDS/latest/APIReference"
EC2_API = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference"


def _rds() -> tuple[Any, Any]:
    from moto.rds import exceptions, models  # pylint: disable=import-outside-toplevel  # patched at start, before serving

    return models, exceptions


def _parameter_group_of(instance: Any) -> str:
    """The name of the DB parameter group an instance uses: its own, or its engine's default one."""
    return instance.db_parameter_group_name or instance.default_db_parameter_group_details()[1]


def _refuse_while_used(method: str, uses: Callable[[Any, str], bool], fault: str, message: str) -> None:
    """Make ``RDSBackend.<method>(name)`` answer ``fault`` while a DB instance uses the named group: ``message`` is
    formatted with the group's ``name`` and the ``users``."""
    models, exceptions = _rds()
    original = getattr(models.RDSBackend, method)

    @functools.wraps(original)
    def delete(self: Any, name: str) -> Any:
        users = sorted(key for key, instance in self.databases.items() if uses(instance, name))
        if users:
            raise exceptions.RDSClientError(fault, message.format(name=name, users=", ".join(users)))
        return original(self, name)

    setattr(models.RDSBackend, method, delete)


@entry(
    key="rds-delete-db-subnet-group-in-use",
    api="DeleteDBSubnetGroup",
    moto="deletes a DB subnet group that DB instances still use",
    aws="a DB subnet group that a DB instance still uses cannot be deleted: `InvalidDBSubnetGroupStateFault`",
    reference=f"{RDS_API}/API_DeleteDBSubnetGroup.html",
)
def subnet_group_in_use() -> None:
    _refuse_while_used(
        "delete_subnet_group", lambda instance, name: instance.__dict__.get("_db_subnet_group_name") == name,
        "InvalidDBSubnetGroupStateFault",
        "Cannot delete the subnet group '{name}' because at least one database instance: {users} is still using it.")


@entry(
    key="rds-delete-db-parameter-group-in-use",
    api="DeleteDBParameterGroup, DescribeDBInstances",
    moto="deletes a DB parameter group that DB instances still use; DescribeDBInstances then fails with HTTP 500 "
    "(a KeyError on the deleted group)",
    aws="a DB parameter group associated with a DB instance cannot be deleted: `InvalidDBParameterGroupState`",
    reference=f"{RDS_API}/API_DeleteDBParameterGroup.html",
)
def parameter_group_in_use() -> None:
    _refuse_while_used(
        "delete_db_parameter_group", lambda instance, name: _parameter_group_of(instance) == name,
        "InvalidDBParameterGroupState",
        "One or more database instances are still members of this parameter group {name}, so the group cannot be "
        "deleted ({users})")


@entry(
    key="ec2-delete-security-group-in-use",
    api="DeleteSecurityGroup",
    moto="deletes a security group that RDS DB instances and proxies still have (they hold no network interface there)",
    aws="a security group associated with an instance or a network interface cannot be deleted: `DependencyViolation`; "
    "an RDS DB instance or proxy holds network interfaces in each of its VPC security groups",
    reference=f"{EC2_API}/API_DeleteSecurityGroup.html",
)
def security_group_in_use() -> None:
    from moto.ec2.exceptions import DependencyViolationError  # pylint: disable=import-outside-toplevel
    from moto.ec2.models.security_groups import SecurityGroupBackend  # pylint: disable=import-outside-toplevel

    models, _exceptions = _rds()
    original = SecurityGroupBackend.delete_security_group

    @functools.wraps(original)
    def delete_security_group(self: Any, name: str | None = None, group_id: str | None = None) -> None:
        group = self.get_security_group_from_id(group_id) if group_id else self.get_security_group_by_name_or_id(name)
        if group is not None:
            rds = models.rds_backends[self.account_id][self.region_name]
            holders = [f"DB instance {key}" for key, instance in rds.databases.items()
                       if group.id in (getattr(instance, "vpc_security_group_ids", None) or [])]
            holders += [f"DB proxy {key}" for key, proxy in rds.db_proxies.items()
                        if group.id in (proxy.vpc_security_group_ids or [])]
            if holders:
                raise DependencyViolationError(f"resource {group.id} has a dependent object ({', '.join(sorted(holders))})")
        return original(self, name=name, group_id=group_id)

    SecurityGroupBackend.delete_security_group = delete_security_group


@entry(
    key="rds-default-security-group-of-subnet-group-vpc",
    api="CreateDBInstance, RestoreDBInstanceFromDBSnapshot",
    moto="an instance created or restored without `VpcSecurityGroupIds` gets the default security group of the "
    "emulator's default VPC, even when its DB subnet group is in another VPC",
    aws="without `VpcSecurityGroupIds` the instance gets the default security group of its DB subnet group's VPC",
    reference=f"{RDS_API}/API_RestoreDBInstanceFromDBSnapshot.html",
)
def default_security_group_of_subnet_group_vpc() -> None:
    from moto.ec2.models import ec2_backends  # pylint: disable=import-outside-toplevel

    models, _exceptions = _rds()
    original = models.RDSBackend.create_db_instance

    @functools.wraps(original)
    def create_db_instance(self: Any, db_kwargs: dict[str, Any]) -> Any:
        subnet_group = self.subnet_groups.get(db_kwargs.get("db_subnet_group_name") or "")
        if subnet_group is not None and not db_kwargs.get("vpc_security_group_ids") and db_kwargs.get("db_cluster_identifier") is None:
            default = ec2_backends[self.account_id][self.region_name].get_default_security_group(subnet_group.vpc_id)
            if default is not None:
                db_kwargs = {**db_kwargs, "vpc_security_group_ids": [default.id]}
        return original(self, db_kwargs)

    models.RDSBackend.create_db_instance = create_db_instance


@entry(
    key="rds-automated-backups-need-retention",
    api="CreateDBInstance, RestoreDBInstanceFromDBSnapshot, ModifyDBInstance, DescribeDBSnapshots, DescribeDBInstances",
    moto="every new instance gets an automated snapshot `rds:<instance>-<time>` and reports `LatestRestorableTime`, "
    "whatever its backup retention period; setting the period to 0 keeps the automated snapshots",
    aws="a backup retention period of 0 turns automated backups off: no automated snapshot is taken, "
    "`LatestRestorableTime` is not reported, and turning them off deletes the instance's automated backups",
    reference=f"{RDS_API}/API_ModifyDBInstance.html",
)
def automated_backups_need_retention() -> None:
    models, _exceptions = _rds()
    save = models.DBInstance.save_automated_backup
    latest = models.DBInstance.latest_restorable_time
    modify = models.RDSBackend.modify_db_instance

    @functools.wraps(save)
    def save_automated_backup(self: Any) -> None:
        if self.backup_retention_period:
            save(self)

    def latest_restorable_time(self: Any) -> Any:
        return latest.fget(self) if self.backup_retention_period else None

    @functools.wraps(modify)
    def modify_db_instance(self: Any, db_instance_identifier: str, db_kwargs: dict[str, Any]) -> Any:
        instance = modify(self, db_instance_identifier, db_kwargs)
        if not instance.backup_retention_period:
            for key, snapshot in list(self.database_snapshots.items()):
                if snapshot.snapshot_type == "automated" and snapshot.database.db_instance_identifier == instance.db_instance_identifier:
                    self.database_snapshots.pop(key, None)
        return instance

    models.DBInstance.save_automated_backup = save_automated_backup
    models.DBInstance.latest_restorable_time = property(latest_restorable_time)
    models.RDSBackend.modify_db_instance = modify_db_instance
