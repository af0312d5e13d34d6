#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: cloudwatch_metric_alarms
version_added: 0.3.0
short_description: Make the CloudWatch metric alarms under a name prefix exactly the declared ones, in one call
description:
  - Reads every metric alarm whose name starts with O(prefix) (C(DescribeAlarms), all pages), writes with
    C(PutMetricAlarm) each declared alarm that is missing or differs in a field this module sets, and deletes with
    C(DeleteAlarms) (up to 100 names a call) those under the prefix that are not declared.
  - Only the fields the module sets are compared, as CloudWatch returns them (dimensions in any order, the threshold
    as a number, an alarm without C(TreatMissingData) as V(missing)); the alarm's state and timestamps are not.
  - An empty O(alarms) deletes every metric alarm under the prefix; composite alarms are never read or deleted.
author:
  - ShopPulse platform team (@shoppulse)
options:
  prefix:
    description:
      - The start of every alarm's name this module owns; what is under it and not declared is deleted.
      - Every declared alarm's name must start with it.
    type: str
    required: true
  alarms:
    description: The alarms to have, as M(amazon.aws.cloudwatch_metric_alarm) takes them.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: The alarm's name.
        type: str
        required: true
      metric_name:
        description: The metric watched.
        type: str
        required: true
      namespace:
        description: The metric's namespace, for example V(AWS/RDS).
        type: str
        required: true
      dimensions:
        description: The metric's dimensions, name to value.
        type: dict
        default: {}
      statistic:
        description: The statistic compared with the threshold; exactly one of O(alarms[].statistic) and O(alarms[].extended_statistic).
        type: str
        choices: [SampleCount, Average, Sum, Minimum, Maximum]
      extended_statistic:
        description: A percentile statistic, for example V(p90).
        type: str
      comparison:
        description: How the statistic is compared with the threshold.
        type: str
        required: true
        choices: [GreaterThanOrEqualToThreshold, GreaterThanThreshold, LessThanThreshold, LessThanOrEqualToThreshold]
      threshold:
        description: The threshold.
        type: float
        required: true
      unit:
        description: The metric's unit; none to match any.
        type: str
      period:
        description: The statistic's period in seconds.
        type: int
        required: true
      evaluation_periods:
        description: How many periods are evaluated.
        type: int
        required: true
      datapoints_to_alarm:
        description: How many of the evaluated periods must breach; none for all of them.
        type: int
      description:
        description: The alarm's description.
        type: str
      treat_missing_data:
        description: How periods without data count.
        type: str
        choices: [breaching, notBreaching, ignore, missing]
        default: missing
  alarm_actions:
    description: The actions (ARNs, for example an SNS topic's) of every alarm on going to C(ALARM).
    type: list
    elements: str
    default: []
  ok_actions:
    description: The actions of every alarm on going back to C(OK).
    type: list
    elements: str
    default: []
notes:
  - Supports check mode (nothing is written; the result says what would change) and diff mode (per alarm, the fields
    that change, before and after; a whole alarm when it is created or deleted).
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Ensure the instance's alarms, and only them, exist with the topic as their action
  shoppulse.analytics.cloudwatch_metric_alarms:
    prefix: shoppulse-analytics-rds-
    alarms:
      - name: shoppulse-analytics-rds-cpu
        metric_name: CPUUtilization
        namespace: AWS/RDS
        dimensions: {DBInstanceIdentifier: shoppulse-analytics}
        statistic: Average
        comparison: GreaterThanThreshold
        threshold: 80
        unit: Percent
        period: 60
        evaluation_periods: 5
        datapoints_to_alarm: 5
        description: "RDS shoppulse-analytics: CPU above 80 %"
        treat_missing_data: notBreaching
    alarm_actions: [arn:aws:sns:eu-west-1:123456789012:shoppulse-analytics-alarms]
    ok_actions: [arn:aws:sns:eu-west-1:123456789012:shoppulse-analytics-alarms]

- name: Delete every alarm under the prefix
  shoppulse.analytics.cloudwatch_metric_alarms:
    prefix: shoppulse-analytics-rds-
    alarms: []
"""

RETURN = r"""
created:
  description: The alarms written because they did not exist (that would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: [shoppulse-analytics-rds-cpu]
updated:
  description: The alarms written again because a field differed.
  returned: always
  type: list
  elements: str
  sample: [shoppulse-analytics-rds-connections]
deleted:
  description: The alarms under the prefix deleted because they are not declared.
  returned: always
  type: list
  elements: str
  sample: [shoppulse-analytics-rds-cpu-credit-balance]
unchanged:
  description: The declared alarms that already were as declared.
  returned: always
  type: list
  elements: str
  sample: [shoppulse-analytics-rds-free-storage]
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.shoppulse.analytics.plugins.module_utils.monitoring_state import ALARM_FIELDS
from ansible_collections.shoppulse.analytics.plugins.module_utils.monitoring_state import alarm_declared
from ansible_collections.shoppulse.analytics.plugins.module_utils.monitoring_state import alarm_plan
from ansible_collections.shoppulse.analytics.plugins.module_utils.monitoring_state import alarms_change
from ansible_collections.shoppulse.analytics.plugins.module_utils.monitoring_state import read_alarms
from ansible_collections.shoppulse.analytics.plugins.module_utils.monitoring_state import set_fields

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

# DeleteAlarms takes up to 100 names a call.
DELETE_BATCH = 100
STATISTICS = ["SampleCount", "Average", "Sum", "Minimum", "Maximum"]
COMPARISONS = ["GreaterThanOrEqualToThreshold", "GreaterThanThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"]


def aws_errors():
    return (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError)


def read(module, client, prefix):
    """Alarm name -> its compared fields, for every metric alarm under the prefix."""
    try:
        return read_alarms(client, prefix)
    except aws_errors() as e:
        module.fail_json_aws(e, msg=f"Could not read the alarms under {prefix}")


def put_request(name, fields):
    request = {ALARM_FIELDS[option]: value for option, value in set_fields(fields).items()}
    request["AlarmName"] = name
    request["Dimensions"] = [{"Name": key, "Value": value} for key, value in sorted(fields["dimensions"].items())]
    return request


def apply(module, client, result, wanted):
    for name in result["created"] + result["updated"]:
        try:
            client.put_metric_alarm(aws_retry=True, **put_request(name, wanted[name]))
        except aws_errors() as e:
            module.fail_json_aws(e, msg=f"Could not write alarm {name}")
    deleted = result["deleted"]
    for start in range(0, len(deleted), DELETE_BATCH):
        try:
            client.delete_alarms(aws_retry=True, AlarmNames=deleted[start:start + DELETE_BATCH])
        except aws_errors() as e:
            module.fail_json_aws(e, msg=f"Could not delete alarms {', '.join(deleted[start:start + DELETE_BATCH])}")


def validate(module):
    """Every problem with the declared alarms, in one message, before anything is read or written."""
    params = module.params
    errors = []
    if not params["prefix"]:
        errors.append("prefix: must not be empty (every alarm of the account would be under it)")
    names = [alarm["name"] for alarm in params["alarms"]]
    for index, alarm in enumerate(params["alarms"]):
        where = f"alarms[{index}] ({alarm['name']})"
        if params["prefix"] and not alarm["name"].startswith(params["prefix"]):
            errors.append(f"{where}.name: must start with the prefix {params['prefix']!r}")
        if names.count(alarm["name"]) > 1 and names.index(alarm["name"]) == index:
            errors.append(f"{where}.name: declared {names.count(alarm['name'])} times")
        if bool(alarm["statistic"]) == bool(alarm["extended_statistic"]):
            errors.append(f"{where}: exactly one of statistic and extended_statistic")
    if errors:
        module.fail_json(msg="; ".join(errors))


ALARM_SPEC = dict(
    name=dict(type="str", required=True),
    metric_name=dict(type="str", required=True),
    namespace=dict(type="str", required=True),
    dimensions=dict(type="dict", default={}),
    statistic=dict(type="str", choices=STATISTICS),
    extended_statistic=dict(type="str"),
    comparison=dict(type="str", required=True, choices=COMPARISONS),
    threshold=dict(type="float", required=True),
    unit=dict(type="str"),
    period=dict(type="int", required=True),
    evaluation_periods=dict(type="int", required=True),
    datapoints_to_alarm=dict(type="int"),
    description=dict(type="str"),
    treat_missing_data=dict(type="str", choices=["breaching", "notBreaching", "ignore", "missing"], default="missing"),
)
ARGUMENT_SPEC = dict(
    prefix=dict(type="str", required=True),
    alarms=dict(type="list", elements="dict", default=[], options=ALARM_SPEC),
    alarm_actions=dict(type="list", elements="str", default=[]),
    ok_actions=dict(type="list", elements="str", default=[]),
)
OPTIONS: dict = {}


def run(module) -> None:
    """The module's work on its validated options; ``module`` is an AnsibleAWSModule or the in-process stand-in."""
    validate(module)
    client = module.client("cloudwatch", retry_decorator=AWSRetry.jittered_backoff())
    params = module.params
    wanted = {alarm["name"]: alarm_declared(alarm, params["alarm_actions"], params["ok_actions"]) for alarm in params["alarms"]}
    result, diff = alarm_plan(read(module, client, params["prefix"]), wanted)
    changed = alarms_change(result)
    if changed and not module.check_mode:
        apply(module, client, result, wanted)
    module.exit_json(changed=changed, diff=diff, **result)


def main():
    run(AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **OPTIONS))


if __name__ == "__main__":
    main()
