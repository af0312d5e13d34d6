"""secretsmanager_credentials: a credentials secret kept in one call (create, no-op, attach, key, tags, rotation, restore,
check mode, diff, refusals), its password never changed and never in the module's output; on moto with the fidelity
layer."""

import json

import boto3
import pytest
from moto import mock_aws

from ansible_collections.shoppulse.analytics.plugins.modules import secretsmanager_credentials as module
from localenv import fidelity
from tests.conftest import create_rotation_function

from .conftest import ModuleExit

NAME = "shoppulse-analytics/rds/master"
FIRST, SECOND = "first-Password-1234567890", "second-Password-0987654321"
BASE = {"name": NAME, "username": "shoppulse_admin", "dbname": "shoppulse", "new_password": FIRST,
        "tags": {"project": "shoppulse"}, "error_prefix": "secrets_"}
ADDRESS = {"host": "db.example.internal", "port": 5432}


@pytest.fixture(name="sm")
def fixture_sm():
    fidelity.apply_all()
    with mock_aws(config={"lambda": {"use_docker": False}}):
        yield boto3.client("secretsmanager", region_name="us-east-1")


def value(sm) -> tuple[str, dict]:
    current = sm.get_secret_value(SecretId=NAME)
    return current["VersionId"], json.loads(current["SecretString"])


def shown(result) -> str:
    return json.dumps(result)


def test_creates_the_secret_then_keeps_it_and_its_password(run_module, sm):
    created = run_module(module.main, BASE)
    again = run_module(module.main, {**BASE, "new_password": SECOND})

    assert created["changed"] and created["created"] and created["changed_keys"] == ["dbname", "engine", "password", "username"]
    assert (created["host"], created["port"]) == (None, None)
    assert not again["changed"] and again["changed_keys"] == [] and again["arn"] == created["arn"]
    version, held = value(sm)
    assert held == {"username": "shoppulse_admin", "password": FIRST, "engine": "postgres", "dbname": "shoppulse"}
    assert version == created["version_id"] == again["version_id"]
    assert sm.describe_secret(SecretId=NAME)["Tags"] == [{"Key": "project", "Value": "shoppulse"}]
    assert FIRST not in shown(created) + shown(again)


def test_attach_writes_host_and_port_keeping_the_password_and_other_keys(run_module, sm):
    run_module(module.main, BASE)
    before, held = value(sm)
    sm.put_secret_value(SecretId=NAME, SecretString=json.dumps({**held, "added_by_rotation": "kept"}))

    attached = run_module(module.main, {**BASE, **ADDRESS, "new_password": SECOND}, diff=True)
    again = run_module(module.main, {**BASE, **ADDRESS, "new_password": SECOND})

    assert attached["changed"] and attached["changed_keys"] == ["host", "port"] and not again["changed"]
    assert (attached["host"], attached["port"]) == (again["host"], again["port"]) == ("db.example.internal", 5432)
    assert attached["diff"] == {"before": {"host": None, "port": None}, "after": ADDRESS}
    version, after = value(sm)
    assert version not in (before, None) and version == again["version_id"]
    assert after == {**held, "added_by_rotation": "kept", **ADDRESS}
    assert FIRST not in shown(attached) + shown(again)


def test_rotation_turns_on_once_the_secret_holds_a_host_and_off_without_a_function(run_module, sm):
    function = create_rotation_function()
    unattached = run_module(module.main, {**BASE, "rotation_lambda_arn": function})
    attached = run_module(module.main, {**BASE, **ADDRESS, "rotation_lambda_arn": function, "rotation_days": 7})
    again = run_module(module.main, {**BASE, **ADDRESS, "rotation_lambda_arn": function, "rotation_days": 7})
    described = sm.describe_secret(SecretId=NAME)
    turned_off = run_module(module.main, {**BASE, **ADDRESS})

    assert unattached["changed"] and not unattached["rotation_enabled"] and not unattached["rotating"]
    assert attached["changed"] and attached["rotation_enabled"] and attached["rotating"] and not again["changed"]
    assert (described["RotationEnabled"], described["RotationLambdaARN"], described["RotationRules"]["AutomaticallyAfterDays"]) == (True, function, 7)
    assert turned_off["changed"] and not sm.describe_secret(SecretId=NAME).get("RotationEnabled")


def test_a_rotation_under_way_is_reported_so_that_the_caller_waits_for_it(run_module, sm):
    run_module(module.main, BASE)
    settled = run_module(module.main, {**BASE, **ADDRESS})
    held = value(sm)[1]
    # A rotation's createSecret step: the new password in a version labelled AWSPENDING only.
    sm.put_secret_value(SecretId=NAME, SecretString=json.dumps({**held, "password": SECOND}), VersionStages=["AWSPENDING"])
    under_way = run_module(module.main, {**BASE, **ADDRESS})

    assert not settled["rotating"] and under_way["rotating"] and not under_way["changed"]
    assert SECOND not in shown(under_way)


