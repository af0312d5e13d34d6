# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the monitoring role: the alarms to have, their thresholds as a plan, and the dashboard."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError
from ansible_collections.community.aws.plugins.module_utils.sns import canonicalize_endpoint

from ansible_collections.shoppulse.analytics.plugins.module_utils.monitoring import alarm_definitions, dashboard_body
from ansible_collections.shoppulse.analytics.plugins.module_utils.monitoring_state import alarm_declared
from ansible_collections.shoppulse.analytics.plugins.module_utils.monitoring_state import alarm_plan
from ansible_collections.shoppulse.analytics.plugins.module_utils.monitoring_state import alarms_change
from ansible_collections.shoppulse.analytics.plugins.module_utils.monitoring_state import dashboard_unchanged
from ansible_collections.shoppulse.analytics.plugins.module_utils.monitoring_state import subscription_declared
from ansible_collections.shoppulse.analytics.plugins.module_utils.monitoring_state import UNREMOVABLE_SUBSCRIPTIONS
from ansible_collections.shoppulse.analytics.plugins.module_utils.monitoring_state import subscription_unchanged
from ansible_collections.shoppulse.analytics.plugins.module_utils.service_resources import tags_as_declared


def monitoring_alarms(settings: dict) -> list[dict]:
    """The alarms to have, as amazon.aws.cloudwatch_metric_alarm takes them, from the role's settings."""
    try:
        return alarm_definitions(settings)
    except ValueError as e:
        raise AnsibleFilterError(str(e)) from e


def monitoring_alarm_thresholds(alarms: list[dict]) -> dict:
    """Alarm name -> threshold, from the declared alarms or from amazon.aws.cloudwatch_metric_alarm_info's."""
    return {alarm.get("name", alarm.get("alarm_name")): float(alarm["threshold"]) for alarm in alarms}


def monitoring_dashboard_body(alarms: list[dict], region: str, alarm_arns: list[str]) -> dict:
    """The dashboard: a graph per alarm's metric with its threshold, and one widget with the alarms' states."""
    return dashboard_body(alarms, region, alarm_arns)


# Eight levels, lowest to highest: one character per value.
SPARKS = "▁▂▃▄▅▆▇█"


def _metric_label(alarm: dict) -> str:
    dimensions = {d.get("name", d.get("Name")): d.get("value", d.get("Value")) for d in alarm.get("dimensions") or []}
    prefix = "Proxy " if "ProxyName" in dimensions else ""
    return f"{prefix}{alarm['metric_name']}"


def monitoring_health_queries(alarms: list[dict]) -> list[dict]:
    """One GetMetricData query per described alarm (amazon.aws.cloudwatch_metric_alarm_info), by the alarm's statistic."""
    return [{
        "id": f"m{index}",
        "namespace": alarm["namespace"],
        "metric_name": alarm["metric_name"],
        "dimensions": {d["name"]: d["value"] for d in alarm.get("dimensions") or []},
        "statistic": alarm.get("extended_statistic") or alarm.get("statistic") or "Average",
    } for index, alarm in enumerate(alarms)]


def sparkline(values: list[float]) -> str:
    """The values as a row of block characters scaled between their minimum and maximum (flat: the lowest)."""
    if not values:
        return ""
    low, high = min(values), max(values)
    span = high - low
    return "".join(SPARKS[0 if span == 0 else min(int((value - low) / span * len(SPARKS)), len(SPARKS) - 1)] for value in values)


def _figure(value) -> str:
    if value is None:
        return "-"
    return f"{value:.4g}" if abs(value) < 1e5 else f"{value:.3e}"


