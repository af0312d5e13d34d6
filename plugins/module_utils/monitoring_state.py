# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How the monitoring modules compare what the account has with what is declared: shared by cloudwatch_metric_alarms,
rds_event_subscription and cloudwatch_dashboard, by monitoring_state_info, which reads all three kinds in one call (and
the alarm topic), and by the monitoring filters that skip a module when that read shows it would change nothing."""

from __future__ import annotations

import json

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

# Alarm option -> the MetricAlarm field it sets; these, and only these, are compared.
ALARM_FIELDS = {
    "metric_name": "MetricName",
    "namespace": "Namespace",
    "dimensions": "Dimensions",
    "statistic": "Statistic",
    "extended_statistic": "ExtendedStatistic",
    "comparison": "ComparisonOperator",
    "threshold": "Threshold",
    "unit": "Unit",
    "period": "Period",
    "evaluation_periods": "EvaluationPeriods",
    "datapoints_to_alarm": "DatapointsToAlarm",
    "description": "AlarmDescription",
    "treat_missing_data": "TreatMissingData",
    "alarm_actions": "AlarmActions",
    "ok_actions": "OKActions",
}
ALARM_COUNTS = ("period", "evaluation_periods", "datapoints_to_alarm")
# The event subscription settings compared; a difference in any replaces the subscription.
SUBSCRIPTION_COMPARED = ("sns_topic_arn", "source_type", "source_ids", "event_categories", "enabled")


# --- alarms --------------------------------------------------------------------------------------------------------


def alarm_existing(found: dict) -> dict:
    """A described MetricAlarm's compared fields, by option name, in the form alarm_declared() gives."""
    fields = {option: found.get(key) for option, key in ALARM_FIELDS.items()}
    fields["dimensions"] = {d["Name"]: d["Value"] for d in found.get("Dimensions") or []}
    fields["threshold"] = None if fields["threshold"] is None else float(fields["threshold"])
    # Alarms made before TreatMissingData existed behave as "missing".
    fields["treat_missing_data"] = fields["treat_missing_data"] or "missing"
    fields["description"] = fields["description"] or None
    for actions in ("alarm_actions", "ok_actions"):
        fields[actions] = sorted(fields[actions] or [])
    return fields


def alarm_declared(alarm: dict, alarm_actions: list, ok_actions: list) -> dict:
    """A declared alarm's compared fields, by option name, with the module's defaults and types."""
    fields = {option: alarm.get(option) for option in ALARM_FIELDS if option not in ("alarm_actions", "ok_actions")}
    fields["dimensions"] = {str(name): str(value) for name, value in (alarm.get("dimensions") or {}).items()}
    fields["threshold"] = float(fields["threshold"])
    for count in ALARM_COUNTS:
        fields[count] = None if fields[count] is None else int(fields[count])
    fields["treat_missing_data"] = fields["treat_missing_data"] or "missing"
    fields["description"] = fields["description"] or None
    fields["alarm_actions"] = sorted(set(alarm_actions))
    fields["ok_actions"] = sorted(set(ok_actions))
    return fields


def set_fields(fields: dict) -> dict:
    """The fields given a value (an unset unit or statistic is left out of the request and the diff)."""
    return {option: value for option, value in fields.items() if value is not None}


def alarm_plan(current: dict, wanted: dict) -> tuple[dict, dict]:
    """What to do, from name -> fields of the alarms under the prefix and of the declared ones: created, updated
    (the names whose fields differ), deleted, unchanged; and the diff."""
    created = sorted(set(wanted) - set(current))
    deleted = sorted(set(current) - set(wanted))
    updated = {}
    for name in sorted(set(wanted) & set(current)):
        differ = sorted(option for option in ALARM_FIELDS if wanted[name][option] != current[name][option])
        if differ:
            updated[name] = differ
    diff = {"before": {}, "after": {}}
    for name, differ in updated.items():
        diff["before"][name] = {option: current[name][option] for option in differ}
        diff["after"][name] = {option: wanted[name][option] for option in differ}
    for name in created:
        diff["after"][name] = set_fields(wanted[name])
    for name in deleted:
        diff["before"][name] = set_fields(current[name])
    unchanged = sorted(set(wanted) - set(created) - set(updated))
    return {"created": created, "updated": sorted(updated), "deleted": deleted, "unchanged": unchanged}, diff


