#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: ec2_vpc_network_info
version_added: 0.12.0
short_description: Read a named VPC and everything in it in one call
description:
  - Finds the VPCs whose C(Name) tag is O(name) (C(DescribeVpcs), with each one's DNS attributes) and, when there is
    exactly one, reads what it holds - its subnets, internet gateways, NAT gateways that are not deleted, route tables
    and flow logs - and, on request, the region's available zones, the elastic IPs with a given C(Name) tag, and the
    flow logs' log group and delivery role (as M(amazon.aws.cloudwatchlogs_log_group) and
    M(shoppulse.analytics.iam_service_role) read them).
  - Each list has the shape the matching C(amazon.aws) info module returns (snake_case keys, C(tags) as a dict), so
    one process reads what seven info modules would.
  - Reads only; never changes anything.
author:
  - ShopPulse platform team (@shoppulse)
options:
  name:
    description: The C(Name) tag of the VPC.
    type: str
    required: true
  zones:
    description: Also read the region's available zones (C(DescribeAvailabilityZones)).
    type: bool
    default: false
  contents:
    description: Read what the VPC holds when exactly one VPC has the name; with V(false), only the VPCs.
    type: bool
    default: true
  address_name:
    description:
      - Also read the elastic IPs whose C(Name) tag matches this value (C(*) matches any characters), whether or not
        they are associated.
    type: str
  flow_log_group_name:
    description: Also read the log group of this name into RV(flow_log_group), whether or not the VPC exists.
    type: str
  flow_log_role_name:
    description: Also read the IAM role of this name, with its inline policy O(flow_log_policy_name), into
      RV(flow_log_role), whether or not the VPC exists.
    type: str
  flow_log_policy_name:
    description: The name of that role's inline policy to read with it.
    type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the environment's network, the region's zones and the NAT gateways' addresses
  shoppulse.analytics.ec2_vpc_network_info:
    name: shoppulse-analytics-dev
    zones: true
    address_name: shoppulse-analytics-dev-nat-*
  register: network
"""

RETURN = r"""
vpcs:
  description: The VPCs with the name, as C(amazon.aws.ec2_vpc_net_info) returns them (C(id), C(cidr_block),
    C(enable_dns_support), C(enable_dns_hostnames), C(tags), ...).
  returned: always
  type: list
  elements: dict
  sample: [{"id": "vpc-0123456789abcdef0", "cidr_block": "10.0.0.0/16", "enable_dns_support": true, "tags": {"Name": "x"}}]
availability_zones:
  description: The region's available zones, as C(amazon.aws.aws_az_info) returns them; empty unless O(zones).
  returned: always
  type: list
  elements: dict
  sample: [{"zone_name": "eu-west-1a", "state": "available"}]
subnets:
  description: The VPC's subnets, as C(amazon.aws.ec2_vpc_subnet_info) returns them (C(id), C(cidr_block),
    C(availability_zone), C(tags), ...).
  returned: always
  type: list
  elements: dict
  sample: [{"id": "subnet-0123456789abcdef0", "cidr_block": "10.0.0.0/24", "availability_zone": "eu-west-1a", "tags": {}}]
internet_gateways:
  description: The internet gateways attached to the VPC, as C(amazon.aws.ec2_vpc_igw_info) returns them with
    C(convert_tags).
  returned: always
  type: list
  elements: dict
  sample: [{"internet_gateway_id": "igw-0123456789abcdef0", "attachments": [{"state": "available"}], "tags": {}}]
nat_gateways:
  description: The VPC's NAT gateways in any state but C(deleted), as C(amazon.aws.ec2_vpc_nat_gateway_info) returns
    them (C(nat_gateway_id), C(subnet_id), C(state), C(nat_gateway_addresses), C(tags), ...).
  returned: always
  type: list
  elements: dict
  sample: [{"nat_gateway_id": "nat-0123456789abcdef0", "subnet_id": "subnet-0123456789abcdef0", "state": "available"}]
route_tables:
  description: The VPC's route tables, the main one included, with C(id), C(associations), C(routes) and C(tags).
  returned: always
  type: list
  elements: dict
  sample: [{"id": "rtb-0123456789abcdef0", "associations": [{"main": true}], "routes": [{"gateway_id": "local"}], "tags": {}}]
flow_logs:
  description: The flow logs on the VPC, as M(shoppulse.analytics.ec2_vpc_flow_log_info) returns them.
  returned: always
  type: list
  elements: dict
  sample: [{"flow_log_id": "fl-0123456789abcdef0", "traffic_type": "ALL", "flow_log_status": "ACTIVE"}]
addresses:
  description: The elastic IPs with the C(Name) tag of O(address_name), as C(amazon.aws.ec2_eip_info) returns them;
    empty without it.
  returned: always
  type: list
  elements: dict
  sample: [{"allocation_id": "eipalloc-0123456789abcdef0", "public_ip": "203.0.113.10", "tags": {}}]
flow_log_group:
  description: The log group O(flow_log_group_name) names (C(log_group_name), C(arn), C(retention_in_days), C(tags)),
    empty when it does not exist.
  returned: when O(flow_log_group_name) is given
  type: dict
