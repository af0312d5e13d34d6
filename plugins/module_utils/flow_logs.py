# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared code for the VPC flow log modules: describe, identify, compare, normalise."""

from __future__ import annotations

from typing import Any

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

# Settings a flow log is created with that the EC2 API cannot change afterwards (there is no
# ModifyFlowLogs): module option -> DescribeFlowLogs key.
IMMUTABLE = {
    "traffic_type": "TrafficType",
    "deliver_logs_permission_arn": "DeliverLogsPermissionArn",
    "log_format": "LogFormat",
    "max_aggregation_interval": "MaxAggregationInterval",
}

# What makes two flow logs "the same one" when no id is given: module option -> DescribeFlowLogs key.
IDENTITY = {
    "resource_id": "ResourceId",
    "log_destination_type": "LogDestinationType",
}


@AWSRetry.jittered_backoff()
def describe_flow_logs(client, **params: Any) -> list[dict[str, Any]]:
    """All flow logs matching ``params``, across pages."""
    paginator = client.get_paginator("describe_flow_logs")
    return paginator.paginate(**params).build_full_result()["FlowLogs"]


def destination_of(flow_log: dict[str, Any]) -> str | None:
    """Where a flow log delivers: the log group name for CloudWatch Logs, else the destination ARN."""
    if flow_log.get("LogDestinationType", "cloud-watch-logs") == "cloud-watch-logs":
        return flow_log.get("LogGroupName")
    return flow_log.get("LogDestination")


def matches(flow_log: dict[str, Any], params: dict[str, Any]) -> bool:
    """Whether an existing flow log is the one these options describe (same resource and destination)."""
    if any(flow_log.get(key) != params[option] for option, key in IDENTITY.items()):
        return False
    wanted = params["log_group_name"] if params["log_destination_type"] == "cloud-watch-logs" else params["log_destination"]
    return destination_of(flow_log) == wanted


def immutable_differences(flow_log: dict[str, Any], params: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Settings asked for that differ from the flow log's and that only a replacement can change."""
    differences = {}
    for option, key in IMMUTABLE.items():
        wanted = params.get(option)
        if wanted is not None and flow_log.get(key) != wanted:
            differences[option] = (flow_log.get(key), wanted)
    return differences


def tag_changes(flow_log: dict[str, Any], tags: dict | None, purge_tags: bool) -> tuple[dict, list]:
    """The tags to set and to unset to give the flow log ``tags`` (none when ``tags`` is None: tags left alone)."""
    if tags is None:
        return {}, []
    return compare_aws_tags(boto3_tag_list_to_ansible_dict(flow_log.get("Tags", [])), tags, purge_tags)


def left_as_is(candidates: list[dict[str, Any]], params: dict[str, Any]) -> dict[str, Any] | None:
    """The one flow log of ``candidates`` (those on the resource) that ec2_vpc_flow_log given ``params`` would leave as
    it is; None where it would create, replace, retag, or refuse two that match."""
    same = [flow_log for flow_log in candidates if matches(flow_log, params)]
    if len(same) != 1 or immutable_differences(same[0], params):
        return None
    to_set, to_unset = tag_changes(same[0], params.get("tags"), params.get("purge_tags", True))
    return None if to_set or to_unset else same[0]


def normalise(flow_log: dict[str, Any] | None) -> dict[str, Any]:
    """A flow log in snake_case with its tags as a plain dict; {} for none."""
    if not flow_log:
        return {}
    result = camel_dict_to_snake_dict({k: v for k, v in flow_log.items() if k != "Tags"})
    result["tags"] = boto3_tag_list_to_ansible_dict(flow_log.get("Tags", []))
    return result
