"""rollout_lock: take, wait for, give back and break the lock, against a moto server with the fidelity layer; retries via a Stubber."""

import contextlib
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber
from moto.server import ThreadedMotoServer
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper

from ansible_collections.shoppulse.analytics.plugins.modules import rollout_lock
from localenv import fidelity

from .conftest import ModuleExit

PORT = 4662
ENDPOINT = f"http://127.0.0.1:{PORT}"
NAME = "/shoppulse-analytics/test/rollout-lock"
CHECKOUT = Path(__file__).resolve().parents[4]


@pytest.fixture(name="server", scope="module")
def fixture_server():
    fidelity.apply_all()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=PORT, verbose=False)
    server.start()
    yield ENDPOINT
    server.stop()


@pytest.fixture(name="ssm")
def fixture_ssm(server, monkeypatch):
    """A client of the server, no lock in place; the module's waits run on a clock that sleeping advances."""
    client = boto3.client("ssm", region_name="us-east-1", endpoint_url=server, aws_access_key_id="testing", aws_secret_access_key="testing")
    with contextlib.suppress(client.exceptions.ParameterNotFound):
        client.delete_parameter(Name=NAME)
    now = [0.0]
    monkeypatch.setattr(rollout_lock, "clock", lambda: now[0])
    monkeypatch.setattr(rollout_lock, "sleep", lambda seconds: now.__setitem__(0, now[0] + seconds))
    return client


def args(**extra):
    return {"name": NAME, "endpoint_url": ENDPOINT, "playbook": "site.yml", **extra}


def held(ssm):
    return json.loads(ssm.get_parameter(Name=NAME)["Parameter"]["Value"])


def free(ssm):
    return not ssm.describe_parameters(ParameterFilters=[{"Key": "Name", "Values": [NAME]}])["Parameters"]


def other_run(ssm, **record):
    """A lock another run took."""
    record = {"token": "other-token", "owner": "bob@ops-2", "playbook": "site.yml", "run_id": "awx job 7", "since": "2026-11-30T02:10:00Z",
              **record}
    ssm.put_parameter(Name=NAME, Value=json.dumps(record), Type="String")
    return record


def test_takes_a_free_lock_and_keeps_it_for_the_same_token(run_module, ssm):
    taken = run_module(rollout_lock.main, args(owner="alice@ops-1", run_id="r1"))
    lock = taken["lock"]
    assert taken["acquired"] and not taken["changed"] and taken["waited"] == 0
    # No pid: the module does not run under ansible-playbook here.
    assert set(lock) == {"token", "owner", "run_id", "playbook", "since", "host"} and lock["owner"] == "alice@ops-1"
    assert held(ssm) == lock
    again = run_module(rollout_lock.main, args(owner="alice@ops-1", token=lock["token"]))
    assert again["acquired"] and again["lock"] == lock and held(ssm) == lock


def test_owner_defaults_to_user_at_host(run_module, ssm):
    lock = run_module(rollout_lock.main, args())["lock"]
    assert lock["owner"].endswith("@" + os.uname().nodename) and "run_id" not in lock
    assert held(ssm)["owner"] == lock["owner"]


def test_a_held_lock_stops_the_run_naming_the_holder(run_module, ssm):
    theirs = other_run(ssm)
    with pytest.raises(ModuleExit) as stopped:
        run_module(rollout_lock.main, args(hint="wait with -e rollout_lock_wait_timeout=SECONDS"))
    assert stopped.value.result["msg"] == (
        f"Rollout lock {NAME} is held by bob@ops-2 since 2026-11-30T02:10:00Z (playbook site.yml, run awx job 7, token other-token)"
        "; wait with -e rollout_lock_wait_timeout=SECONDS")
    assert held(ssm) == theirs and stopped.value.result["lock"] == theirs


def reaped_pid():
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_a_lock_left_by_an_exited_run_on_this_host_is_taken_over(run_module, ssm):
    other_run(ssm, host=socket.gethostname(), pid=str(reaped_pid()))
    taken = run_module(rollout_lock.main, args(owner="alice@ops-1"))
    assert taken["acquired"] and held(ssm)["owner"] == "alice@ops-1"
    assert "has exited; taking the lock over" in json.dumps(taken), sorted(taken)


