# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the log groups and IAM service roles the layers keep: whether a read shows that their module, given
the declared options, would change nothing. The comparisons are the modules' own (module_utils/service_resources.py)."""

from __future__ import annotations

from ansible_collections.shoppulse.analytics.plugins.module_utils.service_resources import log_group_as_declared
from ansible_collections.shoppulse.analytics.plugins.module_utils.service_resources import service_role_as_declared


def iam_service_role_as_declared(found: dict | None, declared: dict) -> bool:
    """Whether shoppulse.analytics.iam_service_role, given ``declared`` (its options: name,
    assume_role_policy_document, description, policy_document, tags, purge_tags), would change nothing on ``found``."""
    return service_role_as_declared(found, declared["name"], declared["assume_role_policy_document"], declared.get("description", ""),
                                    declared.get("policy_document"), declared.get("tags"), declared.get("purge_tags", True))


def cloudwatch_log_group_as_declared(found: dict | None, name: str, retention=None, tags: dict | None = None,
                                     purge_tags: bool = True) -> bool:
    """Whether amazon.aws.cloudwatchlogs_log_group, given this name, retention and tags, would change nothing on
    ``found``."""
    return log_group_as_declared(found, name, retention, tags, purge_tags)


class FilterModule:
    """Log group and IAM role filters."""

    def filters(self):
        return {"iam_service_role_as_declared": iam_service_role_as_declared,
                "cloudwatch_log_group_as_declared": cloudwatch_log_group_as_declared}
