#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: ec2_vpc_security_group
version_added: 0.15.0
short_description: Ensure a VPC security group admits exactly the declared ingress rules, with its tags
description:
  - Reads the group of that name in the VPC once (C(DescribeSecurityGroups)) and makes it the declared one. A missing
    group is created with its tags (C(CreateSecurityGroup)); ingress rules not declared are revoked
    (C(RevokeSecurityGroupIngress)), declared ones missing are authorized (C(AuthorizeSecurityGroupIngress)) and a
    declared rule present with another description has its description changed in place
    (C(UpdateSecurityGroupRuleDescriptionsIngress)), so traffic it admits is never cut; tags are made exactly the
    declared ones (C(CreateTags), C(DeleteTags)).
  - Egress rules are left alone (a new group keeps the rule EC2 gives it, all traffic out).
  - A call that EC2 answers with C(InvalidGroup.NotFound) right after the group's creation is retried, as EC2's
    eventual consistency asks; no fixed pause is taken.
  - The rules take the shape of the O(amazon.aws.ec2_security_group#module:rules) of that module,
    with one source each and a list of ports.
author:
  - ShopPulse platform team (@shoppulse)
options:
  name:
    description: The group's name; what identifies it in the VPC.
    type: str
    required: true
  description:
    description:
      - The group's description, given at its creation.
      - EC2 cannot change it afterwards; a group found with another one is kept, with a warning.
    type: str
    required: true
  vpc_id:
    description: The VPC the group is in.
    type: str
    required: true
  rules:
    description: The ingress rules the group has, and no others.
    type: list
    elements: dict
    default: []
    suboptions:
      proto:
        description: The IP protocol (C(tcp), C(udp), or a protocol number).
        type: str
        default: tcp
      ports:
        description: The ports admitted, each a rule of its own.
        type: list
        elements: int
        required: true
      cidr_ip:
        description: The IPv4 CIDR block admitted.
        type: str
      group_id:
        description: The security group whose members are admitted.
        type: str
      group_name:
        description: The group itself (it must equal O(name)), whose members then admit each other.
        type: str
      rule_desc:
        description: The rule's description.
        type: str
  tags:
    description: The group's tags, exactly (others it has are removed).
    type: dict
    default: {}
notes:
  - Supports check mode (a group to create is returned without an id) and diff mode (description, rules and tags
    before and after).
  - Every problem with the declared rules fails the task in one message before any call that changes something.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Ensure the database group admits its own members and one network on PostgreSQL's port
  shoppulse.analytics.ec2_vpc_security_group:
    name: shoppulse-analytics-db
    description: ShopPulse database - members of this group and declared sources only
    vpc_id: vpc-0123456789abcdef0
    rules:
      - ports: [5432]
        group_name: shoppulse-analytics-db
        rule_desc: PostgreSQL from members of this group
      - ports: [5432]
        cidr_ip: 10.20.0.0/16
        rule_desc: PostgreSQL from the office VPN
    tags:
      Name: shoppulse-analytics-db
      project: shoppulse
"""

RETURN = r"""
group_id:
  description: The group's id; empty in check mode for a group not created yet.
  returned: always
  type: str
  sample: sg-0123456789abcdef0
group_name:
  description: The group's name.
  returned: always
  type: str
  sample: shoppulse-analytics-db
description:
  description: The group's description.
  returned: always
  type: str
  sample: ShopPulse database - members of this group and declared sources only
vpc_id:
  description: The group's VPC.
  returned: always
  type: str
  sample: vpc-0123456789abcdef0
ip_permissions:
  description: The group's ingress rules after the task, as M(amazon.aws.ec2_security_group_info) returns them (in
    check mode, the declared ones).
  returned: always
  type: list
  elements: dict
ip_permissions_egress:
  description: The group's egress rules, as M(amazon.aws.ec2_security_group_info) returns them (empty in check mode
    for a group not created yet).
  returned: always
  type: list
  elements: dict
tags:
  description: The group's tags.
  returned: always
  type: dict
  sample: {Name: shoppulse-analytics-db, project: shoppulse}
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags
from ansible_collections.amazon.aws.plugins.module_utils.transformation import camel_dict_to_snake_dict

from ansible_collections.shoppulse.analytics.plugins.module_utils.rds_layer import read_security_group
from ansible_collections.shoppulse.analytics.plugins.module_utils.rds_layer import security_group_shape
from ansible_collections.shoppulse.analytics.plugins.module_utils.security_group import declared_rules
from ansible_collections.shoppulse.analytics.plugins.module_utils.security_group import found_rules
from ansible_collections.shoppulse.analytics.plugins.module_utils.security_group import ingress_plan
from ansible_collections.shoppulse.analytics.plugins.module_utils.security_group import rule_text
from ansible_collections.shoppulse.analytics.plugins.module_utils.security_group import to_permission

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

SOURCE_OPTIONS = ("cidr_ip", "group_id", "group_name")


def aws_errors():
    return (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError)


def validate(module):
    """Every problem with the declared rules, in one message, before anything is written."""
    errors = []
    for index, rule in enumerate(module.params["rules"]):
        sources = [option for option in SOURCE_OPTIONS if rule[option]]
        if len(sources) != 1:
            errors.append(f"rules[{index}]: exactly one of {', '.join(SOURCE_OPTIONS)} is required, got {len(sources)}")
        if rule["group_name"] and rule["group_name"] != module.params["name"]:
            errors.append(f"rules[{index}].group_name: only the group itself ({module.params['name']}) can be named,"
                          f" not {rule['group_name']}; give another group by group_id")
        if not rule["ports"]:
            errors.append(f"rules[{index}].ports: at least one port is required")
    if errors:
        module.fail_json(msg="; ".join(errors))


