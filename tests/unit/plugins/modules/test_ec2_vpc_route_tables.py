"""ec2_vpc_route_tables: a VPC's route tables made the declared ones in one call (create, no-op, a moved subnet, a
replaced and a stray route, others' tags kept, check mode, diff, a name two tables carry), on moto with the fidelity
layer."""

import pytest

from ansible_collections.shoppulse.analytics.plugins.modules import ec2_vpc_route_tables as module

from .conftest import ModuleExit


@pytest.fixture(name="vpc")
def fixture_vpc(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"10.0.{i}.0/24")["Subnet"]["SubnetId"] for i in range(3)]
    gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc_id)
    return {"id": vpc_id, "subnets": subnets, "gateway": gateway}


def declared(vpc, public=None, isolated=None):
    return {"vpc_id": vpc["id"], "route_tables": [
        {"name": "public", "tags": {"project": "shoppulse"}, "subnets": public or vpc["subnets"][:2],
         "routes": [{"dest": "0.0.0.0/0", "gateway_id": vpc["gateway"]}]},
        {"name": "isolated", "tags": {"project": "shoppulse"}, "subnets": isolated or vpc["subnets"][2:]},
    ]}


def tables(ec2, vpc):
    """Name -> (subnets, routes out of the VPC, tags) of the VPC's named tables."""
    found = {}
    for table in ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc["id"]]}])["RouteTables"]:
        tags = {tag["Key"]: tag["Value"] for tag in table.get("Tags", [])}
        if "Name" in tags:
            found[tags["Name"]] = (sorted(a["SubnetId"] for a in table["Associations"] if a.get("SubnetId")),
                                   sorted((r["DestinationCidrBlock"], r.get("GatewayId") or r.get("NatGatewayId"))
                                          for r in table["Routes"] if r.get("GatewayId") != "local"),
                                   tags)
    return found


def test_creates_the_tables_then_changes_nothing(run_module, ec2, vpc):
    created = run_module(module.main, declared(vpc))
    again = run_module(module.main, declared(vpc))

    assert created["changed"] and not again["changed"] and again["route_tables"] == created["route_tables"]
    assert tables(ec2, vpc) == {
        "public": (sorted(vpc["subnets"][:2]), [("0.0.0.0/0", vpc["gateway"])], {"Name": "public", "project": "shoppulse"}),
        "isolated": ([vpc["subnets"][2]], [], {"Name": "isolated", "project": "shoppulse"}),
    }


def test_moves_a_subnet_replaces_a_route_and_removes_a_stray_one_keeping_others_tags(run_module, ec2, vpc):
    ids = {t["name"]: t["id"] for t in run_module(module.main, declared(vpc))["route_tables"]}
    other_gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.replace_route(RouteTableId=ids["public"], DestinationCidrBlock="0.0.0.0/0", GatewayId=other_gateway)
    ec2.create_route(RouteTableId=ids["isolated"], DestinationCidrBlock="0.0.0.0/0", GatewayId=vpc["gateway"])
    ec2.create_tags(Resources=[ids["isolated"]], Tags=[{"Key": "owner", "Value": "someone"}])

    moved = run_module(module.main, declared(vpc, public=vpc["subnets"][:1], isolated=vpc["subnets"][1:]), diff=True)

    assert moved["changed"]
    assert moved["diff"]["before"]["isolated"]["routes"] == {"0.0.0.0/0": {"gateway_id": vpc["gateway"]}}
    assert moved["diff"]["after"]["isolated"]["routes"] == {}
    assert tables(ec2, vpc) == {
        "public": ([vpc["subnets"][0]], [("0.0.0.0/0", vpc["gateway"])], {"Name": "public", "project": "shoppulse"}),
        "isolated": (sorted(vpc["subnets"][1:]), [], {"Name": "isolated", "project": "shoppulse", "owner": "someone"}),
    }


def test_check_mode_changes_nothing_and_gives_placeholders(run_module, ec2, vpc):
    preview = run_module(module.main, declared(vpc), check_mode=True, diff=True)

    assert preview["changed"] and tables(ec2, vpc) == {}
    assert [t["id"] for t in preview["route_tables"]] == ["rtb-known-after-apply-public", "rtb-known-after-apply-isolated"]
    assert preview["diff"]["after"]["public"]["subnets"] == sorted(vpc["subnets"][:2])


def test_a_name_two_tables_carry_stops_before_any_change(run_module, ec2, vpc):
    for _copy in range(2):
        ec2.create_route_table(VpcId=vpc["id"], TagSpecifications=[{"ResourceType": "route-table", "Tags": [{"Key": "Name", "Value": "public"}]}])
    with pytest.raises(ModuleExit) as refused:
        run_module(module.main, declared(vpc))
    assert refused.value.result["msg"].startswith("route_tables[0].name: public names two route tables of the VPC")
    assert tables(ec2, vpc)["public"][0] == []


def test_absent_deletes_the_named_tables_with_their_associations_never_the_main_one(run_module, ec2, vpc):
    run_module(module.main, declared(vpc))
    names = {"vpc_id": vpc["id"], "state": "absent", "route_tables": [{"name": "public"}, {"name": "isolated"}, {"name": "never-built"}]}

    preview = run_module(module.main, names, check_mode=True, diff=True)
    assert preview["changed"] and sorted(tables(ec2, vpc)) == ["isolated", "public"]
    assert preview["diff"]["before"]["public"]["subnets"] == sorted(vpc["subnets"][:2]) and preview["diff"]["after"] == {}

    deleted = run_module(module.main, names)
    assert deleted["changed"] and sorted(table["name"] for table in deleted["route_tables"]) == ["isolated", "public"]
    left = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc["id"]]}])["RouteTables"]
    assert [any(a.get("Main") for a in table["Associations"]) for table in left] == [True]
    assert not run_module(module.main, names)["changed"]
