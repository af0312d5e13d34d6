"""The RDS DB snapshot entries answer as the RDS API reference says."""

import boto3
import pytest
from moto import mock_aws

from localenv import fidelity

POSTGRES = {"Engine": "postgres", "EngineVersion": "15.4", "DBInstanceClass": "db.t3.medium", "MasterUsername": "shoppulse_admin",
            "MasterUserPassword": "password-password", "AllocatedStorage": 100, "StorageType": "gp3", "BackupRetentionPeriod": 0}


@pytest.fixture(name="aws")
def fixture_aws():
    fidelity.apply_all()
    with mock_aws():
        ec2, rds = boto3.client("ec2", region_name="us-east-1"), boto3.client("rds", region_name="us-east-1")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{n}.0/24", AvailabilityZone=f"us-east-1{zone}")["Subnet"]["SubnetId"]
                   for n, zone in ((1, "a"), (2, "b"))]
        rds.create_db_subnet_group(DBSubnetGroupName="db", DBSubnetGroupDescription="db", SubnetIds=subnets)
        rds.create_db_instance(DBInstanceIdentifier="db1", DBSubnetGroupName="db", AvailabilityZone="us-east-1b", **POSTGRES)
        yield {"rds": rds, "vpc": vpc}


# rds-db-snapshot-instance-settings

def test_a_snapshot_reports_the_instances_zone_vpc_and_storage(aws):
    rds = aws["rds"]
    created = rds.create_db_snapshot(DBInstanceIdentifier="db1", DBSnapshotIdentifier="s1")["DBSnapshot"]
    rds.modify_db_instance(DBInstanceIdentifier="db1", StorageType="io1", AllocatedStorage=200, Iops=4000, ApplyImmediately=True)
    described = rds.describe_db_snapshots(DBSnapshotIdentifier="s1")["DBSnapshots"][0]
    for snapshot in (created, described):
        assert (snapshot["AvailabilityZone"], snapshot["VpcId"]) == ("us-east-1b", aws["vpc"])
        assert (snapshot["StorageType"], snapshot["Iops"], snapshot["StorageThroughput"]) == ("gp3", 3000, 125)
    later = rds.create_db_snapshot(DBInstanceIdentifier="db1", DBSnapshotIdentifier="s2")["DBSnapshot"]
    assert (later["StorageType"], later["Iops"]) == ("io1", 4000)


# rds-copy-db-snapshot-source

def test_a_copy_in_the_region_names_no_source(aws):
    rds = aws["rds"]
    rds.create_db_snapshot(DBInstanceIdentifier="db1", DBSnapshotIdentifier="s1")
    copy = rds.copy_db_snapshot(SourceDBSnapshotIdentifier="s1", TargetDBSnapshotIdentifier="c1")["DBSnapshot"]
    assert "SourceDBSnapshotIdentifier" not in copy and "SourceRegion" not in copy
    assert copy["StorageType"] == "gp3"


def test_a_copy_from_another_region_names_its_source(aws):
    source = aws["rds"].create_db_snapshot(DBInstanceIdentifier="db1", DBSnapshotIdentifier="s1")["DBSnapshot"]["DBSnapshotArn"]
    west = boto3.client("rds", region_name="us-west-2")
    west.copy_db_snapshot(SourceDBSnapshotIdentifier=source, TargetDBSnapshotIdentifier="c1")
    copy = west.describe_db_snapshots(DBSnapshotIdentifier="c1")["DBSnapshots"][0]
    assert (copy["SourceDBSnapshotIdentifier"], copy["SourceRegion"]) == (source, "us-east-1")
