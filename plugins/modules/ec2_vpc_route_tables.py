#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ec2_vpc_route_tables
version_added: 0.9.0
short_description: Make a VPC's route tables the declared ones in one call
description:
  - Reads every route table of the VPC once (DescribeRouteTables) and makes each declared one, found by its C(Name)
    tag, hold exactly its subnets and its routes - creating the table, associating a subnet (moving it from the table
    it was in), removing other subnets' associations, and creating, replacing or deleting routes - and carry its tags.
  - The VPC's own routes (the C(local) route, routes propagated from a virtual private gateway and gateway endpoint
    routes) are never touched; nor is the main route table's association.
  - Tags others added are kept. Two tables of the VPC with one declared name stop the call before any change, naming
    both.
  - With O(state=absent), deletes every table of the VPC that carries a declared name (the main table never), first
    taking its subnets' associations off (the subnets fall back to the main table).
author:
  - ShopPulse platform team (@shoppulse)
options:
  vpc_id:
    description: The VPC the route tables are in.
    type: str
    required: true
  state:
    description: Whether the declared route tables exist or not.
    type: str
    choices: [present, absent]
    default: present
  route_tables:
    description: The route tables to have, or with O(state=absent) not to have (only their C(name) is read then).
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: The table's C(Name) tag; what identifies it.
        type: str
        required: true
      tags:
        description: Other tags the table has (others it has are kept).
        type: dict
        default: {}
      subnets:
        description: The ids of the subnets associated with the table, and no others.
        type: list
        elements: str
        default: []
      routes:
        description: The IPv4 routes of the table besides the VPC's own, and no others.
        type: list
        elements: dict
        default: []
        suboptions:
          dest:
            description: The destination CIDR block.
            type: str
            required: true
          gateway_id:
            description: An internet gateway as the target.
            type: str
          nat_gateway_id:
            description: A NAT gateway as the target.
            type: str
