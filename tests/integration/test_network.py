"""The network layer, read back from the emulator, holds every property the seed states."""

import pytest


@pytest.fixture(scope="module")
def subnets(aws, vpc):
    found = aws("ec2").describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"]
    by_tier = {}
    for subnet in found:
        tier = {t["Key"]: t["Value"] for t in subnet.get("Tags", [])}.get("tier")
        by_tier.setdefault(tier, []).append(subnet)
    return by_tier


@pytest.fixture(scope="module")
def nat_gateways(aws, vpc):
    return aws("ec2").describe_nat_gateways(
        Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}, {"Name": "state", "Values": ["pending", "available"]}]
    )["NatGateways"]


def default_routes(aws, vpc, subnet_ids):
    """The routes leaving the VPC from the route tables associated with these subnets."""
    tables = aws("ec2").describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": subnet_ids}])["RouteTables"]
    assert tables, f"no route table is associated with {subnet_ids}"
    return [route for table in tables for route in table["Routes"] if route.get("GatewayId") != "local"]


def test_vpc_has_the_seed_cidr(vpc):
    assert vpc["CidrBlock"] == "10.0.0.0/16"


def test_three_tiers_of_two_subnets_in_two_zones(subnets):
    assert sorted(subnets) == ["isolated", "private", "public"]
    for tier, members in subnets.items():
        assert len(members) == 2, tier
        assert len({s["AvailabilityZone"] for s in members}) == 2, tier
    cidrs = [s["CidrBlock"] for members in subnets.values() for s in members]
    assert len(set(cidrs)) == 6


def test_one_internet_gateway_attached(aws, vpc):
    gateways = aws("ec2").describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc["VpcId"]]}])
    assert len(gateways["InternetGateways"]) == 1


def test_one_nat_gateway_with_the_only_elastic_ip(aws, nat_gateways, subnets):
    assert len(nat_gateways) == 1
    assert nat_gateways[0]["SubnetId"] in [s["SubnetId"] for s in subnets["public"]]
    addresses = aws("ec2").describe_addresses()["Addresses"]
    assert [a["AllocationId"] for a in addresses] == [nat_gateways[0]["NatGatewayAddresses"][0]["AllocationId"]]


def test_public_subnets_route_to_the_internet_gateway(aws, vpc, subnets):
    routes = default_routes(aws, vpc, [s["SubnetId"] for s in subnets["public"]])
    assert {(r["DestinationCidrBlock"], r["GatewayId"][:4]) for r in routes} == {("0.0.0.0/0", "igw-")}


def test_private_subnets_route_to_nat(aws, vpc, subnets, nat_gateways):
    routes = default_routes(aws, vpc, [s["SubnetId"] for s in subnets["private"]])
    assert {(r["DestinationCidrBlock"], r.get("NatGatewayId")) for r in routes} == {("0.0.0.0/0", nat_gateways[0]["NatGatewayId"])}


def test_isolated_subnets_have_no_route_out(aws, vpc, subnets):
    assert not default_routes(aws, vpc, [s["SubnetId"] for s in subnets["isolated"]])


def test_one_active_flow_log_for_all_traffic_into_a_group_with_retention(aws, vpc):
    flow_logs = aws("ec2").describe_flow_logs(Filters=[{"Name": "resource-id", "Values": [vpc["VpcId"]]}])["FlowLogs"]
    assert len(flow_logs) == 1
    flow_log = flow_logs[0]
    assert (flow_log["TrafficType"], flow_log["FlowLogStatus"], flow_log["LogDestinationType"]) == ("ALL", "ACTIVE", "cloud-watch-logs")
    assert flow_log["DeliverLogsPermissionArn"].startswith("arn:aws:iam::")
    groups = aws("logs").describe_log_groups(logGroupNamePrefix=flow_log["LogGroupName"])["logGroups"]
    assert groups and groups[0].get("retentionInDays") == 30


def test_everything_is_tagged(aws, vpc, subnets, nat_gateways):
    for resource in [vpc, *[s for members in subnets.values() for s in members], *nat_gateways]:
        tags = {t["Key"]: t["Value"] for t in resource.get("Tags", [])}
        assert {"environment", "project", "managed-by", "Name"} <= set(tags), resource
