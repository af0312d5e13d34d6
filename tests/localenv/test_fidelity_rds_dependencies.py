"""The RDS and EC2 dependency entries answer as the RDS and EC2 API references say."""

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from localenv import fidelity


@pytest.fixture(name="aws")
def fixture_aws():
    """RDS and EC2 clients, and a VPC of two subnets with a DB subnet group and a security group in it."""
    fidelity.apply_all()
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        rds = boto3.client("rds", region_name="us-east-1")
        vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
        subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{index}.0/24", AvailabilityZone=f"us-east-1{zone}")["Subnet"]["SubnetId"]
                   for index, zone in enumerate("ab")]
        rds.create_db_subnet_group(DBSubnetGroupName="net", DBSubnetGroupDescription="d", SubnetIds=subnets)
        rds.create_db_parameter_group(DBParameterGroupName="pg", DBParameterGroupFamily="postgres15", Description="d")
        group = ec2.create_security_group(GroupName="db", Description="d", VpcId=vpc)["GroupId"]
        yield {"ec2": ec2, "rds": rds, "vpc": vpc, "group": group}


def create_instance(rds, name, **settings):
    rds.create_db_instance(DBInstanceIdentifier=name, DBInstanceClass="db.t3.micro", Engine="postgres", EngineVersion="15.8",
                           MasterUsername="u", MasterUserPassword="password1", AllocatedStorage=20, **settings)


def error_code(call, **params):
    with pytest.raises(ClientError) as refused:
        call(**params)
    return refused.value.response["Error"]["Code"]


def test_groups_an_instance_uses_cannot_be_deleted_and_the_instance_still_reads(aws):
    rds, ec2 = aws["rds"], aws["ec2"]
    create_instance(rds, "db", DBSubnetGroupName="net", DBParameterGroupName="pg", VpcSecurityGroupIds=[aws["group"]])

    assert error_code(rds.delete_db_subnet_group, DBSubnetGroupName="net") == "InvalidDBSubnetGroupStateFault"
    assert error_code(rds.delete_db_parameter_group, DBParameterGroupName="pg") == "InvalidDBParameterGroupState"
    assert error_code(ec2.delete_security_group, GroupId=aws["group"]) == "DependencyViolation"

    instance = rds.describe_db_instances()["DBInstances"][0]
    assert instance["DBSubnetGroup"]["DBSubnetGroupName"] == "net"
    assert [group["DBParameterGroupName"] for group in instance["DBParameterGroups"]] == ["pg"]


def test_a_security_group_a_proxy_uses_cannot_be_deleted(aws):
    subnets = [subnet["SubnetIdentifier"] for subnet in
               aws["rds"].describe_db_subnet_groups(DBSubnetGroupName="net")["DBSubnetGroups"][0]["Subnets"]]
    aws["rds"].create_db_proxy(DBProxyName="proxy", EngineFamily="POSTGRESQL", RoleArn="arn:aws:iam::123456789012:role/r",
                               Auth=[{"SecretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:s"}],
                               VpcSubnetIds=subnets, VpcSecurityGroupIds=[aws["group"]])

    assert error_code(aws["ec2"].delete_security_group, GroupId=aws["group"]) == "DependencyViolation"


def test_groups_are_deleted_once_no_instance_uses_them(aws):
    rds, ec2 = aws["rds"], aws["ec2"]
    create_instance(rds, "db", DBSubnetGroupName="net", DBParameterGroupName="pg", VpcSecurityGroupIds=[aws["group"]])
    rds.delete_db_instance(DBInstanceIdentifier="db", SkipFinalSnapshot=True)

    rds.delete_db_subnet_group(DBSubnetGroupName="net")
    rds.delete_db_parameter_group(DBParameterGroupName="pg")
    ec2.delete_security_group(GroupId=aws["group"])

    assert aws["group"] not in [group["GroupId"] for group in ec2.describe_security_groups()["SecurityGroups"]]


def test_a_restore_without_security_groups_gets_the_default_group_of_the_subnet_groups_vpc(aws):
    rds, ec2 = aws["rds"], aws["ec2"]
    create_instance(rds, "db", DBSubnetGroupName="net", VpcSecurityGroupIds=[aws["group"]])
    rds.create_db_snapshot(DBInstanceIdentifier="db", DBSnapshotIdentifier="snap")

    restored = rds.restore_db_instance_from_db_snapshot(DBInstanceIdentifier="copy", DBSnapshotIdentifier="snap",
                                                        DBSubnetGroupName="net")["DBInstance"]

    default = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [aws["vpc"]]},
                                                    {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]["GroupId"]
    assert [group["VpcSecurityGroupId"] for group in restored["VpcSecurityGroups"]] == [default]


def test_an_instance_without_backup_retention_has_no_automated_backups(aws):
    rds = aws["rds"]
    create_instance(rds, "off", BackupRetentionPeriod=0)
    create_instance(rds, "on", BackupRetentionPeriod=1)

    automated = rds.describe_db_snapshots(SnapshotType="automated")["DBSnapshots"]
    instances = {instance["DBInstanceIdentifier"]: instance for instance in rds.describe_db_instances()["DBInstances"]}

    assert [snapshot["DBInstanceIdentifier"] for snapshot in automated] == ["on"]
    assert "LatestRestorableTime" not in instances["off"]
    assert "LatestRestorableTime" in instances["on"]


def test_turning_backups_off_deletes_the_automated_ones(aws):
    rds = aws["rds"]
    create_instance(rds, "db", BackupRetentionPeriod=1)

    rds.modify_db_instance(DBInstanceIdentifier="db", BackupRetentionPeriod=0, ApplyImmediately=True)

    assert rds.describe_db_snapshots(DBInstanceIdentifier="db", SnapshotType="automated")["DBSnapshots"] == []
    assert "LatestRestorableTime" not in rds.describe_db_instances(DBInstanceIdentifier="db")["DBInstances"][0]
