"""A client that behaves like the seed's Lambda functions: it knows only its environment variables.

It reads RDS_PROXY_ENDPOINT, RDS_PORT, RDS_DATABASE and RDS_SECRET_ARN (outputs.json's LambdaEnvironment,
what the seed's stack sets on its functions), fetches the credentials from Secrets Manager, connects over
TLS and runs a query scoped to one tenant.
"""

import json

import psycopg2
import pytest

from .conftest import Password

LAMBDA_VARIABLES = ["RDS_DATABASE", "RDS_PORT", "RDS_PROXY_ENDPOINT", "RDS_SECRET_ARN"]


@pytest.fixture(scope="module")
def lambda_env(outputs):
    env = outputs["LambdaEnvironment"]
    assert sorted(env) == LAMBDA_VARIABLES, f"LambdaEnvironment has {sorted(env)}"
    return env


@pytest.fixture(scope="module")
def address(lambda_env, pg_port):
    """Where the function's (host, port) lead in the local environment.

    The proxy endpoint (<name>.proxy-<id>.<region>.rds.amazonaws.com) resolves only inside the VPC, and the
    emulator serves no database behind it: locally the local PostgreSQL server stands in for the proxy and the
    instance, on 127.0.0.1 and SHOPPULSE_PG_PORT. This is the mapping inventories/local makes for the schema
    layer with schema_connect_host / schema_connect_port. Only this mapping is local; everything else is what
    a function does.
    """
    assert lambda_env["RDS_PROXY_ENDPOINT"].endswith(".rds.amazonaws.com"), "RDS_PROXY_ENDPOINT should be the proxy's host name"
    assert lambda_env["RDS_PORT"].isdigit(), "RDS_PORT should be a port number"
    return "127.0.0.1", pg_port


@pytest.fixture(scope="module")
def credentials(aws, lambda_env):
    """What a function's handler reads at cold start: secretsmanager.get_secret_value(SecretId=RDS_SECRET_ARN)."""
    value = json.loads(aws("secretsmanager").get_secret_value(SecretId=lambda_env["RDS_SECRET_ARN"])["SecretString"])
    return {"username": value["username"], "password": Password(value["password"])}


def lambda_connect(address, lambda_env, credentials, sslmode="require"):
    host, port = address
    return psycopg2.connect(host=host, port=port, dbname=lambda_env["RDS_DATABASE"], user=credentials["username"],
                            password=credentials["password"].reveal(), sslmode=sslmode, connect_timeout=10,
                            application_name="shoppulse-lambda-check")


@pytest.fixture(scope="module")
def lambda_connection(address, lambda_env, credentials):
    conn = lambda_connect(address, lambda_env, credentials)
    conn.set_session(readonly=True)
    yield conn
    conn.close()


def test_lambda_environment_is_strings_naming_the_stack(lambda_env, outputs, db_instance):
    assert all(isinstance(value, str) for value in lambda_env.values()), "Lambda environment variables are strings"
    assert lambda_env == {
        "RDS_PROXY_ENDPOINT": outputs["DatabaseProxyEndpoint"],
        "RDS_PORT": str(db_instance["Endpoint"]["Port"]),
        "RDS_DATABASE": db_instance["DBName"],
        "RDS_SECRET_ARN": outputs["DatabaseSecretArn"],
    }


def test_connection_is_tls(lambda_connection):
    with lambda_connection.cursor() as cur:
        cur.execute("SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        ssl, version = cur.fetchone()
    assert ssl is True, "the connection should be encrypted (pg_stat_ssl.ssl)"
    assert version and version.startswith("TLSv1."), f"TLS version {version}"


def test_connection_is_to_the_database_as_the_secret_user(lambda_connection, lambda_env, credentials):
    with lambda_connection.cursor() as cur:
        cur.execute("SELECT current_database(), current_user")
        assert cur.fetchone() == (lambda_env["RDS_DATABASE"], credentials["username"])


def test_tenant_scoped_query_sees_only_its_tenant(lambda_connection):
    with lambda_connection.cursor() as cur:
        cur.execute("SELECT t.tenant_id, t.slug FROM tenants AS t WHERE EXISTS (SELECT 1 FROM orders AS o WHERE o.tenant_id = t.tenant_id) "
                    "ORDER BY t.slug")
        tenants = cur.fetchall()
        assert len(tenants) >= 2, f"the seed data should give at least two tenants with orders, found {[row[1] for row in tenants]}"
        tenant_id, slug = tenants[0]

        cur.execute("SELECT count(*), count(DISTINCT tenant_id) FROM orders WHERE tenant_id = %s", (tenant_id,))
        count, tenant_count = cur.fetchone()
        cur.execute("SELECT count(*) FROM orders")
        (all_orders,) = cur.fetchone()
        assert count > 0 and tenant_count == 1, f"{slug}: {count} orders over {tenant_count} tenants"
        assert all_orders > count, "other tenants' orders exist, so the tenant filter has something to exclude"

        cur.execute("SELECT o.order_number, o.tenant_id, f.tenant_id FROM orders AS o "
                    "LEFT JOIN fulfillment AS f ON f.tenant_id = o.tenant_id AND f.order_id = o.order_id "
                    "WHERE o.tenant_id = %s", (tenant_id,))
        rows = cur.fetchall()
    others = [(number, order_tenant, shipment_tenant) for number, order_tenant, shipment_tenant in rows
              if order_tenant != tenant_id or shipment_tenant not in (None, tenant_id)]
    assert len(rows) >= count, f"{slug}: the order query returned {len(rows)} rows for {count} orders"
    assert not others, f"{slug}: the tenant-scoped query returned rows of other tenants: {others[:5]}"


def test_connection_without_tls_is_refused(address, lambda_env, credentials):
    with pytest.raises(psycopg2.OperationalError) as refused:
        lambda_connect(address, lambda_env, credentials, sslmode="disable").close()
    assert "no encryption" in str(refused.value), f"refused for another reason: {refused.value}"