def test_a_lock_of_a_live_run_or_another_host_is_never_taken_over(run_module, ssm):
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "ansible-playbook"])
    try:
        for holder in ({"host": socket.gethostname(), "pid": str(live.pid)}, {"host": "ops-2", "pid": str(reaped_pid())}):
            theirs = other_run(ssm, **holder)
            with pytest.raises(ModuleExit):
                run_module(rollout_lock.main, args())
            assert held(ssm) == theirs
            ssm.delete_parameter(Name=NAME)
    finally:
        live.kill()
        live.wait()


def test_waits_until_the_holder_gives_the_lock_back(run_module, ssm, monkeypatch):
    other_run(ssm)
    polls = []

    def holder_finishes_after_two_polls(seconds):
        polls.append(seconds)
        if len(polls) == 2:
            ssm.delete_parameter(Name=NAME)

    monkeypatch.setattr(rollout_lock, "sleep", holder_finishes_after_two_polls)
    clock = iter(range(0, 1000, 5))
    monkeypatch.setattr(rollout_lock, "clock", lambda: next(clock))
    taken = run_module(rollout_lock.main, args(owner="alice@ops-1", wait_timeout=600, wait_delay=10))
    assert taken["acquired"] and polls == [10, 10] and taken["waited"] > 0
    assert held(ssm)["owner"] == "alice@ops-1"


def test_gives_up_after_the_wait_timeout(run_module, ssm):
    theirs = other_run(ssm)
    with pytest.raises(ModuleExit, match=r"held by bob@ops-2 .*; waited 25 s$") as stopped:
        run_module(rollout_lock.main, args(wait_timeout=25, wait_delay=10))
    assert stopped.value.result["waited"] == 25 and held(ssm) == theirs


def test_check_mode_reads_but_never_writes(run_module, ssm):
    preview = run_module(rollout_lock.main, args(), check_mode=True)
    assert not preview["acquired"] and preview["lock"] == {} and free(ssm)
    theirs = other_run(ssm)
    preview = run_module(rollout_lock.main, args(wait_timeout=600), check_mode=True)
    assert not preview["changed"] and not preview["acquired"] and preview["lock"] == theirs
    assert f"Rollout lock {NAME} is held by bob@ops-2" in json.dumps(preview["warnings"])
    assert held(ssm) == theirs


def test_gives_back_only_its_own_lock(run_module, ssm):
    token = run_module(rollout_lock.main, args())["lock"]["token"]
    released = run_module(rollout_lock.main, args(state="absent", token=token))
    assert released["released"] and not released["changed"] and free(ssm)
    assert not run_module(rollout_lock.main, args(state="absent", token=token))["released"]

    theirs = other_run(ssm)
    kept = run_module(rollout_lock.main, args(state="absent", token=token))
    assert not kept["released"] and kept["lock"] == theirs and "not by this run: left in place" in json.dumps(kept["warnings"])
    assert held(ssm) == theirs


def test_force_breaks_a_stale_lock(run_module, ssm):
    theirs = other_run(ssm)
    preview = run_module(rollout_lock.main, args(state="absent", force=True), check_mode=True, diff=True)
    assert preview["changed"] and preview["diff"] == {"before": theirs, "after": {}} and held(ssm) == theirs
    broken = run_module(rollout_lock.main, args(state="absent", force=True))
    assert broken["changed"] and broken["released"] and free(ssm)
    assert not run_module(rollout_lock.main, args(state="absent", force=True))["changed"]


def test_force_with_a_token_breaks_only_that_lock(run_module, ssm):
    theirs = other_run(ssm)
    with pytest.raises(ModuleExit, match="held by bob@ops-2 .*, not by token older-token: nothing was broken"):
        run_module(rollout_lock.main, args(state="absent", force=True, token="older-token"))
    assert held(ssm) == theirs
    assert run_module(rollout_lock.main, args(state="absent", force=True, token="other-token"))["changed"]
    assert free(ssm)