notes:
  - Supports check mode (a table to create has the id C(rtb-known-after-apply-<name>)) and diff mode (per table name,
    the subnets, routes and tags that change, before and after; a deleted table's before only).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Ensure a public table out through the internet gateway and an isolated one with no route out
  shoppulse.analytics.ec2_vpc_route_tables:
    vpc_id: vpc-0123456789abcdef0
    route_tables:
      - name: shoppulse-analytics-public
        tags: {project: shoppulse}
        subnets: [subnet-0123456789abcdef0, subnet-0123456789abcdef1]
        routes:
          - dest: 0.0.0.0/0
            gateway_id: igw-0123456789abcdef0
      - name: shoppulse-analytics-isolated
        subnets: [subnet-0123456789abcdef4, subnet-0123456789abcdef5]

- name: Delete both
  shoppulse.analytics.ec2_vpc_route_tables:
    vpc_id: vpc-0123456789abcdef0
    state: absent
    route_tables:
      - name: shoppulse-analytics-public
      - name: shoppulse-analytics-isolated
"""

RETURN = r"""
route_tables:
  description: The declared route tables after the task, in the declared order; with O(state=absent), those deleted (in
    check mode, those that would be), with their C(id) and C(name).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The table's id; C(rtb-known-after-apply-<name>) in check mode for one not created yet.
      type: str
      sample: rtb-0123456789abcdef0
    name:
      description: Its C(Name) tag.
      type: str
      sample: shoppulse-analytics-public
    subnets:
      description: The subnets associated with it.
      type: list
      elements: str
    routes:
      description: Its routes besides the VPC's own, as declared.
      type: list
      elements: dict
"""


from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list

from ansible_collections.shoppulse.analytics.plugins.module_utils.vpc import TARGETS
from ansible_collections.shoppulse.analytics.plugins.module_utils.vpc import declared_routes
from ansible_collections.shoppulse.analytics.plugins.module_utils.vpc import declared_table
from ansible_collections.shoppulse.analytics.plugins.module_utils.vpc import table_changes
from ansible_collections.shoppulse.analytics.plugins.module_utils.vpc import table_shape
from ansible_collections.shoppulse.analytics.plugins.module_utils.vpc import table_steps
from ansible_collections.shoppulse.analytics.plugins.module_utils.vpc import tables_by_name

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

PLACEHOLDER = "rtb-known-after-apply-"


def aws_errors():
    return (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError)


@AWSRetry.jittered_backoff()
def describe(client, vpc_id):
    pages = client.get_paginator("describe_route_tables").paginate(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
    return pages.build_full_result()["RouteTables"]


def diff_of(step: dict) -> tuple[dict, dict]:
    found, wanted = step["found"], step["wanted"]
    before = {"subnets": sorted(found["associations"]), "routes": found["routes"], "tags": {key: found["tags"].get(key) for key in step["tags"]}}
    after = {"subnets": sorted(wanted["subnets"]), "routes": declared_routes(wanted), "tags": step["tags"]}
    return before, after


def result_of(step: dict, table_id: str) -> dict:
    return {"id": table_id, "name": step["wanted"]["name"], "subnets": list(step["wanted"]["subnets"]), "routes": step["wanted"]["routes"]}


def route_target(target: dict) -> dict:
    return {"GatewayId" if key == "gateway_id" else "NatGatewayId": value for key, value in target.items()}


def apply(module, client, vpc_id: str, step: dict) -> str:
    """Make one table as declared; its id."""
    wanted, table_id = step["wanted"], step["found"]["id"]
    try:
        if table_id is None:
            tags = ansible_dict_to_boto3_tag_list({**wanted["tags"], "Name": wanted["name"]})
            table_id = client.create_route_table(aws_retry=True, VpcId=vpc_id,
                                                 TagSpecifications=[{"ResourceType": "route-table", "Tags": tags}])["RouteTable"]["RouteTableId"]
        elif step["tags"]:
            client.create_tags(aws_retry=True, Resources=[table_id], Tags=ansible_dict_to_boto3_tag_list(step["tags"]))
        for dest in step["delete_routes"]:
            client.delete_route(aws_retry=True, RouteTableId=table_id, DestinationCidrBlock=dest)
        for dest, target in step["replace_routes"].items():
            client.replace_route(aws_retry=True, RouteTableId=table_id, DestinationCidrBlock=dest, **route_target(target))
        for dest, target in step["create_routes"].items():
            client.create_route(aws_retry=True, RouteTableId=table_id, DestinationCidrBlock=dest, **route_target(target))
        for subnet, association in step["disassociate"].items():
            client.disassociate_route_table(aws_retry=True, AssociationId=association)
        for subnet, elsewhere in step["associate"].items():
            if elsewhere:  # in another table of the VPC: moved in one call, so the subnet is never without its routes
                client.replace_route_table_association(aws_retry=True, AssociationId=elsewhere, RouteTableId=table_id)
            else:
                client.associate_route_table(aws_retry=True, RouteTableId=table_id, SubnetId=subnet)
    except aws_errors() as e:
        module.fail_json_aws(e, msg=f"Could not make route table {wanted['name']} ({table_id or 'new'}) as declared")
    return table_id


def delete(module, client, vpc_id: str, tables: list[dict]) -> None:
    """Delete every non-main table carrying a declared name, its subnets' associations first; exits with those."""
    names = {table["name"] for table in module.params["route_tables"]}
    doomed = [table for table in tables if table["tags"].get("Name") in names and not table["main"]]
    diff = {"before": {table["tags"]["Name"]: {"subnets": sorted(table["associations"]), "routes": table["routes"]} for table in doomed},
            "after": {}}
    if not module.check_mode:
        for table in doomed:
            try:
                for association in table["associations"].values():
                    client.disassociate_route_table(aws_retry=True, AssociationId=association)
                client.delete_route_table(aws_retry=True, RouteTableId=table["id"])
            except aws_errors() as e:
                module.fail_json_aws(e, msg=f"Could not delete route table {table['tags']['Name']} ({table['id']}) of {vpc_id}")
    module.exit_json(changed=bool(doomed), diff=diff, route_tables=[{"id": table["id"], "name": table["tags"]["Name"]} for table in doomed])


ROUTE_SPEC = dict(dest=dict(type="str", required=True), gateway_id=dict(type="str"), nat_gateway_id=dict(type="str"))
TABLE_SPEC = dict(
    name=dict(type="str", required=True),
    tags=dict(type="dict", default={}),
    subnets=dict(type="list", elements="str", default=[]),
    routes=dict(type="list", elements="dict", default=[], options=ROUTE_SPEC,
                mutually_exclusive=[TARGETS], required_one_of=[TARGETS]),
)
ARGUMENT_SPEC = dict(vpc_id=dict(type="str", required=True),
                     state=dict(type="str", choices=["present", "absent"], default="present"),
                     route_tables=dict(type="list", elements="dict", required=True, options=TABLE_SPEC))
OPTIONS: dict = {}


def run(module) -> None:
    """The module's work on its validated options; ``module`` is an AnsibleAWSModule or the in-process stand-in."""
    vpc_id = module.params["vpc_id"]
    client = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())
    try:
        tables = [table_shape(table) for table in describe(client, vpc_id)]
    except aws_errors() as e:
        module.fail_json_aws(e, msg=f"Could not read the route tables of {vpc_id}")
    if module.params["state"] == "absent":
        delete(module, client, vpc_id, tables)
    declared = [declared_table(table) for table in module.params["route_tables"]]
    errors = tables_by_name(tables, [table["name"] for table in declared])[1]
    if errors:
        module.fail_json(msg="; ".join(errors))
    steps = table_steps(tables, declared)
    diff = {"before": {}, "after": {}}
    for step in filter(table_changes, steps):
        diff["before"][step["wanted"]["name"]], diff["after"][step["wanted"]["name"]] = diff_of(step)
    changed = any(table_changes(step) for step in steps)
    if module.check_mode:
        module.exit_json(changed=changed, diff=diff, route_tables=[result_of(step, step["found"]["id"] or PLACEHOLDER + step["wanted"]["name"])
                                                                   for step in steps])
    results = [result_of(step, apply(module, client, vpc_id, step) if table_changes(step) else step["found"]["id"]) for step in steps]
    module.exit_json(changed=changed, diff=diff, route_tables=results)


def main():
    run(AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **OPTIONS))


if __name__ == "__main__":
    main()
