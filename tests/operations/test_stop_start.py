"""playbooks/stop.yml and start.yml on a private local environment, and the stop schedule site.yml builds there.

The converged environment site.yml builds (restored from the run's snapshot, tests/converged.py); then, in order:
stop.yml (in check mode, then for real, then again) leaves the instance stopped and the proxy's target unavailable;
start.yml brings both back; site.yml with a stop schedule builds it and its IAM role, keeps them on a second run,
previews their removal in check mode and removes them once the schedule is unset. Read back from the emulator with
boto3. The prod inventory refuses both playbooks and a stop schedule before any AWS call (its endpoint is closed),
naming the variable that allows them. The cost a class change moves is shown by the one preview of a class change on
the shared environment (tests/roles/test_rds_role.py).
"""

import json

import boto3
import pytest

from tests.roles.conftest import CLOSED_PORT, ansible_playbook
from tests.roles.playbook_output import changed_tasks, ok, recap

PORT, PG_PORT = 4767, 25567
INSTANCE, PROXY = "shoppulse-analytics", "shoppulse-analytics-proxy"
SCHEDULE, SCHEDULE_ROLE = "shoppulse-analytics-stop-database", "shoppulse-analytics-stop-schedule"
EVENING = json.dumps({"cost_stop_schedule": "cron(0 20 * * ? *)"})


@pytest.fixture(name="env", scope="module")
def fixture_env(converged_environment_at):
    with converged_environment_at(PORT, PG_PORT) as env:
        yield env


