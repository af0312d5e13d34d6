#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: scheduler_schedule
version_added: 0.1.0
short_description: Manage an Amazon EventBridge Scheduler schedule
description:
  - Creates, updates and deletes a schedule of EventBridge Scheduler, which calls its target (a templated target or a
    universal C(aws-sdk) target, such as C(arn:aws:scheduler:::aws-sdk:rds:stopDBInstance)) on a cron, rate or one-time
    expression, assuming the target's IAM role.
  - The schedule is compared with the one that exists setting by setting; a difference is applied with one
    C(UpdateSchedule), which replaces every setting (the module always sends them all).
  - EventBridge Scheduler tags schedule groups only, not schedules.
author:
  - ShopPulse platform team (@shoppulse)
options:
  name:
    description: The schedule's name, 1 to 64 letters, digits, C(.), C(-) or C(_).
    type: str
    required: true
  group_name:
    description: The schedule group the schedule belongs to; it must exist.
    type: str
    default: default
  state:
    description: Whether the schedule should exist.
    type: str
    choices: [present, absent]
    default: present
  schedule_expression:
    description:
      - When the schedule runs, C(cron(minutes hours day-of-month month day-of-week year)), C(rate(value unit)) or
        C(at(yyyy-mm-ddThh:mm:ss)). Required when O(state=present).
    type: str
  schedule_expression_timezone:
    description: The time zone (IANA name) in which a cron or one-time expression is read.
    type: str
    default: UTC
  description:
    description: What the schedule is for.
    type: str
    default: ""
  enabled:
    description: Whether the schedule runs (C(State) C(ENABLED)) or is kept without running (C(DISABLED)).
    type: bool
    default: true
  flexible_time_window_minutes:
    description: A window in minutes within which the target may be called after the scheduled time; exactly on time when omitted.
    type: int
  target:
    description: What the schedule calls. Required when O(state=present).
    type: dict
    suboptions:
      arn:
        description: The target's ARN; a universal target is C(arn:aws:scheduler:::aws-sdk:<service>:<apiAction>).
        type: str
        required: true
      role_arn:
        description: The IAM role EventBridge Scheduler assumes to call the target.
        type: str
        required: true
      input:
        description: The input the target receives; a dict or list is sent as JSON text. For a universal target, the API action's request as JSON.
        type: raw
      retry_policy:
        description: How long and how often a failed call is retried; the service's defaults (86400 seconds, 185 attempts) when omitted.
        type: dict
        suboptions:
          maximum_event_age_in_seconds:
            description: Seconds, 60 to 86400, during which a failed call is retried.
            type: int
            default: 86400
          maximum_retry_attempts:
            description: Retries, 0 to 185.
            type: int
            default: 185
notes:
  - Check mode and diff mode are supported.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Ensure the development database is stopped every evening
  shoppulse.analytics.scheduler_schedule:
    name: shoppulse-analytics-dev-stop-database
    description: Stops database instance shoppulse-analytics-dev-db
    schedule_expression: cron(0 20 * * ? *)
    schedule_expression_timezone: Europe/Berlin
    target:
      arn: arn:aws:scheduler:::aws-sdk:rds:stopDBInstance
      role_arn: arn:aws:iam::123456789012:role/shoppulse-analytics-dev-stop-schedule
      input:
        DbInstanceIdentifier: shoppulse-analytics-dev-db
      retry_policy:
        maximum_event_age_in_seconds: 3600
        maximum_retry_attempts: 3

- name: Remove the schedule
  shoppulse.analytics.scheduler_schedule:
    name: shoppulse-analytics-dev-stop-database
    state: absent
