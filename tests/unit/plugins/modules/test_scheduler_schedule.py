"""scheduler_schedule: create, keep, update, delete on moto's EventBridge Scheduler with the fidelity layer; bad options
and errors via a Stubber."""

import json

import boto3
import pytest
from moto import mock_aws

from ansible_collections.shoppulse.analytics.plugins.modules import iam_service_role, scheduler_schedule, scheduler_schedule_info
from localenv import fidelity

from .conftest import ModuleExit

ROLE = "arn:aws:iam::123456789012:role/stop-schedule"
STOP = "arn:aws:scheduler:::aws-sdk:rds:stopDBInstance"


@pytest.fixture(name="scheduler")
def fixture_scheduler():
    fidelity.apply_all()
    with mock_aws():
        yield boto3.client("scheduler", region_name="us-east-1")


def args(**extra):
    return {"name": "stop-db", "description": "Stops db1", "schedule_expression": "cron(0 20 * * ? *)",
            "schedule_expression_timezone": "Europe/Berlin",
            "target": {"arn": STOP, "role_arn": ROLE, "input": {"DbInstanceIdentifier": "db1"},
                       "retry_policy": {"maximum_event_age_in_seconds": 3600, "maximum_retry_attempts": 3}}, **extra}


def test_creates_then_keeps(run_module, scheduler):
    predicted = run_module(scheduler_schedule.main, args(), check_mode=True, diff=True)
    assert predicted["changes"] == ["created"] and predicted["diff"]["before"] == {}
    assert predicted["schedule"]["target"]["input"] == '{"DbInstanceIdentifier": "db1"}'
    assert scheduler.list_schedules()["Schedules"] == []

    created = run_module(scheduler_schedule.main, args())

    assert created["changes"] == ["created"] and created["schedule"]["arn"].endswith(":schedule/default/stop-db")
    found = scheduler.get_schedule(Name="stop-db")
    assert found["ScheduleExpression"] == "cron(0 20 * * ? *)" and found["ScheduleExpressionTimezone"] == "Europe/Berlin"
    assert found["State"] == "ENABLED" and found["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert found["Target"]["Arn"] == STOP and found["Target"]["RoleArn"] == ROLE
    assert json.loads(found["Target"]["Input"]) == {"DbInstanceIdentifier": "db1"}
    assert found["Target"]["RetryPolicy"] == {"MaximumEventAgeInSeconds": 3600, "MaximumRetryAttempts": 3}
    again = run_module(scheduler_schedule.main, args(), diff=True)
    assert not again["changed"] and again["diff"]["before"] == again["diff"]["after"]


def test_input_given_as_json_text_matches_the_same_document(run_module, scheduler):  # pylint: disable=unused-argument
    run_module(scheduler_schedule.main, args())
    as_text = args(target={**args()["target"], "input": '{"DbInstanceIdentifier":"db1"}'})
    assert not run_module(scheduler_schedule.main, as_text)["changed"]


def test_without_a_retry_policy_keeps_the_services_default(run_module, scheduler):
    without = args(target={"arn": STOP, "role_arn": ROLE, "input": {"DbInstanceIdentifier": "db1"}})
    run_module(scheduler_schedule.main, without)
    assert scheduler.get_schedule(Name="stop-db")["Target"]["RetryPolicy"] == {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185}
    assert not run_module(scheduler_schedule.main, without)["changed"]


def test_updates_what_differs_and_check_mode_changes_nothing(run_module, scheduler):
    run_module(scheduler_schedule.main, args())
    wanted = args(schedule_expression="cron(30 18 ? * MON-FRI *)", enabled=False,
                  target={**args()["target"], "input": {"DbInstanceIdentifier": "db2"}})

    predicted = run_module(scheduler_schedule.main, wanted, check_mode=True, diff=True)
    assert predicted["changes"] == ["schedule_expression", "enabled", "target"]
    assert predicted["diff"]["after"]["schedule_expression"] == "cron(30 18 ? * MON-FRI *)"
    assert scheduler.get_schedule(Name="stop-db")["ScheduleExpression"] == "cron(0 20 * * ? *)"

    updated = run_module(scheduler_schedule.main, wanted)
    found = scheduler.get_schedule(Name="stop-db")
    assert updated["changes"] == ["schedule_expression", "enabled", "target"] and found["State"] == "DISABLED"
    assert found["ScheduleExpressionTimezone"] == "Europe/Berlin" and found["Description"] == "Stops db1"
    assert json.loads(found["Target"]["Input"]) == {"DbInstanceIdentifier": "db2"}
    assert not run_module(scheduler_schedule.main, wanted)["changed"]


def test_deletes_then_reports_nothing_to_do(run_module, scheduler):
    run_module(scheduler_schedule.main, args())
    absent = {"name": "stop-db", "state": "absent"}
    predicted = run_module(scheduler_schedule.main, absent, check_mode=True, diff=True)
    assert predicted["changes"] == ["deleted"] and predicted["diff"]["after"] == {}
    assert len(scheduler.list_schedules()["Schedules"]) == 1
    assert run_module(scheduler_schedule.main, absent)["changes"] == ["deleted"]
    assert scheduler.list_schedules()["Schedules"] == []
    assert not run_module(scheduler_schedule.main, absent)["changed"]


def test_the_read_finds_the_schedule_and_its_role_exactly_where_their_deletion_would_change_something(run_module, scheduler):
    """The cost role skips each deletion where scheduler_schedule_info finds nothing (roles/cost/tasks/schedule_absent.yml)."""
    def read():
        return run_module(scheduler_schedule_info.main, {"name": "stop-db", "role_name": "stop-schedule"})

    def deletions() -> tuple[bool, bool]:
        return (run_module(scheduler_schedule.main, {"name": "stop-db", "state": "absent"}, check_mode=True)["changed"],
                run_module(iam_service_role.main, {"name": "stop-schedule", "state": "absent"}, check_mode=True)["changed"])

    nothing = read()
    assert (nothing["changed"], nothing["schedule"], nothing["role"]) == (False, {}, {}) and deletions() == (False, False)
    created = run_module(scheduler_schedule.main, args())["schedule"]
    boto3.client("iam").create_role(RoleName="stop-schedule", AssumeRolePolicyDocument="{}")
    found = read()
    assert found["schedule"] == created and found["role"]["role_name"] == "stop-schedule" and deletions() == (True, True)
    assert set(run_module(scheduler_schedule_info.main, {"name": "stop-db"})) == {"changed", "schedule", "invocation"}


def test_the_read_names_the_schedule_on_an_error(run_module, stub_client):
    stub_client(scheduler_schedule_info, "scheduler").add_client_error("get_schedule", "AccessDeniedException", "not allowed", 403)
    with pytest.raises(ModuleExit, match="name: could not read schedule stop-db of group default or role None.*not allowed"):
        run_module(scheduler_schedule_info.main, {"name": "stop-db"})


def test_a_schedule_group_that_does_not_exist_fails_naming_it(run_module, scheduler):  # pylint: disable=unused-argument
    with pytest.raises(ModuleExit, match="Could not create schedule stop-db of group nightly.*Schedule group nightly does not exist"):
        run_module(scheduler_schedule.main, args(group_name="nightly"))


@pytest.mark.parametrize("extra, message", [
    ({"name": "stop db"}, "name: 'stop db' must be 1 to 64 letters"),
    ({"schedule_expression": "0 20 * * ? *"}, r"schedule_expression: '0 20 \* \* \? \*' is not cron\(...\), rate\(...\) or at\(...\)"),
    ({"flexible_time_window_minutes": 0}, "flexible_time_window_minutes: 0 is not between 1 and 1440"),
    ({"target": {"arn": STOP, "role_arn": ROLE, "retry_policy": {"maximum_retry_attempts": 200}}},
     "target.retry_policy.maximum_retry_attempts: 200 is not between 0 and 185"),
    ({"target": None, "schedule_expression": None}, "schedule_expression: required when state is present; target: required"),
])
def test_bad_options_fail_before_any_call(run_module, monkeypatch, extra, message):
    monkeypatch.setattr(scheduler_schedule.AnsibleAWSModule, "client", lambda *a, **k: pytest.fail("no AWS call expected"))
    with pytest.raises(ModuleExit, match=message):
        run_module(scheduler_schedule.main, args(**extra))


def test_read_error_names_the_schedule(run_module, stub_client):
    stubbed = stub_client(scheduler_schedule, "scheduler")
    stubbed.add_client_error("get_schedule", "AccessDeniedException", "not allowed", 403)
    with pytest.raises(ModuleExit, match="Could not read schedule stop-db of group default.*not allowed"):
        run_module(scheduler_schedule.main, args())


def test_create_error_names_the_schedule(run_module, stub_client):
    stubbed = stub_client(scheduler_schedule, "scheduler")
    stubbed.add_client_error("get_schedule", "ResourceNotFoundException", "none", 404)
    stubbed.add_client_error("create_schedule", "ValidationException", "Invalid Schedule Expression", 400)
    with pytest.raises(ModuleExit, match=r"Could not create schedule stop-db of group default \(created\).*Invalid Schedule Expression"):
        run_module(scheduler_schedule.main, args())


def test_a_schedule_deleted_meanwhile_counts_as_deleted(run_module, stub_client):
    stubbed = stub_client(scheduler_schedule, "scheduler")
    stubbed.add_response("get_schedule", {"Name": "stop-db", "Arn": "arn:aws:scheduler:us-east-1:123456789012:schedule/default/stop-db"})
    stubbed.add_client_error("delete_schedule", "ResourceNotFoundException", "gone", 404)
    assert run_module(scheduler_schedule.main, {"name": "stop-db", "state": "absent"})["changes"] == ["deleted"]
