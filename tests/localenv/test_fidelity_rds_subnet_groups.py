"""The RDS DB subnet group entries answer as the RDS API reference says."""

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from localenv import fidelity


@pytest.fixture(name="aws")
def fixture_aws():
    fidelity.apply_all()
    with mock_aws():
        yield boto3.client("ec2", region_name="us-east-1"), boto3.client("rds", region_name="us-east-1")


# rds-modify-db-subnet-group

def test_a_modified_subnet_group_keeps_its_name_with_the_new_subnets(aws):
    ec2, rds = aws
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    a, b, c = (ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{n}.0/24", AvailabilityZone=f"us-east-1{zone}")["Subnet"]["SubnetId"]
               for n, zone in ((1, "a"), (2, "b"), (3, "c")))
    rds.create_db_subnet_group(DBSubnetGroupName="db", DBSubnetGroupDescription="first", SubnetIds=[a, b])
    answer = rds.modify_db_subnet_group(DBSubnetGroupName="db", SubnetIds=[b, c])["DBSubnetGroup"]
    described = rds.describe_db_subnet_groups(DBSubnetGroupName="db")["DBSubnetGroups"][0]
    for group in (answer, described):
        assert group["DBSubnetGroupName"] == "db" and group["DBSubnetGroupDescription"] == "first"
        assert sorted(subnet["SubnetIdentifier"] for subnet in group["Subnets"]) == sorted([b, c])
        assert group["VpcId"] == vpc


def test_modifying_an_unknown_subnet_group_is_not_found(aws):
    ec2, rds = aws
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    with pytest.raises(ClientError) as error:
        rds.modify_db_subnet_group(DBSubnetGroupName="absent", SubnetIds=[subnet])
    assert error.value.response["Error"]["Code"] == "DBSubnetGroupNotFoundFault"