"""

RETURN = r"""
schedule:
  description: The schedule after the task (predicted in check mode); empty when absent.
  returned: always
  type: dict
  contains:
    arn:
      description: The schedule's ARN (null when check mode predicts a new schedule).
      type: str
      sample: arn:aws:scheduler:us-east-1:123456789012:schedule/default/shoppulse-analytics-dev-stop-database
    name:
      description: The schedule's name.
      type: str
      sample: shoppulse-analytics-dev-stop-database
    group_name:
      description: Its schedule group.
      type: str
      sample: default
    schedule_expression:
      description: When it runs.
      type: str
      sample: cron(0 20 * * ? *)
    schedule_expression_timezone:
      description: The time zone of the expression.
      type: str
      sample: Europe/Berlin
    description:
      description: What it is for.
      type: str
      sample: Stops database instance shoppulse-analytics-dev-db
    state:
      description: C(ENABLED) or C(DISABLED).
      type: str
      sample: ENABLED
    flexible_time_window:
      description: C(mode) C(OFF), or C(FLEXIBLE) with C(maximum_window_in_minutes).
      type: dict
      sample: {"mode": "OFF"}
    target:
      description: The target, its role, input and retry policy.
      type: dict
      sample:
        arn: arn:aws:scheduler:::aws-sdk:rds:stopDBInstance
        role_arn: arn:aws:iam::123456789012:role/shoppulse-analytics-dev-stop-schedule
        input: '{"DbInstanceIdentifier": "shoppulse-analytics-dev-db"}'
        retry_policy: {"maximum_event_age_in_seconds": 3600, "maximum_retry_attempts": 3}
changes:
  description: The settings the task changed (or would change, in check mode), C(created) or C(deleted).
  returned: always
  type: list
  elements: str
  sample: ["schedule_expression", "target"]
"""

import json
import re

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.shoppulse.analytics.plugins.module_utils.scheduler import get_schedule
from ansible_collections.shoppulse.analytics.plugins.module_utils.scheduler import normalise

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

NAME = re.compile(r"^[0-9a-zA-Z._-]{1,64}$")
EXPRESSION = re.compile(r"^(cron|rate|at)\(.+\)$")
# The settings compared and sent: module option -> the API's key (the target is compared whole).
SETTINGS = {"schedule_expression": "ScheduleExpression", "schedule_expression_timezone": "ScheduleExpressionTimezone",
            "description": "Description", "enabled": "State", "flexible_time_window_minutes": "FlexibleTimeWindow",
            "target": "Target"}
# What the service fills in for what a request leaves out (GetSchedule reference).
SERVICE_RETRY_POLICY = {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185}


def aws_errors():
    return (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError)


def wanted_schedule(params):
    """The schedule as GetSchedule would describe it once the module has applied its options."""
    target = params["target"]
    retry = target.get("retry_policy")
    window = params["flexible_time_window_minutes"]
    wanted = {
        "Name": params["name"],
        "GroupName": params["group_name"],
        "ScheduleExpression": params["schedule_expression"],
        "ScheduleExpressionTimezone": params["schedule_expression_timezone"],
        "Description": params["description"],
        "State": "ENABLED" if params["enabled"] else "DISABLED",
        "FlexibleTimeWindow": {"Mode": "OFF"} if window is None else {"Mode": "FLEXIBLE", "MaximumWindowInMinutes": window},
        "Target": {
            "Arn": target["arn"],
            "RoleArn": target["role_arn"],
            "RetryPolicy": ({"MaximumEventAgeInSeconds": retry["maximum_event_age_in_seconds"],
                             "MaximumRetryAttempts": retry["maximum_retry_attempts"]} if retry else dict(SERVICE_RETRY_POLICY)),
        },
    }
    if target.get("input") is not None:
        value = target["input"]
        wanted["Target"]["Input"] = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return wanted


def comparable(schedule):
    """The settings of a schedule without what the service adds on every write, and the target's input read as JSON."""
    settings = {key: schedule.get(key) for key in SETTINGS.values()}
    settings["Description"] = settings["Description"] or ""
    settings["ScheduleExpressionTimezone"] = settings["ScheduleExpressionTimezone"] or "UTC"
    target = {key: value for key, value in (settings["Target"] or {}).items() if value is not None}
    target.setdefault("RetryPolicy", dict(SERVICE_RETRY_POLICY))
    if "Input" in target:
        try:
            target["Input"] = json.loads(target["Input"])
        except ValueError:
            pass  # text that is not JSON compares as text
    settings["Target"] = target
    return settings


def differences(current, wanted):
    have, want = comparable(current), comparable(wanted)
    return [option for option, key in SETTINGS.items() if have[key] != want[key]]


def read(client, module):
    params = module.params
    try:
        return get_schedule(client, params["name"], params["group_name"])
    except aws_errors() as e:
        module.fail_json_aws(e, msg=f"Could not read schedule {params['name']} of group {params['group_name']}")


