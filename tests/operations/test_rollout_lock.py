"""The rollout lock, as operators meet it: two site.yml runs started at once on one environment, a run that waits for
the lock, a preview beside a held lock, a failed run, and breaking a stale lock with playbooks/unlock.yml.

The module runs on the shared converged environment (tests/environment.py), whose rollout is the race: two
`site.yml` runs started at once on the empty environment, neither willing to wait. The other tests run the network
layer alone on it, and leave it as they found it.
"""

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from tests.environment import SITE_TIMEOUT as TIMEOUT
from tests.roles.conftest import CHECKOUT
from tests.roles.playbook_output import ok, recap

LOCK = "/shoppulse-analytics/local/rollout-lock"


def start(shared, *args: str) -> subprocess.Popen:
    """``ansible-playbook -i inventories/local site.yml <args>`` in the background, against the shared environment."""
    argv = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "inventories/local", "site.yml", *args]
    env = {**os.environ, "SHOPPULSE_EMULATOR_PORT": str(shared.port), "ANSIBLE_CONFIG": str(CHECKOUT / "ansible.cfg"),
           "ANSIBLE_NOCOLOR": "1", **shared.env}
    return subprocess.Popen(argv, cwd=CHECKOUT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(run: subprocess.Popen) -> subprocess.CompletedProcess:
    stdout, stderr = run.communicate(timeout=TIMEOUT)
    return subprocess.CompletedProcess(run.args, run.returncode, stdout, stderr)


def failures(result) -> list[dict]:
    """The results of the tasks that failed, in order, as the YAML callback prints them (long strings folded)."""
    blocks = re.findall(r"^fatal: \[localhost\]: FAILED! => \n((?:    .*\n)+)", result.stdout, re.MULTILINE)
    assert blocks, result.stdout[-3000:]
    return [yaml.safe_load(textwrap.dedent(block)) for block in blocks]


def failure(result) -> dict:
    """The result of the task that failed the run."""
    return failures(result)[-1]


def lock_parameters(shared) -> list[str]:
    return [p["Name"] for p in shared.client("ssm").describe_parameters()["Parameters"]]


def hold(shared, owner="bob@ops-2", token="stale-token"):
    """A lock another run holds (or a dead run left behind)."""
    record = {"token": token, "owner": owner, "playbook": "site.yml", "since": "2026-11-30T02:10:00Z"}
    shared.client("ssm").put_parameter(Name=LOCK, Value=json.dumps(record), Type="String")


@pytest.fixture(name="race", scope="module")
def fixture_race(shared_environment):
    """The shared environment's rollout: two operators applied the empty environment at the same moment."""
    return shared_environment.rollout


@pytest.fixture(name="environment", scope="module")
def fixture_environment(shared_environment):
    return shared_environment


def test_one_run_applies_and_the_other_stops_naming_it(race):
    applied = [owner for owner, result in race.items() if result.returncode == 0]
    assert len(applied) == 1, {owner: r.stdout[-3000:] for owner, r in race.items()}
    (winner,) = applied
    (loser,) = set(race) - {winner}
    assert ok(race[winner])["changed"] > 0
    stopped = race[loser]
    assert recap(stopped)["changed"] == 0 and "Build the VPC and its subnets" not in stopped.stdout
    message = failure(stopped)["msg"]
    assert re.fullmatch(rf"Rollout lock {LOCK} is held by {winner} since \d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\dZ "
                        r"\(playbook site\.yml, token [0-9a-f-]{36}\); wait for it with -e rollout_lock_wait_timeout=SECONDS "
                        r"or, if that run is gone, break it with playbooks/unlock\.yml -e rollout_lock_token=<its token>", message), message


def test_the_environment_has_one_of_each_resource_and_no_lock(race, environment):  # pylint: disable=unused-argument
    ec2, rds = environment.client("ec2"), environment.client("rds")
    assert len(ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["shoppulse-analytics"]}])["Vpcs"]) == 1
    assert len([v for v in ec2.describe_vpcs()["Vpcs"] if not v["IsDefault"]]) == 1
    assert len(rds.describe_db_instances()["DBInstances"]) == 1
    assert len(rds.describe_db_proxies()["DBProxies"]) == 1
    assert len(environment.client("secretsmanager").list_secrets()["SecretList"]) == 2  # the master's and the application's
    assert lock_parameters(environment) == []


def test_a_run_waits_for_the_lock_and_a_preview_runs_beside_it(race, environment):  # pylint: disable=unused-argument
    hold(environment)
    waiting = start(environment, "--tags", "vpc", "-v", "-e", "rollout_lock_wait_timeout=600", "-e", "rollout_lock_wait_delay=1")
    try:
        preview = environment.site("--check", "--tags", "vpc", timeout=TIMEOUT)
        assert ok(preview)["changed"] == 0
        assert (f"[WARNING]: Rollout lock {LOCK} is held by bob@ops-2 since 2026-11-30T02:10:00Z (playbook site.yml, token stale-token): "
                "an apply now would wait for it or stop") in " ".join(preview.stderr.split())
        assert waiting.poll() is None, "the run did not wait for the lock"
        assert json.loads(environment.client("ssm").get_parameter(Name=LOCK)["Parameter"]["Value"])["owner"] == "bob@ops-2"
    except BaseException:
        waiting.kill()  # before the lock goes: it must not go on into the next tests
        waiting.communicate()
        raise
    finally:
        environment.client("ssm").delete_parameter(Name=LOCK)  # the other run is done
    waited = finish(waiting)
    assert ok(waited)["changed"] == 0
    assert int(re.search(r"^    waited: (\d+)$", waited.stdout, re.MULTILINE).group(1)) > 0, waited.stdout[-3000:]
    assert lock_parameters(environment) == []


def test_a_failed_run_gives_the_lock_back(race, environment):  # pylint: disable=unused-argument
    secrets = environment.client("secretsmanager")
    # A secret that holds no JSON object: the secrets layer refuses to take it as the credentials, after the lock.
    secrets.create_secret(Name="stray", SecretString="[]")
    try:
        failed = environment.site("--tags", "secrets", "-e", "secrets_name=stray", timeout=TIMEOUT)
    finally:
        secrets.delete_secret(SecretId="stray", ForceDeleteWithoutRecovery=True)
    counts = recap(failed)
    assert failed.returncode != 0 and counts["rescued"] == 0 and counts["failed"] == 1, failed.stdout[-3000:]
    # The layer's own error is the run's one failure; the lock is given back after it.
    (only,) = failures(failed)
    assert "does not hold a JSON object" in only["msg"], failed.stdout[-3000:]
    assert "rollout_lock : Give the environment's rollout lock back]" in failed.stdout.split("does not hold a JSON object", 1)[1]
    assert lock_parameters(environment) == []


def test_unlock_breaks_a_stale_lock_only_by_its_token(environment):
    hold(environment, owner="carol@gone", token="dead-run")
    try:
        unnamed = environment.playbook("playbooks/unlock.yml", timeout=TIMEOUT)
        assert unnamed.returncode != 0 and failure(unnamed)["msg"].startswith("rollout_lock_token: name the token of the lock to break")
        broken = environment.playbook("playbooks/unlock.yml", "--diff", "-e", "rollout_lock_token=dead-run", timeout=TIMEOUT)
        assert ok(broken)["changed"] == 1 and "-    owner: carol@gone" in broken.stdout, broken.stdout[-3000:]
        assert lock_parameters(environment) == []
    finally:
        if lock_parameters(environment):
            environment.client("ssm").delete_parameter(Name=LOCK)
