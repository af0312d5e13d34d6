"""A client that behaves like the seed's Lambda functions: it knows only its environment variables.

It reads RDS_PROXY_ENDPOINT, RDS_PORT, RDS_DATABASE and RDS_SECRET_ARN (outputs.json's LambdaEnvironment,
what the seed's stack sets on its functions), fetches the credentials from Secrets Manager, connects over
TLS as the application role (not the master user) and reads one tenant's rows, the tenant set for the transaction
as sql/README.md says.
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
        "RDS_SECRET_ARN": outputs["DatabaseAppSecretArn"],
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


@pytest.fixture(scope="module")
def orders_by_tenant(connect):
    """{tenant_id: order count}, as the master user (not restricted) sees them."""
    conn = connect()
    with conn.cursor() as cur:
        cur.execute("SELECT tenant_id::text, count(*) FROM orders GROUP BY tenant_id ORDER BY tenant_id")
        counts = dict(cur.fetchall())
    conn.rollback()
    assert len(counts) >= 2, f"the seed data should give at least two tenants with orders, found {len(counts)}"
    return counts


def test_tenant_scoped_query_sees_only_its_tenant(lambda_connection, orders_by_tenant):
    """The function sets its request's tenant for the transaction (sql/README.md) and, even without a tenant filter
    of its own, reads that tenant's rows only."""
    tenant_id = next(iter(orders_by_tenant))
    with lambda_connection.cursor() as cur:
        cur.execute("SELECT set_config('app.tenant_id', %s, true)", (tenant_id,))
        cur.execute("SELECT count(*), count(DISTINCT tenant_id) FROM orders")
        count, tenants = cur.fetchone()
        cur.execute("SELECT o.order_number, o.tenant_id::text, f.tenant_id::text FROM orders AS o "
                    "LEFT JOIN fulfillment AS f ON f.order_id = o.order_id")
        rows = cur.fetchall()
    lambda_connection.rollback()
    assert (count, tenants) == (orders_by_tenant[tenant_id], 1), f"{count} orders over {tenants} tenants"
    others = [row for row in rows if row[1] != tenant_id or row[2] not in (None, tenant_id)]
    assert len(rows) >= count and not others, f"the query returned rows of other tenants: {others[:5]}"


def test_without_a_tenant_the_function_sees_nothing(lambda_connection):
    with lambda_connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM orders")
        assert cur.fetchone() == (0,)
    lambda_connection.rollback()


def test_connection_without_tls_is_refused(address, lambda_env, credentials):
    with pytest.raises(psycopg2.OperationalError) as refused:
        lambda_connect(address, lambda_env, credentials, sslmode="disable").close()
    assert "no encryption" in str(refused.value), f"refused for another reason: {refused.value}"
