#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: iam_service_role
version_added: 0.9.0
short_description: Make an IAM role a service assumes, and its one inline policy, the declared ones in one call
description:
  - Reads the role (GetRole) and its inline policy (GetRolePolicy) and writes only what differs - creating the role,
    replacing its trust policy, its description, adding or (with O(purge_tags)) removing tags, and putting the inline
    policy - so that a role that already is as declared costs two reads.
  - Policies are compared as IAM compares them, with amazon.aws's C(compare_policies) - the order of statements,
    actions and resources, and a single value against a one-element list, make no difference.
  - The role's managed policies and its other inline policies are left alone.
  - In check mode against an account without the role, RV(iam_role) is empty and both the role and the policy are
    reported as to be created.
  - With O(state=absent) the role is deleted with what IAM requires gone first - its inline policies deleted, its
    managed policies detached, the role removed from its instance profiles (the profiles themselves are kept) - and a
    role that does not exist costs one read.
author:
  - ShopPulse platform team (@shoppulse)
options:
  name:
    description: The role's name.
    type: str
    required: true
  state:
    description: Whether the role exists as declared, or is deleted.
    type: str
    choices: [present, absent]
    default: present
  description:
    description: The role's description.
    type: str
    default: ""
  assume_role_policy_document:
    description: The trust policy, as a dict (or its JSON). Required with O(state=present).
    type: json
  policy_name:
    description: The name of the role's inline policy this call keeps.
    type: str
  policy_document:
    description:
      - The inline policy O(policy_name) holds, as a dict (or its JSON).
      - Omitted, the inline policy is neither read nor written (for a run that does not know it yet).
    type: json
  tags:
    description: The role's tags.
    type: dict
    default: {}
  purge_tags:
    description: Remove the tags the role has that O(tags) does not name.
    type: bool
    default: true
  wait:
    description: After creating the role, wait until IAM returns it (IAM is eventually consistent).
    type: bool
    default: true
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: The flow-log delivery role, allowed to write into its log group only
  shoppulse.analytics.iam_service_role:
    name: shoppulse-analytics-flow-logs
    description: Delivers VPC flow logs to CloudWatch Logs
    assume_role_policy_document:
      Version: "2012-10-17"
      Statement:
        - {Effect: Allow, Principal: {Service: vpc-flow-logs.amazonaws.com}, Action: sts:AssumeRole}
    policy_name: deliver-flow-logs
    policy_document:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Action: [logs:CreateLogStream, logs:PutLogEvents, logs:DescribeLogStreams]
          Resource: arn:aws:logs:us-east-1:123456789012:log-group:/shoppulse/vpc/flow-logs:*
    tags: {project: shoppulse-analytics}
    purge_tags: false

- name: The stop schedule's role, deleted with its inline policy
  shoppulse.analytics.iam_service_role:
    name: shoppulse-analytics-stop-schedule
    state: absent
"""

RETURN = r"""
iam_role:
  description: The role; empty in check mode before it exists, and with O(state=absent) the role as it was before.
  returned: always
  type: dict
  contains:
    arn:
      description: The role's ARN.
      type: str
      sample: arn:aws:iam::123456789012:role/shoppulse-analytics-flow-logs
    role_name:
      description: The role's name.
      type: str
    role_id:
      description: The role's id.
      type: str
created:
  description: Whether the role was created (or would be, in check mode).
  returned: always
  type: bool
deleted:
  description: Whether the role was deleted (or would be, in check mode).
  returned: always
  type: bool
policy_changed:
  description: Whether the inline policy was put (or would be).
  returned: always
  type: bool
