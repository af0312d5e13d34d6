#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: ec2_vpc_flow_log
version_added: 0.1.0
short_description: Manage VPC flow logs
description:
  - Creates, keeps, replaces and deletes a flow log on a VPC, subnet or network interface.
  - Without O(flow_log_id), the flow log is identified by its resource, destination type and destination
    (log group name or destination ARN), so a re-run with the same options finds the one it created.
  - The EC2 API cannot change a flow log's traffic type, delivery role, log format or aggregation
    interval after creation. When one of those differs, the module fails naming it, or, with
    O(replace=true), deletes the flow log and creates it anew (EC2 refuses a second flow log with the
    same resource and destination, so the two cannot overlap; a re-run after an interruption creates it).
  - Tags are updated in place.
author:
  - ShopPulse platform team (@shoppulse)
options:
  state:
    description: Whether the flow log should exist.
    type: str
    choices: [present, absent]
    default: present
  flow_log_id:
    description:
      - The flow log to manage. When omitted, the flow log is found by O(resource_id),
        O(log_destination_type) and its destination.
    type: str
  resource_id:
    description: The VPC, subnet or network interface whose traffic is captured.
    type: str
  resource_type:
    description: The kind of resource O(resource_id) names.
    type: str
    choices: [VPC, Subnet, NetworkInterface]
    default: VPC
  traffic_type:
    description: Which traffic to capture.
    type: str
    choices: [ALL, ACCEPT, REJECT]
    default: ALL
  log_destination_type:
    description: Where the records go.
    type: str
    choices: [cloud-watch-logs, s3]
    default: cloud-watch-logs
  log_group_name:
    description:
      - The CloudWatch Logs group. Required when O(log_destination_type=cloud-watch-logs) and O(state=present).
    type: str
  log_destination:
    description:
      - The ARN of the S3 bucket (or prefix). Required when O(log_destination_type=s3) and O(state=present).
    type: str
  deliver_logs_permission_arn:
    description:
      - The IAM role the flow-log service assumes to publish into the log group.
      - Required when O(log_destination_type=cloud-watch-logs) and O(state=present).
    type: str
  log_format:
    description: A custom record format; the AWS default format when omitted.
    type: str
  max_aggregation_interval:
    description: Seconds over which records are aggregated.
    type: int
    choices: [60, 600]
  replace:
    description:
      - Replace the flow log when a setting the EC2 API cannot modify differs (delete it, then create it
        anew). When V(false), such a difference fails the task.
    type: bool
    default: false
notes:
  - Check mode and diff mode are supported.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Capture all traffic of a VPC into a log group
  shoppulse.analytics.ec2_vpc_flow_log:
    resource_id: vpc-0123456789abcdef0
    traffic_type: ALL
    log_group_name: /aws/vpc/flowlogs/shoppulse-analytics
    deliver_logs_permission_arn: arn:aws:iam::123456789012:role/shoppulse-analytics-flow-logs
    tags:
      environment: prod

- name: Switch to rejected traffic only, replacing the flow log
  shoppulse.analytics.ec2_vpc_flow_log:
    resource_id: vpc-0123456789abcdef0
    traffic_type: REJECT
    log_group_name: /aws/vpc/flowlogs/shoppulse-analytics
    deliver_logs_permission_arn: arn:aws:iam::123456789012:role/shoppulse-analytics-flow-logs
    replace: true

- name: Remove a flow log
  shoppulse.analytics.ec2_vpc_flow_log:
    state: absent
    flow_log_id: fl-0123456789abcdef0
"""

RETURN = r"""
flow_log:
  description: The flow log after the task; empty when it is absent.
  returned: always
  type: dict
  contains:
    flow_log_id:
      description: The flow log's id.
      type: str
      sample: fl-0123456789abcdef0
    resource_id:
      description: The captured resource.
      type: str
      sample: vpc-0123456789abcdef0
    traffic_type:
      description: The captured traffic.
      type: str
      sample: ALL
    flow_log_status:
      description: C(ACTIVE) once the flow log exists.
      type: str
      sample: ACTIVE
    deliver_logs_status:
      description: Whether delivery works (C(SUCCESS) or C(FAILED)).
      type: str
      sample: SUCCESS
    log_destination_type:
      description: Where records go.
      type: str
      sample: cloud-watch-logs
    log_group_name:
      description: The CloudWatch Logs group.
      type: str
      sample: /aws/vpc/flowlogs/shoppulse-analytics
    deliver_logs_permission_arn:
      description: The delivery role.
      type: str
      sample: arn:aws:iam::123456789012:role/flow-logs
    max_aggregation_interval:
      description: Aggregation interval in seconds.
      type: int
      sample: 600
    tags:
      description: The flow log's tags.
      type: dict
      sample: {"Name": "shoppulse-analytics-flow-log"}
