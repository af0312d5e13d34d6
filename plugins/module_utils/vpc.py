# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the VPC modules compare what a VPC has with what is declared: shared by ec2_vpc_subnets and ec2_vpc_route_tables,
and by the network filters that skip those modules when the VPC read beforehand (ec2_vpc_network_info) already shows
every declared subnet and table as it should be."""

from __future__ import annotations

from collections.abc import Mapping

from ansible.module_utils.common.dict_transformations import snake_dict_to_camel_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

TARGETS = ("gateway_id", "nat_gateway_id")


def plain(value):
    """``value`` in plain dicts and lists (a filter gets the template engine's own containers, which the conversion
    below cannot rebuild)."""
    if isinstance(value, Mapping):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def from_info(item: dict) -> dict:
    """An EC2 resource as the info modules return it (snake_case, tags as a dict) back in the API's shape."""
    api = snake_dict_to_camel_dict(plain({key: value for key, value in item.items() if key != "tags"}), capitalize_first=True)
    api["Tags"] = ansible_dict_to_boto3_tag_list(item.get("tags") or {})
    return api


def text_tags(tags: dict | None) -> dict:
    """Tags as AWS holds them: keys and values are strings."""
    return {str(key): str(value) for key, value in (tags or {}).items()}


# --- subnets -------------------------------------------------------------------------------------------------------


def subnet_shape(found: dict) -> dict:
    """A DescribeSubnets entry as ec2_vpc_subnets compares and returns it."""
    return {
        "id": found["SubnetId"],
        "cidr": found["CidrBlock"],
        "az": found["AvailabilityZone"],
        "map_public": bool(found.get("MapPublicIpOnLaunch")),
        "tags": boto3_tag_list_to_ansible_dict(found.get("Tags") or []),
    }


def declared_subnet(subnet: dict) -> dict:
    """A declared subnet with the module's defaults."""
    return {"cidr": subnet["cidr"], "az": subnet.get("az"), "map_public": bool(subnet.get("map_public", False)),
            "tags": text_tags(subnet.get("tags"))}


def missing_tags(current: dict, wanted: dict) -> dict:
    return {key: value for key, value in wanted["tags"].items() if current["tags"].get(key) != value}


def subnet_plan(current: dict, declared: list) -> tuple[list, dict]:
    """Per declared subnet (``current``: CIDR block -> the subnet): what it becomes and whether it is created,
    remapped or retagged; and the diff."""
    steps = []
    diff = {"before": {}, "after": {}}
    for wanted in declared:
        found = current.get(wanted["cidr"])
        if found is None:
            steps.append({"wanted": wanted, "found": None, "map_public": wanted["map_public"], "tags": wanted["tags"]})
            diff["after"][wanted["cidr"]] = {key: wanted[key] for key in ("az", "map_public", "tags")}
            continue
        step = {"wanted": wanted, "found": found, "map_public": wanted["map_public"] != found["map_public"],
                "tags": missing_tags(found, wanted)}
        steps.append(step)
        if step["map_public"] or step["tags"]:
            diff["before"][wanted["cidr"]] = {"map_public": found["map_public"],
                                              "tags": {key: found["tags"].get(key) for key in step["tags"]}}
            diff["after"][wanted["cidr"]] = {"map_public": wanted["map_public"], "tags": step["tags"]}
    return steps, diff


def subnet_changes(step: dict) -> bool:
    return step["found"] is None or bool(step["map_public"]) or bool(step["tags"])


# --- route tables --------------------------------------------------------------------------------------------------


def own_route(route: dict) -> bool:
    """A route the VPC keeps itself: local, propagated from a gateway, or a gateway endpoint's."""
    return (route.get("GatewayId") == "local" or route.get("Origin") == "EnableVgwRoutePropagation"
            or str(route.get("GatewayId", "")).startswith("vpce-") or not route.get("DestinationCidrBlock"))


def table_shape(table: dict) -> dict:
    """A DescribeRouteTables entry as ec2_vpc_route_tables compares it: its subnets (by association), its routes by
    destination, its tags, whether it is the VPC's main table."""
    return {
        "id": table["RouteTableId"],
        "tags": boto3_tag_list_to_ansible_dict(table.get("Tags") or []),
        "associations": {a["SubnetId"]: a["RouteTableAssociationId"] for a in table.get("Associations", []) if a.get("SubnetId")},
        "main": any(a.get("Main") for a in table.get("Associations", [])),
        "routes": {r["DestinationCidrBlock"]: {key: r.get(boto) for key, boto in (("gateway_id", "GatewayId"), ("nat_gateway_id", "NatGatewayId"))
                                               if r.get(boto)}
                   for r in table.get("Routes", []) if not own_route(r)},
    }


def declared_table(table: dict) -> dict:
    """A declared route table with the module's defaults."""
    return {"name": table["name"], "tags": text_tags(table.get("tags")), "subnets": list(table.get("subnets") or []),
            "routes": list(table.get("routes") or [])}


def declared_routes(table: dict) -> dict:
    return {route["dest"]: {key: route[key] for key in TARGETS if route.get(key)} for route in table["routes"]}


def tables_by_name(tables: list, names: list) -> tuple[dict, list]:
    """Name tag -> the table, and the problems that stop a run: a declared name two tables carry, a name declared
    twice."""
    by_name, errors = {}, []
    for table in tables:
        name = table["tags"].get("Name")
        if name in names and name in by_name:
            errors.append(f"route_tables[{names.index(name)}].name: {name} names two route tables of the VPC, "
                          f"{by_name[name]['id']} and {table['id']}; delete one")
        by_name.setdefault(name, table)
    for index, name in enumerate(names):
        if names.index(name) != index:
            errors.append(f"route_tables[{index}].name: {name} declared twice")
    return by_name, errors


def table_plan(wanted: dict, found: dict | None, associated: dict, declared_subnets: set) -> dict:
    """What one declared table needs: creation, subnets to associate (from where), to disassociate (not those another
    declared table takes: that one moves them), routes to create, replace or delete, tags to add."""
    found = found or {"id": None, "tags": {}, "associations": {}, "routes": {}}
    routes = declared_routes(wanted)
    tags = {**wanted["tags"], "Name": wanted["name"]}
    return {
        "wanted": wanted,
        "found": found,
        "associate": {subnet: associated.get(subnet) for subnet in wanted["subnets"] if subnet not in found["associations"]},
        "disassociate": {subnet: association for subnet, association in found["associations"].items() if subnet not in declared_subnets},
        "create_routes": {dest: target for dest, target in routes.items() if dest not in found["routes"]},
        "replace_routes": {dest: target for dest, target in routes.items() if dest in found["routes"] and found["routes"][dest] != target},
        "delete_routes": sorted(dest for dest in found["routes"] if dest not in routes),
        "tags": compare_aws_tags(found["tags"], tags, purge_tags=False)[0],
    }


def table_steps(tables: list, declared: list) -> list:
    """The plan of every declared table against the VPC's ``tables`` (table_shape), found by name."""
    by_name = tables_by_name(tables, [table["name"] for table in declared])[0]
    associated = {subnet: association for table in tables for subnet, association in table["associations"].items()}
    declared_subnets = {subnet for table in declared for subnet in table["subnets"]}
    return [table_plan(wanted, by_name.get(wanted["name"]), associated, declared_subnets) for wanted in declared]


def table_changes(step: dict) -> bool:
    work = ("associate", "disassociate", "create_routes", "replace_routes", "delete_routes", "tags")
    return step["found"]["id"] is None or any(step[key] for key in work)
