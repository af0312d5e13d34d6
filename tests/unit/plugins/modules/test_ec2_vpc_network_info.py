"""ec2_vpc_network_info: one call returns what the amazon.aws info modules (and ec2_vpc_flow_log_info) return for a named
VPC, each list in their shape, on moto with the fidelity layer; nothing of the VPC is read when the name is not one VPC's.
And the network filters that skip the subnet, route table and flow log modules on that read decide as the modules do."""

import boto3
import pytest
from ansible_collections.amazon.aws.plugins.modules import (
    aws_az_info, ec2_eip_info, ec2_vpc_igw_info, ec2_vpc_nat_gateway_info, ec2_vpc_net_info, ec2_vpc_route_table_info,
    ec2_vpc_subnet_info)

from ansible_collections.shoppulse.analytics.plugins.filter.network import (
    vpc_flow_log_found, vpc_route_tables_as_declared, vpc_subnets, vpc_subnets_found)
from ansible_collections.shoppulse.analytics.plugins.modules import (
    ec2_vpc_flow_log, ec2_vpc_flow_log_info, ec2_vpc_route_tables, ec2_vpc_subnets)
from ansible_collections.shoppulse.analytics.plugins.modules import ec2_vpc_network_info as module

from .conftest import ModuleExit

NAME = "shoppulse-analytics-dev"


def tags(**pairs):
    return [{"Key": key, "Value": value} for key, value in pairs.items()]


@pytest.fixture(name="network")
def fixture_network(ec2):
    """A VPC as the vpc role builds one, reduced to one of each kind, and the NAT gateway's address; the id."""
    named = [{"ResourceType": "vpc", "Tags": tags(Name=NAME)}]
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=named)["Vpc"]["VpcId"]
    public = [{"ResourceType": "subnet", "Tags": tags(Name=f"{NAME}-public-us-east-1a", tier="public")}]
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.0.0.0/24", AvailabilityZone="us-east-1a",
                               TagSpecifications=public)["Subnet"]["SubnetId"]
    gateway = ec2.create_internet_gateway(TagSpecifications=[{"ResourceType": "internet-gateway", "Tags": tags(Name=f"{NAME}-igw")}])
    ec2.attach_internet_gateway(InternetGatewayId=gateway["InternetGateway"]["InternetGatewayId"], VpcId=vpc_id)
    address = ec2.allocate_address(Domain="vpc", TagSpecifications=[{"ResourceType": "elastic-ip", "Tags": tags(Name=f"{NAME}-nat-us-east-1a")}])
    ec2.create_nat_gateway(SubnetId=subnet, AllocationId=address["AllocationId"],
                           TagSpecifications=[{"ResourceType": "natgateway", "Tags": tags(Name=f"{NAME}-nat-us-east-1a")}])
    table = ec2.create_route_table(VpcId=vpc_id, TagSpecifications=[{"ResourceType": "route-table", "Tags": tags(Name=f"{NAME}-public")}])
    ec2.associate_route_table(RouteTableId=table["RouteTable"]["RouteTableId"], SubnetId=subnet)
    boto3.client("logs", region_name="us-east-1").create_log_group(logGroupName="flows")
    ec2.create_flow_logs(ResourceIds=[vpc_id], ResourceType="VPC", TrafficType="ALL", LogGroupName="flows",
                         DeliverLogsPermissionArn="arn:aws:iam::123456789012:role/flow-logs")
    # Another VPC's, and an address not named for the environment: neither is read.
    other = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    ec2.create_subnet(VpcId=other, CidrBlock="10.1.0.0/24")
    ec2.allocate_address(Domain="vpc", TagSpecifications=[{"ResourceType": "elastic-ip", "Tags": tags(Name="elsewhere")}])
    return vpc_id


