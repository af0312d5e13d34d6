"""The rotation function's handler (functions/rotate_secret/, with the collection's rotation steps) against a real
PostgreSQL 15 server with TLS (the stand-in fixture) and Secrets Manager in moto: a rotation, a resumed one, and a
database that takes none of the secret's passwords."""

import importlib.util
import json
import sys
from contextlib import closing

import boto3
import psycopg2
import pytest
from moto import mock_aws

from ansible_collections.shoppulse.analytics.plugins.module_utils import rotation
from localenv import fidelity
from tests.conftest import CHECKOUT, create_rotation_function

OLD = "Old-Password-Of-The-Master-1"


def load_handler():
    sys.modules.setdefault("rotation", rotation)  # what the package bundles as rotation.py
    spec = importlib.util.spec_from_file_location("rotate_secret_handler", CHECKOUT / "functions" / "rotate_secret" / "handler.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


handler = load_handler()


def admin(cfg, statement, *args):
    with closing(psycopg2.connect(host=str(cfg.pgsocket), port=cfg.pg_port, user="postgres", dbname="postgres")) as conn:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(statement, args)


def logs_in(cfg, password):
    try:
        psycopg2.connect(host="127.0.0.1", port=cfg.pg_port, user="rotated", password=password, dbname="postgres",
                         sslmode="require").close()
    except psycopg2.OperationalError:
        return False
    return True


@pytest.fixture(name="sm")
def fixture_sm(standin_postgres, monkeypatch):
    admin(standin_postgres, "DROP ROLE IF EXISTS rotated")
    admin(standin_postgres, "CREATE ROLE rotated LOGIN PASSWORD %s", OLD)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    fidelity.apply_all()
    with mock_aws(config={"lambda": {"use_docker": False}}):
        client = boto3.client("secretsmanager")
        client.create_secret(Name="db", SecretString=json.dumps({
            "username": "rotated", "password": OLD, "engine": "postgres", "host": "127.0.0.1",
            "port": standin_postgres.pg_port, "dbname": "shoppulse"}))
        yield client


def start(sm):
    """RotateSecret as Secrets Manager starts it: a version labelled AWSPENDING, the steps left to the function."""
    return sm.rotate_secret(SecretId="db", RotationLambdaARN=create_rotation_function(),
                            RotationRules={"AutomaticallyAfterDays": 30})["VersionId"]


def step(name, token):
    handler.handler({"Step": name, "SecretId": "db", "ClientRequestToken": token}, None)


def stages(sm):
    return {version: labels for version, labels in sm.describe_secret(SecretId="db")["VersionIdsToStages"].items() if labels}


def test_the_four_steps_rotate_the_password_in_the_secret_and_the_database(sm, standin_postgres, capsys):
    first = next(iter(stages(sm)))
    token = start(sm)
    for name in rotation.STEPS:
        step(name, token)

    new = json.loads(sm.get_secret_value(SecretId="db")["SecretString"])
    assert {version: sorted(labels) for version, labels in stages(sm).items()} == \
        {first: ["AWSPREVIOUS"], token: ["AWSCURRENT", "AWSPENDING"]}, "AWSPENDING on AWSCURRENT: the rotation finished"
    assert new["password"] != OLD and len(new["password"]) == 32 and new["host"] == "127.0.0.1"
    assert logs_in(standin_postgres, new["password"]) and not logs_in(standin_postgres, OLD)
    printed = capsys.readouterr().out
    assert new["password"] not in printed and OLD not in printed


def test_the_steps_log_in_at_the_instance_the_environment_names_not_the_secrets_host(sm, standin_postgres, monkeypatch):
    """The application secret names the proxy, which would refuse the pending password: the function goes to the
    instance its environment names."""
    value = json.loads(sm.get_secret_value(SecretId="db")["SecretString"])
    sm.put_secret_value(SecretId="db", SecretString=json.dumps({**value, "host": "proxy.invalid", "port": 1}))
    monkeypatch.setenv("ROTATION_DATABASE_HOST", "127.0.0.1")
    monkeypatch.setenv("ROTATION_DATABASE_PORT", str(standin_postgres.pg_port))
    token = start(sm)
    for name in rotation.STEPS:
        step(name, token)

    new = json.loads(sm.get_secret_value(SecretId="db")["SecretString"])
    assert new["host"] == "proxy.invalid" and new["port"] == 1, "the secret keeps the address its clients use"
    assert logs_in(standin_postgres, new["password"]) and not logs_in(standin_postgres, OLD)


def test_a_rotation_stopped_after_set_secret_is_finished_without_lockout(sm, standin_postgres):
    token = start(sm)
    step("createSecret", token)
    step("setSecret", token)  # the database has the new password; the secret's AWSCURRENT still the old one
    assert not logs_in(standin_postgres, OLD)

    for name in rotation.STEPS:  # Secrets Manager retries the whole rotation
        step(name, token)

    new = json.loads(sm.get_secret_value(SecretId="db")["SecretString"])
    assert logs_in(standin_postgres, new["password"])
    assert "AWSCURRENT" in stages(sm)[token]


def test_a_database_that_takes_no_password_of_the_secret_stops_at_set_secret(sm, standin_postgres):
    admin(standin_postgres, "ALTER ROLE rotated PASSWORD %s", "Changed-Behind-Its-Back-9")
    token = start(sm)
    step("createSecret", token)

    with pytest.raises(rotation.RotationError, match="accepts none of the AWSCURRENT, AWSPENDING and AWSPREVIOUS") as refused:
        step("setSecret", token)

    pending = json.loads(sm.get_secret_value(SecretId="db", VersionStage="AWSPENDING")["SecretString"])["password"]
    assert pending not in str(refused.value) and OLD not in str(refused.value)
    assert "AWSCURRENT" not in stages(sm)[token]


def test_a_version_that_is_not_pending_is_refused(sm):
    current = next(iter(stages(sm)))
    start(sm)
    sm.update_secret_version_stage(SecretId="db", VersionStage="AWSPREVIOUS", MoveToVersionId=current)

    with pytest.raises(rotation.RotationError, match="has no stage for rotation"):
        step("createSecret", "0" * 32)