replaced_flow_log_id:
  description: The id of the flow log that a replacement deleted.
  returned: when a flow log was replaced
  type: str
  sample: fl-0fedcba9876543210
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_specifications

from ansible_collections.shoppulse.analytics.plugins.module_utils.flow_logs import describe_flow_logs
from ansible_collections.shoppulse.analytics.plugins.module_utils.flow_logs import immutable_differences
from ansible_collections.shoppulse.analytics.plugins.module_utils.flow_logs import matches
from ansible_collections.shoppulse.analytics.plugins.module_utils.flow_logs import normalise
from ansible_collections.shoppulse.analytics.plugins.module_utils.flow_logs import tag_changes

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def find_flow_log(client, module):
    """The flow log these options describe, or None."""
    params = module.params
    try:
        if params["flow_log_id"]:
            found = describe_flow_logs(client, Filters=[{"Name": "flow-log-id", "Values": [params["flow_log_id"]]}])
            return found[0] if found else None
        candidates = describe_flow_logs(client, Filters=[{"Name": "resource-id", "Values": [params["resource_id"]]}])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Could not describe flow logs")
    same = [flow_log for flow_log in candidates if matches(flow_log, params)]
    if len(same) > 1:
        module.fail_json(
            msg=f"{len(same)} flow logs on {params['resource_id']} deliver to the same destination "
            f"({', '.join(f['FlowLogId'] for f in same)}): name one with flow_log_id"
        )
    return same[0] if same else None


def create_flow_log(client, module):
    params = module.params
    request = {
        "ResourceIds": [params["resource_id"]],
        "ResourceType": params["resource_type"],
        "TrafficType": params["traffic_type"],
        "LogDestinationType": params["log_destination_type"],
    }
    if params["log_destination_type"] == "cloud-watch-logs":
        request.update(LogGroupName=params["log_group_name"], DeliverLogsPermissionArn=params["deliver_logs_permission_arn"])
    else:
        request["LogDestination"] = params["log_destination"]
    if params["log_format"]:
        request["LogFormat"] = params["log_format"]
    if params["max_aggregation_interval"]:
        request["MaxAggregationInterval"] = params["max_aggregation_interval"]
    if params["tags"]:
        request["TagSpecifications"] = boto3_tag_specifications(params["tags"], types="vpc-flow-log")
    try:
        response = client.create_flow_logs(aws_retry=True, **request)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Could not create a flow log on {params['resource_id']}")
    if response.get("Unsuccessful"):
        error = response["Unsuccessful"][0].get("Error", {})
        module.fail_json(msg=f"Could not create a flow log on {params['resource_id']}: {error.get('Code')}: {error.get('Message')}")
    flow_log_id = response["FlowLogIds"][0]
    return describe_flow_logs(client, Filters=[{"Name": "flow-log-id", "Values": [flow_log_id]}])[0]


def delete_flow_log(client, module, flow_log_id):
    try:
        response = client.delete_flow_logs(aws_retry=True, FlowLogIds=[flow_log_id])
    except is_boto3_error_code("InvalidFlowLogId.NotFound"):
        return
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not delete flow log {flow_log_id}")
    unsuccessful = [item for item in response.get("Unsuccessful", []) if item.get("Error", {}).get("Code") != "InvalidFlowLogId.NotFound"]
    if unsuccessful:
        error = unsuccessful[0].get("Error", {})
        module.fail_json(msg=f"Could not delete flow log {flow_log_id}: {error.get('Code')}: {error.get('Message')}")


def update_tags(client, module, flow_log):
    """Bring the tags in line; return whether anything changed (or would, in check mode)."""
    to_set, to_unset = tag_changes(flow_log, module.params["tags"], module.params["purge_tags"])
    if not (to_set or to_unset) or module.check_mode:
        return bool(to_set or to_unset)
    try:
        if to_unset:
            client.delete_tags(aws_retry=True, Resources=[flow_log["FlowLogId"]], Tags=[{"Key": key} for key in to_unset])
        if to_set:
            client.create_tags(aws_retry=True, Resources=[flow_log["FlowLogId"]], Tags=ansible_dict_to_boto3_tag_list(to_set))
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Could not update the tags of flow log {flow_log['FlowLogId']}")
    return True


