"""The monitoring filters: thresholds follow the instance's class and storage, alarms switch off, the dashboard."""

import pathlib

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.shoppulse.analytics.plugins.filter.monitoring import (
    monitoring_alarm_thresholds,
    monitoring_alarms,
    monitoring_dashboard_body,
    monitoring_health_queries,
    monitoring_health_report,
    sparkline,
)
from ansible_collections.shoppulse.analytics.plugins.module_utils.monitoring import ALARM_KEYS, default_max_connections

GIB = 1024 ** 3
CHECKOUT_ROLES = pathlib.Path(__file__).resolve().parents[4] / "roles"


def role_settings(**changes):
    """The settings validate.yml passes, from the role's defaults (the percentages) and the seed's instance."""
    defaults = yaml.safe_load((CHECKOUT_ROLES / "monitoring" / "defaults" / "main.yml").read_text())
    settings = {key[len("monitoring_"):]: value for key, value in defaults.items() if "threshold" in key}
    settings.update(prefix="shoppulse-analytics-rds", instance_identifier="shoppulse-analytics", proxy_name="shoppulse-analytics-proxy",
                    instance_class="db.t3.medium", allocated_storage=100, max_connections=None, enabled={})
    settings.update(changes)
    return settings


def by_key(alarms):
    return {alarm["key"]: alarm for alarm in alarms}


def test_max_connections_follows_the_rds_for_postgresql_formula():
    # LEAST({DBInstanceClassMemory/9531392}, 5000), the class's memory standing in for DBInstanceClassMemory.
    assert default_max_connections(4) == 4 * GIB // 9531392 == 450
    assert default_max_connections(16) == 1802
    assert default_max_connections(128) == 5000


def test_the_seed_instance_gets_the_recommended_thresholds():
    alarms = by_key(monitoring_alarms(role_settings()))
    assert alarms["cpu"]["threshold"] == 90.0
    assert alarms["connections"]["threshold"] == 405.0  # 90 % of 450
    assert alarms["freeable_memory"]["threshold"] == 1 * GIB  # 25 % of 4 GiB
    assert alarms["free_storage"]["threshold"] == 10 * GIB  # 10 % of 100 GiB
    assert alarms["read_latency"]["extended_statistic"] == "p90" and alarms["read_latency"]["threshold"] == 0.02
    assert alarms["db_load"]["threshold"] == 2.0  # the class's vCPUs
    assert alarms["freeable_memory"]["evaluation_periods"] == alarms["freeable_memory"]["datapoints_to_alarm"] == 15
    assert alarms["cpu"]["dimensions"] == {"DBInstanceIdentifier": "shoppulse-analytics"}
    assert alarms["cpu"]["name"] == "shoppulse-analytics-rds-cpu"


def test_a_class_change_moves_exactly_the_thresholds_that_follow_the_class():
    before = monitoring_alarm_thresholds(monitoring_alarms(role_settings()))
    after = monitoring_alarm_thresholds(monitoring_alarms(role_settings(instance_class="db.r6g.large")))
    changed = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    assert changed == {f"shoppulse-analytics-rds-{key}" for key in (
        "connections", "freeable-memory", "proxy-database-connections",
        # r6g is not burstable: its credit and EBS balance alarms go
        "cpu-credit-balance", "ebs-byte-balance", "ebs-io-balance")}
    assert after["shoppulse-analytics-rds-connections"] == 1621.0 and after["shoppulse-analytics-rds-freeable-memory"] == 4 * GIB
    bigger = monitoring_alarm_thresholds(monitoring_alarms(role_settings(instance_class="db.r6g.xlarge")))
    assert bigger["shoppulse-analytics-rds-db-load"] == 4.0


def test_storage_moves_only_the_free_storage_threshold():
    before = monitoring_alarm_thresholds(monitoring_alarms(role_settings()))
    after = monitoring_alarm_thresholds(monitoring_alarms(role_settings(allocated_storage="200")))
    assert {name for name in before if before[name] != after[name]} == {"shoppulse-analytics-rds-free-storage"}
    assert after["shoppulse-analytics-rds-free-storage"] == 20 * GIB


def test_a_max_connections_set_in_the_parameter_group_replaces_the_formula():
    alarms = by_key(monitoring_alarms(role_settings(max_connections="200")))
    assert alarms["connections"]["threshold"] == 180.0
    assert "max_connections 200" in alarms["connections"]["description"]


def test_burst_alarms_only_for_burstable_classes():
    assert {"cpu_credit_balance", "ebs_byte_balance", "ebs_io_balance"} <= set(by_key(monitoring_alarms(role_settings())))
    assert not {"cpu_credit_balance", "ebs_byte_balance", "ebs_io_balance"} & set(
        by_key(monitoring_alarms(role_settings(instance_class="db.m6i.large"))))


def test_every_alarm_can_be_turned_off():
    assert monitoring_alarms(role_settings(enabled={key: False for key in ALARM_KEYS})) == []
    left = by_key(monitoring_alarms(role_settings(enabled={"cpu": False, "proxy_pinned": False})))
    assert "cpu" not in left and "proxy_pinned" not in left and "connections" in left


