# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the monitoring role watches: the alarms on the instance and the proxy, with thresholds that follow the instance.

Sources:
- CloudWatch user guide, "Recommended alarms", Amazon RDS section (period 60 s; the thresholds and datapoints below):
  https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Best_Practice_Recommended_Alarms_AWS_Services.html
- RDS user guide, "Monitoring RDS Proxy metrics with Amazon CloudWatch" (metric names and dimensions):
  https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.monitoring.html
- RDS for PostgreSQL default max_connections, LEAST({DBInstanceClassMemory/9531392}, 5000) (RDS user guide,
  "Maximum number of database connections"):
  https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.MaxConnections
"""

from __future__ import annotations

import math

from ansible_collections.shoppulse.analytics.plugins.module_utils.rds_instance_classes import instance_class

GIB = 1024 ** 3
# The divisor and the cap of RDS for PostgreSQL's default max_connections.
MAX_CONNECTIONS_DIVISOR = 9531392
MAX_CONNECTIONS_CAP = 5000
# Burstable classes (T families) earn CPU credits; their EBS bandwidth bursts too.
BURSTABLE_PREFIX = "db.t"
NAMESPACE = "AWS/RDS"
# The seed lists ProxyConnections, which is no CloudWatch metric: the proxy publishes these (docs/monitoring.md).
PROXY_TARGET_GROUP = "default"


def default_max_connections(memory_gib: float) -> int:
    """RDS for PostgreSQL's default max_connections for a class's memory.

    DBInstanceClassMemory is the class's memory less what the OS and RDS keep; AWS does not publish that amount per
    class, so the nominal memory stands in for it here: the result is an upper bound (a few per cent above what the
    instance reports with SHOW max_connections). monitoring_max_connections pins the measured value instead.
    """
    return min(int(memory_gib * GIB // MAX_CONNECTIONS_DIVISOR), MAX_CONNECTIONS_CAP)


def _number(value):
    """Numbers from the inventory may arrive as text (`-e name=value`)."""
    if isinstance(value, str):
        return float(value) if "." in value else int(value)
    return value


def instance_thresholds(settings: dict) -> dict:
    """The thresholds of the instance's alarms from its class, its storage and the percentages the settings give.

    ``settings``: instance_class, allocated_storage (GiB), max_connections (the parameter group's, or None for the
    default formula), and the *_threshold settings of the role (None where the value follows the class).
    Raises ValueError naming the variable for a class the table does not hold.
    """
    cls = instance_class(settings["instance_class"])
    if cls is None:
        raise ValueError(f"monitoring_instance_class: {settings['instance_class']!r} is not a class the collection knows "
                         "(plugins/module_utils/rds_instance_classes.py); add it there with its vCPUs and memory")
    storage = _number(settings["allocated_storage"])
    max_connections = _number(settings.get("max_connections"))
    if max_connections is None:
        max_connections = default_max_connections(cls["memory_gib"])
    db_load = _number(settings.get("db_load_threshold"))
    return {
        "vcpus": cls["vcpus"],
        "memory_bytes": cls["memory_gib"] * GIB,
        "max_connections": int(max_connections),
        "burstable": settings["instance_class"].startswith(BURSTABLE_PREFIX),
        "cpu": float(_number(settings["cpu_threshold_percent"])),
        "connections": float(math.floor(max_connections * _number(settings["connections_threshold_percent"]) / 100)),
        "freeable_memory": float(math.floor(cls["memory_gib"] * GIB * _number(settings["freeable_memory_threshold_percent"]) / 100)),
        "free_storage": float(math.floor(storage * GIB * _number(settings["free_storage_threshold_percent"]) / 100)),
        "latency": float(_number(settings["latency_threshold_seconds"])),
        "db_load": float(cls["vcpus"] if db_load is None else db_load),
        "cpu_credit_balance": float(_number(settings["cpu_credit_threshold"])),
        "ebs_balance": float(_number(settings["ebs_balance_threshold_percent"])),
        "proxy_database_connections": float(math.floor(max_connections * _number(settings["proxy_connections_threshold_percent"]) / 100)),
        "proxy_client_connections": float(_number(settings["proxy_client_connections_threshold"])),
        "proxy_pinned": float(_number(settings["proxy_pinned_threshold"])),
        "proxy_failed_auth": float(_number(settings["proxy_failed_auth_threshold"])),
        "proxy_availability": float(_number(settings["proxy_availability_threshold_percent"])),
    }


# key: (metric, statistic, comparison, threshold key, unit, evaluation periods, datapoints, burstable only, what it means)
_INSTANCE_ALARMS = {
    "cpu": ("CPUUtilization", "Average", "GreaterThanThreshold", "cpu", "Percent", 5, 5, False,
            "CPU above {threshold:g} %"),
    "connections": ("DatabaseConnections", "Average", "GreaterThanThreshold", "connections", "Count", 5, 5, False,
                    "more than {threshold:g} connections (of max_connections {max_connections})"),
    "freeable_memory": ("FreeableMemory", "Average", "LessThanThreshold", "freeable_memory", "Bytes", 15, 15, False,
                        "freeable memory below {threshold:.0f} bytes"),
    "free_storage": ("FreeStorageSpace", "Minimum", "LessThanThreshold", "free_storage", "Bytes", 5, 5, False,
                     "free storage below {threshold:.0f} bytes"),
    "read_latency": ("ReadLatency", "p90", "GreaterThanThreshold", "latency", "Seconds", 5, 5, False,
                     "p90 read latency above {threshold:g} s"),
    "write_latency": ("WriteLatency", "p90", "GreaterThanThreshold", "latency", "Seconds", 5, 5, False,
                      "p90 write latency above {threshold:g} s"),
    "db_load": ("DBLoad", "Average", "GreaterThanThreshold", "db_load", None, 15, 15, False,
                "DB load above {threshold:g} average active sessions (the class's vCPUs)"),
    "cpu_credit_balance": ("CPUCreditBalance", "Minimum", "LessThanThreshold", "cpu_credit_balance", "Count", 3, 3, True,
                           "CPU credit balance below {threshold:g}"),
    "ebs_byte_balance": ("EBSByteBalance%", "Minimum", "LessThanThreshold", "ebs_balance", "Percent", 3, 3, True,
                         "EBS byte balance below {threshold:g} %"),
    "ebs_io_balance": ("EBSIOBalance%", "Minimum", "LessThanThreshold", "ebs_balance", "Percent", 3, 3, True,
                       "EBS I/O balance below {threshold:g} %"),
}

_PROXY_ALARMS = {
    "proxy_client_connections": ("ClientConnections", "Maximum", "GreaterThanThreshold", "proxy_client_connections", "Count", 5, 5,
                                 "more than {threshold:g} client connections to the proxy"),
    "proxy_database_connections": ("DatabaseConnections", "Maximum", "GreaterThanThreshold", "proxy_database_connections", "Count", 5, 5,
                                   "the proxy holds more than {threshold:g} database connections (of max_connections {max_connections})"),
    "proxy_pinned": ("DatabaseConnectionsCurrentlySessionPinned", "Maximum", "GreaterThanThreshold", "proxy_pinned", "Count", 5, 5,
                     "more than {threshold:g} database connections pinned to a client session"),
    "proxy_failed_auth": ("ClientConnectionsSetupFailedAuth", "Sum", "GreaterThanThreshold", "proxy_failed_auth", "Count", 5, 1,
                          "more than {threshold:g} failed client authentications in a minute"),
    "proxy_availability": ("AvailabilityPercentage", "Minimum", "LessThanThreshold", "proxy_availability", "Percent", 3, 3,
                           "the proxy's target available less than {threshold:g} % of the time"),
}

ALARM_KEYS = tuple(_INSTANCE_ALARMS) + tuple(_PROXY_ALARMS)


def _alarm(prefix, key, spec, thresholds, dimensions, description_prefix):
    metric, statistic, comparison, threshold_key, unit, periods, datapoints = spec[:7]
    threshold = thresholds[threshold_key]
    alarm = {
        "key": key,
        "name": f"{prefix}-{key.replace('_', '-')}",
        "metric_name": metric,
        "namespace": NAMESPACE,
        "dimensions": dimensions,
        "comparison": comparison,
        "threshold": threshold,
        "period": 60,
        "evaluation_periods": periods,
        "datapoints_to_alarm": datapoints,
        "description": f"{description_prefix}: " + spec[-1].format(threshold=threshold, max_connections=thresholds["max_connections"]),
        # No data is no evidence of a problem (a stopped instance, a proxy without clients).
        "treat_missing_data": "notBreaching" if key != "proxy_availability" else "breaching",
    }
    if statistic.startswith("p"):
        alarm["extended_statistic"] = statistic
    else:
        alarm["statistic"] = statistic
    if unit:
        alarm["unit"] = unit
    return alarm


def alarm_keys(instance_class: str, enabled: dict | None, proxy: bool) -> list[str]:
    """The alarms the layer has, by key, in a stable order: those enabled (key -> bool; a key left out is on), the
    burst alarms only for burstable classes, the proxy's only with a proxy. What the cost role counts, too."""
    burstable = instance_class.startswith(BURSTABLE_PREFIX)
    keys = [key for key, spec in _INSTANCE_ALARMS.items() if burstable or not spec[7]] + (list(_PROXY_ALARMS) if proxy else [])
    return [key for key in keys if (enabled or {}).get(key, True)]