"""

import json

from ansible_collections.amazon.aws.plugins.module_utils.iam import AnsibleIAMError
from ansible_collections.amazon.aws.plugins.module_utils.iam import get_iam_role
from ansible_collections.amazon.aws.plugins.module_utils.iam import list_iam_instance_profiles
from ansible_collections.amazon.aws.plugins.module_utils.iam import list_iam_role_attached_policies
from ansible_collections.amazon.aws.plugins.module_utils.iam import list_iam_role_policies
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.shoppulse.analytics.plugins.module_utils.service_resources import get_iam_role_policy
from ansible_collections.shoppulse.analytics.plugins.module_utils.service_resources import policy_differs
from ansible_collections.shoppulse.analytics.plugins.module_utils.service_resources import role_changes
from ansible_collections.shoppulse.analytics.plugins.module_utils.service_resources import role_shape

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def as_document(value):
    """A policy option as a dict: the json type hands it over as text."""
    return json.loads(value) if isinstance(value, str) else value


def outline(role: dict) -> dict:
    return {"arn": role["Arn"], "role_name": role["RoleName"], "role_id": role["RoleId"]}


class ServiceRole:
    """One call's work on one role: read it and its inline policy, write what differs (unless in check mode)."""

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.name = module.params["name"]
        self.trust = as_document(module.params["assume_role_policy_document"])  # None with state=absent
        self.policy = as_document(module.params["policy_document"])
        self.client = module.client("iam", retry_decorator=AWSRetry.jittered_backoff())
        self.result = {"changed": False, "created": False, "deleted": False, "policy_changed": False, "iam_role": {},
                       "diff": {"before": {}, "after": {}}}

    def call(self, operation: str, **kwargs) -> dict:
        """An IAM call; an error fails naming the role and the call."""
        try:
            return getattr(self.client, operation)(aws_retry=True, **kwargs)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.module.fail_json_aws(e, msg=f"name: the IAM role {self.name} could not be read or written ({operation})")
        return {}  # not reached: fail_json exits

    def changed(self, key: str, before, after) -> None:
        self.result["changed"] = True
        self.result["diff"]["before"][key], self.result["diff"]["after"][key] = before, after

    def ensure(self) -> dict:
        role = get_iam_role(self.client, self.name)
        if role is None:
            self.create()
        else:
            self.result["iam_role"] = outline(role)
            self.update(role)
        self.ensure_policy(role is None)
        return self.result

    def delete(self) -> dict:
        """Delete the role after what DeleteRole refuses to leave behind (DeleteConflict): its inline policies, its
        managed policies' attachments, its instance profiles' hold on it."""
        role = get_iam_role(self.client, self.name)
        if role is None:
            return self.result
        inline = list_iam_role_policies(self.client, self.name)
        managed = [policy["PolicyArn"] for policy in list_iam_role_attached_policies(self.client, self.name)]
        profiles = [profile["InstanceProfileName"] for profile in list_iam_instance_profiles(self.client, role=self.name)]
        self.result.update(deleted=True, iam_role=outline(role))
        self.changed("role", {"name": self.name, "inline_policies": sorted(inline), "managed_policies": sorted(managed),
                              "instance_profiles": sorted(profiles)}, None)
        if self.module.check_mode:
            return self.result
        for policy_name in inline:
            self.call("delete_role_policy", RoleName=self.name, PolicyName=policy_name)
        for policy_arn in managed:
            self.call("detach_role_policy", RoleName=self.name, PolicyArn=policy_arn)
        for profile in profiles:
            self.call("remove_role_from_instance_profile", RoleName=self.name, InstanceProfileName=profile)
        self.call("delete_role", RoleName=self.name)
        return self.result

    def create(self) -> None:
        params = self.params
        self.result["created"] = True
        self.changed("role", None, {"description": params["description"], "assume_role_policy_document": self.trust,
                                    "tags": params["tags"]})
        if self.module.check_mode:
            return
        arguments = {"RoleName": self.name, "AssumeRolePolicyDocument": json.dumps(self.trust), "Description": params["description"]}
        if params["tags"]:
            arguments["Tags"] = ansible_dict_to_boto3_tag_list(params["tags"])
        role = self.call("create_role", **arguments)["Role"]
        if params["wait"]:
            self.client.get_waiter("role_exists").wait(RoleName=self.name, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
        self.result["iam_role"] = outline(role)

    def update(self, role: dict) -> None:
        params, check = self.params, self.module.check_mode
        changes = role_changes(role_shape(role), self.trust, params["description"], params["tags"], params["purge_tags"])
        for key in ("assume_role_policy_document", "description", "tags"):
            if key in changes:
                self.changed(key, *changes[key])
        if check:
            return
        if "assume_role_policy_document" in changes:
            self.call("update_assume_role_policy", RoleName=self.name, PolicyDocument=json.dumps(self.trust))
        if "description" in changes:
            self.call("update_role", RoleName=self.name, Description=params["description"])
        if changes.get("tags_to_remove"):
            self.call("untag_role", RoleName=self.name, TagKeys=changes["tags_to_remove"])
        if changes.get("tags_to_add"):
            self.call("tag_role", RoleName=self.name, Tags=ansible_dict_to_boto3_tag_list(changes["tags_to_add"]))

    def ensure_policy(self, new_role: bool) -> None:
        current = None if new_role or self.policy is None else get_iam_role_policy(self.client, self.name, self.params["policy_name"])
        if not policy_differs(current, self.policy):
            return
        self.result["policy_changed"] = True
        self.changed("policy", current, self.policy)
        if not self.module.check_mode:
            self.call("put_role_policy", RoleName=self.name, PolicyName=self.params["policy_name"], PolicyDocument=json.dumps(self.policy))


ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    description=dict(type="str", default=""),
    assume_role_policy_document=dict(type="json"),
    policy_name=dict(type="str"),
    policy_document=dict(type="json"),
    tags=dict(type="dict", default={}),
    purge_tags=dict(type="bool", default=True),
    wait=dict(type="bool", default=True),
)
OPTIONS = dict(required_by={"policy_document": "policy_name"}, required_if=[("state", "present", ["assume_role_policy_document"])])


def run(module) -> None:
    """The module's work on its validated options; ``module`` is an AnsibleAWSModule or the in-process stand-in."""
    try:
        role = ServiceRole(module)
        result = role.ensure() if module.params["state"] == "present" else role.delete()
    except AnsibleIAMError as e:
        module.fail_json_aws_error(e)
    if not module._diff:  # pylint: disable=protected-access
        result.pop("diff")
    module.exit_json(**result)


def main():
    run(AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **OPTIONS))


if __name__ == "__main__":
    main()