def test_reads_each_kind_in_the_shape_of_its_info_module(run_module, network):
    found = run_module(module.main, {"name": NAME, "zones": True, "address_name": f"{NAME}-nat-*"})

    assert not found["changed"]
    assert found["vpcs"] == run_module(ec2_vpc_net_info.main, {"filters": {"tag:Name": NAME}})["vpcs"]
    assert found["vpcs"][0]["id"] == network and found["vpcs"][0]["enable_dns_support"] is True
    assert found["subnets"] == run_module(ec2_vpc_subnet_info.main, {"filters": {"vpc-id": network}})["subnets"]
    assert found["internet_gateways"] == run_module(
        ec2_vpc_igw_info.main, {"filters": {"attachment.vpc-id": network}, "convert_tags": True})["internet_gateways"]
    assert found["nat_gateways"] == run_module(ec2_vpc_nat_gateway_info.main, {"filters": {"vpc-id": network}})["result"]
    assert found["flow_logs"] == run_module(ec2_vpc_flow_log_info.main, {"filters": {"resource-id": network}})["flow_logs"]
    assert found["addresses"] == run_module(ec2_eip_info.main, {"filters": {"tag:Name": f"{NAME}-nat-*"}})["addresses"]
    assert found["availability_zones"] == run_module(aws_az_info.main, {"filters": {"state": "available"}})["availability_zones"]
    assert [len(found[kind]) for kind in ("subnets", "internet_gateways", "nat_gateways", "flow_logs", "addresses")] == [1] * 5
    # The route tables in the keys the audit and teardown read (the info module adds legacy keys besides).
    listed = run_module(ec2_vpc_route_table_info.main, {"filters": {"vpc-id": network}})["route_tables"]
    assert [(t["id"], t["tags"], [a["subnet_id"] if not a["main"] else "main" for a in t["associations"]],
             [(r["destination_cidr_block"], r["gateway_id"]) for r in t["routes"]]) for t in found["route_tables"]] == [
        (t["id"], t["tags"], [a["subnet_id"] if not a["main"] else "main" for a in t["associations"]],
         [(r["destination_cidr_block"], r["gateway_id"]) for r in t["routes"]]) for t in listed]


def test_reads_neither_zones_nor_addresses_unless_asked(run_module, network):
    found = run_module(module.main, {"name": NAME})

    assert found["availability_zones"] == [] and found["addresses"] == []
    assert found["subnets"] and found["vpcs"][0]["id"] == network


def test_reads_nothing_of_a_vpc_when_the_name_is_not_one_vpcs(run_module, ec2, network):
    assert run_module(module.main, {"name": NAME, "contents": False})["subnets"] == []
    assert run_module(module.main, {"name": "no-such-vpc"})["vpcs"] == []

    ec2.create_vpc(CidrBlock="10.2.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": tags(Name=NAME)}])
    found = run_module(module.main, {"name": NAME})

    assert sorted(vpc["cidr_block"] for vpc in found["vpcs"]) == ["10.0.0.0/16", "10.2.0.0/16"]
    assert all(found[kind] == [] for kind in ("subnets", "internet_gateways", "nat_gateways", "route_tables", "flow_logs"))


