#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: role_and_log_groups_info
version_added: 0.12.0
short_description: Read a layer's IAM service role and log groups in one call, as their modules read them
description:
  - Reads the IAM role O(role_name) with its inline policy O(policy_name) (C(GetRole), C(GetRolePolicy)) as
    M(shoppulse.analytics.iam_service_role) reads it, and each log group of O(log_group_names) with its tags as
    M(amazon.aws.cloudwatchlogs_log_group) reads it - one process where those modules would take one each - so that
    a layer can skip them with the filters P(shoppulse.analytics.iam_service_role_as_declared#filter) and
    P(shoppulse.analytics.cloudwatch_log_group_as_declared#filter) where nothing differs.
  - Reads only; never changes anything.
author:
  - ShopPulse platform team (@shoppulse)
options:
  role_name:
    description: The IAM role to read; none to read no role.
    type: str
  policy_name:
    description: The name of that role's inline policy to read with it.
    type: str
  log_group_names:
    description: The log groups to read.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the proxy's role and log group
  shoppulse.analytics.role_and_log_groups_info:
    role_name: shoppulse-analytics-proxy-role
    policy_name: read-database-secret
    log_group_names: [/aws/rds/proxy/shoppulse-analytics-proxy]
  register: found
"""

RETURN = r"""
role:
  description: The role (C(arn), C(role_name), C(role_id), C(description), C(assume_role_policy_document), C(tags), and
    its inline policy O(policy_name) as C(policy_document)), empty when it does not exist.
  returned: when O(role_name) is given
  type: dict
  sample: {"arn": "arn:aws:iam::123456789012:role/shoppulse-analytics-proxy-role", "role_name": "shoppulse-analytics-proxy-role",
           "description": "", "assume_role_policy_document": {}, "tags": {}, "policy_document": null}
log_groups:
  description: Each log group of O(log_group_names) by name (C(log_group_name), C(arn), C(retention_in_days),
    C(tags)), empty for one that does not exist.
  returned: always
  type: dict
  sample: {"/aws/rds/proxy/shoppulse-analytics-proxy": {"log_group_name": "/aws/rds/proxy/shoppulse-analytics-proxy",
           "arn": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/rds/proxy/shoppulse-analytics-proxy:*",
           "retention_in_days": 30, "tags": {}}}
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.shoppulse.analytics.plugins.module_utils.service_resources import read_beside

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


ARGUMENT_SPEC = dict(role_name=dict(type="str"), policy_name=dict(type="str"),
                     log_group_names=dict(type="list", elements="str", default=[]))
OPTIONS = dict(required_by={"policy_name": "role_name"})


def run(module) -> None:
    """Read and end the module (its action plugin runs this in the task's worker on the controller)."""
    params = module.params
    try:
        result = {"log_groups": {}, **read_beside(module, params["role_name"], params["policy_name"], params["log_group_names"])}
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError, AnsibleAWSError) as e:
        module.fail_json_aws(e, msg=f"role_name: could not read the role {params['role_name']} or the log groups {params['log_group_names']}")
    module.exit_json(changed=False, **result)


def main():
    run(AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **OPTIONS))


if __name__ == "__main__":
    main()
