"""secretsmanager_secret_stage: staging a value, moving AWSCURRENT, check mode and refusals, on moto with the fidelity layer."""

import boto3
import pytest
from moto import mock_aws

from ansible_collections.shoppulse.analytics.plugins.modules import secretsmanager_secret_stage as module
from localenv import fidelity

from .conftest import ModuleExit

TOKEN = "0123456789abcdef0123456789abcdef"
OLD, NEW = '{"password": "old-value"}', '{"password": "new-value"}'


@pytest.fixture(name="sm")
def fixture_sm():
    fidelity.apply_all()
    with mock_aws():
        client = boto3.client("secretsmanager", region_name="us-east-1")
        client.create_secret(Name="db", SecretString=OLD)
        yield client


def labels(sm):
    return {version: sorted(stages) for version, stages in sm.describe_secret(SecretId="db")["VersionIdsToStages"].items()}


def current(sm):
    return next(version for version, stages in labels(sm).items() if "AWSCURRENT" in stages)


def stage(run_module, check_mode=False, diff=False, **args):
    return run_module(module.main, {"name": "db", **args}, check_mode=check_mode, diff=diff)


def test_stages_a_new_value_as_pending_once(run_module, sm):
    first = current(sm)

    staged = stage(run_module, stage="AWSPENDING", version_id=TOKEN, secret_string=NEW)
    again = stage(run_module, stage="AWSPENDING", version_id=TOKEN, secret_string=NEW)

    assert (staged["changed"], staged["created"], staged["version_id"], staged["previous_version_id"]) == (True, True, TOKEN, None)
    assert not again["changed"] and not again["created"]
    assert labels(sm) == {first: ["AWSCURRENT"], TOKEN: ["AWSPENDING"]} == staged["versions"]
    assert sm.get_secret_value(SecretId="db", VersionStage="AWSPENDING")["SecretString"] == NEW
    assert NEW not in str(staged) and "new-value" not in str(staged)


def test_finishing_moves_current_and_previous_and_removes_pending(run_module, sm):
    first = current(sm)
    stage(run_module, stage="AWSPENDING", version_id=TOKEN, secret_string=NEW)

    finished = stage(run_module, stage="AWSCURRENT", version_id=TOKEN, remove_stages=["AWSPENDING"], diff=True)
    again = stage(run_module, stage="AWSCURRENT", version_id=TOKEN, remove_stages=["AWSPENDING"])

    assert finished["changed"] and finished["previous_version_id"] == first and not again["changed"]
    assert labels(sm) == {first: ["AWSPREVIOUS"], TOKEN: ["AWSCURRENT"]} == again["versions"]
    assert finished["diff"]["before"]["versions"] == {first: ["AWSCURRENT"], TOKEN: ["AWSPENDING"]}
    assert sm.get_secret_value(SecretId="db")["SecretString"] == NEW


def test_a_version_without_an_id_gets_a_new_one(run_module, sm):
    staged = stage(run_module, stage="AWSPENDING", secret_string=NEW)

    assert staged["created"] and len(staged["version_id"]) == 36
    assert labels(sm)[staged["version_id"]] == ["AWSPENDING"]


def test_check_mode_predicts_and_changes_nothing(run_module, sm):
    first = current(sm)
    before = labels(sm)

    created = stage(run_module, check_mode=True, stage="AWSPENDING", version_id=TOKEN, secret_string=NEW)
    assert created["changed"] and created["versions"] == {first: ["AWSCURRENT"], TOKEN: ["AWSPENDING"]}
    assert labels(sm) == before

    stage(run_module, stage="AWSPENDING", version_id=TOKEN, secret_string=NEW)
    moved = stage(run_module, check_mode=True, stage="AWSCURRENT", version_id=TOKEN, remove_stages=["AWSPENDING"])
    assert moved["changed"] and moved["versions"] == {first: ["AWSPREVIOUS"], TOKEN: ["AWSCURRENT"]}
    assert labels(sm) == {first: ["AWSCURRENT"], TOKEN: ["AWSPENDING"]}


@pytest.mark.parametrize("args, message", [
    ({"stage": "AWSCURRENT", "version_id": TOKEN}, f"secret_string: version {TOKEN} of "),
    ({"stage": "AWSPENDING", "version_id": "short", "secret_string": NEW}, "version_id: 'short' must be 32 to 64 characters"),
    ({"stage": "AWSPENDING", "version_id": TOKEN, "remove_stages": ["AWSCURRENT"]}, "remove_stages: AWSCURRENT cannot be removed"),
    ({"stage": "AWSPENDING", "name": "missing", "secret_string": NEW}, "name: no secret missing"),
])
def test_refuses_what_secrets_manager_would_not_do(run_module, sm, args, message):
    before = labels(sm)
    with pytest.raises(ModuleExit) as failed:
        stage(run_module, **args)
    assert failed.value.result["msg"].startswith(message)
    assert labels(sm) == before


def test_refuses_another_value_for_an_existing_version_without_showing_either(run_module, sm):
    stage(run_module, stage="AWSPENDING", version_id=TOKEN, secret_string=NEW)
    with pytest.raises(ModuleExit) as failed:
        stage(run_module, stage="AWSPENDING", version_id=TOKEN, secret_string=OLD)
    assert failed.value.result["msg"].startswith(f"secret_string: version {TOKEN} of ")
    assert "new-value" not in str(failed.value.result) and "old-value" not in str(failed.value.result)
