# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the monitoring role: the alarms to have, their thresholds as a plan, and the dashboard."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.shoppulse.analytics.plugins.module_utils.monitoring import alarm_definitions, dashboard_body


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


class FilterModule:
    """Monitoring filters."""

    def filters(self):
        return {
            "monitoring_alarms": monitoring_alarms,
            "monitoring_alarm_thresholds": monitoring_alarm_thresholds,
            "monitoring_dashboard_body": monitoring_dashboard_body,
        }