def test_the_proxy_is_watched_on_its_real_metrics():
    alarms = by_key(monitoring_alarms(role_settings()))
    proxy = {key: alarm["metric_name"] for key, alarm in alarms.items() if key.startswith("proxy_")}
    assert proxy == {"proxy_client_connections": "ClientConnections", "proxy_database_connections": "DatabaseConnections",
                     "proxy_pinned": "DatabaseConnectionsCurrentlySessionPinned",
                     "proxy_failed_auth": "ClientConnectionsSetupFailedAuth", "proxy_availability": "AvailabilityPercentage"}
    assert "ProxyConnections" not in {alarm["metric_name"] for alarm in alarms.values()}
    assert alarms["proxy_client_connections"]["dimensions"] == {"ProxyName": "shoppulse-analytics-proxy"}
    assert alarms["proxy_availability"]["dimensions"] == {"ProxyName": "shoppulse-analytics-proxy", "TargetGroup": "default",
                                                          "TargetRole": "READ_WRITE"}
    assert not [key for key in by_key(monitoring_alarms(role_settings(proxy_name=""))) if key.startswith("proxy_")]


def test_an_unknown_class_names_the_variable():
    with pytest.raises(AnsibleFilterError, match=r"^monitoring_instance_class: 'db\.x9\.huge' is not a class"):
        monitoring_alarms(role_settings(instance_class="db.x9.huge"))


def test_the_dashboard_has_a_graph_per_alarm_and_one_alarm_widget():
    alarms = monitoring_alarms(role_settings())
    arns = [f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:{alarm['name']}" for alarm in alarms]
    widgets = monitoring_dashboard_body(alarms, "us-east-1", arns)["widgets"]
    graphs = [widget for widget in widgets if widget["type"] == "metric"]
    assert [graph["properties"]["metrics"][0][1] for graph in graphs] == [alarm["metric_name"] for alarm in alarms]
    assert graphs[1]["properties"]["annotations"]["horizontal"][0]["value"] == 405.0
    assert [widget["properties"]["alarms"] for widget in widgets if widget["type"] == "alarm"] == [sorted(arns)]
    # Three graphs to a row, the alarm widget below them all.
    assert widgets[-1]["y"] == max(graph["y"] for graph in graphs) + graphs[0]["height"]


DESCRIBED = [
    {"alarm_name": "p-connections", "namespace": "AWS/RDS", "metric_name": "DatabaseConnections", "statistic": "Average",
     "dimensions": [{"name": "DBInstanceIdentifier", "value": "db"}], "state_value": "OK"},
    {"alarm_name": "p-read-latency", "namespace": "AWS/RDS", "metric_name": "ReadLatency", "extended_statistic": "p90",
     "dimensions": [{"name": "DBInstanceIdentifier", "value": "db"}], "state_value": "INSUFFICIENT_DATA"},
    {"alarm_name": "p-proxy-client-connections", "namespace": "AWS/RDS", "metric_name": "ClientConnections", "statistic": "Maximum",
     "dimensions": [{"name": "ProxyName", "value": "px"}], "state_value": "ALARM"},
]


def test_health_queries_read_each_alarms_metric_by_its_statistic():
    assert monitoring_health_queries(DESCRIBED) == [
        {"id": "m0", "namespace": "AWS/RDS", "metric_name": "DatabaseConnections", "dimensions": {"DBInstanceIdentifier": "db"},
         "statistic": "Average"},
        {"id": "m1", "namespace": "AWS/RDS", "metric_name": "ReadLatency", "dimensions": {"DBInstanceIdentifier": "db"},
         "statistic": "p90"},
        {"id": "m2", "namespace": "AWS/RDS", "metric_name": "ClientConnections", "dimensions": {"ProxyName": "px"},
         "statistic": "Maximum"},
    ]


def test_the_health_report_gives_latest_min_max_a_sparkline_and_the_state():
    report = monitoring_health_report(DESCRIBED, {"m0": {"values": [3.0, 5.0, 4.0, 11.0]}, "m1": {"values": []}, "m2": {"values": [7.0]}})

    connections, latency, proxy = report["rows"]
    assert (connections["metric"], connections["latest"], connections["min"], connections["max"]) == ("DatabaseConnections", 11.0, 3.0, 11.0)
    assert connections["sparkline"] == "▁▃▂█"
    assert (latency["latest"], latency["sparkline"], latency["state"]) == (None, "", "INSUFFICIENT_DATA")
    assert (proxy["metric"], proxy["sparkline"], proxy["state"]) == ("Proxy ClientConnections", "▁", "ALARM")
    assert report["in_alarm"] == ["p-proxy-client-connections"]
    header, rule, first = report["table"][:3]
    assert header.split() == ["metric", "latest", "min", "max", "last", "values", "alarm", "state"]
    assert set(rule) <= {"-", " "} and first.split() == ["DatabaseConnections", "11", "3", "11", "▁▃▂█", "p-connections", "OK"]
    assert report["table"][3].split()[1:4] == ["-", "-", "-"]


def test_a_flat_series_is_a_flat_sparkline():
    assert sparkline([2.0, 2.0, 2.0]) == "▁▁▁"
