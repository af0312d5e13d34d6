"""playbooks/stop.yml and start.yml on a private local environment, and the cost preview of site.yml on it.

One converge of the whole site.yml; then, in order: the --check --diff preview of a class change shows the monthly
cost before and after; stop.yml (in check mode, then for real, then again) leaves the instance stopped and the
proxy's target unavailable; start.yml brings both back. Read back from the emulator with boto3. The prod inventory
refuses both playbooks before any AWS call (its endpoint is closed), naming the variable that allows them.
"""

import boto3
import pytest

from tests.roles.conftest import CLOSED_PORT, ansible_playbook, fixture_local_environment_at  # noqa: F401  pylint: disable=unused-import
from tests.roles.playbook_output import changed_tasks, ok, recap

PORT, PG_PORT = 4767, 55567
INSTANCE, PROXY = "shoppulse-analytics", "shoppulse-analytics-proxy"


@pytest.fixture(name="env", scope="module")
def fixture_env(local_environment_at):
    with local_environment_at(PORT, PG_PORT) as env:
        ok(run(env, "site.yml", timeout=600))
        yield env


@pytest.fixture(name="rds", scope="module")
def fixture_rds(env):  # pylint: disable=unused-argument  # the emulator runs while env does
    return boto3.client("rds", region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{PORT}",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def run(env, playbook, *args, timeout=300):
    return ansible_playbook(playbook, *args, port=PORT, env=env, timeout=timeout)


def instance_status(rds):
    return rds.describe_db_instances(DBInstanceIdentifier=INSTANCE)["DBInstances"][0]["DBInstanceStatus"]


def target_state(rds):
    return [target["TargetHealth"]["State"] for target in rds.describe_db_proxy_targets(DBProxyName=PROXY)["Targets"]]


def test_the_preview_of_a_class_change_shows_the_monthly_cost_before_and_after(env, rds):
    result = run(env, "site.yml", "--check", "--diff", "-e", "rds_instance_class=db.t3.large", timeout=600)

    ok(result)
    assert "DB instance db.t3.large, Single-AZ, 730 h: $52.56 -> $105.85" in result.stdout
    assert "Monthly cost: $124.24 -> $177.53 (+$53.29)" in result.stdout
    assert rds.describe_db_instances(DBInstanceIdentifier=INSTANCE)["DBInstances"][0]["DBInstanceClass"] == "db.t3.medium"


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


@pytest.mark.parametrize("playbook", ["playbooks/stop.yml", "playbooks/start.yml"])
def test_prod_refuses_before_any_aws_call_naming_the_variable(playbook):
    result = ansible_playbook(playbook, port=CLOSED_PORT, inventory="prod")

    assert result.returncode != 0 and recap(result)["failed"] == 1
    assert "shoppulse_stop_allowed: the inventory of prod does not allow stopping and starting its database" in result.stdout
    assert "Read the database instance" not in result.stdout
