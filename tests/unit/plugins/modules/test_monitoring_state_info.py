"""monitoring_state_info: the alarms, event subscriptions, dashboard and alarm topic in one call, and the monitoring
filters that skip the four modules on that read decide as the modules do, before and after a drift; on moto with the
fidelity layer, with the alarms, dashboard and topic the monitoring role declares."""

import boto3
import pytest
from ansible_collections.community.aws.plugins.modules import sns_topic
from moto import mock_aws

from ansible_collections.shoppulse.analytics.plugins.filter.monitoring import (
    monitoring_alarms_as_declared, monitoring_dashboard_as_declared, monitoring_subscription_as_declared,
    monitoring_topic_as_declared)
from ansible_collections.shoppulse.analytics.plugins.module_utils.monitoring import alarm_definitions, dashboard_body
from ansible_collections.shoppulse.analytics.plugins.modules import cloudwatch_dashboard, cloudwatch_metric_alarms, rds_event_subscription
from ansible_collections.shoppulse.analytics.plugins.modules import monitoring_state_info as module
from localenv import fidelity

from ..filter.test_monitoring import role_settings
from .conftest import ModuleExit

PREFIX = "shoppulse-analytics-rds-"
TOPIC = "arn:aws:sns:us-east-1:123456789012:shoppulse-analytics-alarms"
READ = {"alarm_prefix": PREFIX, "dashboard": "shoppulse-analytics",
        "event_subscriptions": ["shoppulse-analytics-instance-events", "shoppulse-analytics-proxy-events"]}


@pytest.fixture(name="aws")
def fixture_aws():
    fidelity.apply_all()
    with mock_aws():
        yield {"cloudwatch": boto3.client("cloudwatch", region_name="us-east-1"), "rds": boto3.client("rds", region_name="us-east-1")}


def declared():
    """What the role's present.yml gives the three modules for the seed's instance and proxy."""
    definitions = alarm_definitions(role_settings())
    alarms = [{k: v for k, v in alarm.items() if k != "key"} for alarm in definitions]
    arns = [f"arn:aws:cloudwatch:us-east-1:123456789012:alarm:{alarm['name']}" for alarm in alarms]
    instance_events = {"name": READ["event_subscriptions"][0], "sns_topic_arn": TOPIC, "source_type": "db-instance",
                       "source_ids": ["shoppulse-analytics"], "event_categories": ["failure", "low storage"]}
    proxy_events = {"name": READ["event_subscriptions"][1], "state": "absent", "sns_topic_arn": TOPIC, "source_type": "db-proxy",
                    "source_ids": [""], "event_categories": []}
    return {
        "alarms": {"prefix": PREFIX, "alarms": alarms, "alarm_actions": [TOPIC], "ok_actions": [TOPIC]},
        "subscriptions": [instance_events, proxy_events],
        "dashboard": {"name": READ["dashboard"], "body": dashboard_body(definitions, "us-east-1", arns)},
    }


def converge(run_module, wanted):
    run_module(cloudwatch_metric_alarms.main, wanted["alarms"])
    for subscription in wanted["subscriptions"]:
        run_module(rds_event_subscription.main, subscription)
    run_module(cloudwatch_dashboard.main, wanted["dashboard"])


def agree(run_module, wanted):
    """Per module, (the filter finds its work done, the module in check mode would change something)."""
    read = run_module(module.main, READ)
    instance_events = wanted["subscriptions"][0]
    return {
        "alarms": (monitoring_alarms_as_declared(read["alarms"], wanted["alarms"]["alarms"], [TOPIC]),
                   run_module(cloudwatch_metric_alarms.main, wanted["alarms"], check_mode=True)["changed"]),
        "subscription": (monitoring_subscription_as_declared(read["event_subscriptions"], instance_events),
                         run_module(rds_event_subscription.main, instance_events, check_mode=True)["changed"]),
        "dashboard": (monitoring_dashboard_as_declared(read["dashboard"], wanted["dashboard"]["body"]),
                      run_module(cloudwatch_dashboard.main, wanted["dashboard"], check_mode=True)["changed"]),
    }


def test_reads_the_three_kinds_as_their_modules_compare_them(run_module, aws):
    empty = run_module(module.main, READ)
    assert (empty["changed"], empty["alarms"], empty["dashboard"]) == (False, {}, None)
    assert empty["event_subscriptions"] == dict.fromkeys(READ["event_subscriptions"])
    wanted = declared()
    converge(run_module, wanted)

    read = run_module(module.main, READ)

    assert sorted(read["alarms"]) == sorted(alarm["name"] for alarm in wanted["alarms"]["alarms"])
    assert read["event_subscriptions"][READ["event_subscriptions"][0]]["source_ids"] == ["shoppulse-analytics"]
    assert read["event_subscriptions"][READ["event_subscriptions"][1]] is None
    assert read["dashboard"]["body"]["widgets"] and run_module(module.main, {})["alarms"] == {}


