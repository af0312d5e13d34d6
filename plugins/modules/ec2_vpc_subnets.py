#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: ec2_vpc_subnets
version_added: 0.3.0
short_description: Ensure a VPC's declared subnets exist with their zone, public mapping and tags, in one call
description:
  - Reads the VPC's subnets once (C(DescribeSubnets), all pages) and, for each declared subnet (found by its CIDR
    block), creates it when missing (C(CreateSubnet) with its tags, waiting until it is available), sets
    C(MapPublicIpOnLaunch) when it differs (C(ModifySubnetAttribute)) and adds or updates the declared tags
    (C(CreateTags)). Tags not declared are kept, and subnets not declared are left alone.
  - A subnet cannot move to another zone; one found in a zone other than the declared one fails the task naming it,
    before anything is changed.
  - With O(state=absent), deletes the declared subnets (by CIDR block) that the VPC has, in the same one read.
author:
  - ShopPulse platform team (@shoppulse)
options:
  vpc_id:
    description: The VPC the subnets are in.
    type: str
    required: true
  state:
    description: Whether the declared subnets exist or not.
    type: str
    choices: [present, absent]
    default: present
  subnets:
    description: The subnets to have, or with O(state=absent) not to have (only their C(cidr) is read then).
    type: list
    elements: dict
    required: true
    suboptions:
      cidr:
        description: The subnet's IPv4 CIDR block; what identifies it.
        type: str
        required: true
      az:
        description: The availability zone; required with O(state=present).
        type: str
      map_public:
        description: Whether instances launched in the subnet get a public IPv4 address.
        type: bool
        default: false
      tags:
        description: Tags the subnet has (others it has are kept).
        type: dict
        default: {}
