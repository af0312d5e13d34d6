#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: cloudwatch_dashboard
version_added: 0.2.0
short_description: Create, update and delete a CloudWatch dashboard
description:
  - Manages one CloudWatch dashboard by its name with C(PutDashboard), C(GetDashboard) and C(DeleteDashboards).
  - The body is compared after normalising its JSON (key order and white space do not count), so a dashboard whose body
    is equal to O(body) is left alone and reported unchanged.
  - With O(state=present), a body AWS answers with validation messages is created anyway by AWS; the module fails
    naming them, so that a broken widget does not pass silently.
author:
  - ShopPulse platform team (@shoppulse)
options:
  name:
    description:
      - The dashboard's name, up to 255 letters, digits, C(-) and C(_).
    type: str
    required: true
  state:
    description: Whether the dashboard should exist (V(present)) or not (V(absent)).
    type: str
    choices: [present, absent]
    default: present
  body:
    description:
      - The dashboard body, a dict with C(widgets) (and optionally C(start), C(end), C(periodOverride)), or its JSON text.
      - Required with O(state=present).
      - See the CloudWatch API reference, "Dashboard Body Structure and Syntax".
    type: raw
notes:
  - Supports check mode and diff mode; the diff shows the normalised bodies.
  - Needs C(cloudwatch:GetDashboard), C(cloudwatch:PutDashboard) and C(cloudwatch:DeleteDashboards) on the dashboard.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Create the environment's dashboard with one graph
  shoppulse.analytics.cloudwatch_dashboard:
    name: shoppulse-analytics
    body:
      widgets:
        - type: metric
          x: 0
          y: 0
          width: 12
          height: 6
          properties:
            title: CPUUtilization
            region: eu-west-1
            metrics:
              - [AWS/RDS, CPUUtilization, DBInstanceIdentifier, shoppulse-analytics]

- name: Delete the dashboard
  shoppulse.analytics.cloudwatch_dashboard:
    name: shoppulse-analytics
    state: absent
"""

RETURN = r"""
dashboard:
  description: The dashboard after the task; empty when it does not exist.
  returned: always
  type: dict
  contains:
    name:
      description: The dashboard's name.
      type: str
      sample: shoppulse-analytics
    arn:
      description: The dashboard's ARN.
      type: str
      sample: arn:aws:cloudwatch::123456789012:dashboard/shoppulse-analytics
    body:
      description: The dashboard body (parsed).
      type: dict
      sample: {"widgets": []}
validation_messages:
  description: What C(PutDashboard) reported about the body (empty when AWS accepted it as it is).
  returned: when the dashboard was written
  type: list
  elements: dict
  sample: []
"""

import json
import re

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.shoppulse.analytics.plugins.module_utils.monitoring_state import dashboard_normalise
from ansible_collections.shoppulse.analytics.plugins.module_utils.monitoring_state import dashboard_unchanged
from ansible_collections.shoppulse.analytics.plugins.module_utils.monitoring_state import read_dashboard

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

# PutDashboard: DashboardName, up to 255 of A-Z, a-z, 0-9, "-" and "_".
NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")


def aws_errors():
    return (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError)


def read(module, client, name):
    try:
        return read_dashboard(client, name)
    except aws_errors() as e:
        module.fail_json_aws(e, msg=f"Could not read dashboard {name}")


def present(module, client, current):
    name = module.params["name"]
    body = dashboard_normalise(module.params["body"])
    if dashboard_unchanged(current, body):
        module.exit_json(changed=False, dashboard=current)
    diff = {"before": json.dumps(current["body"], indent=2, sort_keys=True) + "\n" if current else "",
            "after": json.dumps(body, indent=2, sort_keys=True) + "\n"}
    if module.check_mode:
        module.exit_json(changed=True, dashboard=current or {"name": name, "body": body}, diff=diff)
    try:
        answer = client.put_dashboard(aws_retry=True, DashboardName=name, DashboardBody=json.dumps(body, sort_keys=True))
    except aws_errors() as e:
        module.fail_json_aws(e, msg=f"Could not write dashboard {name}")
    messages = answer.get("DashboardValidationMessages", [])
    if messages:
        found = "; ".join(f"{m.get('DataPath', '')}: {m.get('Message', '')}" for m in messages)
        module.fail_json(msg=f"Dashboard {name}: CloudWatch reported problems in the body: {found}", changed=True,
                         validation_messages=messages)
    module.exit_json(changed=True, dashboard=read(module, client, name), validation_messages=messages, diff=diff)


def absent(module, client, current):
    if current is None:
        module.exit_json(changed=False, dashboard={})
    if not module.check_mode:
        try:
            client.delete_dashboards(aws_retry=True, DashboardNames=[module.params["name"]])
        except is_boto3_error_code("ResourceNotFound"):
            pass  # deleted meanwhile
        except aws_errors() as e:  # pylint: disable=duplicate-except
            module.fail_json_aws(e, msg=f"Could not delete dashboard {module.params['name']}")
    module.exit_json(changed=True, dashboard={},
                     diff={"before": json.dumps(current["body"], indent=2, sort_keys=True) + "\n", "after": ""})


def validate(module):
    params = module.params
    errors = []
    if not NAME.match(params["name"]):
        errors.append(f"name: {params['name']!r} must be 1-255 letters, digits, - or _")
    if params["state"] == "present":
        if params["body"] is None:
            errors.append("body: required with state=present")
        elif dashboard_normalise(params["body"]) is None:
            errors.append("body: must be a JSON object (a dict, or its JSON text)")
        elif not isinstance(dashboard_normalise(params["body"]).get("widgets"), list):
            errors.append("body: must have a list of widgets")
    if errors:
        module.fail_json(msg="; ".join(errors))


ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    body=dict(type="raw"),
)
OPTIONS: dict = {}


def run(module) -> None:
    """The module's work on its validated options; ``module`` is an AnsibleAWSModule or the in-process stand-in."""
    validate(module)
    client = module.client("cloudwatch", retry_decorator=AWSRetry.jittered_backoff())
    current = read(module, client, module.params["name"])
    if module.params["state"] == "present":
        present(module, client, current)
    else:
        absent(module, client, current)


def main():
    run(AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **OPTIONS))


if __name__ == "__main__":
    main()