def test_a_parameter_that_is_not_a_lock_record_is_held_by_nobody_known(run_module, ssm):
    ssm.put_parameter(Name=NAME, Value="hand-written", Type="String")
    with pytest.raises(ModuleExit, match=r"held by unknown \(the parameter holds 'hand-written', not a lock record\)$"):
        run_module(rollout_lock.main, args())
    assert not run_module(rollout_lock.main, args(state="absent", token="any"))["released"]
    assert run_module(rollout_lock.main, args(state="absent", force=True))["released"]


@pytest.mark.parametrize("extra, message", [
    ({"name": "shoppulse/lock"}, "name: 'shoppulse/lock' must be a parameter path"),
    ({"name": "/aws/lock"}, "not under /aws or /ssm"),
    ({"wait_timeout": -1}, "wait_timeout: -1 must be 0 or more seconds"),
    ({"wait_delay": 0}, "wait_delay: 0 must be 1 or more seconds"),
    ({"state": "absent"}, "token: required to give the lock back"),
])
def test_bad_options_fail_before_any_call(run_module, monkeypatch, extra, message):
    monkeypatch.setattr(rollout_lock.AnsibleAWSModule, "client", lambda *a, **k: pytest.fail("no AWS call expected"))
    with pytest.raises(ModuleExit, match=message):
        run_module(rollout_lock.main, {"name": NAME, **extra})


def test_runs_started_together_get_one_lock(ssm, tmp_path):
    """Four module processes at once against the server: one takes the lock, the others name it."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(CHECKOUT / ".ansible" / "collections"), str(CHECKOUT)]),
           "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    runs = []
    for n in range(4):
        (tmp_path / f"args{n}.json").write_text(json.dumps({"ANSIBLE_MODULE_ARGS": {**args(owner=f"op{n}@host"), "region": "us-east-1"}}))
        runs.append(subprocess.Popen([sys.executable, rollout_lock.__file__, str(tmp_path / f"args{n}.json")], env=env,
                                     stdout=subprocess.PIPE, text=True))
    results = [json.loads(run.communicate(timeout=60)[0]) for run in runs]
    winners = [r for r in results if r.get("acquired")]
    assert len(winners) == 1, results
    owner = winners[0]["lock"]["owner"]
    assert all(r["failed"] and f"is held by {owner} since" in r["msg"] for r in results if r is not winners[0])
    assert held(ssm)["owner"] == owner


@pytest.fixture(name="stubbed")
def fixture_stubbed(monkeypatch):
    """The module's own retry decorator around a stubbed client; the backoff does not sleep."""
    monkeypatch.setattr("ansible_collections.amazon.aws.plugins.module_utils.cloud.time.sleep", lambda seconds: None)
    client = boto3.client("ssm", region_name="us-east-1")
    stubber = Stubber(client)
    monkeypatch.setattr(rollout_lock.AnsibleAWSModule, "client",
                        lambda self, service, retry_decorator=None: RetryingBotoClientWrapper(client, retry_decorator))
    with stubber:
        yield stubber


@pytest.mark.parametrize("code", ["ThrottlingException", "TooManyUpdates"])
def test_throttled_and_concurrent_updates_are_retried(run_module, stubbed, code):
    stubbed.add_client_error("put_parameter", code, "slow down", 400)
    stubbed.add_response("put_parameter", {"Version": 1, "Tier": "Standard"})
    assert run_module(rollout_lock.main, {"name": NAME})["acquired"]
    stubbed.assert_no_pending_responses()


def test_access_errors_say_what_was_attempted(run_module, stubbed):
    stubbed.add_client_error("put_parameter", "AccessDeniedException", "not allowed", 400)
    with pytest.raises(ModuleExit, match=f"Could not take rollout lock {NAME}.*not allowed"):
        run_module(rollout_lock.main, {"name": NAME})
    stubbed.add_client_error("get_parameter", "AccessDeniedException", "not allowed", 400)
    with pytest.raises(ModuleExit, match=f"Could not read rollout lock {NAME}.*not allowed"):
        run_module(rollout_lock.main, {"name": NAME, "state": "absent", "force": True})
