"""The test-db-connection function's handler against a real PostgreSQL 15 server with TLS (the stand-in fixture) and
Secrets Manager in moto: each step's success and failure as the function reports it."""

import importlib.util
import json
import socket
import threading
from contextlib import closing

import boto3
import psycopg2
import pytest
from moto import mock_aws

from tests.conftest import CHECKOUT

PASSWORD = "Correct-Horse-Battery-7"


def load_handler():
    spec = importlib.util.spec_from_file_location("test_db_connection_handler",
                                                  CHECKOUT / "functions" / "test_db_connection" / "handler.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


handler = load_handler()


@pytest.fixture(name="probe_user", scope="module")
def fixture_probe_user(standin_postgres):
    """A login role with PASSWORD in the stand-in server, made over its unix socket as postgres."""
    with closing(psycopg2.connect(host=str(standin_postgres.pgsocket), port=standin_postgres.pg_port, user="postgres",
                                  dbname="postgres")) as conn:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("DROP ROLE IF EXISTS probe")
            cursor.execute("CREATE ROLE probe LOGIN PASSWORD %s", (PASSWORD,))
    return "probe"


@pytest.fixture(name="environ")
def fixture_environ(standin_postgres, probe_user, monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        secret = boto3.client("secretsmanager").create_secret(
            Name="db", SecretString=json.dumps({"username": probe_user, "password": PASSWORD}))["ARN"]
        yield {"RDS_PROXY_ENDPOINT": "127.0.0.1", "RDS_PORT": str(standin_postgres.pg_port), "RDS_DATABASE": "postgres",
               "RDS_SECRET_ARN": secret}


def put_password(environ, password):
    boto3.client("secretsmanager").put_secret_value(SecretId=environ["RDS_SECRET_ARN"],
                                                    SecretString=json.dumps({"username": "probe", "password": password}))


def test_a_working_connection_reports_tls_the_server_version_and_latency(environ):
    result = handler.check(environ)

    assert result["ok"] is True, result
    assert result["tls_version"].startswith("TLSv1."), result
    assert result["server_version"].startswith("15."), result
    assert result["connect_ms"] > 0 and result["query_ms"] > 0
    assert "step" not in result and PASSWORD not in json.dumps(result)


def test_a_password_the_database_refuses_fails_at_authentication_without_showing_it(environ):
    put_password(environ, "Wrong-Password-42")

    result = handler.check(environ)

    assert result["ok"] is False and result["step"] == "authentication", result
    assert "28P01" in result["error"] and "password authentication failed" in result["error"]
    assert "Wrong-Password-42" not in json.dumps(result)


def test_a_secret_that_cannot_be_read_fails_at_the_secret(environ):
    result = handler.check({**environ, "RDS_SECRET_ARN": "missing"})

    assert result["ok"] is False and result["step"] == "secret" and "ResourceNotFoundException" in result["error"]


def test_a_name_that_does_not_resolve_fails_at_dns(environ):
    result = handler.check({**environ, "RDS_PROXY_ENDPOINT": "no-such-proxy.invalid"})

    assert result["ok"] is False and result["step"] == "dns", result


def test_a_port_nothing_listens_on_fails_at_tcp(environ):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]

    result = handler.check({**environ, "RDS_PORT": str(port)})

    assert result["ok"] is False and result["step"] == "tcp", result


def test_a_server_that_refuses_tls_fails_at_tls(environ):
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)

        def refuse():
            peer = server.accept()[0]
            with peer:
                peer.recv(8)
                peer.sendall(b"N")

        thread = threading.Thread(target=refuse, daemon=True)
        thread.start()
        result = handler.check({**environ, "RDS_PORT": str(server.getsockname()[1])})
        thread.join(timeout=10)

    assert result["ok"] is False and result["step"] == "tls" and "refused TLS" in result["error"], result


def test_missing_environment_names_the_variables(environ):
    result = handler.check({"RDS_PORT": "5432"})

    assert result == {"ok": False, "step": "configuration",
                      "error": "environment variables not set: RDS_PROXY_ENDPOINT, RDS_DATABASE, RDS_SECRET_ARN"}