flow_log_role:
  description: The role O(flow_log_role_name) names (C(arn), C(role_name), C(role_id), C(description),
    C(assume_role_policy_document), C(tags), and its inline policy as C(policy_document)), empty when it does not exist.
  returned: when O(flow_log_role_name) is given
  type: dict
"""

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import describe_addresses
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import describe_availability_zones
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import describe_internet_gateways
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import describe_nat_gateways
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import describe_route_tables
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import describe_subnets
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import describe_vpc_attribute
from ansible_collections.amazon.aws.plugins.module_utils.ec2 import describe_vpcs
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.shoppulse.analytics.plugins.module_utils.flow_logs import describe_flow_logs
from ansible_collections.shoppulse.analytics.plugins.module_utils.flow_logs import normalise
from ansible_collections.shoppulse.analytics.plugins.module_utils.service_resources import read_beside

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

# Every NAT gateway state but "deleted": the build reads pending and available ones, teardown waits for deleting ones.
NAT_STATES = ["pending", "available", "deleting", "failed"]


def snake(item: dict, id_key: str | None = None) -> dict:
    """An EC2 resource as the amazon.aws info modules return it: snake_case, tags as a dict, ``id`` where they add it."""
    shaped = camel_dict_to_snake_dict({key: value for key, value in item.items() if key != "Tags"})
    shaped["tags"] = boto3_tag_list_to_ansible_dict(item.get("Tags") or [])
    if id_key:
        shaped["id"] = item[id_key]
    return shaped


def vpc_of(client, vpc: dict) -> dict:
    """A VPC with its two DNS attributes, which DescribeVpcs does not return."""
    for attribute, key in (("enableDnsSupport", "EnableDnsSupport"), ("enableDnsHostnames", "EnableDnsHostnames")):
        vpc[key] = describe_vpc_attribute(client, vpc_id=vpc["VpcId"], attribute=attribute)[key]["Value"]
    return snake(vpc, "VpcId")


def by_vpc(vpc_id: str) -> list[dict]:
    return [{"Name": "vpc-id", "Values": [vpc_id]}]


def contents(client, vpc_id: str) -> dict:
    """What the VPC holds, each kind in one paginated call."""
    nat_filter = by_vpc(vpc_id) + [{"Name": "state", "Values": NAT_STATES}]
    return {
        "subnets": [snake(subnet, "SubnetId") for subnet in describe_subnets(client, Filters=by_vpc(vpc_id))],
        # ec2_vpc_igw_info keeps these three keys only.
        "internet_gateways": [snake({key: gateway.get(key) or [] for key in ("InternetGatewayId", "Attachments", "Tags")})
                              for gateway in describe_internet_gateways(client, Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])],
        "nat_gateways": [snake(gateway) for gateway in describe_nat_gateways(client, Filters=nat_filter)],
        "route_tables": [snake(table, "RouteTableId") for table in describe_route_tables(client, Filters=by_vpc(vpc_id))],
        "flow_logs": [normalise(log) for log in describe_flow_logs(
            client, Filters=[{"Name": "resource-id", "Values": [vpc_id]}])],
    }


def read(client, params: dict) -> dict:
    found = {kind: [] for kind in ("availability_zones", "subnets", "internet_gateways", "nat_gateways", "route_tables",
                                   "flow_logs", "addresses")}
    found["vpcs"] = [vpc_of(client, vpc) for vpc in describe_vpcs(client, Filters=[{"Name": "tag:Name", "Values": [params["name"]]}])]
    if params["contents"] and len(found["vpcs"]) == 1:
        found.update(contents(client, found["vpcs"][0]["id"]))
    if params["zones"]:
        zones = describe_availability_zones(client, Filters=[{"Name": "state", "Values": ["available"]}])
        found["availability_zones"] = [camel_dict_to_snake_dict(zone) for zone in zones]
    if params["address_name"]:
        addresses = describe_addresses(client, Filters=[{"Name": "tag:Name", "Values": [params["address_name"]]}])
        found["addresses"] = [snake(address) for address in addresses]
    return found


ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    zones=dict(type="bool", default=False),
    contents=dict(type="bool", default=True),
    address_name=dict(type="str"),
    flow_log_group_name=dict(type="str"),
    flow_log_role_name=dict(type="str"),
    flow_log_policy_name=dict(type="str"),
)
OPTIONS = dict(required_by={"flow_log_policy_name": "flow_log_role_name"})


def run(module) -> None:
    """Read and end the module (its action plugin runs this in the task's worker on the controller)."""
    params = module.params
    client = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())
    try:
        found = read(client, params)
        group = params["flow_log_group_name"]
        beside = read_beside(module, params["flow_log_role_name"], params["flow_log_policy_name"], [group] if group else [])
    except AnsibleAWSError as e:  # the EC2 reads and the IAM read, each naming its call
        module.fail_json_aws_error(e)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Could not read the VPC named {params['name']}, its flow logs, their log group or role")
    if "role" in beside:
        found["flow_log_role"] = beside["role"]
    if "log_groups" in beside:
        found["flow_log_group"] = beside["log_groups"][group]
    module.exit_json(changed=False, **found)


def main():
    run(AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **OPTIONS))


if __name__ == "__main__":
    main()