def alarm_definitions(settings: dict) -> list[dict]:
    """The alarms to have, each as amazon.aws.cloudwatch_metric_alarm takes it (plus ``key``), in alarm_keys' order.

    ``settings``: what instance_thresholds takes, and prefix, instance_identifier, proxy_name (empty for no proxy
    alarms), and enabled (key -> bool; a key left out is on).
    """
    thresholds = instance_thresholds(settings)
    alarms = []
    for key in alarm_keys(settings["instance_class"], settings.get("enabled"), bool(settings.get("proxy_name"))):
        if key in _INSTANCE_ALARMS:
            instance = {"DBInstanceIdentifier": settings["instance_identifier"]}
            alarms.append(_alarm(settings["prefix"], key, _INSTANCE_ALARMS[key], thresholds, instance, f"RDS {settings['instance_identifier']}"))
            continue
        dimensions = {"ProxyName": settings["proxy_name"]}
        if key == "proxy_availability":
            # AvailabilityPercentage is published per target group and role only.
            dimensions.update(TargetGroup=PROXY_TARGET_GROUP, TargetRole="READ_WRITE")
        alarms.append(_alarm(settings["prefix"], key, _PROXY_ALARMS[key], thresholds, dimensions, f"RDS Proxy {settings['proxy_name']}"))
    return alarms