def monitoring_health_report(alarms: list[dict], data: dict) -> dict:
    """Rows (metric, latest, min, max, sparkline, alarm, state) from the described alarms and the metrics read with
    monitoring_health_queries' ids, the table an operator reads, and the alarms in ALARM."""
    rows = []
    for index, alarm in enumerate(alarms):
        values = (data.get(f"m{index}") or {}).get("values") or []
        rows.append({
            "metric": _metric_label(alarm),
            "latest": values[-1] if values else None,
            "min": min(values) if values else None,
            "max": max(values) if values else None,
            "sparkline": sparkline(values),
            "alarm": alarm["alarm_name"],
            "state": alarm.get("state_value", "INSUFFICIENT_DATA"),
        })
    header = ("metric", "latest", "min", "max", "last values", "alarm", "state")
    lines = [header] + [(row["metric"], _figure(row["latest"]), _figure(row["min"]), _figure(row["max"]), row["sparkline"] or "-",
                         row["alarm"], row["state"]) for row in rows]
    widths = [max(len(line[column]) for line in lines) for column in range(len(header))]
    table = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in lines]
    table.insert(1, "  ".join("-" * width for width in widths))
    return {"rows": rows, "table": table, "in_alarm": [row["alarm"] for row in rows if row["state"] == "ALARM"]}


def monitoring_alarms_as_declared(found: dict, alarms: list[dict], actions: list[str]) -> bool:
    """Whether the alarms under the prefix as read (``found``, monitoring_state_info's ``alarms``) are exactly
    ``alarms`` with ``actions`` as their alarm and OK actions, so that shoppulse.analytics.cloudwatch_metric_alarms
    would change nothing (a name declared twice: False, the module refuses it)."""
    wanted = {alarm["name"]: alarm_declared(alarm, actions, actions) for alarm in alarms}
    return len(wanted) == len(alarms) and not alarms_change(alarm_plan(dict(found), wanted)[0])


def monitoring_subscription_as_declared(found: dict, options: dict) -> bool:
    """Whether shoppulse.analytics.rds_event_subscription with ``options`` would leave the subscriptions as read
    (``found``, monitoring_state_info's ``event_subscriptions``) as they are."""
    current = found.get(options["name"])
    if options.get("state", "present") == "absent":
        return current is None
    return subscription_unchanged(current, subscription_declared(options))


def monitoring_dashboard_as_declared(found: dict | None, body: dict) -> bool:
    """Whether the dashboard as read (monitoring_state_info's ``dashboard``) already has ``body``."""
    return dashboard_unchanged(found, body)


def monitoring_topic_as_declared(found: dict | None, display_name: str, subscriptions: list[dict], tags: dict | None) -> bool:
    """Whether community.aws.sns_topic (state present, purge_subscriptions, purge_tags, no policy, delivery policy or
    subscription attributes given) would change nothing on the topic as read (monitoring_state_info's ``topic``): the
    declared display name, every declared subscription (protocol and endpoint, the endpoint as SNS keeps it), none
    other that it could remove, and no tag to add or remove."""
    if not found or (display_name and display_name != found.get("display_name")):
        return False
    wanted = {(declared["protocol"], canonicalize_endpoint(declared["protocol"], declared["endpoint"])) for declared in subscriptions}
    have = found.get("subscriptions") or []
    listed = {(subscription["protocol"], subscription["endpoint"]) for subscription in have}
    removable = {(subscription["protocol"], subscription["endpoint"]) for subscription in have
                 if subscription["subscription_arn"] not in UNREMOVABLE_SUBSCRIPTIONS}
    return wanted <= listed and removable <= wanted and tags_as_declared(found.get("tags"), tags)


class FilterModule:
    """Monitoring filters."""

    def filters(self):
        return {
            "monitoring_alarms": monitoring_alarms,
            "monitoring_alarm_thresholds": monitoring_alarm_thresholds,
            "monitoring_dashboard_body": monitoring_dashboard_body,
            "monitoring_health_queries": monitoring_health_queries,
            "monitoring_health_report": monitoring_health_report,
            "monitoring_alarms_as_declared": monitoring_alarms_as_declared,
            "monitoring_subscription_as_declared": monitoring_subscription_as_declared,
            "monitoring_dashboard_as_declared": monitoring_dashboard_as_declared,
            "monitoring_topic_as_declared": monitoring_topic_as_declared,
        }
