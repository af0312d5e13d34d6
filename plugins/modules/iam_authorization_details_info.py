#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: iam_authorization_details_info
version_added: 0.2.0
short_description: List the account's IAM roles, users and groups with their policy documents
description:
  - Reads GetAccountAuthorizationDetails once, across pages, and returns every IAM role, user and group of the
    account with the documents of its inline policies and of the customer-managed policies attached to it (their
    default version), so that an audit can find who is granted an action without one call per principal.
  - AWS-managed policies attached to a principal are listed by name and ARN with a null C(document); their
    documents are not read.
author:
  - ShopPulse platform team (@shoppulse)
options:
  types:
    description: The kinds of principal to list.
    type: list
    elements: str
    choices: [role, user, group]
    default: [role, user, group]
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read every principal's policies
  shoppulse.analytics.iam_authorization_details_info:
  register: iam_details

- name: List the roles only
  shoppulse.analytics.iam_authorization_details_info:
    types: [role]
  register: iam_roles
"""

RETURN = r"""
principals:
  description: The roles, users and groups found, roles first, each with its policies.
  returned: always
  type: list
  elements: dict
  contains:
    type:
      description: C(role), C(user) or C(group).
      type: str
      sample: role
    name:
      description: The principal's name.
      type: str
      sample: shoppulse-analytics-proxy-role
    arn:
      description: The principal's ARN.
      type: str
      sample: arn:aws:iam::123456789012:role/shoppulse-analytics-proxy-role
    groups:
      description: For a user, the groups it belongs to (their policies apply to it too).
      type: list
      elements: str
    policies:
      description: The principal's policies, inline ones first.
      type: list
      elements: dict
      sample: [{"name": "read-database-secret", "kind": "inline", "arn": null,
                "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
                                                                     "Resource": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"}]}}]
      contains:
        name:
          description: The policy's name.
          type: str
        kind:
          description: C(inline), C(customer-managed) or C(aws-managed).
          type: str
        arn:
          description: The managed policy's ARN, null for an inline policy.
          type: str
        document:
          description: The policy document as a dict (the default version of a managed policy); null for an AWS-managed policy.
          type: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

# Principal type -> (GetAccountAuthorizationDetails filter, its list, the name key, the inline policies key).
KINDS = {
    "role": ("Role", "RoleDetailList", "RoleName", "RolePolicyList"),
    "user": ("User", "UserDetailList", "UserName", "UserPolicyList"),
    "group": ("Group", "GroupDetailList", "GroupName", "GroupPolicyList"),
}


@AWSRetry.jittered_backoff()
def authorization_details(client, kinds):
    """The account's details for these principal kinds, with the customer-managed policies, across pages."""
    filters = [KINDS[kind][0] for kind in kinds] + ["LocalManagedPolicy"]
    return client.get_paginator("get_account_authorization_details").paginate(Filter=filters).build_full_result()


def default_documents(policies):
    """Customer-managed policy ARN -> the document of its default version."""
    return {
        policy["Arn"]: next((version.get("Document") for version in policy.get("PolicyVersionList", []) if version.get("IsDefaultVersion")), None)
        for policy in policies
    }


def principal(kind, detail, documents):
    _filter, _list, name_key, inline_key = KINDS[kind]
    policies = [{"name": item["PolicyName"], "kind": "inline", "arn": None, "document": item.get("PolicyDocument")} for item in detail.get(inline_key, [])]
    policies += [
        {
            "name": item["PolicyName"],
            "kind": "customer-managed" if item["PolicyArn"] in documents else "aws-managed",
            "arn": item["PolicyArn"],
            "document": documents.get(item["PolicyArn"]),
        }
        for item in detail.get("AttachedManagedPolicies", [])
    ]
    found = {"type": kind, "name": detail[name_key], "arn": detail["Arn"], "policies": policies}
    if kind == "user":
        found["groups"] = list(detail.get("GroupList", []))
    return found


ARGUMENT_SPEC = dict(types=dict(type="list", elements="str", choices=list(KINDS), default=list(KINDS)))
OPTIONS = {}


def run(module) -> None:
    """Read and end the module (its action plugin runs this in the task's worker on the controller)."""
    kinds = [kind for kind in KINDS if kind in module.params["types"]]
    client = module.client("iam", retry_decorator=AWSRetry.jittered_backoff())
    try:
        details = authorization_details(client, kinds)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg="Could not read the account's authorization details")
    documents = default_documents(details.get("Policies", []))
    principals = [principal(kind, detail, documents) for kind in kinds for detail in details.get(KINDS[kind][1], [])]
    module.exit_json(changed=False, principals=principals)


def main():
    run(AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **OPTIONS))


if __name__ == "__main__":
    main()
