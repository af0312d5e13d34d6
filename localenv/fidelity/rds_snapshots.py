"""RDS DB snapshots: what a snapshot reports of the instance it was taken from, and of the snapshot it was copied from."""

from __future__ import annotations

from typing import Any

from localenv.fidelity import entry
from localenv.fidelity.rds import API, _hook, _models


def _vpc_id(snapshot: Any) -> str | None:
    group = getattr(snapshot.database, "db_subnet_group", None)
    return group.vpc_id if group is not None else None


# Members the DBSnapshot reference describes as the source instance's, read from the copy of the instance moto keeps
# with each snapshot (taken when the snapshot was). The serializer reads an AWS member name before moto's attributes.
_FROM_INSTANCE = {
    "AvailabilityZone": lambda snapshot: snapshot.database.availability_zone,
    "VpcId": _vpc_id,
    "StorageType": lambda snapshot: snapshot.database.storage_type,
    "Iops": lambda snapshot: snapshot.database.iops,
    "StorageThroughput": lambda snapshot: snapshot.database.storage_throughput,
}


@entry(
    key="rds-db-snapshot-instance-settings",
    api="CreateDBSnapshot, CopyDBSnapshot, DescribeDBSnapshots, DeleteDBInstance (final snapshot)",
    moto="a snapshot reports no `AvailabilityZone`, `VpcId`, `StorageType`, `Iops` or `StorageThroughput`",
    aws="a snapshot reports the Availability Zone and VPC of the instance it was taken from, and its storage type, IOPS "
    "and storage throughput at that time (a gp3 instance's baseline included)",
    reference=f"{API}/API_DBSnapshot.html",
)
def db_snapshot_instance_settings() -> None:
    snapshot_class = _models().DBSnapshot
    for member, read in _FROM_INSTANCE.items():
        setattr(snapshot_class, member, property(read))


@entry(
    key="rds-copy-db-snapshot-source",
    api="CopyDBSnapshot, DescribeDBSnapshots",
    moto="a snapshot copied from another Region or account reports neither `SourceDBSnapshotIdentifier` nor `SourceRegion`",
    aws="a copy from another Region or account reports the source snapshot's ARN as `SourceDBSnapshotIdentifier`, and a "
    "copy from another Region the source's Region as `SourceRegion`; a copy within the Region and account reports neither",
    reference=f"{API}/API_DBSnapshot.html",
)
def copy_db_snapshot_source() -> None:
    def source_of(response: Any) -> tuple[str, str] | None:
        source = response.params.get("SourceDBSnapshotIdentifier") or ""
        parts = source.split(":")
        if not source.startswith("arn:") or len(parts) < 7:
            return None
        region, account = parts[3], parts[4]
        if (region, account) == (response.backend.region_name, response.backend.account_id):
            return None
        return source, region

    def record(response: Any, source: tuple[str, str] | None, result: Any) -> None:
        if source is None:
            return
        snapshot = result.result["DBSnapshot"]
        snapshot.SourceDBSnapshotIdentifier = source[0]
        if source[1] != response.backend.region_name:
            snapshot.SourceRegion = source[1]

    _hook("copy_db_snapshot", prepare=source_of, after=record)