@pytest.fixture(name="rds", scope="module")
def fixture_rds(env):  # pylint: disable=unused-argument  # the emulator runs while env does
    return boto3.client("rds", region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{PORT}",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture(name="aws", scope="module")
def fixture_aws(env):  # pylint: disable=unused-argument  # the emulator runs while env does
    return {service: boto3.client(service, region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{PORT}",
                                  aws_access_key_id="testing", aws_secret_access_key="testing")
            for service in ("scheduler", "iam")}


def run(env, playbook, *args, timeout=300):
    return ansible_playbook(playbook, *args, port=PORT, env=env, timeout=timeout)


def instance_status(rds):
    return rds.describe_db_instances(DBInstanceIdentifier=INSTANCE)["DBInstances"][0]["DBInstanceStatus"]


def target_state(rds):
    return [target["TargetHealth"]["State"] for target in rds.describe_db_proxy_targets(DBProxyName=PROXY)["Targets"]]


def test_stop_leaves_the_instance_stopped_and_says_the_proxys_target_stops_working(env, rds):
    preview = run(env, "playbooks/stop.yml", "--check")
    assert ok(preview)["changed"] == 1 and instance_status(rds) == "available"

    result = run(env, "playbooks/stop.yml")

    ok(result)
    assert f"the target of proxy {PROXY} becomes UNAVAILABLE" in " ".join(result.stdout.split())
    assert f"Instance {INSTANCE} is stopped" in result.stdout
    assert instance_status(rds) == "stopped" and target_state(rds) == ["UNAVAILABLE"]
    again = run(env, "playbooks/stop.yml")
    assert ok(again)["changed"] == 0, changed_tasks(again)


def test_start_brings_the_instance_and_the_proxys_target_back(env, rds):
    assert instance_status(rds) == "stopped", "runs after the stop test"

    result = run(env, "playbooks/start.yml")

    ok(result)
    assert f"Instance {INSTANCE} is available" in result.stdout
    assert f"The target of proxy {PROXY} is AVAILABLE" in result.stdout
    assert instance_status(rds) == "available" and target_state(rds) == ["AVAILABLE"]
    again = run(env, "playbooks/start.yml")
    assert ok(again)["changed"] == 0, changed_tasks(again)


def stop_schedule(aws):
    """The stop schedule and its role's ARN, trust and inline policy; None for what does not exist."""
    schedules = aws["scheduler"].list_schedules()["Schedules"]
    schedule = aws["scheduler"].get_schedule(Name=SCHEDULE) if [s["Name"] for s in schedules] == [SCHEDULE] else None
    if schedule is not None:
        schedule.pop("ResponseMetadata")
    try:
        role = aws["iam"].get_role(RoleName=SCHEDULE_ROLE)["Role"]
    except aws["iam"].exceptions.NoSuchEntityException:
        return schedule, None
    policies = {name: aws["iam"].get_role_policy(RoleName=SCHEDULE_ROLE, PolicyName=name)["PolicyDocument"]
                for name in aws["iam"].list_role_policies(RoleName=SCHEDULE_ROLE)["PolicyNames"]}
    return schedule, {"arn": role["Arn"], "trust": role["AssumeRolePolicyDocument"]["Statement"], "policies": policies}


def test_a_stop_schedule_is_built_with_its_role_kept_and_removed_once_unset(env, rds, aws):
    assert instance_status(rds) == "available", "runs after the start test"

    created = run(env, "site.yml", "-e", EVENING, timeout=600)

    ok(created)
    schedule, role = stop_schedule(aws)
    assert schedule["ScheduleExpression"] == "cron(0 20 * * ? *)" and schedule["ScheduleExpressionTimezone"] == "UTC"
    assert schedule["State"] == "ENABLED" and schedule["FlexibleTimeWindow"] == {"Mode": "OFF"}
    assert schedule["Target"]["Arn"] == "arn:aws:scheduler:::aws-sdk:rds:stopDBInstance"
    assert json.loads(schedule["Target"]["Input"]) == {"DbInstanceIdentifier": INSTANCE}
    assert schedule["Target"]["RoleArn"] == role["arn"]
    assert role["trust"] == [{"Effect": "Allow", "Principal": {"Service": "scheduler.amazonaws.com"}, "Action": "sts:AssumeRole",
                              "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}}]
    instance_arn = rds.describe_db_instances(DBInstanceIdentifier=INSTANCE)["DBInstances"][0]["DBInstanceArn"]
    assert role["policies"] == {"stop-database-instance": {"Version": "2012-10-17", "Statement": [
        {"Sid": "StopTheDatabaseInstance", "Effect": "Allow", "Action": "rds:StopDBInstance", "Resource": instance_arn}]}}
    # The full run changed only the schedule and its role with the role's policy (one task), so the layer's own re-run
    # shows the second run's changed=0.
    assert ok(created)["changed"] == 2, changed_tasks(created)
    again = run(env, "site.yml", "-e", EVENING, "--tags", "stop_schedule")
    assert ok(again)["changed"] == 0, changed_tasks(again)

    preview = run(env, "site.yml", "--tags", "stop_schedule", "--check", "--diff")
    assert ok(preview)["changed"] == 2, changed_tasks(preview)
    assert stop_schedule(aws) == (schedule, role)

    removed = run(env, "site.yml", "--tags", "stop_schedule")

    assert ok(removed)["changed"] == 2, changed_tasks(removed)
    assert stop_schedule(aws) == (None, None)


def test_a_stop_schedule_prod_may_not_take_is_refused_before_any_aws_call():
    """The schedule's rules are the cost_schedule_errors filter's (tests/unit/plugins/filter/test_settings_errors.py);
    this run shows the filter stops site.yml, with the inventory's own permission."""
    result = ansible_playbook("site.yml", "-e", EVENING, port=CLOSED_PORT, inventory="prod")

    assert result.returncode != 0 and recap(result)["failed"] == 1
    message = "shoppulse_stop_allowed: the inventory of prod does not allow stopping its database, so it takes no stop schedule"
    assert message in " ".join(result.stdout.split())
    assert "Take the environment's rollout lock" not in result.stdout


@pytest.mark.parametrize("playbook", ["playbooks/stop.yml", "playbooks/start.yml"])
def test_prod_refuses_before_any_aws_call_naming_the_variable(playbook):
    result = ansible_playbook(playbook, port=CLOSED_PORT, inventory="prod")

    assert result.returncode != 0 and recap(result)["failed"] == 1
    assert "shoppulse_stop_allowed: the inventory of prod does not allow stopping and starting its database" in result.stdout
    assert "Read the database instance" not in result.stdout
