# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Whether the database layer's security group, DB subnet group and DB parameter group, as
shoppulse.analytics.rds_layer_info reads them, are as declared: exactly when the module that builds each, given the
layer's options, would change nothing - so that the layer skips it."""

from __future__ import annotations

# The parameter group module's own conversion of a declared value to the text RDS keeps (sizes, booleans).
from ansible_collections.amazon.aws.plugins.modules.rds_instance_param_group import convert_parameter

from ansible_collections.shoppulse.analytics.plugins.module_utils.security_group import declared_rules
from ansible_collections.shoppulse.analytics.plugins.module_utils.security_group import found_rules
from ansible_collections.shoppulse.analytics.plugins.module_utils.service_resources import tags_as_declared


def rds_security_group_as_declared(found: dict | None, name: str, description: str, rules: list, tags: dict | None) -> bool:
    """Whether shoppulse.analytics.ec2_vpc_security_group (which leaves egress rules alone) would change nothing on
    ``found``: that group, its description, exactly the declared ingress rules with their descriptions, and no tag to
    add or remove. Rules are on listed ports, from a CIDR, a group id, or the group itself by name."""
    if not found or found.get("group_name") != name or found.get("description") != description:
        return False
    return (tags_as_declared(found.get("tags"), tags)
            and found_rules(found.get("ip_permissions") or []) == declared_rules(rules, name, found.get("group_id")))


def rds_subnet_group_as_declared(found: dict | None, name: str, description: str, subnets: list, tags: dict | None) -> bool:
    """Whether amazon.aws.rds_subnet_group (state present, purge_tags) would change nothing on ``found``: the group of
    that name (RDS keeps it in lower case), its description, exactly those subnets, and no tag to add or remove."""
    if not found or found.get("db_subnet_group_name") != name.lower() or found.get("db_subnet_group_description") != description:
        return False
    found_subnets = sorted(subnet.get("subnet_identifier") for subnet in found.get("subnets") or [])
    return found_subnets == sorted(subnets) and tags_as_declared(found.get("tags"), tags)


def rds_parameter_group_as_declared(found: dict | None, family: str, parameters: dict, tags: dict | None) -> bool:
    """Whether amazon.aws.rds_instance_param_group (state present, purge_tags) would change nothing on ``found`` (with
    the declared parameters read, every source): that family, each declared value as the group holds it (the module's
    own conversion), and no tag to add or remove. A parameter the family does not have is not as declared: the module
    then reports it."""
    if not found or found.get("db_parameter_group_family") != family:
        return False
    have = found.get("parameters") or {}
    for name, value in parameters.items():
        if name not in have or convert_parameter({"DataType": have[name].get("data_type")}, value) != have[name].get("value"):
            return False
    return not tags or tags_as_declared(found.get("tags"), tags)


class FilterModule:
    """Filters that tell a database layer resource already as declared."""

    def filters(self):
        return {
            "rds_security_group_as_declared": rds_security_group_as_declared,
            "rds_subnet_group_as_declared": rds_subnet_group_as_declared,
            "rds_parameter_group_as_declared": rds_parameter_group_as_declared,
        }
