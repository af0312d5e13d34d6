# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the platform's functions: whether a function already has what a module call would give it."""

from __future__ import annotations


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


class FilterModule:
    """Function filters."""

    def filters(self):
        return {"lambda_permission_as_declared": lambda_permission_as_declared}
