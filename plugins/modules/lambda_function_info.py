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
  - Never the function's code location (a presigned URL) or its environment variables, of which only a digest is
    returned, so that a caller can compare them with the declared ones.
  - With O(role_name) and O(log_group_name), also the function's IAM role with its inline policy and its log group,
    as M(shoppulse.analytics.iam_service_role) and M(amazon.aws.cloudwatchlogs_log_group) read them, whether or not
    the function exists - so that a caller can skip those modules where nothing differs.
author:
  - ShopPulse platform team (@shoppulse)
options:
  name:
    description: The function's name or ARN.
    type: str
    required: true
  role_name:
    description: The name of the function's IAM role, to read with its inline policy O(policy_name) into RV(role).
    type: str
  policy_name:
    description: The name of the role's inline policy to read with it.
    type: str
  log_group_name:
    description: The name of the function's log group, to read into RV(log_group).
    type: str
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

- name: Read it with its role and its log group, to skip the modules whose result these show
  shoppulse.analytics.lambda_function_info:
    name: shoppulse-analytics-secret-rotation
    role_name: shoppulse-analytics-secret-rotation-role
    policy_name: shoppulse-analytics-secret-rotation
    log_group_name: /aws/lambda/shoppulse-analytics-secret-rotation
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
    handler:
      description: Its handler.
      type: str
    description:
      description: Its description.
      type: str
    timeout:
      description: The seconds a run may take.
      type: int
    memory_size:
      description: Its memory in MB.
      type: int
    subnet_ids:
      description: The subnets it runs in; empty outside a VPC.
      type: list
      elements: str
    security_group_ids:
      description: Its security groups; empty outside a VPC.
      type: list
      elements: str
    environment_sha256:
      description: The hex SHA-256 digest of its environment variables as canonical JSON (sorted keys, no spaces).
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
role:
  description: The role O(role_name) names, empty when it does not exist.
  returned: when O(role_name) is given
  type: dict
  contains:
    arn:
      description: The role's ARN.
      type: str
    role_name:
      description: Its name.
      type: str
    role_id:
      description: Its id.
      type: str
    description:
      description: Its description.
      type: str
    assume_role_policy_document:
      description: Its trust policy.
      type: dict
    tags:
      description: Its tags as a dict.
      type: dict
    policy_document:
      description: Its inline policy O(policy_name), or none.
      type: dict
log_group:
  description: The log group O(log_group_name) names, empty when it does not exist.
  returned: when O(log_group_name) is given
  type: dict
  contains:
    log_group_name:
      description: Its name.
      type: str
    arn:
      description: Its ARN (ending in C(:*)).
      type: str
    retention_in_days:
      description: The days it keeps its events, none for ever.
      type: int
    tags:
      description: Its tags as a dict.
      type: dict
"""

import json

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.shoppulse.analytics.plugins.module_utils.lambda_package import environment_sha256
from ansible_collections.shoppulse.analytics.plugins.module_utils.service_resources import read_beside

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
            "code_sha256": config.get("CodeSha256"), "tags": found.get("Tags", {}), "policy": policy_statements(client, arn),
            "handler": config.get("Handler"), "description": config.get("Description", ""), "timeout": config.get("Timeout"),
            "memory_size": config.get("MemorySize"), "subnet_ids": (config.get("VpcConfig") or {}).get("SubnetIds", []),
            "security_group_ids": (config.get("VpcConfig") or {}).get("SecurityGroupIds", []),
            "environment_sha256": environment_sha256((config.get("Environment") or {}).get("Variables", {}))}


def policy_statements(client, arn: str) -> list[dict]:
    """The statements of the function's resource policy; [] when it has none."""
    try:
        policy = client.get_policy(aws_retry=True, FunctionName=arn)["Policy"]
    except is_boto3_error_code("ResourceNotFoundException"):
        return []
    return json.loads(policy).get("Statement", [])


ARGUMENT_SPEC = dict(name=dict(type="str", required=True), role_name=dict(type="str"), policy_name=dict(type="str"),
                     log_group_name=dict(type="str"))
OPTIONS = dict(required_by={"policy_name": "role_name"})


def run(module) -> None:
    """Read and end the module (its action plugin runs this in the task's worker on the controller)."""
    params = module.params
    try:
        function = describe(module.client("lambda", retry_decorator=AWSRetry.jittered_backoff()), params["name"])
        beside = read_beside(module, params["role_name"], params["policy_name"], [params["log_group_name"]] if params["log_group_name"] else [])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError, AnsibleAWSError) as e:
        module.fail_json_aws(e, msg=f"name: could not read the Lambda function {params['name']}, its role or its log group")
    result = {"role": beside["role"]} if "role" in beside else {}
    if "log_groups" in beside:
        result["log_group"] = beside["log_groups"][params["log_group_name"]]
    module.exit_json(changed=False, exists=function is not None, function=function or {}, **result)


def main():
    run(AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **OPTIONS))


if __name__ == "__main__":
    main()