def test_the_filters_find_done_exactly_what_the_modules_would_leave(run_module, aws):
    wanted = declared()
    assert agree(run_module, wanted) == {kind: (False, True) for kind in ("alarms", "subscription", "dashboard")}
    converge(run_module, wanted)

    assert agree(run_module, wanted) == {kind: (True, False) for kind in ("alarms", "subscription", "dashboard")}
    # The proxy's subscription, absent as declared.
    read = run_module(module.main, READ)
    assert monitoring_subscription_as_declared(read["event_subscriptions"], wanted["subscriptions"][1])
    assert not monitoring_subscription_as_declared(read["event_subscriptions"], {**wanted["subscriptions"][1], "state": "present"})


def test_the_filters_see_each_drift_the_modules_would_mend(run_module, aws):
    wanted = declared()
    converge(run_module, wanted)
    first = wanted["alarms"]["alarms"][0]
    aws["cloudwatch"].put_metric_alarm(
        AlarmName=first["name"], MetricName=first["metric_name"], Namespace=first["namespace"], Statistic="Average",
        ComparisonOperator=first["comparison"], Threshold=1.0, Period=60, EvaluationPeriods=1)
    aws["rds"].delete_event_subscription(SubscriptionName=READ["event_subscriptions"][0])
    aws["cloudwatch"].put_dashboard(DashboardName=READ["dashboard"], DashboardBody='{"widgets": []}')

    assert agree(run_module, wanted) == {kind: (False, True) for kind in ("alarms", "subscription", "dashboard")}
    # An alarm declared twice is left to the module, which refuses it.
    converge(run_module, wanted)
    read = run_module(module.main, READ)
    assert not monitoring_alarms_as_declared(read["alarms"], wanted["alarms"]["alarms"] + [first], [TOPIC])


# community.aws.sns_topic's options as the role's present.yml gives them: an SMS endpoint written as people write it.
TOPIC_OPTIONS = {"name": "shoppulse-analytics-alarms", "display_name": "shoppulse-analytics alarms",
                 "subscriptions": [{"protocol": "email", "endpoint": "ops@example.com"},
                                   {"protocol": "sms", "endpoint": "+1 (555) 010-0199"}],
                 "tags": {"project": "shoppulse"}}


def topic_agrees(run_module, options: dict) -> bool:
    """The topic filter's verdict on a fresh read, checked against the module's own (no change reported)."""
    found = run_module(module.main, {"topic": TOPIC_OPTIONS["name"]})["topic"]
    verdict = monitoring_topic_as_declared(found, options["display_name"], options["subscriptions"], options["tags"])
    assert verdict is not run_module(sns_topic.main, options, check_mode=True)["changed"]
    return verdict


def test_the_topic_is_as_declared_exactly_when_the_module_would_change_nothing(run_module, aws):
    sns = boto3.client("sns", region_name="us-east-1")
    missing = run_module(module.main, {"topic": TOPIC_OPTIONS["name"]})["topic"]
    assert missing is None and not monitoring_topic_as_declared(missing, "", [], None)
    assert run_module(sns_topic.main, TOPIC_OPTIONS)["changed"]  # created (in check mode the module refuses a missing topic)
    assert topic_agrees(run_module, TOPIC_OPTIONS)
    found = run_module(module.main, {"topic": TOPIC_OPTIONS["name"]})["topic"]
    assert (found["topic_arn"], found["tags"]) == (f"arn:aws:sns:us-east-1:123456789012:{TOPIC_OPTIONS['name']}", {"project": "shoppulse"})
    assert {(subscription["protocol"], subscription["endpoint"]) for subscription in found["subscriptions"]} == {
        ("email", "ops@example.com"), ("sms", "+15550100199")}  # as SNS keeps it
    for changes in ({"display_name": "another"}, {"tags": {"project": "other"}},
                    {"subscriptions": TOPIC_OPTIONS["subscriptions"][:1]},  # one to remove
                    {"subscriptions": [*TOPIC_OPTIONS["subscriptions"], {"protocol": "email", "endpoint": "dba@example.com"}]}):
        assert not topic_agrees(run_module, {**TOPIC_OPTIONS, **changes}), changes
    assert topic_agrees(run_module, {**TOPIC_OPTIONS, "display_name": "", "tags": None})  # left alone
    sns.subscribe(TopicArn=found["topic_arn"], Protocol="email", Endpoint="someone@example.com")
    assert not topic_agrees(run_module, TOPIC_OPTIONS)  # added behind the run's back
    # A subscription SNS lists as pending confirmation is one the module cannot remove: still as declared.
    pending = {**found, "subscriptions": [*found["subscriptions"], {"protocol": "email", "endpoint": "x@example.com",
                                                                    "subscription_arn": "PendingConfirmation"}]}
    assert monitoring_topic_as_declared(pending, TOPIC_OPTIONS["display_name"], TOPIC_OPTIONS["subscriptions"], TOPIC_OPTIONS["tags"])


def test_an_api_error_names_what_was_read(run_module, stub_client):
    stubber = stub_client(module, "cloudwatch")
    stubber.add_client_error("describe_alarms", "AccessDenied", "not allowed")

    with pytest.raises(ModuleExit) as failed:
        run_module(module.main, READ)

    assert "Could not read the alarms" in failed.value.result["msg"] and "AccessDenied" in failed.value.result["msg"]
