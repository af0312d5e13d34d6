"""The monitoring layer's acceptance on the shared converged environment (tests/environment.py): the alarms with their
actions, the event subscriptions and the dashboard site.yml built; the layer run alone changes nothing; a class change
previews exactly the thresholds it moves; health.yml reads real connection counts and fails naming an alarm in ALARM.
The threshold rules are the filters' (tests/unit/plugins/filter/test_monitoring.py)."""

import json
import re
from contextlib import ExitStack, closing
from pathlib import Path

import psycopg2

from tests.environment import ALARM_PREFIX, PG_PORT
from tests.roles.playbook_output import changed_tasks, ok

# The alarms the acceptance names: instance CPU, connections, memory, storage, latency; the proxy's connections.
REQUIRED = ("cpu", "connections", "freeable-memory", "free-storage", "read-latency", "write-latency",
            "proxy-client-connections", "proxy-database-connections")
PLAN_TASK = "shoppulse.analytics.monitoring : Ensure exactly the declared alarms exist with their thresholds and the topic as their action"


def alarms(shared):
    found = shared.client("cloudwatch").describe_alarms(AlarmNamePrefix=ALARM_PREFIX)["MetricAlarms"]
    return {alarm["AlarmName"][len(ALARM_PREFIX):]: alarm for alarm in found}


def test_site_built_the_alarms_with_the_topic_as_their_action(shared_environment):
    topic = shared_environment.outputs["AlarmTopicArn"]
    found = alarms(shared_environment)

    assert topic and topic.endswith(":shoppulse-analytics-alarms")
    assert set(REQUIRED) <= set(found), sorted(found)
    assert {name: alarm["AlarmActions"] for name, alarm in found.items()} == {name: [topic] for name in found}
    assert found["connections"]["Dimensions"] == [{"Name": "DBInstanceIdentifier", "Value": shared_environment.instance_identifier}]
    assert found["proxy-client-connections"]["MetricName"] == "ClientConnections"


def test_the_instances_and_the_proxys_events_go_to_the_topic(shared_environment):
    topic = shared_environment.outputs["AlarmTopicArn"]
    subscriptions = shared_environment.client("rds").describe_event_subscriptions()["EventSubscriptionsList"]

    assert sorted((s["SourceType"], s["SourceIdsList"], s["Enabled"], s["SnsTopicArn"]) for s in subscriptions) == [
        ("db-instance", [shared_environment.instance_identifier], True, topic),
        ("db-proxy", ["shoppulse-analytics-proxy"], True, topic)]


def test_the_dashboard_has_a_widget_per_watched_metric_and_the_alarms(shared_environment):
    name = shared_environment.outputs["DashboardName"]
    body = json.loads(shared_environment.client("cloudwatch").get_dashboard(DashboardName=name)["DashboardBody"])
    found = alarms(shared_environment)

    graphs = sorted(widget["properties"]["metrics"][0][1] for widget in body["widgets"] if widget["type"] == "metric")
    assert graphs == sorted(alarm["MetricName"] for alarm in found.values())
    [alarm_widget] = [widget for widget in body["widgets"] if widget["type"] == "alarm"]
    assert sorted(alarm_widget["properties"]["alarms"]) == sorted(alarm["AlarmArn"] for alarm in found.values())


def test_the_layer_alone_on_the_built_environment_changes_nothing(shared_environment):
    result = shared_environment.site("--tags", "monitoring")

    assert ok(result)["changed"] == 0, changed_tasks(result)


def test_a_class_change_previews_exactly_the_thresholds_it_moves(shared_environment):
    # The one preview of a class change (to db.r6g.large, not burstable), run on the converged environment by the
    # database layer's tests (tests/environment.py): that it changes no resource is asserted there.
    preview = shared_environment.class_change_preview()

    ok(preview.result)
    plan = preview.result.stdout.split(f"TASK [{PLAN_TASK}]", 1)[1].split("TASK [", 1)[0]
    assert moved_thresholds(plan) == {"connections", "freeable-memory", "proxy-database-connections",
                                      "cpu-credit-balance", "ebs-byte-balance", "ebs-io-balance"}, plan
    assert preview.thresholds_after == preview.thresholds_before


def moved_thresholds(plan):
    """The alarms whose threshold the task's diff (alarm name -> changed fields) moves: a threshold line changed under
    the alarm's name, or the whole alarm created or deleted. The callback renders the diff as YAML or JSON."""
    moved, alarm = set(), None
    for line in plan.splitlines():
        named = re.match(rf'^([-+ ]) {{4}}"?{ALARM_PREFIX}([a-z-]+)"?:( {{)?$', line)
        if named:
            alarm = named.group(2)
            if named.group(1) != " ":
                moved.add(alarm)
        elif alarm and re.match(r'^[-+]\s+"?threshold"?: ', line):
            moved.add(alarm)
    return moved


def master_connection(shared):
    secret_arn = shared.outputs["DatabaseSecretArn"]
    secret = json.loads(shared.client("secretsmanager").get_secret_value(SecretId=secret_arn)["SecretString"])
    return closing(psycopg2.connect(host="127.0.0.1", port=PG_PORT, user=secret["username"], password=secret["password"],
                                    dbname="postgres", sslmode="require"))


def health(shared):
    result = shared.playbook("playbooks/health.yml")
    report = json.loads((Path(shared.env["SHOPPULSE_ARTIFACTS_DIR"]) / "health.json").read_text(encoding="utf-8"))
    return result, {row["alarm"][len(ALARM_PREFIX):]: row for row in report["metrics"]}


def test_health_shows_connections_rising_while_held_and_fails_naming_an_alarm_in_alarm(shared_environment):
    result, rows = health(shared_environment)
    if ok(result) and rows["connections"]["latest"] is None:
        # As below: the first read fell on the minute's turn, past the emulator's sample; the next is inside it.
        result, rows = health(shared_environment)
    ok(result)
    before = rows["connections"]["latest"]
    assert before is not None and rows["connections"]["metric"] == "DatabaseConnections"
    assert "DatabaseConnections" in result.stdout and rows["connections"]["sparkline"]

    cloudwatch = shared_environment.client("cloudwatch")
    name = f"{ALARM_PREFIX}free-storage"
    with ExitStack() as held:
        for _number in range(4):
            held.enter_context(master_connection(shared_environment))
        cloudwatch.set_alarm_state(AlarmName=name, StateValue="ALARM", StateReason="test")
        held.callback(cloudwatch.set_alarm_state, AlarmName=name, StateValue="OK", StateReason="test over")
        result, rows = health(shared_environment)
        if rows["connections"]["latest"] == before:
            # The emulator samples when it is read and stamps the sample with the start of that minute: when the minute
            # turned between the module's clock and the emulator's, the sample fell past the read's window. The next
            # read is inside the new minute.
            result, rows = health(shared_environment)

    # The run reads and reports every metric, then fails naming the one alarm in ALARM.
    assert result.returncode != 0
    assert f"health: 1 alarm(s) in ALARM: {name}" in result.stdout, result.stdout[-3000:]
    assert rows["free-storage"]["state"] == "ALARM"
    assert rows["connections"]["latest"] > before, rows["connections"]
