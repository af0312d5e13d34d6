# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading an EventBridge Scheduler schedule, for scheduler_schedule and scheduler_schedule_info."""

from __future__ import annotations

from typing import Any

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code


def get_schedule(client, name: str, group_name: str) -> dict[str, Any] | None:
    """GetSchedule's answer without its metadata; None when the schedule does not exist."""
    try:
        found = client.get_schedule(aws_retry=True, Name=name, GroupName=group_name)
    except is_boto3_error_code("ResourceNotFoundException"):
        return None
    found.pop("ResponseMetadata", None)
    return found


def normalise(schedule):
    """The schedule as the module returns it: snake_case, without the dates that change on every write."""
    if not schedule:
        return {}
    keep = ("Arn", "Name", "GroupName", "ScheduleExpression", "ScheduleExpressionTimezone", "Description", "State",
            "FlexibleTimeWindow", "Target")
    result = camel_dict_to_snake_dict({key: schedule.get(key) for key in keep})
    result["description"] = result["description"] or ""
    return result