def watched_metrics(alarms: list[dict]) -> list[dict]:
    """One entry per alarm's metric: id (for GetMetricData), label, namespace, metric name, dimensions, statistic."""
    return [{
        "id": alarm["key"],
        "label": f"{'Proxy ' if alarm['key'].startswith('proxy_') else ''}{alarm['metric_name']}",
        "namespace": alarm["namespace"],
        "metric_name": alarm["metric_name"],
        "dimensions": alarm["dimensions"],
        "statistic": alarm.get("statistic") or alarm["extended_statistic"],
        "alarm": alarm["name"],
    } for alarm in alarms]


def dashboard_body(alarms: list[dict], region: str, alarm_arns: list[str]) -> dict:
    """A CloudWatch dashboard: one graph per watched metric with its threshold line, then one alarm-status widget."""
    widgets = []
    width, height = 8, 6
    for index, metric in enumerate(watched_metrics(alarms)):
        dimensions = [part for name, value in metric["dimensions"].items() for part in (name, value)]
        alarm = alarms[index]
        widgets.append({
            "type": "metric",
            "x": (index % 3) * width,
            "y": (index // 3) * height,
            "width": width,
            "height": height,
            "properties": {
                "title": metric["label"],
                "region": region,
                "view": "timeSeries",
                "stat": metric["statistic"],
                "period": 60,
                "metrics": [[metric["namespace"], metric["metric_name"], *dimensions]],
                "annotations": {"horizontal": [{"label": alarm["name"], "value": alarm["threshold"]}]},
            },
        })
    rows = math.ceil(len(widgets) / 3)
    widgets.append({
        "type": "alarm",
        "x": 0,
        "y": rows * height,
        "width": 3 * width,
        "height": height,
        "properties": {"title": "Alarms", "alarms": sorted(alarm_arns)},
    })
    return {"widgets": widgets}