def request(wanted):
    """CreateSchedule's and UpdateSchedule's arguments: every setting, so that an update leaves nothing at its default."""
    return {key: value for key, value in wanted.items() if key in ("Name", "GroupName", *SETTINGS.values())}


def exit_with(module, changes, before, after):
    module.exit_json(changed=bool(changes), changes=changes, schedule=normalise(after),
                     diff={"before": normalise(before), "after": normalise(after)})


def ensure_present(client, module, existing):
    params = module.params
    wanted = wanted_schedule(params)
    if existing is None:
        changes, call, verb = ["created"], client.create_schedule, "create"
    else:
        changes, call, verb = differences(existing, wanted), client.update_schedule, "update"
        wanted["Arn"] = existing.get("Arn")
    if not changes:
        exit_with(module, [], existing, existing)
    if module.check_mode:
        exit_with(module, changes, existing, {"Arn": None, **wanted})
    try:
        call(aws_retry=True, **request(wanted))
    except aws_errors() as e:
        module.fail_json_aws(e, msg=f"Could not {verb} schedule {params['name']} of group {params['group_name']} ({', '.join(changes)})")
    exit_with(module, changes, existing, read(client, module))


def ensure_absent(client, module, existing):
    params = module.params
    if existing is None:
        module.exit_json(changed=False, changes=[], schedule={}, diff={"before": {}, "after": {}})
    if not module.check_mode:
        try:
            client.delete_schedule(aws_retry=True, Name=params["name"], GroupName=params["group_name"])
        except is_boto3_error_code("ResourceNotFoundException"):
            pass  # deleted meanwhile: what was asked for
        except aws_errors() as e:  # pylint: disable=duplicate-except
            module.fail_json_aws(e, msg=f"Could not delete schedule {params['name']} of group {params['group_name']}")
    exit_with(module, ["deleted"], existing, {})


def option_errors(params):
    """One line per bad option, before any call."""
    errors = []
    if not NAME.match(params["name"]):
        errors.append(f"name: {params['name']!r} must be 1 to 64 letters, digits, '.', '-' or '_'")
    if params["state"] == "absent":
        return errors
    errors += [f"{option}: required when state is present" for option in ("schedule_expression", "target") if not params[option]]
    expression = params["schedule_expression"]
    if expression is not None and not EXPRESSION.match(expression):
        errors.append(f"schedule_expression: {expression!r} is not cron(...), rate(...) or at(...)")
    window = params["flexible_time_window_minutes"]
    if window is not None and not 1 <= window <= 1440:
        errors.append(f"flexible_time_window_minutes: {window} is not between 1 and 1440")
    retry = (params["target"] or {}).get("retry_policy")
    if retry and not 60 <= retry["maximum_event_age_in_seconds"] <= 86400:
        errors.append(f"target.retry_policy.maximum_event_age_in_seconds: {retry['maximum_event_age_in_seconds']} is not between 60 and 86400")
    if retry and not 0 <= retry["maximum_retry_attempts"] <= 185:
        errors.append(f"target.retry_policy.maximum_retry_attempts: {retry['maximum_retry_attempts']} is not between 0 and 185")
    return errors


ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    group_name=dict(type="str", default="default"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    schedule_expression=dict(type="str"),
    schedule_expression_timezone=dict(type="str", default="UTC"),
    description=dict(type="str", default=""),
    enabled=dict(type="bool", default=True),
    flexible_time_window_minutes=dict(type="int"),
    target=dict(type="dict", options=dict(
        arn=dict(type="str", required=True),
        role_arn=dict(type="str", required=True),
        input=dict(type="raw"),
        retry_policy=dict(type="dict", options=dict(
            maximum_event_age_in_seconds=dict(type="int", default=86400),
            maximum_retry_attempts=dict(type="int", default=185),
        )),
    )),
)
OPTIONS: dict = {}


def run(module) -> None:
    """The module's work on its validated options; ``module`` is an AnsibleAWSModule or the in-process stand-in."""
    errors = option_errors(module.params)
    if errors:
        module.fail_json(msg="; ".join(errors))

    client = module.client("scheduler", retry_decorator=AWSRetry.jittered_backoff())
    existing = read(client, module)
    if module.params["state"] == "present":
        ensure_present(client, module, existing)
    else:
        ensure_absent(client, module, existing)


def main():
    run(AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **OPTIONS))


if __name__ == "__main__":
    main()
