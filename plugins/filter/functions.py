# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the platform's functions: whether a function already has what a module call would give it."""

from __future__ import annotations

from ansible_collections.shoppulse.analytics.plugins.module_utils.lambda_package import environment_sha256
from ansible_collections.shoppulse.analytics.plugins.module_utils.service_resources import tags_as_declared


def _flattened(statement: dict) -> dict:
    """A resource policy statement as amazon.aws.lambda_policy flattens it to compare (its extract_statement)."""
    principal = statement.get("Principal") or {}
    condition = statement.get("Condition") or {}
    return {
        "action": statement.get("Action"),
        "principal": principal.get("AWS", principal.get("Service")),
        "source_arn": (condition.get("ArnLike") or {}).get("AWS:SourceArn"),
        "source_account": (condition.get("StringEquals") or {}).get("AWS:SourceAccount"),
        "event_source_token": (condition.get("StringEquals") or {}).get("lambda:EventSourceToken"),
    }


def lambda_permission_as_declared(function: dict | None, statement_id: str, action: str, principal: str,
                                  source_account: str | None = None, source_arn: str | None = None) -> bool:
    """Whether amazon.aws.lambda_policy, given these options, would change nothing on ``function`` (as
    shoppulse.analytics.lambda_function_info returns it): a statement ``statement_id`` in its resource policy with
    this action, principal, source account and source ARN, and no event source token - the fields the module
    compares."""
    declared = {"action": action, "principal": principal, "source_arn": source_arn,
                "source_account": None if source_account is None else str(source_account), "event_source_token": None}
    found = [statement for statement in (function or {}).get("policy") or [] if statement.get("Sid") == statement_id]
    return bool(found) and _flattened(found[0]) == declared


def _configuration_differs(function: dict, declared: dict) -> bool:
    """amazon.aws.lambda's comparison of an existing function's configuration: a field given (and, for most, not
    empty) that differs; subnets and security groups in any order; a VPC left where none is declared."""
    for field in ("role", "handler", "description", "timeout", "memory_size", "runtime"):
        wanted = declared.get(field)
        if wanted and str(function.get(field)) != str(wanted):
            return True
    if declared.get("environment") is not None and function.get("environment_sha256") != environment_sha256(declared["environment"]):
        return True
    subnets, groups = declared.get("subnet_ids") or [], declared.get("security_group_ids") or []
    if subnets:
        return (sorted(subnets) != sorted(function.get("subnet_ids") or [])
                or sorted(groups) != sorted(function.get("security_group_ids") or []))
    return bool(function.get("subnet_ids"))


def lambda_function_as_declared(function: dict | None, declared: dict) -> bool:
    """Whether amazon.aws.lambda (state present, a zip file, purge_tags), given ``declared`` - name, role (ARN), handler,
    description, timeout, memory_size, runtime, environment, subnet_ids, security_group_ids, tags and the package's
    code_sha256 - would change nothing on ``function`` (as shoppulse.analytics.lambda_function_info returns it)."""
    if not function or function.get("name") != declared.get("name"):
        return False
    if _configuration_differs(function, declared):
        return False
    if not tags_as_declared(function.get("tags"), declared.get("tags")):
        return False
    return function.get("code_sha256") == declared.get("code_sha256")


class FilterModule:
    """Function filters."""

    def filters(self):
        return {"lambda_permission_as_declared": lambda_permission_as_declared,
                "lambda_function_as_declared": lambda_function_as_declared}
