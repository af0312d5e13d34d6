#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: lambda_function_info
version_added: 0.9.0
short_description: Read one Lambda function's configuration and tags, or learn that it does not exist
description:
  - One GetFunction call for the function named - its ARN, runtime, role, state, code digest and tags - and one
    GetPolicy call for the statements of its resource policy, where M(amazon.aws.lambda_info) lists every function
    of the account and reads each in turn.
  - A function that does not exist returns C(exists=false) and an empty RV(function).
  - Never the function's code location (a presigned URL) or its environment variables.
author:
  - ShopPulse platform team (@shoppulse)
options:
  name:
    description: The function's name or ARN.
    type: str
    required: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Find the rotation function
  shoppulse.analytics.lambda_function_info:
    name: shoppulse-analytics-secret-rotation
  register: rotation_function

- name: Rotate with it once it exists
  ansible.builtin.set_fact:
    secrets_rotation_lambda_arn: "{{ rotation_function.function.arn if rotation_function.exists else none }}"
"""

RETURN = r"""
exists:
  description: Whether the function exists.
  returned: always
  type: bool
function:
  description: The function, empty when it does not exist.
  returned: always
  type: dict
  contains:
    arn:
      description: The function's unqualified ARN.
      type: str
      sample: arn:aws:lambda:us-east-1:123456789012:function:shoppulse-analytics-secret-rotation
    name:
      description: The function's name.
      type: str
    runtime:
      description: Its runtime.
      type: str
      sample: python3.12
    role:
      description: The ARN of the role it runs as.
      type: str
    state:
      description: Its state (C(Pending), C(Active), C(Inactive), C(Failed)).
      type: str
    last_update_status:
      description: The status of its last update (C(InProgress), C(Successful), C(Failed)).
      type: str
    code_sha256:
      description: The base64 SHA-256 digest of its package.
      type: str
    tags:
      description: Its tags as a dict.
      type: dict
    policy:
      description: The statements of its resource policy (who may invoke it) as GetPolicy gives them; empty without one.
      type: list
      elements: dict
      sample: [{"Sid": "secretsmanager-rotation", "Effect": "Allow", "Principal": {"Service": "secretsmanager.amazonaws.com"},
                "Action": "lambda:InvokeFunction", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:rotate",
                "Condition": {"StringEquals": {"AWS:SourceAccount": "123456789012"}}}]
"""

import json

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def describe(client, name: str) -> dict | None:
    """The function as this module returns it, or None when it does not exist."""
    try:
        found = client.get_function(aws_retry=True, FunctionName=name)
    except is_boto3_error_code("ResourceNotFoundException"):
        return None
    config = found["Configuration"]
    # An unqualified ARN, whatever GetFunction answered with: the ARN a secret's rotation names.
    arn = ":".join(config["FunctionArn"].split(":")[:7])
    return {"arn": arn, "name": config["FunctionName"], "runtime": config.get("Runtime"), "role": config.get("Role"),
            "state": config.get("State"), "last_update_status": config.get("LastUpdateStatus"),
            "code_sha256": config.get("CodeSha256"), "tags": found.get("Tags", {}), "policy": policy_statements(client, arn)}


def policy_statements(client, arn: str) -> list[dict]:
    """The statements of the function's resource policy; [] when it has none."""
    try:
        policy = client.get_policy(aws_retry=True, FunctionName=arn)["Policy"]
    except is_boto3_error_code("ResourceNotFoundException"):
        return []
    return json.loads(policy).get("Statement", [])


def main():
    module = AnsibleAWSModule(argument_spec=dict(name=dict(type="str", required=True)), supports_check_mode=True)
    client = module.client("lambda", retry_decorator=AWSRetry.jittered_backoff())
    try:
        function = describe(client, module.params["name"])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"name: could not read the Lambda function {module.params['name']}")
    module.exit_json(changed=False, exists=function is not None, function=function or {})


if __name__ == "__main__":
    main()
