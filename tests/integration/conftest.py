"""Fixtures for checks that read a live local environment (emulator + PostgreSQL) back.

Run by molecule's verify step, or by hand after `make local`:
    .venv/bin/pytest tests/integration

Settings come from the same environment variables as localenv and site.yml:
    SHOPPULSE_EMULATOR_PORT   the emulator (default 4566)
    SHOPPULSE_PG_PORT         the PostgreSQL server standing in for RDS (default 55432)
    SHOPPULSE_ARTIFACTS_DIR   where site.yml wrote outputs.json (default artifacts/local)
    SHOPPULSE_NAME            the resources' name prefix (default shoppulse-analytics)
"""

import json
import os
from pathlib import Path

import boto3
import psycopg2
import pytest

CHECKOUT = Path(__file__).resolve().parents[2]
ENDPOINT = f"http://127.0.0.1:{os.environ.get('SHOPPULSE_EMULATOR_PORT', '4566')}"
NAME = os.environ.get("SHOPPULSE_NAME", "shoppulse-analytics")
# The names the roles derive from shoppulse_name (roles/*/defaults/main.yml).
DB_INSTANCE_ID = NAME
PROXY_NAME = f"{NAME}-proxy"
PROXY_ROLE_NAME = f"{PROXY_NAME}-role"
SECRET_NAME = f"{NAME}/rds/master"
APP_SECRET_NAME = f"{NAME}/rds/app"


def pytest_collection_modifyitems(config, items):  # pylint: disable=unused-argument
    """These checks need the live environment; outside it they would only fail on connection errors."""
    for item in items:
        item.add_marker(pytest.mark.integration)


def pytest_configure(config):
    config.addinivalue_line("markers", "integration: reads a live local environment")


def pytest_assertrepr_compare(op, left, right):
    """A comparison with the password shows the placeholders only: pytest would otherwise diff its text."""
    if isinstance(left, Password) or isinstance(right, Password):
        return [f"{left!r} {op} {right!r}", "(a password's text is never shown)"]
    return None


class Password(str):
    """The master password: its repr never shows the value, so no assertion or traceback can print it."""

    def __repr__(self):
        return f"<password, {len(self)} characters>"

    __str__ = __repr__  # f"{password}" and str() show the placeholder too; .reveal() gives the value

    def reveal(self):
        """The value itself, for the one place that needs it (the database login)."""
        return "".join(iter(self))


@pytest.fixture(scope="session")
def aws():
    """A client factory bound to the emulator."""

    def client(service):
        return boto3.client(service, region_name="us-east-1", endpoint_url=ENDPOINT,
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    return client


@pytest.fixture(scope="session")
def vpc(aws):
    vpcs = aws("ec2").describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [NAME]}])["Vpcs"]
    assert len(vpcs) == 1, f"expected one VPC named {NAME}, found {len(vpcs)}"
    return vpcs[0]


@pytest.fixture(scope="session")
def subnet_ids_by_tier(aws, vpc):
    """{tier tag: sorted subnet ids} of the VPC's subnets, as the emulator lists them."""
    found = aws("ec2").describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"]
    by_tier = {}
    for subnet in found:
        tier = {t["Key"]: t["Value"] for t in subnet.get("Tags", [])}.get("tier")
        by_tier.setdefault(tier, []).append(subnet["SubnetId"])
    return {tier: sorted(ids) for tier, ids in by_tier.items()}


@pytest.fixture(scope="session")
def outputs():
    """artifacts/<env>/outputs.json as site.yml wrote it (SHOPPULSE_ARTIFACTS_DIR when set)."""
    folder = Path(os.environ.get("SHOPPULSE_ARTIFACTS_DIR") or CHECKOUT / "artifacts" / "local")
    path = folder / "outputs.json"
    assert path.is_file(), f"{path} does not exist: run site.yml on inventories/local first (with the same SHOPPULSE_ARTIFACTS_DIR)"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def pg_port():
    """The port of the local PostgreSQL server standing in for RDS (inventories/local: shoppulse_local_pg_port)."""
    return int(os.environ.get("SHOPPULSE_PG_PORT", "55432"))


@pytest.fixture(scope="session")
def db_instance(aws):
    found = aws("rds").describe_db_instances(
        Filters=[{"Name": "db-instance-id", "Values": [DB_INSTANCE_ID]}])["DBInstances"]
    assert len(found) == 1, f"expected one DB instance {DB_INSTANCE_ID}, found {[i['DBInstanceIdentifier'] for i in found]}"
    return found[0]


@pytest.fixture(scope="session")
def db_secret(aws, outputs):
    """The master secret's JSON value, read from the emulator; the password is wrapped in Password."""
    value = aws("secretsmanager").get_secret_value(SecretId=outputs["DatabaseSecretArn"])
    assert "SecretString" in value, f"{outputs['DatabaseSecretArn']} holds binary, not the JSON string the seed's stack writes"
    try:
        secret = json.loads(value["SecretString"])
    except ValueError:
        pytest.fail(f"{outputs['DatabaseSecretArn']} does not hold JSON", pytrace=False)
    assert isinstance(secret, dict), f"{outputs['DatabaseSecretArn']} holds JSON {type(secret).__name__}, not an object"
    if isinstance(secret.get("password"), str):
        secret["password"] = Password(secret["password"])
    return secret


@pytest.fixture(scope="session")
def connect(db_secret, pg_port):
    """Connect to the local PostgreSQL server as the master user of the secret (TLS unless told otherwise).

    Each connection is closed at the end of the session; a test that writes does it in a transaction it
    rolls back.
    """
    opened = []

    def open_connection(dbname=None, sslmode="require"):
        conn = psycopg2.connect(host="127.0.0.1", port=pg_port, dbname=dbname or db_secret["dbname"],
                                user=db_secret["username"], password=db_secret["password"].reveal(),
                                sslmode=sslmode, connect_timeout=10, application_name="shoppulse-integration-tests")
        opened.append(conn)
        return conn

    yield open_connection
    for conn in opened:
        conn.close()
