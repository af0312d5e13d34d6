#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: rds_event_subscription
version_added: 0.2.0
short_description: Create, update and delete an RDS event notification subscription
description:
  - Manages one RDS event subscription by its name (C(CreateEventSubscription), C(DescribeEventSubscriptions),
    C(DeleteEventSubscription)), that is the events of one source type, for some sources and categories, sent to an
    SNS topic.
  - A subscription that differs from the declared one (topic, source type, sources, categories or enabled) is
    replaced (deleted and created again), which every RDS API implementation supports; events raised between the two
    calls are not sent.
author:
  - ShopPulse platform team (@shoppulse)
options:
  name:
    description: The subscription's name (letters, digits and hyphens, up to 255).
    type: str
    required: true
  state:
    description: Whether the subscription should exist.
    type: str
    choices: [present, absent]
    default: present
  sns_topic_arn:
    description: The SNS topic the events go to. Required with O(state=present).
    type: str
  source_type:
    description: The kind of source whose events are sent, for example V(db-instance) or V(db-proxy).
    type: str
    choices: [db-instance, db-cluster, db-parameter-group, db-security-group, db-snapshot, db-cluster-snapshot, db-proxy]
  source_ids:
    description: The sources (instance identifiers, proxy names, ...) whose events are sent; empty for all of that type.
    type: list
    elements: str
    default: []
  event_categories:
    description:
      - The categories sent (for example V(failure), V(low storage)); empty for all.
      - See the RDS user guide, "Amazon RDS event categories and event messages", for those of each source type.
    type: list
    elements: str
    default: []
  enabled:
    description: Whether events are sent.
    type: bool
    default: true
notes:
  - Supports check mode and diff mode.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Send the instance's failures, failovers and low-storage events to the alarm topic
  shoppulse.analytics.rds_event_subscription:
    name: shoppulse-analytics-instance
    sns_topic_arn: arn:aws:sns:eu-west-1:123456789012:shoppulse-analytics-alarms
    source_type: db-instance
    source_ids: [shoppulse-analytics]
    event_categories: [failure, failover, low storage]

- name: Delete the subscription
  shoppulse.analytics.rds_event_subscription:
    name: shoppulse-analytics-instance
    state: absent
"""

RETURN = r"""
subscription:
  description: The subscription after the task; empty when it does not exist.
  returned: always
  type: dict
  contains:
    name:
      description: Its name.
      type: str
      sample: shoppulse-analytics-instance
    arn:
      description: Its ARN (empty in check mode before it exists).
      type: str
      sample: arn:aws:rds:eu-west-1:123456789012:es:shoppulse-analytics-instance
    sns_topic_arn:
      description: The topic it sends to.
      type: str
      sample: arn:aws:sns:eu-west-1:123456789012:shoppulse-analytics-alarms
    source_type:
      description: The source type.
      type: str
      sample: db-instance
    source_ids:
      description: The sources, sorted.
      type: list
      elements: str
      sample: [shoppulse-analytics]
    event_categories:
      description: The categories, sorted.
      type: list
      elements: str
      sample: [failover, failure, low storage]
    enabled:
      description: Whether events are sent.
      type: bool
      sample: true
    status:
      description: Its status as RDS reports it.
      type: str
      sample: active
"""

import re

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.shoppulse.analytics.plugins.module_utils.monitoring_state import SUBSCRIPTION_COMPARED
from ansible_collections.shoppulse.analytics.plugins.module_utils.monitoring_state import read_subscription
from ansible_collections.shoppulse.analytics.plugins.module_utils.monitoring_state import subscription_declared
from ansible_collections.shoppulse.analytics.plugins.module_utils.monitoring_state import subscription_shape
from ansible_collections.shoppulse.analytics.plugins.module_utils.monitoring_state import subscription_unchanged

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

NAME = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,254}$")


def aws_errors():
    return (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError)


def read(module, client, name):
    try:
        return read_subscription(client, name)
    except aws_errors() as e:
        module.fail_json_aws(e, msg=f"Could not read event subscription {name}")


def delete(module, client, name):
    try:
        client.delete_event_subscription(aws_retry=True, SubscriptionName=name)
    except is_boto3_error_code("SubscriptionNotFound"):
        pass  # deleted meanwhile
    except aws_errors() as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not delete event subscription {name}")


def present(module, client, current):
    wanted = subscription_declared(module.params)
    if subscription_unchanged(current, wanted):
        module.exit_json(changed=False, subscription=current)
    diff = {"before": {key: current[key] for key in SUBSCRIPTION_COMPARED} if current else {}, "after": {key: wanted[key] for key in SUBSCRIPTION_COMPARED}}
    if module.check_mode:
        module.exit_json(changed=True, subscription={**wanted, "arn": (current or {}).get("arn", ""), "status": ""}, diff=diff)
    if current is not None:
        delete(module, client, wanted["name"])
    request = {"SubscriptionName": wanted["name"], "SnsTopicArn": wanted["sns_topic_arn"], "SourceType": wanted["source_type"],
               "Enabled": wanted["enabled"]}
    if wanted["source_ids"]:
        request["SourceIds"] = wanted["source_ids"]
    if wanted["event_categories"]:
        request["EventCategories"] = wanted["event_categories"]
    try:
        created = client.create_event_subscription(aws_retry=True, **request)["EventSubscription"]
    except aws_errors() as e:
        module.fail_json_aws(e, msg=f"Could not create event subscription {wanted['name']}")
    module.exit_json(changed=True, subscription=subscription_shape(created), diff=diff)


def validate(module):
    params = module.params
    errors = []
    if not NAME.match(params["name"]) or "--" in params["name"] or params["name"].endswith("-"):
        errors.append(f"name: {params['name']!r} must be letters, digits and single hyphens, starting with a letter")
    if params["state"] == "present":
        for option in ("sns_topic_arn", "source_type"):
            if not params[option]:
                errors.append(f"{option}: required with state=present")
    if errors:
        module.fail_json(msg="; ".join(errors))


ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    sns_topic_arn=dict(type="str"),
    source_type=dict(type="str", choices=["db-instance", "db-cluster", "db-parameter-group", "db-security-group", "db-snapshot",
                                          "db-cluster-snapshot", "db-proxy"]),
    source_ids=dict(type="list", elements="str", default=[]),
    event_categories=dict(type="list", elements="str", default=[]),
    enabled=dict(type="bool", default=True),
)
OPTIONS: dict = {}


def run(module) -> None:
    """The module's work on its validated options; ``module`` is an AnsibleAWSModule or the in-process stand-in."""
    validate(module)
    client = module.client("rds", retry_decorator=AWSRetry.jittered_backoff())
    current = read(module, client, module.params["name"])
    if module.params["state"] == "present":
        present(module, client, current)
    elif current is None:
        module.exit_json(changed=False, subscription={})
    else:
        if not module.check_mode:
            delete(module, client, current["name"])
        module.exit_json(changed=True, subscription={}, diff={"before": {key: current[key] for key in SUBSCRIPTION_COMPARED}, "after": {}})


def main():
    run(AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **OPTIONS))


if __name__ == "__main__":
    main()
