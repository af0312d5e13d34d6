"""secretsmanager_rotation: start, wait, resume and time out, on moto with the fidelity layer.

Without Docker moto's Lambda only records invocations, so the test plays the rotation function: while the module
waits (its sleep), the function's steps run, as AWS runs them asynchronously.
"""

import boto3
import pytest
from moto import mock_aws

from ansible_collections.shoppulse.analytics.plugins.modules import secretsmanager_rotation as module
from localenv import fidelity
from tests.conftest import create_rotation_function

from .conftest import ModuleExit


@pytest.fixture(name="sm")
def fixture_sm():
    fidelity.apply_all()
    with mock_aws(config={"lambda": {"use_docker": False}}):
        yield boto3.client("secretsmanager", region_name="us-east-1")


@pytest.fixture(name="function_arn")
def fixture_function_arn(sm):  # pylint: disable=unused-argument  # inside the mock
    return create_rotation_function()


@pytest.fixture(name="secret")
def fixture_secret(sm, function_arn):
    """A secret whose rotation function is configured (the first rotation it starts is finished by the test)."""
    first = sm.create_secret(Name="db", SecretString="v1")["VersionId"]
    token = sm.rotate_secret(SecretId="db", RotationLambdaARN=function_arn, RotationRules={"AutomaticallyAfterDays": 30})["VersionId"]
    play_function(sm, token, "v2")
    return {"previous": first, "current": token}


@pytest.fixture(name="waits")
def fixture_waits(monkeypatch):
    """A fake clock; each sleep runs what was queued for it (the rotation function's work) and advances the clock."""
    now, queued, slept = [0.0], [], []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds
        if queued:
            queued.pop(0)()

    monkeypatch.setattr(module, "clock", lambda: now[0])
    monkeypatch.setattr(module, "sleep", sleep)
    return {"queue": queued, "slept": slept}


def labels(sm):
    return sm.describe_secret(SecretId="db")["VersionIdsToStages"]


def holder(sm, stage):
    return next((version for version, stages in labels(sm).items() if stage in stages), None)


def play_function(sm, token, value):
    """createSecret and finishSecret as AWS's rotation templates write them (AWSPENDING stays on the new version)."""
    sm.put_secret_value(SecretId="db", ClientRequestToken=token, SecretString=value, VersionStages=["AWSPENDING"])
    sm.update_secret_version_stage(SecretId="db", VersionStage="AWSCURRENT", MoveToVersionId=token, RemoveFromVersionId=holder(sm, "AWSCURRENT"))


def rotate(run_module, check_mode=False, **args):
    return run_module(module.main, {"name": "db", "wait_delay": 5, **args}, check_mode=check_mode)


def test_starts_a_rotation_and_waits_until_the_new_version_is_current(run_module, sm, secret, waits):
    waits["queue"].extend([lambda: None, lambda: play_function(sm, holder(sm, "AWSPENDING"), "v3")])

    result = rotate(run_module)

    assert result["changed"] and result["finished"] and not result["resumed"]
    assert result["previous_version_id"] == secret["current"] and result["version_id"] not in secret.values()
    assert holder(sm, "AWSCURRENT") == result["version_id"] and holder(sm, "AWSPREVIOUS") == secret["current"]
    assert sm.get_secret_value(SecretId="db")["SecretString"] == "v3"
    assert waits["slept"] == [5, 5]
    assert sm.describe_secret(SecretId="db")["RotationRules"]["AutomaticallyAfterDays"] == 30, "the schedule is kept"


def test_waits_for_a_rotation_in_progress_instead_of_starting_another(run_module, sm, secret, waits):
    token = sm.rotate_secret(SecretId="db")["VersionId"]
    waits["queue"].append(lambda: play_function(sm, token, "v3"))

    result = rotate(run_module)

    assert result["resumed"] and result["finished"] and result["version_id"] == token
    assert holder(sm, "AWSCURRENT") == token and len(labels(sm)) == 3, "no other rotation was started"
    assert result["previous_version_id"] == secret["current"]


def test_fails_with_the_last_labels_when_the_function_does_not_finish(run_module, sm, secret, waits):
    with pytest.raises(ModuleExit) as failed:
        rotate(run_module, wait_timeout=30)

    pending = holder(sm, "AWSPENDING")
    message = failed.value.result["msg"]
    assert f"to version {pending} did not finish within 30 s" in message
    assert f"{secret['current']}: AWSCURRENT" in message and f"{pending}: AWSPENDING" in message
    assert sum(waits["slept"]) == 30


def test_returns_once_started_without_wait(run_module, sm, secret, waits):
    result = rotate(run_module, wait=False)

    assert result["changed"] and not result["finished"] and result["version_id"] == holder(sm, "AWSPENDING")
    assert holder(sm, "AWSCURRENT") == secret["current"] and waits["slept"] == []


def test_check_mode_starts_nothing(run_module, sm, secret):
    before = labels(sm)
    result = rotate(run_module, check_mode=True)
    assert result["changed"] and result["version_id"] is None and labels(sm) == before
    assert secret["current"] in before


def test_refuses_a_secret_without_a_rotation_function(run_module, sm):
    sm.create_secret(Name="db", SecretString="v1")
    before = labels(sm)
    with pytest.raises(ModuleExit) as failed:
        rotate(run_module)
    assert failed.value.result["msg"].endswith("has no rotation function (RotationLambdaARN) to rotate it with")
    assert labels(sm) == before


def test_refuses_at_once_a_rotation_function_that_does_not_exist(run_module, sm, secret, function_arn, waits):
    boto3.client("lambda", region_name="us-east-1").delete_function(FunctionName=function_arn)
    before = labels(sm)
    for check_mode in (True, False):
        with pytest.raises(ModuleExit) as failed:
            rotate(run_module, check_mode=check_mode)
        assert failed.value.result["msg"].startswith(f"name: the rotation function {function_arn} of the secret ")
        assert "does not exist" in failed.value.result["msg"]
    assert labels(sm) == before and waits["slept"] == [], "nothing started, nothing waited for"
    assert secret["current"] in before
