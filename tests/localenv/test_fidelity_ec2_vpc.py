"""The EC2 VPC, subnet and route table entries answer as the EC2 API reference says."""

import boto3
import pytest
from moto import mock_aws

from localenv import fidelity


@pytest.fixture(name="ec2")
def fixture_ec2():
    fidelity.apply_all()
    with mock_aws():
        yield boto3.client("ec2", region_name="us-east-1")


def vpc_ids(answer):
    return sorted(vpc["VpcId"] for vpc in answer["Vpcs"])


# ec2-vpc-default-dhcp-options

def test_new_vpcs_get_the_regions_default_dhcp_options(ec2):
    default_vpc = ec2.describe_vpcs()["Vpcs"][0]
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]
    option_set = default_vpc["DhcpOptionsId"]
    assert option_set.startswith("dopt-") and vpc["DhcpOptionsId"] == option_set
    configuration = ec2.describe_dhcp_options(DhcpOptionsIds=[option_set])["DhcpOptions"][0]["DhcpConfigurations"]
    assert {c["Key"]: [v["Value"] for v in c["Values"]] for c in configuration} == {
        "domain-name": ["ec2.internal"], "domain-name-servers": ["AmazonProvidedDNS"]}
    assert vpc_ids(ec2.describe_vpcs(Filters=[{"Name": "dhcp-options-id", "Values": [option_set]}])) == sorted(
        [default_vpc["VpcId"], vpc["VpcId"]])


def test_other_regions_use_their_compute_internal_domain():
    fidelity.apply_all()
    with mock_aws():
        west = boto3.client("ec2", region_name="eu-west-1")
        option_set = west.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["DhcpOptionsId"]
        configuration = west.describe_dhcp_options(DhcpOptionsIds=[option_set])["DhcpOptions"][0]["DhcpConfigurations"]
    assert {"Key": "domain-name", "Values": [{"Value": "eu-west-1.compute.internal"}]} in configuration


def test_no_dhcp_options_and_deleting_a_vpc_keeps_the_set(ec2):
    first, second = (ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"] for cidr in ("10.0.0.0/16", "10.1.0.0/16"))
    option_set = ec2.describe_vpcs(VpcIds=[first])["Vpcs"][0]["DhcpOptionsId"]
    ec2.associate_dhcp_options(DhcpOptionsId="default", VpcId=first)
    assert ec2.describe_vpcs(VpcIds=[first])["Vpcs"][0]["DhcpOptionsId"] == "default"
    ec2.delete_vpc(VpcId=second)
    assert [s["DhcpOptionsId"] for s in ec2.describe_dhcp_options()["DhcpOptions"]] == [option_set]


# ec2-describe-subnets-ipv6-filters

def test_subnets_filter_by_ipv6_cidr_block_association(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", AmazonProvidedIpv6CidrBlock=True)["Vpc"]["VpcId"]
    block = ec2.describe_vpcs(VpcIds=[vpc])["Vpcs"][0]["Ipv6CidrBlockAssociationSet"][0]["Ipv6CidrBlock"]
    subnet_block = block.replace("::/56", "::/64")
    ipv6 = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", Ipv6CidrBlock=subnet_block)["Subnet"]
    ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24")
    association = ipv6["Ipv6CidrBlockAssociationSet"][0]["AssociationId"]
    for name, value in (("ipv6-cidr-block", subnet_block), ("association-id", association), ("state", "associated")):
        found = ec2.describe_subnets(Filters=[{"Name": f"ipv6-cidr-block-association.{name}", "Values": [value]}])["Subnets"]
        assert [subnet["SubnetId"] for subnet in found] == [ipv6["SubnetId"]], name


# ec2-route-tables-gateway-association

def test_route_tables_filter_by_associated_gateway_and_list_propagating_vgws(ec2):
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    edge, public = (ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"] for _table in range(2))
    ec2.associate_route_table(RouteTableId=edge, GatewayId=gateway)
    ec2.associate_route_table(RouteTableId=public, SubnetId=subnet)

    def tables(name, value):
        return [t["RouteTableId"] for t in ec2.describe_route_tables(Filters=[{"Name": name, "Values": [value]}])["RouteTables"]]

    assert tables("association.gateway-id", gateway) == [edge]
    assert tables("association.subnet-id", gateway) == []
    assert tables("association.subnet-id", subnet) == [public]
    assert all(table["PropagatingVgws"] == [] for table in ec2.describe_route_tables()["RouteTables"])
