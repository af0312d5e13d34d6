"""cloudwatch_metric_alarms: the alarms under a prefix made the declared ones in one call (create, no-op, update,
delete, check mode, diff), on moto with the fidelity layer, with the alarms the monitoring role declares."""

import pytest

from ansible_collections.shoppulse.analytics.plugins.module_utils.monitoring import alarm_definitions
from ansible_collections.shoppulse.analytics.plugins.modules import cloudwatch_metric_alarms as module

from ..filter.test_monitoring import role_settings
from .conftest import ModuleExit

PREFIX = "shoppulse-analytics-rds-"
TOPIC = "arn:aws:sns:us-east-1:123456789012:shoppulse-analytics-alarms"


def declared(**changes):
    """The role's alarms for the seed's instance and proxy, as present.yml passes them (without the role's key)."""
    return [{k: v for k, v in alarm.items() if k != "key"} for alarm in alarm_definitions(role_settings(**changes))]


def reconcile(run_module, alarms, check_mode=False, diff=False):
    args = {"prefix": PREFIX, "alarms": alarms, "alarm_actions": [TOPIC], "ok_actions": [TOPIC]}
    return run_module(module.main, args, check_mode=check_mode, diff=diff)


def found(cw):
    pages = cw.get_paginator("describe_alarms").paginate(AlarmNamePrefix=PREFIX)
    return {alarm["AlarmName"]: alarm for alarm in pages.build_full_result()["MetricAlarms"]}


def test_creates_the_declared_alarms_then_changes_nothing(run_module, cw):
    alarms = declared()

    created = reconcile(run_module, alarms)
    again = reconcile(run_module, alarms)

    names = sorted(alarm["name"] for alarm in alarms)
    assert (created["changed"], created["created"]) == (True, names)
    assert (again["changed"], again["created"], again["updated"], again["deleted"], again["unchanged"]) == (False, [], [], [], names)
    cpu = found(cw)[PREFIX + "cpu"]
    assert (cpu["Threshold"], cpu["AlarmActions"], cpu["OKActions"], cpu["Dimensions"], cpu["TreatMissingData"]) == (
        alarms[0]["threshold"], [TOPIC], [TOPIC], [{"Name": "DBInstanceIdentifier", "Value": "shoppulse-analytics"}], "notBreaching")
    assert found(cw)[PREFIX + "read-latency"]["ExtendedStatistic"] == "p90"


def test_a_class_change_updates_and_deletes_exactly_what_it_moves_with_a_diff(run_module, cw):
    reconcile(run_module, declared())
    bigger = declared(instance_class="db.r6g.large")

    preview = reconcile(run_module, bigger, check_mode=True, diff=True)

    assert preview["changed"]
    moved = {"connections", "freeable-memory", "proxy-database-connections"}
    assert preview["updated"] == sorted(PREFIX + name for name in moved)
    assert preview["deleted"] == [PREFIX + name for name in ("cpu-credit-balance", "ebs-byte-balance", "ebs-io-balance")]
    before, after = preview["diff"]["before"], preview["diff"]["after"]
    assert set(after) == {PREFIX + name for name in moved}
    assert {name: sorted(fields) for name, fields in after.items()} == {name: ["description", "threshold"] for name in after}
    thresholds = {alarm["name"]: alarm["threshold"] for alarm in declared()}, {alarm["name"]: alarm["threshold"] for alarm in bigger}
    assert {name: (fields["threshold"], after[name]["threshold"]) for name, fields in before.items() if name in after} == {
        name: (thresholds[0][name], thresholds[1][name]) for name in after}
    assert before[PREFIX + "cpu-credit-balance"]["metric_name"] == "CPUCreditBalance"
    assert found(cw)[PREFIX + "connections"]["Threshold"] == thresholds[0][PREFIX + "connections"] and PREFIX + "cpu-credit-balance" in found(cw)

    applied = reconcile(run_module, bigger)

    assert (applied["changed"], applied["updated"], applied["deleted"]) == (True, preview["updated"], preview["deleted"])
    assert found(cw)[PREFIX + "connections"]["Threshold"] == thresholds[1][PREFIX + "connections"]
    assert sorted(found(cw)) == sorted(alarm["name"] for alarm in bigger)
    assert not reconcile(run_module, bigger)["changed"]


def test_an_action_changed_outside_is_put_back(run_module, cw):
    alarms = declared()[:1]
    reconcile(run_module, alarms)
    request = {"AlarmName": alarms[0]["name"], "MetricName": "CPUUtilization", "Namespace": "AWS/RDS", "Statistic": "Average",
               "Period": 60, "EvaluationPeriods": 5, "Threshold": alarms[0]["threshold"], "ComparisonOperator": "GreaterThanThreshold",
               "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": "shoppulse-analytics"}], "Unit": "Percent",
               "DatapointsToAlarm": 5, "AlarmDescription": alarms[0]["description"], "TreatMissingData": "notBreaching"}
    cw.put_metric_alarm(**request)

    result = reconcile(run_module, alarms, diff=True)

    assert (result["updated"], result["diff"]["before"], result["diff"]["after"]) == (
        [alarms[0]["name"]], {alarms[0]["name"]: {"alarm_actions": [], "ok_actions": []}},
        {alarms[0]["name"]: {"alarm_actions": [TOPIC], "ok_actions": [TOPIC]}})
    assert found(cw)[alarms[0]["name"]]["OKActions"] == [TOPIC]


def test_check_mode_writes_nothing_and_an_empty_list_deletes_every_alarm_under_the_prefix(run_module, cw):
    cw.put_metric_alarm(AlarmName="other-cpu", MetricName="CPUUtilization", Namespace="AWS/RDS", Statistic="Average", Period=60,
                        EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanThreshold")
    preview = reconcile(run_module, declared(), check_mode=True)
    assert preview["changed"] and len(preview["created"]) == len(declared())
    assert found(cw) == {}

    # More than a page of DescribeAlarms and more than one DeleteAlarms call.
    for index in range(120):
        cw.put_metric_alarm(AlarmName=f"{PREFIX}old-{index:03}", MetricName="CPUUtilization", Namespace="AWS/RDS", Statistic="Average",
                            Period=60, EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanThreshold")

    deleted = reconcile(run_module, [])

    assert deleted["changed"] and len(deleted["deleted"]) == 120
    assert found(cw) == {}
    assert [a["AlarmName"] for a in cw.describe_alarms()["MetricAlarms"]] == ["other-cpu"]
    assert not reconcile(run_module, [])["changed"]


def test_refuses_alarms_outside_the_prefix_or_without_one_statistic_before_any_call(run_module, cw):
    wrong = {**declared()[0], "name": "elsewhere-cpu", "extended_statistic": "p90"}

    with pytest.raises(ModuleExit) as failed:
        reconcile(run_module, [wrong])

    assert failed.value.result["msg"] == ("alarms[0] (elsewhere-cpu).name: must start with the prefix 'shoppulse-analytics-rds-'; "
                                          "alarms[0] (elsewhere-cpu): exactly one of statistic and extended_statistic")
    assert found(cw) == {}
