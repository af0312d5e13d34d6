"""The EC2 tagging entries answer as the EC2 API reference says."""

import boto3
import pytest
from moto import mock_aws

from localenv import fidelity


@pytest.fixture(name="ec2")
def fixture_ec2():
    fidelity.apply_all()
    with mock_aws():
        yield boto3.client("ec2", region_name="us-east-1")


def test_nat_gateway_tags_are_found_by_resource_type_natgateway(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.0.0/24")["Subnet"]["SubnetId"]
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=allocation)["NatGateway"]["NatGatewayId"]
    ec2.create_tags(Resources=[nat], Tags=[{"Key": "Name", "Value": "nat-a"}])

    tags = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [nat]}, {"Name": "resource-type", "Values": ["natgateway"]}])["Tags"]

    assert [(t["Key"], t["Value"], t["ResourceType"]) for t in tags] == [("Name", "nat-a", "natgateway")]