def desired_state(module):
    """The flow log as the options describe it, for diff and check-mode results."""
    params = module.params
    wanted = {
        "resource_id": params["resource_id"],
        "traffic_type": params["traffic_type"],
        "log_destination_type": params["log_destination_type"],
        "log_group_name": params["log_group_name"],
        "log_destination": params["log_destination"],
        "deliver_logs_permission_arn": params["deliver_logs_permission_arn"],
        "log_format": params["log_format"],
        "max_aggregation_interval": params["max_aggregation_interval"],
        "tags": params["tags"] or {},
    }
    return {key: value for key, value in wanted.items() if value is not None}


def ensure_present(client, module, existing):
    before = normalise(existing)
    if existing is None:
        if module.check_mode:
            module.exit_json(changed=True, flow_log=desired_state(module), diff={"before": {}, "after": desired_state(module)})
        created = create_flow_log(client, module)
        module.exit_json(changed=True, flow_log=normalise(created), diff={"before": {}, "after": normalise(created)})

    differences = immutable_differences(existing, module.params)
    if differences and not module.params["replace"]:
        detail = "; ".join(f"{option} is {old!r}, asked for {new!r}" for option, (old, new) in differences.items())
        module.fail_json(msg=f"Flow log {existing['FlowLogId']} cannot be modified in place ({detail}): set replace=true to replace it")
    if differences:
        if module.check_mode:
            module.exit_json(changed=True, flow_log=desired_state(module), replaced_flow_log_id=existing["FlowLogId"],
                             diff={"before": before, "after": desired_state(module)})
        delete_flow_log(client, module, existing["FlowLogId"])
        created = create_flow_log(client, module)
        module.exit_json(changed=True, flow_log=normalise(created), replaced_flow_log_id=existing["FlowLogId"],
                         diff={"before": before, "after": normalise(created)})

    changed = update_tags(client, module, existing)
    if changed and not module.check_mode:
        existing = describe_flow_logs(client, Filters=[{"Name": "flow-log-id", "Values": [existing["FlowLogId"]]}])[0]
    after = normalise(existing) if not module.check_mode else {**before, "tags": module.params["tags"]}
    module.exit_json(changed=changed, flow_log=after, diff={"before": before, "after": after})


def ensure_absent(client, module, existing):
    if existing is None:
        module.exit_json(changed=False, flow_log={})
    if not module.check_mode:
        delete_flow_log(client, module, existing["FlowLogId"])
    module.exit_json(changed=True, flow_log={}, diff={"before": normalise(existing), "after": {}})


ARGUMENT_SPEC = dict(
    state=dict(type="str", choices=["present", "absent"], default="present"),
    flow_log_id=dict(type="str"),
    resource_id=dict(type="str"),
    resource_type=dict(type="str", choices=["VPC", "Subnet", "NetworkInterface"], default="VPC"),
    traffic_type=dict(type="str", choices=["ALL", "ACCEPT", "REJECT"], default="ALL"),
    log_destination_type=dict(type="str", choices=["cloud-watch-logs", "s3"], default="cloud-watch-logs"),
    log_group_name=dict(type="str"),
    log_destination=dict(type="str"),
    deliver_logs_permission_arn=dict(type="str"),
    log_format=dict(type="str"),
    max_aggregation_interval=dict(type="int", choices=[60, 600]),
    replace=dict(type="bool", default=False),
    tags=dict(type="dict", aliases=["resource_tags"]),
    purge_tags=dict(type="bool", default=True),
)
OPTIONS = dict(required_one_of=[["flow_log_id", "resource_id"]], required_if=[["state", "present", ["resource_id"]]],
               mutually_exclusive=[["log_group_name", "log_destination"]])


def run(module) -> None:
    """The module's work on its validated options; ``module`` is an AnsibleAWSModule or the in-process stand-in."""
    params = module.params
    # The destination's options depend on both state and destination type, which required_if cannot express.
    if params["state"] == "present":
        if params["log_destination_type"] == "cloud-watch-logs" and not (params["log_group_name"] and params["deliver_logs_permission_arn"]):
            module.fail_json(msg="log_group_name and deliver_logs_permission_arn are required when log_destination_type=cloud-watch-logs")
        if params["log_destination_type"] == "s3" and not params["log_destination"]:
            module.fail_json(msg="log_destination is required when log_destination_type=s3")

    client = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())
    existing = find_flow_log(client, module)
    if params["state"] == "present":
        ensure_present(client, module, existing)
    else:
        ensure_absent(client, module, existing)


def main():
    run(AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **OPTIONS))


if __name__ == "__main__":
    main()
