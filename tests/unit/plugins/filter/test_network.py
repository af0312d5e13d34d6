"""vpc_plan_errors names the variable at fault for every unsound plan, and passes the seed's plan; vpc_named_errors
takes the VPC by its name and refuses another block, naming vpc_cidr and both blocks."""

import pytest

from ansible_collections.shoppulse.analytics.plugins.filter.network import (
    FilterModule, vpc_named_errors, vpc_plan_errors, vpc_subnet_ids, vpc_subnets, vpc_tier_subnet_ids)

SEED = {
    "vpc_public_subnet_cidrs": ["10.0.0.0/24", "10.0.1.0/24"],
    "vpc_private_subnet_cidrs": ["10.0.2.0/24", "10.0.3.0/24"],
    "vpc_isolated_subnet_cidrs": ["10.0.4.0/24", "10.0.5.0/24"],
}


def test_the_seed_plan_is_sound():
    assert not vpc_plan_errors("10.0.0.0/16", SEED, 2)


@pytest.mark.parametrize(
    "cidr, tiers, az_count, expected",
    [
        ("10.0.0.1/16", SEED, 2, "vpc_cidr: '10.0.0.1/16' is not an IPv4 network"),
        ("banana", SEED, 2, "vpc_cidr: 'banana' is not an IPv4 network"),
        ("10.0.0.0/8", SEED, 2, "vpc_cidr: 10.0.0.0/8 must have a prefix between /16 and /28"),
        ("10.0.0.0/16", {**SEED, "vpc_private_subnet_cidrs": ["10.1.0.0/24", "10.0.3.0/24"]}, 2,
         "vpc_private_subnet_cidrs: 10.1.0.0/24 is outside vpc_cidr 10.0.0.0/16"),
        ("10.0.0.0/16", {**SEED, "vpc_isolated_subnet_cidrs": ["10.0.0.128/25", "10.0.5.0/24"]}, 2,
         "vpc_isolated_subnet_cidrs: 10.0.0.128/25 overlaps a subnet of vpc_public_subnet_cidrs"),
        ("10.0.0.0/16", SEED, 3, "vpc_public_subnet_cidrs: has 2 subnets but the VPC spans 3 availability zones"),
        ("10.0.0.0/16", {**SEED, "vpc_public_subnet_cidrs": ["10.0.0.5/24", "10.0.1.0/24"]}, 2,
         "vpc_public_subnet_cidrs: '10.0.0.5/24' is not an IPv4 network"),
        ("10.0.0.0/16", {**SEED, "vpc_public_subnet_cidrs": ["10.0.0.0/29", "10.0.1.0/24"]}, 2,
         "vpc_public_subnet_cidrs: 10.0.0.0/29 must have a prefix between /16 and /28"),
    ],
)
def test_each_problem_names_its_variable(cidr, tiers, az_count, expected):
    errors = vpc_plan_errors(cidr, tiers, az_count)
    assert errors and errors[0].startswith(expected), errors


def test_the_filters_are_registered():
    filters = FilterModule().filters()
    assert filters["vpc_plan_errors"] is vpc_plan_errors
    assert filters["vpc_named_errors"] is vpc_named_errors


def test_subnets_one_per_tier_and_zone_named_tagged_and_public_only_in_the_public_tier():
    cidrs = {"public": SEED["vpc_public_subnet_cidrs"], "isolated": SEED["vpc_isolated_subnet_cidrs"]}

    subnets = vpc_subnets(cidrs, ["us-east-1a", "us-east-1b"], "shop", {"env": "dev", "tier": "ignored"})

    assert [(s["cidr"], s["az"], s["map_public"]) for s in subnets] == [
        ("10.0.0.0/24", "us-east-1a", True), ("10.0.1.0/24", "us-east-1b", True),
        ("10.0.4.0/24", "us-east-1a", False), ("10.0.5.0/24", "us-east-1b", False)]
    assert subnets[3]["tags"] == {"env": "dev", "Name": "shop-isolated-us-east-1b", "tier": "isolated"}
    assert FilterModule().filters()["vpc_subnets"] is vpc_subnets


def test_subnet_ids_keep_zone_order_and_get_unique_placeholders_in_check_mode():
    subnets = [
        {"id": "subnet-1", "cidr": "10.0.0.0/24", "tags": {"tier": "public"}},
        {"id": "", "cidr": "10.0.4.0/24", "tags": {"tier": "isolated"}},
        {"id": "", "cidr": "10.0.5.0/24", "tags": {"tier": "isolated"}},
        {"id": "subnet-2", "cidr": "10.0.1.0/24", "tags": {"tier": "public"}},
    ]
    assert vpc_subnet_ids(subnets, "public") == ["subnet-1", "subnet-2"]
    assert vpc_subnet_ids(subnets, "isolated") == [
        "subnet-known-after-apply-isolated-0", "subnet-known-after-apply-isolated-1"]


def test_tier_subnet_ids_follow_the_explicit_zones_or_zone_names():
    subnets = [
        {"id": "subnet-b", "availability_zone": "us-east-1b", "tags": {"tier": "isolated"}},
        {"id": "subnet-a", "availability_zone": "us-east-1a", "tags": {"tier": "isolated"}},
        {"id": "subnet-p", "availability_zone": "us-east-1a", "tags": {"tier": "public"}},
        {"id": "subnet-x", "availability_zone": "us-east-1a", "tags": {}},
    ]
    assert vpc_tier_subnet_ids(subnets, "isolated") == ["subnet-a", "subnet-b"]
    assert vpc_tier_subnet_ids(subnets, "isolated", ["us-east-1b", "us-east-1a"]) == ["subnet-b", "subnet-a"]
    assert vpc_tier_subnet_ids(subnets, "public") == ["subnet-p"]
    assert vpc_tier_subnet_ids(subnets, "private") == []


SEED_VPC = {"id": "vpc-1", "cidr_block": "10.0.0.0/16"}


@pytest.mark.parametrize("vpcs", [[], [SEED_VPC]], ids=["no VPC yet", "the VPC with the block asked for"])
def test_a_run_goes_on_with_no_vpc_or_the_one_it_asks_for(vpcs):
    assert not vpc_named_errors(vpcs, "shoppulse-analytics", "10.0.0.0/16")


def test_another_block_is_refused_naming_vpc_cidr_and_both_blocks():
    errors = vpc_named_errors([SEED_VPC], "shoppulse-analytics", "10.1.0.0/16")
    assert len(errors) == 1
    assert errors[0].startswith("vpc_cidr: the VPC shoppulse-analytics (vpc-1) has block 10.0.0.0/16, this run asks for 10.1.0.0/16;")
    assert "\n" not in errors[0]


def test_without_a_block_any_block_is_the_environments_vpc():
    """The discover entry point: teardown and the audit find the VPC whatever its block."""
    assert not vpc_named_errors([{"id": "vpc-1", "cidr_block": "10.1.0.0/16"}], "shoppulse-analytics")


@pytest.mark.parametrize("cidr", ["10.0.0.0/16", "10.1.0.0/16", None])
def test_two_vpcs_with_the_name_are_refused_naming_each(cidr):
    vpcs = [SEED_VPC, {"id": "vpc-2", "cidr_block": "10.1.0.0/16"}]
    assert vpc_named_errors(vpcs, "shoppulse-analytics", cidr) == [
        "vpc_name: 2 VPCs are named shoppulse-analytics (vpc-1 10.0.0.0/16, vpc-2 10.1.0.0/16); an environment has one: "
        "delete the stray ones first"]
