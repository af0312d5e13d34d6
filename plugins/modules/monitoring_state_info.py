#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: monitoring_state_info
version_added: 0.12.0
short_description: Read an environment's alarms, RDS event subscriptions, dashboard and alarm topic in one call
description:
  - Reads the metric alarms under a name prefix (C(DescribeAlarms), all pages), the named RDS event subscriptions
    (C(DescribeEventSubscriptions)) and the named dashboard (C(GetDashboard)), each in the form the module that
    ensures it compares - M(shoppulse.analytics.cloudwatch_metric_alarms),
    M(shoppulse.analytics.rds_event_subscription) and M(shoppulse.analytics.cloudwatch_dashboard) - and the named SNS
    topic as M(community.aws.sns_topic) reads it, so that a play can tell, from one module run, which of those four
    would change anything.
  - Reads only; never changes anything.
author:
  - ShopPulse platform team (@shoppulse)
options:
  alarm_prefix:
    description: Read the metric alarms whose names start with this; none when omitted.
    type: str
  event_subscriptions:
    description: The names of the RDS event subscriptions to read.
    type: list
    elements: str
    default: []
  dashboard:
    description: The name of the dashboard to read; none when omitted.
    type: str
  topic:
    description: The name of the SNS topic to read, as M(community.aws.sns_topic) reads it; none when omitted.
    type: str
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the monitoring layer of an environment
  shoppulse.analytics.monitoring_state_info:
    alarm_prefix: shoppulse-analytics-dev-
    event_subscriptions: [shoppulse-analytics-dev-instance-events, shoppulse-analytics-dev-proxy-events]
    dashboard: shoppulse-analytics-dev
    topic: shoppulse-analytics-dev-alarms
  register: monitoring
"""

RETURN = r"""
alarms:
  description: Alarm name -> its compared settings (C(metric_name), C(threshold), C(alarm_actions), ...), for every
    metric alarm under O(alarm_prefix).
  returned: always
  type: dict
  sample: {"shoppulse-analytics-dev-cpu": {"metric_name": "CPUUtilization", "threshold": 80.0, "period": 300}}
event_subscriptions:
  description: Subscription name -> the subscription (C(sns_topic_arn), C(source_type), C(source_ids),
    C(event_categories), C(enabled), C(status), C(arn)), or null where there is none of that name.
  returned: always
  type: dict
  sample: {"shoppulse-analytics-dev-instance-events": {"source_type": "db-instance", "enabled": true}}
dashboard:
  description: The dashboard (C(name), C(arn), C(body) as a dict), or null where there is none.
  returned: always
  type: dict
  sample: {"name": "shoppulse-analytics-dev", "body": {"widgets": []}}
topic:
  description: The topic (C(topic_arn), C(display_name), C(subscriptions) with their C(protocol), C(endpoint) and
    C(subscription_arn), C(tags)), or null where there is none of that name.
  returned: always
  type: dict
  sample: {"topic_arn": "arn:aws:sns:us-east-1:123456789012:shoppulse-analytics-dev-alarms", "display_name": "alarms",
           "subscriptions": [{"protocol": "email", "endpoint": "ops@example.com", "subscription_arn": "PendingConfirmation"}],
           "tags": {}}
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.community.aws.plugins.module_utils.sns import get_tags
from ansible_collections.community.aws.plugins.module_utils.sns import list_topic_subscriptions
from ansible_collections.community.aws.plugins.module_utils.sns import topic_arn_lookup

from ansible_collections.shoppulse.analytics.plugins.module_utils.monitoring_state import read_alarms
from ansible_collections.shoppulse.analytics.plugins.module_utils.monitoring_state import read_dashboard
from ansible_collections.shoppulse.analytics.plugins.module_utils.monitoring_state import read_subscription

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def read_topic(client, module, name: str) -> dict | None:
    """The account's topic of that name as community.aws.sns_topic reads it (with that module's own SNS helpers): its
    ARN, display name, subscriptions (protocol, endpoint, ARN) and tags; None where there is none."""
    arn = topic_arn_lookup(client, module, name)
    if not arn:
        return None
    attributes = client.get_topic_attributes(aws_retry=True, TopicArn=arn)["Attributes"]
    subscriptions = [{"protocol": found["Protocol"], "endpoint": found["Endpoint"], "subscription_arn": found["SubscriptionArn"]}
                     for found in list_topic_subscriptions(client, module, arn)]
    return {"topic_arn": arn, "display_name": attributes.get("DisplayName"), "subscriptions": subscriptions,
            "tags": get_tags(client, module, arn)}


ARGUMENT_SPEC = dict(
    alarm_prefix=dict(type="str"),
    event_subscriptions=dict(type="list", elements="str", default=[]),
    dashboard=dict(type="str"),
    topic=dict(type="str"),
)
OPTIONS = {}


def run(module) -> None:
    """Read and end the module (its action plugin runs this in the task's worker on the controller)."""
    params = module.params
    retry = AWSRetry.jittered_backoff()
    found = {"alarms": {}, "event_subscriptions": {}, "dashboard": None, "topic": None}
    reading = "the alarms"
    try:
        cloudwatch = module.client("cloudwatch", retry_decorator=retry)
        if params["alarm_prefix"]:
            found["alarms"] = read_alarms(cloudwatch, params["alarm_prefix"])
        if params["event_subscriptions"]:
            reading = "the event subscriptions"
            rds = module.client("rds", retry_decorator=retry)
            found["event_subscriptions"] = {name: read_subscription(rds, name) for name in params["event_subscriptions"]}
        if params["dashboard"]:
            reading = "the dashboard"
            found["dashboard"] = read_dashboard(cloudwatch, params["dashboard"])
        if params["topic"]:
            reading = "the topic"
            found["topic"] = read_topic(module.client("sns", retry_decorator=retry), module, params["topic"])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Could not read {reading}")
    module.exit_json(changed=False, **found)


def main():
    run(AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **OPTIONS))


if __name__ == "__main__":
    main()