def alarms_change(plan: dict) -> bool:
    return bool(plan["created"] or plan["updated"] or plan["deleted"])


@AWSRetry.jittered_backoff()
def describe_alarms(client, prefix: str) -> list:
    """Every metric alarm under the prefix, across pages."""
    pages = client.get_paginator("describe_alarms").paginate(AlarmNamePrefix=prefix, AlarmTypes=["MetricAlarm"])
    return pages.build_full_result()["MetricAlarms"]


def read_alarms(client, prefix: str) -> dict:
    """Alarm name -> its compared fields, for every metric alarm under the prefix (botocore errors propagate)."""
    return {alarm["AlarmName"]: alarm_existing(alarm) for alarm in describe_alarms(client, prefix)}


# --- RDS event subscriptions ---------------------------------------------------------------------------------------


def subscription_shape(found: dict) -> dict:
    return {
        "name": found["CustSubscriptionId"],
        "arn": found.get("EventSubscriptionArn", ""),
        "sns_topic_arn": found.get("SnsTopicArn"),
        "source_type": found.get("SourceType"),
        "source_ids": sorted(found.get("SourceIdsList") or []),
        "event_categories": sorted(found.get("EventCategoriesList") or []),
        "enabled": bool(found.get("Enabled")),
        "status": found.get("Status", ""),
    }


def subscription_declared(params: dict) -> dict:
    """A declared subscription with the module's defaults."""
    return {
        "name": params["name"],
        "sns_topic_arn": params.get("sns_topic_arn"),
        "source_type": params.get("source_type"),
        "source_ids": sorted(set(params.get("source_ids") or [])),
        "event_categories": sorted(set(params.get("event_categories") or [])),
        "enabled": bool(params.get("enabled", True)),
    }


def subscription_unchanged(current: dict | None, wanted: dict) -> bool:
    return current is not None and all(current[key] == wanted[key] for key in SUBSCRIPTION_COMPARED)


def read_subscription(client, name: str) -> dict | None:
    """The event subscription of that name, or None (``client`` is a module's retrying client; other errors
    propagate)."""
    try:
        found = client.describe_event_subscriptions(aws_retry=True, SubscriptionName=name)["EventSubscriptionsList"]
    except is_boto3_error_code("SubscriptionNotFound"):
        return None
    return subscription_shape(found[0]) if found else None


# --- dashboards ----------------------------------------------------------------------------------------------------


def dashboard_normalise(body):
    """A body as a dict, whatever form it came in; None when it is not a JSON object."""
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            return None
    if not isinstance(body, dict):
        return None
    # A round trip through JSON makes numbers and text the same types AWS gives back.
    return json.loads(json.dumps(body, sort_keys=True))


def dashboard_unchanged(current: dict | None, body) -> bool:
    return current is not None and current["body"] == dashboard_normalise(body)


def read_dashboard(client, name: str) -> dict | None:
    """The dashboard of that name with its body, or None (``client`` as for read_subscription)."""
    try:
        found = client.get_dashboard(aws_retry=True, DashboardName=name)
    except is_boto3_error_code("ResourceNotFound"):
        return None
    return {"name": found["DashboardName"], "arn": found["DashboardArn"], "body": dashboard_normalise(found["DashboardBody"]) or {}}


# Subscriptions SNS lists without an ARN of their own: community.aws.sns_topic never removes them.
UNREMOVABLE_SUBSCRIPTIONS = ("PendingConfirmation", "Deleted")