def test_the_same_key_named_another_way_is_the_same_key_and_description_alone_keeps_the_value(run_module, sm):
    key = boto3.client("kms", region_name="us-east-1").create_key()["KeyMetadata"]
    run_module(module.main, {**BASE, "kms_key_id": key["Arn"]})
    same = run_module(module.main, {**BASE, "kms_key_id": key["KeyId"]})
    version, held = value(sm)
    described = run_module(module.main, {**BASE, "kms_key_id": key["KeyId"], "description": "Master credentials"})

    assert not same["changed"]
    assert described["changed"] and described["changed_keys"] == []
    assert value(sm)[1] == held and value(sm)[0] != version
    assert sm.describe_secret(SecretId=NAME)["Description"] == "Master credentials"
    assert module.same_key(None, "arn:aws:kms:us-east-1:123456789012:alias/aws/secretsmanager")
    assert not module.same_key(None, "alias/mine") and not module.same_key("alias/mine", None)
    assert module.same_key("alias/mine", "arn:aws:kms:us-east-1:123456789012:alias/mine")


def test_tags_are_added_and_others_tags_kept(run_module, sm):
    run_module(module.main, BASE)
    sm.tag_resource(SecretId=NAME, Tags=[{"Key": "owner", "Value": "someone"}])
    tagged = run_module(module.main, {**BASE, "tags": {"project": "shoppulse", "environment": "local"}})

    assert tagged["changed"] and tagged["changed_keys"] == []
    tags = {tag["Key"]: tag["Value"] for tag in sm.describe_secret(SecretId=NAME)["Tags"]}
    assert tags == {"project": "shoppulse", "owner": "someone", "environment": "local"}


def test_a_secret_scheduled_for_deletion_is_restored_with_its_password(run_module, sm):
    run_module(module.main, BASE)
    sm.delete_secret(SecretId=NAME, RecoveryWindowInDays=7)
    preview = run_module(module.main, {**BASE, "new_password": SECOND}, check_mode=True)
    assert preview["changed"] and preview["restored"] and "DeletedDate" in sm.describe_secret(SecretId=NAME)

    restored = run_module(module.main, {**BASE, "new_password": SECOND})
    assert restored["changed"] and restored["restored"] and restored["changed_keys"] == []
    assert "DeletedDate" not in sm.describe_secret(SecretId=NAME) and value(sm)[1]["password"] == FIRST


def test_check_mode_creates_nothing_and_gives_the_arn_known_after_apply(run_module, sm):
    preview = run_module(module.main, BASE, check_mode=True, diff=True)
    attach = run_module(module.main, {**BASE, **ADDRESS}, check_mode=True)

    assert preview["changed"] and preview["created"] and sm.list_secrets()["SecretList"] == []
    assert preview["arn"] == f"arn:aws:secretsmanager:us-east-1:123456789012:secret:{NAME}-known-after-apply"
    assert preview["diff"]["after"]["password"] == "********" and FIRST not in shown(preview)
    assert not attach["changed"] and attach["arn"] == preview["arn"]  # the run that creates it comes first

    run_module(module.main, BASE)
    version = value(sm)[0]
    attach_preview = run_module(module.main, {**BASE, **ADDRESS}, check_mode=True)
    assert attach_preview["changed"] and attach_preview["changed_keys"] == ["host", "port"] and value(sm)[0] == version


@pytest.mark.parametrize(("held", "args", "message"), [
    ("[1, 2]", {}, f"secrets_name: the secret {NAME} exists but does not hold a JSON object; only JSON credentials are kept"),
    ('{"password": "' + SECOND + '", ', {}, f"secrets_name: the secret {NAME} holds a value that is not valid JSON; only JSON credentials are kept"),
    ('{"username": "postgres", "password": "' + SECOND + '"}', ADDRESS,
     f"secrets_username: the secret {NAME} already holds the username 'postgres' and a database user cannot be renamed; "
     "set secrets_username to it"),
])
def test_a_value_it_cannot_keep_is_refused_before_any_change_never_showing_it(run_module, sm, held, args, message):
    version = sm.create_secret(Name=NAME, SecretString=held)["VersionId"]
    with pytest.raises(ModuleExit) as refused:
        run_module(module.main, {**BASE, **args})
    assert refused.value.failed and refused.value.result["msg"] == message
    assert SECOND not in shown(refused.value.result)
    assert sm.get_secret_value(SecretId=NAME)["VersionId"] == version and "Tags" not in sm.describe_secret(SecretId=NAME)


def test_an_address_for_a_secret_that_does_not_exist_is_refused(run_module, sm):
    with pytest.raises(ModuleExit) as refused:
        run_module(module.main, {**BASE, **ADDRESS})
    assert refused.value.result["msg"] == (f"secrets_name: no secret {NAME} to write the host and port into; create it first "
                                           "(the secrets role's main entry point)")
    assert sm.list_secrets()["SecretList"] == []