def create(module, client) -> str:
    params = module.params
    request = {"GroupName": params["name"], "Description": params["description"], "VpcId": params["vpc_id"]}
    if params["tags"]:
        request["TagSpecifications"] = [{"ResourceType": "security-group", "Tags": ansible_dict_to_boto3_tag_list(params["tags"])}]
    try:
        return client.create_security_group(aws_retry=True, **request)["GroupId"]
    except aws_errors() as e:
        module.fail_json_aws(e, msg=f"Could not create security group {params['name']} in {params['vpc_id']}")


def apply(module, client, group_id: str, plan: dict, tags: tuple) -> None:
    """Descriptions first, then revocations, then authorizations; then the tags."""
    add_tags, remove_tags = tags
    try:
        if plan["describe"]:
            client.update_security_group_rule_descriptions_ingress(
                aws_retry=True, GroupId=group_id, IpPermissions=[to_permission(rule) for rule in plan["describe"]])
        if plan["revoke"]:
            client.revoke_security_group_ingress(
                aws_retry=True, GroupId=group_id, IpPermissions=[to_permission(rule, with_description=False) for rule in plan["revoke"]])
        if plan["authorize"]:
            client.authorize_security_group_ingress(
                aws_retry=True, GroupId=group_id, IpPermissions=[to_permission(rule) for rule in plan["authorize"]])
        if add_tags:
            client.create_tags(aws_retry=True, Resources=[group_id], Tags=ansible_dict_to_boto3_tag_list(add_tags))
        if remove_tags:
            client.delete_tags(aws_retry=True, Resources=[group_id], Tags=[{"Key": key} for key in remove_tags])
    except aws_errors() as e:
        module.fail_json_aws(e, msg=f"Could not update security group {module.params['name']} ({group_id})")


def read_back(module, client, group_id: str) -> dict:
    try:
        return security_group_shape(client.describe_security_groups(aws_retry=True, GroupIds=[group_id])["SecurityGroups"][0])
    except aws_errors() as e:
        module.fail_json_aws(e, msg=f"Could not read security group {module.params['name']} ({group_id}) back")


def view(description: str, rules: set, tags: dict) -> dict:
    return {"description": description, "rules": sorted(rule_text(rule) for rule in rules), "tags": tags}


def expected(params: dict, found: dict, group_id: str, declared: set) -> dict:
    """The group as check mode says it will be."""
    return {
        "group_id": group_id, "group_name": params["name"], "vpc_id": params["vpc_id"],
        "description": found.get("description", params["description"]),
        "ip_permissions": [camel_dict_to_snake_dict(to_permission(rule)) for rule in sorted(declared, key=str)],
        "ip_permissions_egress": found.get("ip_permissions_egress", []), "tags": params["tags"],
    }


ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    description=dict(type="str", required=True),
    vpc_id=dict(type="str", required=True),
    rules=dict(type="list", elements="dict", default=[], options=dict(
        proto=dict(type="str", default="tcp"),
        ports=dict(type="list", elements="int", required=True),
        cidr_ip=dict(type="str"),
        group_id=dict(type="str"),
        group_name=dict(type="str"),
        rule_desc=dict(type="str"),
    )),
    tags=dict(type="dict", default={}),
)
OPTIONS: dict = {}


def run(module) -> None:
    """Converge and end the module (its action plugin runs this in the task's worker on the controller)."""
    params = module.params
    validate(module)
    client = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff(catch_extra_error_codes=["InvalidGroup.NotFound"]))
    try:
        found = read_security_group(client, params["name"], params["vpc_id"])
    except aws_errors() as e:
        module.fail_json_aws(e, msg=f"Could not read security group {params['name']} of {params['vpc_id']}")
    if found and found["description"] != params["description"]:
        module.warn(f"Security group {params['name']} ({found['group_id']}) keeps its description {found['description']!r}:"
                    " EC2 cannot change a group's description; delete the group to have the declared one")
    group_id = found.get("group_id", "")
    declared = declared_rules(params["rules"], params["name"], group_id or "sg-known-after-apply")
    have = found_rules(found.get("ip_permissions") or [])
    plan = ingress_plan(have, declared)
    tags = compare_aws_tags(found.get("tags") or {}, params["tags"], purge_tags=True)
    changed = not found or any(plan.values()) or any(tags)
    diff = {"before": view(found["description"], have, found["tags"]) if found else {},
            "after": view(found.get("description", params["description"]), declared, params["tags"])}
    if module.check_mode or not changed:
        module.exit_json(changed=changed, diff=diff, **(expected(params, found, group_id, declared) if changed else found))
    if not found:
        group_id = create(module, client)
        declared = declared_rules(params["rules"], params["name"], group_id)
        plan, tags = ingress_plan(set(), declared), ({}, [])
    apply(module, client, group_id, plan, tags)
    module.exit_json(changed=True, diff=diff, **read_back(module, client, group_id))


def main():
    run(AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **OPTIONS))


if __name__ == "__main__":
    main()
