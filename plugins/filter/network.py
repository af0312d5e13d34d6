# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that check a VPC's address plan, and the VPC an environment already has, before anything is created; and
that tell, from the VPC read once (shoppulse.analytics.ec2_vpc_network_info), which of the layer's modules would change
nothing, so that they are not run."""

from __future__ import annotations

import ipaddress

from ansible_collections.shoppulse.analytics.plugins.module_utils.flow_logs import left_as_is
from ansible_collections.shoppulse.analytics.plugins.module_utils.flow_logs import normalise
from ansible_collections.shoppulse.analytics.plugins.module_utils.vpc import declared_subnet
from ansible_collections.shoppulse.analytics.plugins.module_utils.vpc import declared_table
from ansible_collections.shoppulse.analytics.plugins.module_utils.vpc import from_info
from ansible_collections.shoppulse.analytics.plugins.module_utils.vpc import subnet_changes
from ansible_collections.shoppulse.analytics.plugins.module_utils.vpc import subnet_plan
from ansible_collections.shoppulse.analytics.plugins.module_utils.vpc import subnet_shape
from ansible_collections.shoppulse.analytics.plugins.module_utils.vpc import table_changes
from ansible_collections.shoppulse.analytics.plugins.module_utils.vpc import table_shape
from ansible_collections.shoppulse.analytics.plugins.module_utils.vpc import table_steps
from ansible_collections.shoppulse.analytics.plugins.module_utils.vpc import tables_by_name
from ansible_collections.shoppulse.analytics.plugins.module_utils.waits import delay_errors


def _network(value: str, variable: str) -> tuple[ipaddress.IPv4Network | None, str | None]:
    try:
        return ipaddress.IPv4Network(str(value), strict=True), None
    except ValueError as exc:
        return None, f"{variable}: {value!r} is not an IPv4 network in CIDR notation ({exc})"


def vpc_plan_errors(vpc_cidr: str, tiers: dict, az_count: int, cidr_variable: str = "vpc_cidr") -> list[str]:
    """Return one message per problem in the plan, each naming the variable at fault."""
    vpc, error = _network(vpc_cidr, cidr_variable)
    if error:
        return [error]
    if not 16 <= vpc.prefixlen <= 28:
        return [f"{cidr_variable}: {vpc_cidr} must have a prefix between /16 and /28, as AWS requires"]
    errors: list[str] = []
    seen: list[tuple[ipaddress.IPv4Network, str]] = []
    for variable, cidrs in tiers.items():
        if len(cidrs) != int(az_count):
            errors.append(f"{variable}: has {len(cidrs)} subnets but the VPC spans {az_count} availability zones (one subnet per zone)")
        for cidr in cidrs:
            subnet, error = _network(cidr, variable)
            if error:
                errors.append(error)
                continue
            if not subnet.subnet_of(vpc):
                errors.append(f"{variable}: {cidr} is outside {cidr_variable} {vpc_cidr}")
                continue
            if not 16 <= subnet.prefixlen <= 28:
                errors.append(f"{variable}: {cidr} must have a prefix between /16 and /28, as AWS requires")
            clash = next((name for other, name in seen if other.overlaps(subnet)), None)
            if clash:
                errors.append(f"{variable}: {cidr} overlaps a subnet of {clash}")
            seen.append((subnet, variable))
    return errors


# The address plan's tiers, by the vpc role variable that holds each.
TIER_VARIABLES = ("vpc_public_subnet_cidrs", "vpc_private_subnet_cidrs", "vpc_isolated_subnet_cidrs")


def vpc_settings_errors(settings: dict) -> list[str]:
    """Return one message per problem in the network settings (the vpc role's variables, by name): the address plan's
    (vpc_plan_errors), an explicit zone list of another length than the zone count, a NAT gateway wait that cannot
    poll."""
    az_count = int(settings["vpc_az_count"])
    errors = vpc_plan_errors(settings["vpc_cidr"], {name: settings[name] for name in TIER_VARIABLES}, az_count)
    azs = settings.get("vpc_azs") or []
    if len(azs) not in (0, az_count):
        errors.append(f"vpc_azs: names {len(azs)} zones but vpc_az_count is {az_count}")
    return errors + delay_errors("vpc_nat_gateway_wait_delay", int(settings["vpc_nat_gateway_wait_delay"]),
                                 "vpc_nat_gateway_wait_timeout", int(settings["vpc_nat_gateway_wait_timeout"]))


def vpc_subnets(cidrs: dict, zones: list, name: str, tags: dict) -> list[dict]:
    """The subnets to have, as shoppulse.analytics.ec2_vpc_subnets takes them: per tier (``cidrs``: tier -> one block
    per zone, in the zones' order), tagged ``Name`` <name>-<tier>-<zone> and ``tier``; public ones map public IPs."""
    return [
        {"cidr": cidr, "az": zone, "map_public": tier == "public", "tags": {**tags, "Name": f"{name}-{tier}-{zone}", "tier": tier}}
        for tier, tier_cidrs in cidrs.items()
        for cidr, zone in zip(tier_cidrs, zones)
    ]


def vpc_subnet_ids(subnets: list, tier: str) -> list[str]:
    """The ids of one tier's subnets (by their ``tier`` tag), in the declared zone order, from the ``subnets`` that
    shoppulse.analytics.ec2_vpc_subnets returns.

    A subnet that check mode has not created yet gets a placeholder that is unique per tier and zone, so that
    later layers' checks (two or more distinct subnets) see the plan as it will be.
    """
    tier_subnets = [subnet for subnet in subnets if (subnet.get("tags") or {}).get("tier") == tier]
    return [subnet.get("id") or f"subnet-known-after-apply-{tier}-{index}" for index, subnet in enumerate(tier_subnets)]


def vpc_tier_subnet_ids(subnets: list, tier: str, zones: list | None = None) -> list[str]:
    """The ids of one tier's existing subnets (found by their ``tier`` tag), in zone order.

    ``zones`` is the role's explicit zone order; without it the zones sort by name, as the role picks them.
    """
    tier_subnets = [subnet for subnet in subnets if (subnet.get("tags") or {}).get("tier") == tier]
    order = {zone: index for index, zone in enumerate(zones or [])}
    tier_subnets.sort(key=lambda subnet: (order.get(subnet["availability_zone"], len(order)), subnet["availability_zone"]))
    return [subnet["id"] for subnet in tier_subnets]


def vpc_named_errors(vpcs: list, name: str, cidr: str | None = None) -> list[str]:
    """What stops a run from taking the VPCs found by the environment's Name tag as its VPC.

    The Name tag is the VPC's identity, not its block: AWS cannot change a VPC's primary block, and a module that
    looks a VPC up by name and block would build a second network beside the first. So more than one VPC with the
    name is refused, and, given ``cidr`` (the block the run asks for), so is a VPC whose block is another.
    """
    if len(vpcs) > 1:
        found = ", ".join(f"{vpc['id']} {vpc['cidr_block']}" for vpc in vpcs)
        return [f"vpc_name: {len(vpcs)} VPCs are named {name} ({found}); an environment has one: delete the stray ones first"]
    if cidr is None or not vpcs or _same_block(vpcs[0]["cidr_block"], cidr):
        return []
    have = vpcs[0]["cidr_block"]
    return [
        f"vpc_cidr: the VPC {name} ({vpcs[0]['id']}) has block {have}, this run asks for {cidr}; AWS cannot change a "
        f"VPC's block: set vpc_cidr back to {have}, or destroy the environment (playbooks/destroy.yml) and build it anew"
    ]


def _same_block(have: str, want: str) -> bool:
    try:
        return ipaddress.IPv4Network(str(have), strict=False) == ipaddress.IPv4Network(str(want), strict=False)
    except ValueError:
        return str(have) == str(want)


def vpc_subnets_found(found: list, declared: list) -> list | None:
    """The declared subnets as shoppulse.analytics.ec2_vpc_subnets returns them, when the VPC's subnets as read
    (``found``, ec2_vpc_network_info's ``subnets``) hold every one as declared, so that the module would change
    nothing; None when one is missing or differs, or sits in another zone (the module refuses that, naming it)."""
    current = {subnet["CidrBlock"]: subnet_shape(subnet) for subnet in map(from_info, found)}
    wanted = [declared_subnet(subnet) for subnet in declared]
    cidrs = [subnet["cidr"] for subnet in wanted]
    if len(set(cidrs)) < len(cidrs) or any(current.get(subnet["cidr"], {}).get("az") != subnet["az"] for subnet in wanted):
        return None
    steps = subnet_plan(current, wanted)[0]
    return None if any(map(subnet_changes, steps)) else [step["found"] for step in steps]


def vpc_route_tables_as_declared(found: list, declared: list) -> bool:
    """Whether the VPC's route tables as read (``found``, ec2_vpc_network_info's ``route_tables``) are already what
    shoppulse.analytics.ec2_vpc_route_tables makes of ``declared``, so that it would change nothing."""
    tables = [table_shape(from_info(table)) for table in found]
    wanted = [declared_table(table) for table in declared]
    errors = tables_by_name(tables, [table["name"] for table in wanted])[1]
    return not errors and not any(map(table_changes, table_steps(tables, wanted)))


def vpc_flow_log_found(found: list, options: dict) -> dict | None:
    """The flow log, as shoppulse.analytics.ec2_vpc_flow_log returns it, that the module given ``options`` (a
    cloud-watch-logs delivery unless they say otherwise) would leave as it is among the resource's flow logs as read
    (``found``, ec2_vpc_network_info's ``flow_logs``); None where it would create, replace or retag one."""
    params = {"log_destination_type": "cloud-watch-logs", "log_group_name": None, "log_destination": None, "purge_tags": True, **options}
    kept = left_as_is([from_info(flow_log) for flow_log in found], params)
    return None if kept is None else normalise(kept)


class FilterModule:
    """The collection's network filters."""

    def filters(self):
        return {
            "vpc_plan_errors": vpc_plan_errors,
            "vpc_settings_errors": vpc_settings_errors,
            "vpc_named_errors": vpc_named_errors,
            "vpc_subnets": vpc_subnets,
            "vpc_subnet_ids": vpc_subnet_ids,
            "vpc_tier_subnet_ids": vpc_tier_subnet_ids,
            "vpc_subnets_found": vpc_subnets_found,
            "vpc_route_tables_as_declared": vpc_route_tables_as_declared,
            "vpc_flow_log_found": vpc_flow_log_found,
        }
