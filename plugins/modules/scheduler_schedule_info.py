#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: scheduler_schedule_info
version_added: 0.14.0
short_description: Read an EventBridge Scheduler schedule, and the IAM role it assumes, in one call
description:
  - Reads the schedule O(name) of O(group_name) (C(GetSchedule)) as M(shoppulse.analytics.scheduler_schedule) reads
    and returns it and, with O(role_name), an IAM role with its inline policy O(policy_name) as
    M(shoppulse.analytics.iam_service_role) reads it - one process where a layer would take two - so that the cost
    role can skip those modules where the read shows nothing to do.
  - Reads only; never changes anything.
author:
  - ShopPulse platform team (@shoppulse)
options:
  name:
    description: The schedule's name.
    type: str
    required: true
  group_name:
    description: The schedule group it belongs to.
    type: str
    default: default
  role_name:
    description: An IAM role to read beside the schedule; none to read no role.
    type: str
  policy_name:
    description: The name of that role's inline policy to read with it.
    type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the stop schedule and its role
  shoppulse.analytics.scheduler_schedule_info:
    name: shoppulse-analytics-dev-stop-database
    role_name: shoppulse-analytics-dev-stop-schedule
  register: found

- name: Delete the schedule only where it exists
  shoppulse.analytics.scheduler_schedule:
    name: shoppulse-analytics-dev-stop-database
    state: absent
  when: found.schedule | length > 0
"""

RETURN = r"""
schedule:
  description: The schedule as M(shoppulse.analytics.scheduler_schedule) returns C(schedule); empty when it does not exist.
  returned: always
  type: dict
  sample: {"arn": "arn:aws:scheduler:us-east-1:123456789012:schedule/default/shoppulse-analytics-dev-stop-database",
           "name": "shoppulse-analytics-dev-stop-database", "group_name": "default", "schedule_expression": "cron(0 20 * * ? *)",
           "schedule_expression_timezone": "UTC", "description": "", "state": "ENABLED", "flexible_time_window": {"mode": "OFF"},
           "target": {"arn": "arn:aws:scheduler:::aws-sdk:rds:stopDBInstance"}}
role:
  description: The role O(role_name) as M(shoppulse.analytics.role_and_log_groups_info) returns C(role), empty when it
    does not exist.
  returned: when O(role_name) is given
  type: dict
  sample: {"arn": "arn:aws:iam::123456789012:role/shoppulse-analytics-dev-stop-schedule", "role_name": "shoppulse-analytics-dev-stop-schedule",
           "description": "", "assume_role_policy_document": {}, "tags": {}, "policy_document": null}
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.shoppulse.analytics.plugins.module_utils.scheduler import get_schedule
from ansible_collections.shoppulse.analytics.plugins.module_utils.scheduler import normalise
from ansible_collections.shoppulse.analytics.plugins.module_utils.service_resources import read_beside

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


ARGUMENT_SPEC = dict(name=dict(type="str", required=True), group_name=dict(type="str", default="default"),
                     role_name=dict(type="str"), policy_name=dict(type="str"))
OPTIONS = dict(required_by={"policy_name": "role_name"})


def run(module) -> None:
    """Read and end the module (its action plugin runs this in the task's worker on the controller)."""
    params = module.params
    client = module.client("scheduler", retry_decorator=AWSRetry.jittered_backoff())
    try:
        result = {"schedule": normalise(get_schedule(client, params["name"], params["group_name"])),
                  **read_beside(module, params["role_name"], params["policy_name"])}
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError, AnsibleAWSError) as e:
        module.fail_json_aws(e, msg=f"name: could not read schedule {params['name']} of group {params['group_name']} or role {params['role_name']}")
    module.exit_json(changed=False, **result)


def main():
    run(AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **OPTIONS))


if __name__ == "__main__":
    main()
