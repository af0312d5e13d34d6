"""The EC2 NAT gateway entry: a deleted gateway reports when, and lets go of its Elastic IP address."""

import boto3
from moto import mock_aws

from localenv import fidelity


# ec2-nat-gateway-delete-releases-address

def test_a_deleted_nat_gateways_address_goes_to_a_new_gateway():
    fidelity.apply_all()
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
        allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
        old = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=allocation)["NatGateway"]["NatGatewayId"]
        assert "DeleteTime" not in ec2.describe_nat_gateways(NatGatewayIds=[old])["NatGateways"][0]
        ec2.delete_nat_gateway(NatGatewayId=old)
        deleted = ec2.describe_nat_gateways(NatGatewayIds=[old])["NatGateways"][0]
        assert deleted["State"] == "deleted" and deleted["DeleteTime"] >= deleted["CreateTime"]
        assert "AssociationId" not in ec2.describe_addresses(AllocationIds=[allocation])["Addresses"][0]
        new = ec2.create_nat_gateway(SubnetId=subnet, AllocationId=allocation)["NatGateway"]
        assert new["NatGatewayAddresses"][0]["AllocationId"] == allocation
        assert ec2.describe_addresses(AllocationIds=[allocation])["Addresses"][0]["AssociationId"] == new["NatGatewayAddresses"][0]["AssociationId"]
