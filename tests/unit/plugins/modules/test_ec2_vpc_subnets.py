"""ec2_vpc_subnets: a VPC's subnets made the declared ones in one call (create, no-op, remap and retag, check mode,
diff, a zone that cannot change), on moto with the fidelity layer, with the subnets the VPC role declares."""

import pytest

from ansible_collections.shoppulse.analytics.plugins.filter.network import vpc_subnet_ids, vpc_subnets
from ansible_collections.shoppulse.analytics.plugins.modules import ec2_vpc_subnets as module

from .conftest import ModuleExit

ZONES = ["us-east-1a", "us-east-1b"]
CIDRS = {"public": ["10.0.0.0/24", "10.0.1.0/24"], "private": ["10.0.2.0/24", "10.0.3.0/24"], "isolated": ["10.0.4.0/24", "10.0.5.0/24"]}
DECLARED = vpc_subnets(CIDRS, ZONES, "shoppulse-analytics", {"project": "shoppulse"})


@pytest.fixture(name="vpc_id")
def fixture_vpc_id(ec2):
    return ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]


def found(ec2, vpc_id):
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    return {s["CidrBlock"]: (s["AvailabilityZone"], s["MapPublicIpOnLaunch"], {t["Key"]: t["Value"] for t in s.get("Tags", [])}) for s in subnets}


def test_creates_each_tier_in_each_zone_then_changes_nothing(run_module, ec2, vpc_id):
    created = run_module(module.main, {"vpc_id": vpc_id, "subnets": DECLARED})
    again = run_module(module.main, {"vpc_id": vpc_id, "subnets": DECLARED})

    assert created["changed"] and not again["changed"]
    assert again["subnets"] == created["subnets"]
    assert found(ec2, vpc_id)["10.0.1.0/24"] == (
        "us-east-1b", True, {"project": "shoppulse", "Name": "shoppulse-analytics-public-us-east-1b", "tier": "public"})
    assert found(ec2, vpc_id)["10.0.4.0/24"][:2] == ("us-east-1a", False)
    ids = {s["cidr"]: s["id"] for s in created["subnets"]}
    assert vpc_subnet_ids(created["subnets"], "isolated") == [ids["10.0.4.0/24"], ids["10.0.5.0/24"]]


def test_check_mode_creates_nothing_and_gives_placeholders(run_module, ec2, vpc_id):
    preview = run_module(module.main, {"vpc_id": vpc_id, "subnets": DECLARED}, check_mode=True, diff=True)

    assert preview["changed"] and found(ec2, vpc_id) == {}
    assert vpc_subnet_ids(preview["subnets"], "isolated") == ["subnet-known-after-apply-isolated-0", "subnet-known-after-apply-isolated-1"]
    assert preview["diff"]["before"] == {} and sorted(preview["diff"]["after"]) == sorted(s["cidr"] for s in DECLARED)
    # The VPC not created yet: its placeholder id has no subnets.
    assert run_module(module.main, {"vpc_id": "vpc-known-after-apply", "subnets": DECLARED}, check_mode=True)["changed"]


def test_puts_back_the_public_mapping_and_a_tag_keeping_tags_it_does_not_declare(run_module, ec2, vpc_id):
    created = run_module(module.main, {"vpc_id": vpc_id, "subnets": DECLARED})
    subnet_id = created["subnets"][0]["id"]
    ec2.modify_subnet_attribute(SubnetId=subnet_id, MapPublicIpOnLaunch={"Value": False})
    ec2.create_tags(Resources=[subnet_id], Tags=[{"Key": "tier", "Value": "other"}, {"Key": "owner", "Value": "ops"}])

    preview = run_module(module.main, {"vpc_id": vpc_id, "subnets": DECLARED}, check_mode=True, diff=True)
    assert preview["changed"] and found(ec2, vpc_id)["10.0.0.0/24"][1] is False
    assert preview["diff"] == {"before": {"10.0.0.0/24": {"map_public": False, "tags": {"tier": "other"}}},
                               "after": {"10.0.0.0/24": {"map_public": True, "tags": {"tier": "public"}}}}

    fixed = run_module(module.main, {"vpc_id": vpc_id, "subnets": DECLARED})

    assert fixed["changed"] and fixed["subnets"][0]["id"] == subnet_id
    zone, public, tags = found(ec2, vpc_id)["10.0.0.0/24"]
    assert (public, tags["tier"], tags["owner"]) == (True, "public", "ops")
    assert not run_module(module.main, {"vpc_id": vpc_id, "subnets": DECLARED})["changed"]


def test_refuses_a_subnet_in_another_zone_before_any_change(run_module, ec2, vpc_id):
    run_module(module.main, {"vpc_id": vpc_id, "subnets": DECLARED[:1]})
    moved = [{**DECLARED[0], "az": "us-east-1b", "map_public": False}, DECLARED[1]]

    with pytest.raises(ModuleExit) as failed:
        run_module(module.main, {"vpc_id": vpc_id, "subnets": moved})

    assert "subnets[0].az: 10.0.0.0/24 exists in us-east-1a" in failed.value.result["msg"]
    assert set(found(ec2, vpc_id)) == {"10.0.0.0/24"} and found(ec2, vpc_id)["10.0.0.0/24"][1] is True


def test_absent_deletes_the_declared_subnets_only_and_then_nothing(run_module, ec2, vpc_id):
    run_module(module.main, {"vpc_id": vpc_id, "subnets": DECLARED})
    doomed = {"vpc_id": vpc_id, "state": "absent", "subnets": [{"cidr": "10.0.0.0/24"}, {"cidr": "10.0.4.0/24"}, {"cidr": "10.9.0.0/24"}]}

    preview = run_module(module.main, doomed, check_mode=True, diff=True)
    assert preview["changed"] and len(found(ec2, vpc_id)) == 6
    assert sorted(preview["diff"]["before"]) == ["10.0.0.0/24", "10.0.4.0/24"] and preview["diff"]["after"] == {}

    deleted = run_module(module.main, doomed)
    assert deleted["changed"] and sorted(subnet["cidr"] for subnet in deleted["subnets"]) == ["10.0.0.0/24", "10.0.4.0/24"]
    assert sorted(found(ec2, vpc_id)) == ["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24", "10.0.5.0/24"]
    assert not run_module(module.main, doomed)["changed"]


def test_present_needs_each_zone(run_module, ec2, vpc_id):
    with pytest.raises(ModuleExit, match=r"subnets\[0\].az: required with state present \(10.0.0.0/24\)"):
        run_module(module.main, {"vpc_id": vpc_id, "subnets": [{"cidr": "10.0.0.0/24"}]})
    assert found(ec2, vpc_id) == {}
