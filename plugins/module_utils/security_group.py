# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A security group's ingress rules as one comparable shape: the rules a group has (its ip_permissions, as
amazon.aws.ec2_security_group_info returns them) and the rules declared (amazon.aws.ec2_security_group's ``rules``
subset: a protocol, a list of ports, one source each) become the same tuples - (protocol, from port, to port, kind,
source, description) - so that one comparison serves the layer's skip filter and the module that converges the group."""

from __future__ import annotations

# ip_permissions keys of each kind of source (snake_case, as read), with the kinds named as
# amazon.aws.ec2_security_group names them; and the same keys as the EC2 API takes them.
SOURCES = (("ip_ranges", "cidr_ip", "ipv4"), ("ipv6_ranges", "cidr_ipv6", "ipv6"),
           ("prefix_list_ids", "prefix_list_id", "ip_prefix"), ("user_id_group_pairs", "group_id", "group"))
API_KEYS = {"ipv4": ("IpRanges", "CidrIp"), "ipv6": ("Ipv6Ranges", "CidrIpv6"), "ip_prefix": ("PrefixListIds", "PrefixListId"),
            "group": ("UserIdGroupPairs", "GroupId")}


def found_rules(permissions: list) -> set:
    """Each source of each permission (snake_case ip_permissions) as a rule tuple."""
    rules = set()
    for permission in permissions:
        ports = tuple(None if permission.get(key) is None else int(permission[key]) for key in ("from_port", "to_port"))
        for key, source_key, kind in SOURCES:
            for source in permission.get(key) or []:
                rules.add((str(permission["ip_protocol"]), *ports, kind, source.get(source_key), source.get("description")))
    return rules


def declared_rules(rules: list, name: str, group_id: str | None) -> set:
    """The declared rules as rule tuples; a rule naming the group itself by ``group_name`` is a rule on its id."""
    declared = set()
    for rule in rules:
        if rule.get("group_name") == name:
            source = ("group", group_id)
        elif rule.get("group_id"):
            source = ("group", rule["group_id"])
        else:
            source = ("ipv4", rule.get("cidr_ip"))
        for port in rule.get("ports") or []:
            declared.add((str(rule.get("proto") or "tcp"), int(port), int(port), *source, rule.get("rule_desc")))
    return declared


def ingress_plan(found: set, declared: set) -> dict:
    """What makes ``found`` the ``declared`` rules: those to ``revoke`` (not declared), to ``authorize`` (missing) and
    to ``describe`` (declared and present with another description: EC2 changes a description in place)."""
    found_by_key = {rule[:5]: rule for rule in found}
    declared_by_key = {rule[:5]: rule for rule in declared}
    return {
        "revoke": sorted((rule for key, rule in found_by_key.items() if key not in declared_by_key), key=str),
        "authorize": sorted((rule for key, rule in declared_by_key.items() if key not in found_by_key), key=str),
        "describe": sorted((rule for key, rule in declared_by_key.items()
                            if key in found_by_key and found_by_key[key][5] != rule[5]), key=str),
    }


def to_permission(rule: tuple, with_description: bool = True) -> dict:
    """One rule tuple as an EC2 API IpPermissions entry."""
    protocol, from_port, to_port, kind, source, description = rule
    key, source_key = API_KEYS[kind]
    entry = {source_key: source, **({"Description": description} if with_description and description else {})}
    permission = {"IpProtocol": protocol, key: [entry]}
    if from_port is not None:
        permission.update(FromPort=from_port, ToPort=to_port)
    return permission


def rule_text(rule: tuple) -> str:
    """A rule as a diff shows it: ``tcp 5432 from sg-0123 (PostgreSQL from members of this group)``."""
    protocol, from_port, to_port, source, description = rule[0], rule[1], rule[2], rule[4], rule[5]
    ports = "all ports" if from_port is None else str(from_port) if from_port == to_port else f"{from_port}-{to_port}"
    return f"{protocol} {ports} from {source}" + (f" ({description})" if description else "")
