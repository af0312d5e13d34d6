"""cloudwatch_dashboard: create, update with a diff, no change when equal after normalising, delete, check mode, on moto."""

import json

import pytest

from ansible_collections.shoppulse.analytics.plugins.modules import cloudwatch_dashboard as module

from .conftest import ModuleExit

NAME = "shoppulse-analytics"
GRAPH = {"type": "metric", "x": 0, "y": 0, "width": 8, "height": 6,
         "properties": {"title": "CPU", "region": "us-east-1", "metrics": [["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", "db"]]}}
BODY = {"widgets": [GRAPH]}


def dashboard(run_module, check_mode=False, diff=False, **args):
    return run_module(module.main, {"name": NAME, **args}, check_mode=check_mode, diff=diff)


def stored(cw):
    return json.loads(cw.get_dashboard(DashboardName=NAME)["DashboardBody"])


def test_creates_the_dashboard_once(run_module, cw):
    created = dashboard(run_module, body=BODY)
    again = dashboard(run_module, body=BODY)

    assert created["changed"] and not again["changed"]
    assert stored(cw) == BODY == created["dashboard"]["body"]
    assert created["dashboard"]["arn"].endswith(f":dashboard/{NAME}")
    assert created["diff"]["before"] == "" and '"CPUUtilization"' in created["diff"]["after"]


def test_a_body_equal_after_normalising_is_no_change(run_module, cw):
    cw.put_dashboard(DashboardName=NAME, DashboardBody=json.dumps(BODY))
    # The same body as JSON text, keys in another order and other white space.
    text = json.dumps({"widgets": [{**{key: GRAPH[key] for key in reversed(list(GRAPH))}}]}, indent=4)

    assert not dashboard(run_module, body=text)["changed"]


def test_updates_a_changed_body_with_a_diff_of_the_bodies(run_module, cw):
    cw.put_dashboard(DashboardName=NAME, DashboardBody=json.dumps(BODY))
    wider = {"widgets": [{**GRAPH, "width": 12}]}

    preview = dashboard(run_module, check_mode=True, diff=True, body=wider)
    assert preview["changed"] and stored(cw) == BODY
    assert '"width": 8' in preview["diff"]["before"] and '"width": 12' in preview["diff"]["after"]

    updated = dashboard(run_module, body=wider)
    assert updated["changed"] and stored(cw) == wider


def test_check_mode_creates_nothing(run_module, cw):
    assert dashboard(run_module, check_mode=True, body=BODY)["changed"]
    assert cw.list_dashboards()["DashboardEntries"] == []


def test_deletes_the_dashboard_once(run_module, cw):
    cw.put_dashboard(DashboardName=NAME, DashboardBody=json.dumps(BODY))

    assert dashboard(run_module, check_mode=True, state="absent")["changed"]
    assert stored(cw) == BODY
    deleted = dashboard(run_module, state="absent")
    again = dashboard(run_module, state="absent")

    assert deleted["changed"] and not again["changed"]
    assert cw.list_dashboards()["DashboardEntries"] == []


@pytest.mark.parametrize("args, message", [
    ({"body": BODY, "name": "no spaces allowed"}, "name: 'no spaces allowed' must be 1-255 letters, digits, - or _"),
    ({}, "body: required with state=present"),
    ({"body": "not json"}, "body: must be a JSON object"),
    ({"body": {"title": "no widgets"}}, "body: must have a list of widgets"),
])
def test_refuses_bad_input_naming_the_option(run_module, cw, args, message):
    with pytest.raises(ModuleExit) as failed:
        run_module(module.main, {"name": NAME, **args})
    assert failed.value.result["msg"].startswith(message)
    assert cw.list_dashboards()["DashboardEntries"] == []


def test_fails_naming_the_validation_messages_cloudwatch_returns(run_module, stub_client):
    stubber = stub_client(module, "cloudwatch")
    stubber.add_client_error("get_dashboard", service_error_code="ResourceNotFound", http_status_code=404)
    stubber.add_response("put_dashboard", {"DashboardValidationMessages": [{"DataPath": "/widgets/0", "Message": "Unknown metric"}]})

    with pytest.raises(ModuleExit) as failed:
        dashboard(run_module, body=BODY)

    assert failed.value.result["msg"] == f"Dashboard {NAME}: CloudWatch reported problems in the body: /widgets/0: Unknown metric"