notes:
  - Supports check mode (the result lists a subnet to create with an empty id) and diff mode (per CIDR block, the
    zone, public mapping and tags before and after; a deleted subnet's before only).
  - A subnet that AWS refuses to delete (C(DependencyViolation) while a network interface is still in it) fails the
    task with AWS's error code in the message, the subnets before it deleted; a retry deletes the rest.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Ensure one public and one isolated subnet
  shoppulse.analytics.ec2_vpc_subnets:
    vpc_id: vpc-0123456789abcdef0
    subnets:
      - cidr: 10.0.0.0/24
        az: eu-west-1a
        map_public: true
        tags: {Name: shoppulse-analytics-public-eu-west-1a, tier: public}
      - cidr: 10.0.4.0/24
        az: eu-west-1a
        tags: {Name: shoppulse-analytics-isolated-eu-west-1a, tier: isolated}

- name: Delete two subnets of the VPC
  shoppulse.analytics.ec2_vpc_subnets:
    vpc_id: vpc-0123456789abcdef0
    state: absent
    subnets:
      - cidr: 10.0.0.0/24
      - cidr: 10.0.4.0/24
"""

RETURN = r"""
subnets:
  description: The declared subnets after the task, in the declared order; with O(state=absent), those deleted (in
    check mode, those that would be).
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The subnet's id; empty in check mode for one not created yet.
      type: str
      sample: subnet-0123456789abcdef0
    cidr:
      description: Its CIDR block.
      type: str
      sample: 10.0.0.0/24
    az:
      description: Its availability zone.
      type: str
      sample: eu-west-1a
    map_public:
      description: Whether it gives instances a public IPv4 address.
      type: bool
      sample: true
    tags:
      description: Its tags.
      type: dict
      sample: {Name: shoppulse-analytics-public-eu-west-1a, tier: public}
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list

from ansible_collections.shoppulse.analytics.plugins.module_utils.vpc import declared_subnet
from ansible_collections.shoppulse.analytics.plugins.module_utils.vpc import subnet_changes
from ansible_collections.shoppulse.analytics.plugins.module_utils.vpc import subnet_plan
from ansible_collections.shoppulse.analytics.plugins.module_utils.vpc import subnet_shape

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def aws_errors():
    return (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError)


@AWSRetry.jittered_backoff()
def describe(client, vpc_id):
    """Every subnet of the VPC, across pages."""
    pages = client.get_paginator("describe_subnets").paginate(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
    return pages.build_full_result()["Subnets"]


def read(module, client, vpc_id):
    """CIDR block -> the subnet, for every subnet of the VPC."""
    try:
        return {subnet["CidrBlock"]: subnet_shape(subnet) for subnet in describe(client, vpc_id)}
    except aws_errors() as e:
        module.fail_json_aws(e, msg=f"Could not read the subnets of {vpc_id}")


def create(module, client, vpc_id, wanted):
    request = {"VpcId": vpc_id, "CidrBlock": wanted["cidr"], "AvailabilityZone": wanted["az"]}
    if wanted["tags"]:
        request["TagSpecifications"] = [{"ResourceType": "subnet", "Tags": ansible_dict_to_boto3_tag_list(wanted["tags"])}]
    try:
        created = client.create_subnet(aws_retry=True, **request)["Subnet"]
        client.get_waiter("subnet_available").wait(SubnetIds=[created["SubnetId"]])
    except aws_errors() as e:
        module.fail_json_aws(e, msg=f"Could not create subnet {wanted['cidr']} in {wanted['az']}")
    return subnet_shape(created)


def apply(module, client, vpc_id, step):
    """The subnet after its step: created, then its public mapping and its tags set where they differ."""
    wanted = step["wanted"]
    subnet = step["found"]
    if subnet is None:
        subnet = create(module, client, vpc_id, wanted)
        step = {**step, "tags": {}, "map_public": wanted["map_public"]}
    try:
        if step["map_public"]:
            client.modify_subnet_attribute(aws_retry=True, SubnetId=subnet["id"], MapPublicIpOnLaunch={"Value": wanted["map_public"]})
        if step["tags"]:
            client.create_tags(aws_retry=True, Resources=[subnet["id"]], Tags=ansible_dict_to_boto3_tag_list(step["tags"]))
    except aws_errors() as e:
        module.fail_json_aws(e, msg=f"Could not update subnet {subnet['id']} ({wanted['cidr']})")
    return {**subnet, "map_public": wanted["map_public"], "tags": {**subnet["tags"], **wanted["tags"]}}


def expected(step):
    """The subnet as check mode says it will be."""
    found = step["found"] or {"id": "", "cidr": step["wanted"]["cidr"], "az": step["wanted"]["az"], "tags": {}}
    return {**found, "map_public": step["wanted"]["map_public"], "tags": {**found["tags"], **step["wanted"]["tags"]}}


def validate(module, current):
    """Every problem with the declared subnets, in one message, before anything is written."""
    errors = []
    cidrs = [subnet["cidr"] for subnet in module.params["subnets"]]
    present = module.params["state"] == "present"
    for index, subnet in enumerate(module.params["subnets"]):
        if cidrs.count(subnet["cidr"]) > 1 and cidrs.index(subnet["cidr"]) == index:
            errors.append(f"subnets[{index}].cidr: {subnet['cidr']} declared {cidrs.count(subnet['cidr'])} times")
        if present and not subnet["az"]:
            errors.append(f"subnets[{index}].az: required with state present ({subnet['cidr']})")
        found = current.get(subnet["cidr"]) if present else None
        if found and found["az"] != subnet["az"]:
            errors.append(f"subnets[{index}].az: {subnet['cidr']} exists in {found['az']} ({found['id']}), not {subnet['az']};"
                          " a subnet cannot move to another zone")
    if errors:
        module.fail_json(msg="; ".join(errors))


def delete(module, client, vpc_id, current):
    """Delete the declared subnets the VPC has; exits with those."""
    doomed = [current[subnet["cidr"]] for subnet in module.params["subnets"] if subnet["cidr"] in current]
    diff = {"before": {subnet["cidr"]: {key: subnet[key] for key in ("az", "map_public", "tags")} for subnet in doomed}, "after": {}}
    if not module.check_mode:
        for subnet in doomed:
            try:
                client.delete_subnet(aws_retry=True, SubnetId=subnet["id"])
            except is_boto3_error_code("InvalidSubnetID.NotFound"):
                pass  # gone since the read
            except aws_errors() as e:  # pylint: disable=duplicate-except
                module.fail_json_aws(e, msg=f"Could not delete subnet {subnet['id']} ({subnet['cidr']}) of {vpc_id}")
    module.exit_json(changed=bool(doomed), subnets=doomed, diff=diff)


SUBNET_SPEC = dict(
    cidr=dict(type="str", required=True),
    az=dict(type="str"),
    map_public=dict(type="bool", default=False),
    tags=dict(type="dict", default={}),
)
ARGUMENT_SPEC = dict(
    vpc_id=dict(type="str", required=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    subnets=dict(type="list", elements="dict", required=True, options=SUBNET_SPEC),
)
OPTIONS: dict = {}


def run(module) -> None:
    """Converge and end the module (its action plugin runs this in the task's worker on the controller)."""
    vpc_id = module.params["vpc_id"]
    client = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())
    current = read(module, client, vpc_id)
    validate(module, current)
    if module.params["state"] == "absent":
        delete(module, client, vpc_id, current)
    declared = [declared_subnet(subnet) for subnet in module.params["subnets"]]
    steps, diff = subnet_plan(current, declared)
    changed = any(subnet_changes(step) for step in steps)
    if module.check_mode:
        module.exit_json(changed=changed, subnets=[expected(step) for step in steps], diff=diff)
    subnets = [apply(module, client, vpc_id, step) if subnet_changes(step) else step["found"] for step in steps]
    module.exit_json(changed=changed, subnets=subnets, diff=diff)


def main():
    run(AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **OPTIONS))


if __name__ == "__main__":
    main()
