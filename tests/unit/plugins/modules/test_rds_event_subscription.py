"""rds_event_subscription: create, replace on a change, delete, check mode, on moto with the fidelity layer."""

import pytest

from ansible_collections.shoppulse.analytics.plugins.modules import rds_event_subscription as module

from .conftest import ModuleExit, emulated_client

NAME = "shoppulse-analytics-instance-events"
TOPIC = "arn:aws:sns:us-east-1:123456789012:shoppulse-analytics-alarms"
DECLARED = {"name": NAME, "sns_topic_arn": TOPIC, "source_type": "db-instance", "source_ids": ["shoppulse-analytics"],
            "event_categories": ["low storage", "failure"]}


@pytest.fixture(name="rds")
def fixture_rds():
    yield from emulated_client("rds")


def listed(rds):
    return rds.describe_event_subscriptions()["EventSubscriptionsList"]


def test_creates_the_subscription_once_enabled(run_module, rds):
    created = run_module(module.main, DECLARED)
    again = run_module(module.main, DECLARED)

    assert created["changed"] and not again["changed"]
    [found] = listed(rds)
    assert (found["SnsTopicArn"], found["SourceType"], found["SourceIdsList"], sorted(found["EventCategoriesList"]), found["Enabled"]) == (
        TOPIC, "db-instance", ["shoppulse-analytics"], ["failure", "low storage"], True)
    assert again["subscription"]["event_categories"] == ["failure", "low storage"]


def test_a_changed_subscription_is_replaced_with_a_diff(run_module, rds):
    run_module(module.main, DECLARED)

    preview = run_module(module.main, {**DECLARED, "event_categories": ["failure"]}, check_mode=True, diff=True)
    assert preview["changed"] and sorted(listed(rds)[0]["EventCategoriesList"]) == ["failure", "low storage"]
    assert preview["diff"]["before"]["event_categories"] == ["failure", "low storage"]
    assert preview["diff"]["after"]["event_categories"] == ["failure"]

    assert run_module(module.main, {**DECLARED, "event_categories": ["failure"]})["changed"]
    assert [s["EventCategoriesList"] for s in listed(rds)] == [["failure"]]


def test_check_mode_creates_nothing_and_absent_deletes_once(run_module, rds):
    assert run_module(module.main, DECLARED, check_mode=True)["changed"]
    assert listed(rds) == []

    run_module(module.main, DECLARED)
    assert run_module(module.main, {"name": NAME, "state": "absent"})["changed"]
    assert not run_module(module.main, {"name": NAME, "state": "absent"})["changed"]
    assert listed(rds) == []


def test_refuses_a_subscription_without_topic_naming_it(run_module, rds):
    with pytest.raises(ModuleExit) as failed:
        run_module(module.main, {"name": NAME, "source_type": "db-proxy"})
    assert failed.value.result["msg"] == "sns_topic_arn: required with state=present"
    assert listed(rds) == []