def test_an_api_error_names_what_was_read(run_module, stub_client):
    stubber = stub_client(module, "ec2")
    stubber.add_response("describe_vpcs", {"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}]})
    stubber.add_response("describe_vpc_attribute", {"VpcId": "vpc-1", "EnableDnsSupport": {"Value": True}})
    stubber.add_response("describe_vpc_attribute", {"VpcId": "vpc-1", "EnableDnsHostnames": {"Value": True}})
    for call, key in (("describe_subnets", "Subnets"), ("describe_internet_gateways", "InternetGateways"),
                      ("describe_nat_gateways", "NatGateways"), ("describe_route_tables", "RouteTables")):
        stubber.add_response(call, {key: []})
    stubber.add_client_error("describe_flow_logs", "UnauthorizedOperation", "not allowed")

    with pytest.raises(ModuleExit) as failed:
        run_module(module.main, {"name": NAME})

    assert "Could not read the VPC named" in failed.value.result["msg"]
    assert "UnauthorizedOperation" in failed.value.result["msg"]


# --- The network filters that skip a module read the same VPC as the module would, and decide as it does ----------


def converged(run_module, ec2):
    """A named VPC whose subnets, route tables and flow log the modules have made as declared; what each was given."""
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": tags(Name=NAME)}])["Vpc"]["VpcId"]
    cidrs = {"public": ["10.0.0.0/24"], "private": ["10.0.2.0/24"], "isolated": ["10.0.4.0/24"]}
    subnets_args = {"vpc_id": vpc_id, "subnets": vpc_subnets(cidrs, ["us-east-1a"], NAME, {"project": "shoppulse"})}
    ids = {s["tags"]["tier"]: s["id"] for s in run_module(ec2_vpc_subnets.main, subnets_args)["subnets"]}
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc_id)
    tables_args = {"vpc_id": vpc_id, "route_tables": [
        {"name": f"{NAME}-public", "subnets": [ids["public"]], "routes": [{"dest": "0.0.0.0/0", "gateway_id": gateway}]},
        {"name": f"{NAME}-isolated", "tags": {"project": "shoppulse"}, "subnets": [ids["isolated"]]}]}
    run_module(ec2_vpc_route_tables.main, tables_args)
    boto3.client("logs", region_name="us-east-1").create_log_group(logGroupName="flows")
    flow_log_args = {"resource_id": vpc_id, "log_group_name": "flows", "traffic_type": "ALL",
                     "deliver_logs_permission_arn": "arn:aws:iam::123456789012:role/flow-logs", "tags": {"Name": "fl"}, "purge_tags": False}
    run_module(ec2_vpc_flow_log.main, flow_log_args)
    return subnets_args, tables_args, flow_log_args


def agree(run_module, subnets_args, tables_args, flow_log_args):
    """Per kind, (the filter finds it as declared, the module in check mode would change it)."""
    read = run_module(module.main, {"name": NAME})
    return {
        "subnets": (vpc_subnets_found(read["subnets"], subnets_args["subnets"]) is not None,
                    run_module(ec2_vpc_subnets.main, subnets_args, check_mode=True)["changed"]),
        "route_tables": (vpc_route_tables_as_declared(read["route_tables"], tables_args["route_tables"]),
                         run_module(ec2_vpc_route_tables.main, tables_args, check_mode=True)["changed"]),
        "flow_log": (vpc_flow_log_found(read["flow_logs"], flow_log_args) is not None,
                     run_module(ec2_vpc_flow_log.main, flow_log_args, check_mode=True)["changed"]),
    }


def test_the_filters_find_as_declared_exactly_what_the_modules_would_leave(run_module, ec2):
    subnets_args, tables_args, flow_log_args = converged(run_module, ec2)
    read = run_module(module.main, {"name": NAME})

    assert agree(run_module, subnets_args, tables_args, flow_log_args) == {kind: (True, False) for kind in ("subnets", "route_tables", "flow_log")}
    # What the layer uses in place of the subnet module's result is that result.
    assert vpc_subnets_found(read["subnets"], subnets_args["subnets"]) == run_module(ec2_vpc_subnets.main, subnets_args)["subnets"]
    assert vpc_flow_log_found(read["flow_logs"], flow_log_args)["flow_log_id"] == ec2.describe_flow_logs()["FlowLogs"][0]["FlowLogId"]


def test_the_filters_see_each_drift_the_modules_would_mend(run_module, ec2):
    subnets_args, tables_args, flow_log_args = converged(run_module, ec2)
    public = next(s for s in ec2.describe_subnets()["Subnets"] if s["CidrBlock"] == "10.0.0.0/24")
    ec2.modify_subnet_attribute(SubnetId=public["SubnetId"], MapPublicIpOnLaunch={"Value": False})
    table = next(t for t in ec2.describe_route_tables()["RouteTables"] if {"Key": "Name", "Value": f"{NAME}-isolated"} in t.get("Tags", []))
    ec2.create_route(RouteTableId=table["RouteTableId"], DestinationCidrBlock="0.0.0.0/0",
                     GatewayId=ec2.describe_internet_gateways()["InternetGateways"][0]["InternetGatewayId"])
    flow_log = ec2.describe_flow_logs()["FlowLogs"][0]["FlowLogId"]
    ec2.create_tags(Resources=[flow_log], Tags=tags(Name="renamed"))

    assert agree(run_module, subnets_args, tables_args, flow_log_args) == {kind: (False, True) for kind in ("subnets", "route_tables", "flow_log")}
    # A declared value the VPC does not hold is a drift too: a tag, a subnet of the table, the traffic type.
    moved = {**tables_args, "route_tables": [{**tables_args["route_tables"][0], "subnets": []}, tables_args["route_tables"][1]]}
    read = run_module(module.main, {"name": NAME})
    assert not vpc_route_tables_as_declared(read["route_tables"], moved["route_tables"])
    assert vpc_subnets_found(read["subnets"], [{**subnets_args["subnets"][1], "az": "us-east-1b"}]) is None
    assert vpc_flow_log_found(read["flow_logs"], {**flow_log_args, "tags": {"Name": "renamed"}, "traffic_type": "REJECT"}) is None
