# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The log group and the IAM service role a layer keeps beside its main resource: read as their modules read them,
and compared as those modules compare them, so that a task the filters skip is one that would have reported ok.
shoppulse.analytics.iam_service_role reads and compares its role with this same code; for the log group, whose module
is amazon.aws.cloudwatchlogs_log_group's, log_group_as_declared makes that module's two comparisons (tags, retention)."""

from __future__ import annotations

from ansible_collections.amazon.aws.plugins.module_utils.iam import IAMErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.iam import get_iam_role
from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags


def read_log_group(client, name: str) -> dict:
    """The log group as amazon.aws.cloudwatchlogs_log_group reads it (DescribeLogGroups by prefix, the exact name, then
    its tags), in the module's result shape: name, ARN, retention and tags; {} when it does not exist."""
    pages = client.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=name)
    found = [group for page in pages for group in page.get("logGroups", []) if group["logGroupName"] == name]
    if not found:
        return {}
    tags = client.list_tags_log_group(logGroupName=name).get("tags", {})
    return {"log_group_name": name, "arn": found[0].get("arn"), "retention_in_days": found[0].get("retentionInDays"),
            "tags": tags}


def tags_as_declared(found_tags: dict | None, tags: dict | None, purge_tags: bool = True) -> bool:
    """Whether a module given ``tags`` (none: the tags left alone) would add or remove no tag of ``found_tags``, as
    the amazon.aws modules compare them (compare_aws_tags)."""
    return tags is None or not any(compare_aws_tags(found_tags or {}, tags, purge_tags=purge_tags))


def log_group_as_declared(found: dict | None, name: str, retention, tags: dict | None, purge_tags: bool = True) -> bool:
    """Whether amazon.aws.cloudwatchlogs_log_group (state present, no overwrite, no purge of the retention), given
    this name, retention and tags, would change nothing on ``found``: it is that group, no tag to add or remove, and
    the retention is the declared one where one is declared."""
    if not found or found.get("log_group_name") != name:
        return False
    if not tags_as_declared(found.get("tags"), tags, purge_tags):
        return False
    return retention is None or int(retention) == found.get("retention_in_days")


def role_shape(role: dict) -> dict:
    """An IAM Role (GetRole) in the shape shoppulse.analytics.iam_service_role compares."""
    return {"arn": role["Arn"], "role_name": role["RoleName"], "role_id": role["RoleId"],
            "description": role.get("Description", ""),
            "assume_role_policy_document": role.get("AssumeRolePolicyDocument") or {},
            "tags": boto3_tag_list_to_ansible_dict(role.get("Tags", []))}


@IAMErrorHandler.list_error_handler("get role policy")
@AWSRetry.jittered_backoff()
def get_iam_role_policy(client, role_name: str, policy_name: str) -> dict | None:
    """The role's inline policy document, or None when the role has no such policy (as amazon.aws's get_iam_role)."""
    return client.get_role_policy(RoleName=role_name, PolicyName=policy_name)["PolicyDocument"]


def read_service_role(client, name: str, policy_name: str | None = None) -> dict:
    """The role (role_shape) with its inline policy ``policy_name`` as ``policy_document`` (None when it has no such
    policy); {} when the role does not exist."""
    role = get_iam_role(client, name)
    if role is None:
        return {}
    return {**role_shape(role), "policy_document": get_iam_role_policy(client, name, policy_name) if policy_name else None}


def read_beside(module, role_name: str | None = None, policy_name: str | None = None, log_group_names=()) -> dict:
    """What a read module returns beside its own resource: ``role`` (read_service_role) when ``role_name`` is given,
    ``log_groups`` by name (read_log_group) when names are; each service's client made only when needed."""
    found = {}
    if role_name:
        found["role"] = read_service_role(module.client("iam", retry_decorator=AWSRetry.jittered_backoff()), role_name, policy_name)
    if log_group_names:
        logs = module.client("logs", retry_decorator=AWSRetry.jittered_backoff())
        found["log_groups"] = {name: read_log_group(logs, name) for name in log_group_names}
    return found


def role_changes(found: dict, trust: dict, description: str, tags: dict, purge_tags: bool) -> dict:
    """What a role in role_shape lacks of the declared trust policy, description and tags: {field: (before, after)},
    with the tags to add and remove under "tags_to_add" and "tags_to_remove"."""
    changes = {}
    if compare_policies(found["assume_role_policy_document"], trust):
        changes["assume_role_policy_document"] = (found["assume_role_policy_document"], trust)
    if found["description"] != description:
        changes["description"] = (found["description"], description)
    add, remove = compare_aws_tags(found["tags"], tags, purge_tags=purge_tags)
    if add or remove:
        kept = {key: value for key, value in found["tags"].items() if key not in remove}
        changes["tags"] = (found["tags"], {**kept, **add})
        changes["tags_to_add"], changes["tags_to_remove"] = add, remove
    return changes


def policy_differs(current: dict | None, declared: dict | None) -> bool:
    """Whether the inline policy must be put: one is declared and the role has none or another."""
    return declared is not None and (current is None or compare_policies(current, declared))


def service_role_as_declared(found: dict | None, name: str, trust: dict, description: str = "",
                             policy_document: dict | None = None, tags: dict | None = None, purge_tags: bool = True) -> bool:
    """Whether shoppulse.analytics.iam_service_role (state present), given these options, would change nothing on
    ``found`` (read_service_role's result, read with the declared policy name)."""
    if not found or found.get("role_name") != name:
        return False
    return not role_changes(found, trust, description, tags or {}, purge_tags) and not policy_differs(
        found.get("policy_document"), policy_document)
