"""The local services come up on loopback, TLS only, and go away with their state."""

import socket
import subprocess
import urllib.request
from pathlib import Path

import boto3
import psycopg2
import pytest

from localenv import psql, services


@pytest.fixture(name="settings")
def fixture_settings(tmp_path_factory):
    state = Path(tmp_path_factory.mktemp("localenv")) / "state"
    cfg = services.Settings(state=state, emulator_host="127.0.0.1", emulator_port=4598, pg_port=25498)
    yield cfg
    services.down(cfg)


def test_up_is_idempotent_and_down_removes_the_state(settings):
    first = services.up(settings)
    assert "emulator up" in first[0] and "postgresql 15 up" in first[1]
    second = services.up(settings)
    assert "already up" in second[0] and "already up" in second[1]
    with urllib.request.urlopen(f"http://127.0.0.1:{settings.emulator_port}/moto-api/", timeout=5) as answer:
        assert answer.status == 200
    # moto's sample of public images, which this test process's in-process moto leaves out (tests/conftest.py).
    ec2 = boto3.client("ec2", region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{settings.emulator_port}",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    assert ec2.describe_images(Owners=["amazon"])["Images"]

    said = services.down(settings)
    assert "emulator stopped" in said and "postgresql stopped" in said
    assert not settings.state.exists()
    assert services.status(settings) == ["emulator 127.0.0.1:4598 down", "postgresql 127.0.0.1:25498 down"]


def test_postgres_refuses_connections_without_tls(settings):
    services.postgres_up(settings)
    plain = subprocess.run(
        ["psql", f"host=127.0.0.1 port={settings.pg_port} user=postgres dbname=postgres sslmode=disable", "-c", "select 1"],
        capture_output=True, text=True, check=False,
    )
    assert plain.returncode != 0 and "no encryption" in plain.stderr
    with socket.create_connection(("127.0.0.1", settings.pg_port), timeout=5) as sock:
        sock.sendall(b"\x00\x00\x00\x08\x04\xd2\x16\x2f")  # SSLRequest
        assert sock.recv(1) == b"S"  # the server offers TLS


def test_a_taken_port_is_named(settings):
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", settings.emulator_port))
        squatter.listen()
        with pytest.raises(services.ServiceError, match="127.0.0.1:4598 is taken by another process"):
            services.emulator_up(settings)


def test_missing_server_binaries_name_the_package(monkeypatch):
    monkeypatch.setattr(services.shutil, "which", lambda name: None)
    monkeypatch.setattr(services, "PG_MAJOR", "99")
    with pytest.raises(services.ServiceError, match="install the Debian package postgresql-15"):
        services.pg_bindir()


@pytest.fixture(name="deep_settings")
def fixture_deep_settings(tmp_path_factory):
    """Settings whose state folder is over 200 characters deep, as in a checkout kept deep in a tree."""
    state = Path(tmp_path_factory.mktemp("localenv")).joinpath(*["a-folder-of-a-deep-checkout"] * 8) / "state"
    assert len(str(state)) > 200
    cfg = services.Settings(state=state, emulator_host="127.0.0.1", emulator_port=4598, pg_port=25498)
    yield cfg
    services.down(cfg)


def test_postgres_runs_from_a_deep_state_folder_with_its_socket_in_a_private_short_folder(deep_settings):
    services.postgres_up(deep_settings)
    folder = deep_settings.pgsocket
    socket_file = folder / f".s.PGSQL.{deep_settings.pg_port}"
    assert len(str(socket_file)) <= 107 and socket_file.is_socket()
    assert (deep_settings.state / "pgsocket").resolve() == folder.resolve()  # what inventories/local reads
    assert folder.stat().st_mode & 0o777 == 0o700
    admin = subprocess.run(["psql", f"host={folder} port={deep_settings.pg_port} user=postgres dbname=postgres", "-Atc", "select 1"],
                           capture_output=True, text=True, check=False)
    assert admin.stdout.strip() == "1", admin.stderr
    assert services.postgres_down(deep_settings) and not folder.exists()


def test_a_server_that_does_not_start_shows_the_end_of_its_log(deep_settings):
    services.postgres_up(deep_settings)
    services.postgres_down(deep_settings)
    with open(deep_settings.pgdata / "postgresql.conf", "a", encoding="utf-8") as conf:
        conf.write("shared_buffers = 'a lot'\n")
    with pytest.raises(services.ServiceError) as failed:
        services.postgres_up(deep_settings)
    said = str(failed.value)
    assert said.startswith("pg_ctl start failed (") and "server.log:" in said
    assert 'invalid value for parameter "shared_buffers": "a lot"' in said


def test_psql_logs_in_as_the_secret_says_over_tls_with_the_password_kept_off_its_arguments(standin_postgres):
    secret = {"username": "psql_master", "password": "Psql-check-" + "p" * 20, "dbname": "postgres"}
    with psycopg2.connect(host=str(standin_postgres.pgsocket), port=standin_postgres.pg_port, user="postgres", dbname="postgres") as admin:
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("DROP ROLE IF EXISTS psql_master")
            cursor.execute("CREATE ROLE psql_master LOGIN PASSWORD %s", (secret["password"],))
    admin.close()
    args, env = psql.command(standin_postgres, secret, ["-Atc", "SELECT current_user, ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"])

    session = subprocess.run(args, env=env, capture_output=True, text=True, check=False, timeout=30)

    assert session.stdout.strip() == "psql_master|t", session.stderr
    assert secret["password"] not in " ".join(args) and env["PGPASSWORD"] == secret["password"]
