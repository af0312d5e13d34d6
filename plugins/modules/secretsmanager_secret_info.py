#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: secretsmanager_secret_info
version_added: 0.2.0
short_description: Describe a Secrets Manager secret without reading its value
description:
  - Returns what DescribeSecret and GetResourcePolicy say of one secret - its ARN, key, rotation, version
    stages and resource policy - and never its value, so that teardown, audits and credential rotation can
    read a secret's state without the password passing through.
  - A secret that does not exist returns C(exists=false); one scheduled for deletion returns its C(deleted_date).
author:
  - ShopPulse platform team (@shoppulse)
options:
  name:
    description: The secret's name or ARN.
    type: str
    required: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the master credentials secret's state
  shoppulse.analytics.secretsmanager_secret_info:
    name: shoppulse-analytics/rds/master
  register: master_secret

- name: Stop when a rotation is half-way
  ansible.builtin.assert:
    that: master_secret.secret.pending_version_id is none
"""

RETURN = r"""
exists:
  description: Whether the secret exists (a secret scheduled for deletion exists until it is deleted).
  returned: always
  type: bool
secret:
  description: The secret's state, empty when it does not exist. Never its value.
  returned: always
  type: dict
  contains:
    arn:
      description: The secret's ARN.
      type: str
      sample: arn:aws:secretsmanager:us-east-1:123456789012:secret:shoppulse-analytics/rds/master-AbCdEf
    name:
      description: The secret's name.
      type: str
    kms_key_id:
      description: The key that encrypts the secret, or null for the AWS-managed key.
      type: str
    rotation_enabled:
      description: Whether a rotation function rotates the secret on a schedule.
      type: bool
    rotation_lambda_arn:
      description: The rotation function's ARN, or null.
      type: str
    deleted_date:
      description: When the secret was scheduled for deletion, or null.
      type: str
    versions:
      description: Each version id and its staging labels.
      type: dict
      sample: {"a1b2c3": ["AWSCURRENT"], "d4e5f6": ["AWSPREVIOUS"]}
    current_version_id:
      description: The version labelled AWSCURRENT.
      type: str
    pending_version_id:
      description: The version labelled AWSPENDING, or null when no rotation is under way.
      type: str
    tags:
      description: The secret's tags as a dict.
      type: dict
    resource_policy:
      description: The secret's resource policy as a dict, or null when it has none.
      type: dict
"""

import json

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from ansible_collections.shoppulse.analytics.plugins.module_utils.secrets import describe_secret
from ansible_collections.shoppulse.analytics.plugins.module_utils.secrets import holder

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def describe(module, client, name):
    """The secret's state as this module returns it, or None when it does not exist."""
    found = describe_secret(module, client, name, missing_ok=True)
    if found is None:
        return None
    policy = client.get_resource_policy(aws_retry=True, SecretId=found["ARN"]).get("ResourcePolicy")
    versions = found.get("VersionIdsToStages", {})
    return {
        "arn": found["ARN"],
        "name": found["Name"],
        "kms_key_id": found.get("KmsKeyId"),
        "rotation_enabled": found.get("RotationEnabled", False),
        "rotation_lambda_arn": found.get("RotationLambdaARN"),
        "deleted_date": str(found["DeletedDate"]) if found.get("DeletedDate") else None,
        "versions": versions,
        "current_version_id": holder(versions, "AWSCURRENT"),
        "pending_version_id": holder(versions, "AWSPENDING"),
        "tags": boto3_tag_list_to_ansible_dict(found.get("Tags", [])),
        "resource_policy": json.loads(policy) if policy else None,
    }


ARGUMENT_SPEC = dict(name=dict(type="str", required=True))
OPTIONS = {}


def run(module) -> None:
    """Read and end the module (its action plugin runs this in the task's worker on the controller)."""
    client = module.client("secretsmanager", retry_decorator=AWSRetry.jittered_backoff())
    try:
        secret = describe(module, client, module.params["name"])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Could not describe the secret {module.params['name']}")
    module.exit_json(changed=False, exists=secret is not None, secret=secret or {})


def main():
    run(AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **OPTIONS))


if __name__ == "__main__":
    main()
