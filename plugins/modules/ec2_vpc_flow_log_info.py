#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: ec2_vpc_flow_log_info
version_added: 0.1.0
short_description: List VPC flow logs
description:
  - Lists flow logs by id or by DescribeFlowLogs filters, in the same shape as M(shoppulse.analytics.ec2_vpc_flow_log) returns.
author:
  - ShopPulse platform team (@shoppulse)
options:
  flow_log_ids:
    description: The flow logs to list; all when omitted.
    type: list
    elements: str
    default: []
  filters:
    description:
      - DescribeFlowLogs filters, for example C(resource-id), C(traffic-type), C(log-group-name), C(tag:Name).
    type: dict
    default: {}
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: List the flow logs of a VPC
  shoppulse.analytics.ec2_vpc_flow_log_info:
    filters:
      resource-id: vpc-0123456789abcdef0
  register: flow_logs
"""

RETURN = r"""
flow_logs:
  description: The flow logs found, in snake_case, with tags as a dict.
  returned: always
  type: list
  elements: dict
  sample: [{"flow_log_id": "fl-0123456789abcdef0", "resource_id": "vpc-0123456789abcdef0", "traffic_type": "ALL", "tags": {}}]
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.transformation import ansible_dict_to_boto3_filter_list

from ansible_collections.shoppulse.analytics.plugins.module_utils.flow_logs import describe_flow_logs
from ansible_collections.shoppulse.analytics.plugins.module_utils.flow_logs import normalise

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


ARGUMENT_SPEC = dict(
    flow_log_ids=dict(type="list", elements="str", default=[]),
    filters=dict(type="dict", default={}),
)
OPTIONS = {}


def run(module) -> None:
    """Read and end the module (its action plugin runs this in the task's worker on the controller)."""
    client = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())
    request = {"Filters": ansible_dict_to_boto3_filter_list(module.params["filters"])}
    if module.params["flow_log_ids"]:
        request["FlowLogIds"] = module.params["flow_log_ids"]
    try:
        found = describe_flow_logs(client, **request)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Could not describe flow logs")
    module.exit_json(changed=False, flow_logs=[normalise(flow_log) for flow_log in found])


def main():
    run(AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **OPTIONS))


if __name__ == "__main__":
    main()
