"""The application role, as the functions log in with it: row-level security keeps each tenant to its own rows.

Connected with the application secret (LambdaEnvironment.RDS_SECRET_ARN) and tenant A set for the transaction
(`set_config('app.tenant_id', ..., true)`, sql/README.md), every one of the 8 tables returns exactly tenant A's rows;
a row for tenant B cannot be inserted; tenant B's rows cannot be updated or deleted; the audit trail cannot be
changed; no table can be created or dropped; with no tenant set nothing is visible. The master user sees everything.
Every write is made in a transaction that is rolled back.
"""

import json

import psycopg2
import pytest
from psycopg2 import errors

from .conftest import Password

TABLES = ["tenants", "users", "orders", "fulfillment", "marketing_campaigns", "role_metric_visibility",
          "governance_rules", "audit_logs"]
APPEND_ONLY = {"audit_logs"}
# A column each table can be updated on without breaking a check (the updated_at trigger sets it again).
TOUCH = "updated_at = updated_at"


@pytest.fixture(scope="module")
def app_secret(aws, outputs):
    value = json.loads(aws("secretsmanager").get_secret_value(SecretId=outputs["DatabaseAppSecretArn"])["SecretString"])
    value["password"] = Password(value["password"])
    return value


@pytest.fixture(name="app")
def fixture_app(app_secret, pg_port):
    """A connection as the application role (locally the PostgreSQL server stands in for the proxy); each test's
    transaction is rolled back at the end."""
    conn = psycopg2.connect(host="127.0.0.1", port=pg_port, dbname=app_secret["dbname"], user=app_secret["username"],
                            password=app_secret["password"].reveal(), sslmode="require", connect_timeout=10,
                            application_name="shoppulse-isolation-check")
    yield conn
    conn.rollback()
    conn.close()


@pytest.fixture(scope="module")
def rows_by_tenant(connect):
    """{table: {tenant_id: row count}} as the master user, who is not restricted, sees them."""
    conn = connect()
    counts = {}
    with conn.cursor() as cur:
        for table in TABLES:
            cur.execute(f"SELECT tenant_id::text, count(*) FROM {table} GROUP BY tenant_id")  # noqa: S608 - fixed names
            counts[table] = dict(cur.fetchall())
    conn.rollback()
    return counts


@pytest.fixture(scope="module")
def tenant_a(rows_by_tenant):
    tenants = sorted(rows_by_tenant["tenants"])
    assert len(tenants) >= 2, f"the seed data should hold at least two tenants, found {len(tenants)}"
    for table in TABLES:
        assert len(rows_by_tenant[table]) >= 2, f"{table}: the seed data should hold rows of two tenants or more"
    return tenants[0]


@pytest.fixture(scope="module")
def tenant_b(rows_by_tenant, tenant_a):
    return next(tenant for tenant in sorted(rows_by_tenant["tenants"]) if tenant != tenant_a)


def set_tenant(cur, tenant):
    cur.execute("SELECT set_config('app.tenant_id', %s, true)", (tenant,))


def test_the_application_role_is_not_the_master_user(app, db_secret):
    with app.cursor() as cur:
        cur.execute("SELECT current_user, rolsuper, rolbypassrls, rolcreatedb, rolcreaterole FROM pg_roles "
                    "WHERE rolname = current_user")
        user, *powers = cur.fetchone()
    assert user == "shoppulse_app" and user != db_secret["username"]
    assert powers == [False, False, False, False], f"{user} has powers it must not have: {powers}"


@pytest.mark.parametrize("table", TABLES)
def test_each_table_shows_exactly_the_tenant_s_rows(app, table, rows_by_tenant, tenant_a):
    with app.cursor() as cur:
        set_tenant(cur, tenant_a)
        cur.execute(f"SELECT tenant_id::text, count(*) FROM {table} GROUP BY tenant_id")  # noqa: S608 - fixed names
        seen = dict(cur.fetchall())
    assert seen == {tenant_a: rows_by_tenant[table][tenant_a]}, f"{table}: tenant A sees {seen}"


@pytest.fixture(scope="module")
def sample_rows(connect, tenant_a, tenant_b):
    """{table: {tenant: one of its rows as JSON}}, read as the master user: rows that pass every other check."""
    conn = connect()
    samples = {}
    with conn.cursor() as cur:
        for table in TABLES:
            samples[table] = {}
            for tenant in (tenant_a, tenant_b):
                cur.execute(f"SELECT row_to_json(t)::text FROM {table} AS t WHERE tenant_id = %s LIMIT 1", (tenant,))  # noqa: S608
                samples[table][tenant] = cur.fetchone()[0]
    conn.rollback()
    return samples


def insert_copy(cur, table, row):
    cur.execute(f"INSERT INTO {table} SELECT * FROM json_populate_record(NULL::{table}, %s)", (row,))  # noqa: S608


def refused_by_row_level_security(excinfo):
    return "row-level security" in str(excinfo.value)


@pytest.mark.parametrize("table", TABLES)
def test_no_tenant_set_shows_nothing_and_writes_nothing(app, table, sample_rows, tenant_a):
    with app.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed names
        assert cur.fetchone() == (0,), f"{table}: rows visible with no tenant set"
        if table not in APPEND_ONLY:
            cur.execute(f"UPDATE {table} SET {TOUCH}")  # noqa: S608 - fixed names
            assert cur.rowcount == 0, f"{table}: {cur.rowcount} rows updated with no tenant set"
            cur.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
            assert cur.rowcount == 0, f"{table}: {cur.rowcount} rows deleted with no tenant set"
        with pytest.raises(errors.InsufficientPrivilege) as refused:
            insert_copy(cur, table, sample_rows[table][tenant_a])
    assert refused_by_row_level_security(refused), f"{table}: refused for another reason: {refused.value}"


@pytest.mark.parametrize("table", TABLES)
def test_a_row_for_another_tenant_cannot_be_inserted(app, table, sample_rows, tenant_a, tenant_b):
    """Tenant B's own row (so that every other check passes) is refused before its key is even compared."""
    with app.cursor() as cur:
        set_tenant(cur, tenant_a)
        with pytest.raises(errors.InsufficientPrivilege) as refused:
            insert_copy(cur, table, sample_rows[table][tenant_b])
    assert refused_by_row_level_security(refused), f"{table}: refused for another reason: {refused.value}"


@pytest.mark.parametrize("table", TABLES)
def test_another_tenant_s_rows_cannot_be_updated_or_deleted(app, table, tenant_a, tenant_b):
    with app.cursor() as cur:
        set_tenant(cur, tenant_a)
        if table in APPEND_ONLY:
            for statement in (f"UPDATE {table} SET {TOUCH} WHERE tenant_id = %s", f"DELETE FROM {table} WHERE tenant_id = %s"):
                with pytest.raises(errors.InsufficientPrivilege):
                    cur.execute(statement, (tenant_b,))
                app.rollback()
                set_tenant(cur, tenant_a)
            return
        cur.execute(f"UPDATE {table} SET {TOUCH} WHERE tenant_id = %s", (tenant_b,))  # noqa: S608 - fixed names
        assert cur.rowcount == 0, f"{table}: {cur.rowcount} rows of tenant B updated"
        cur.execute(f"DELETE FROM {table} WHERE tenant_id = %s", (tenant_b,))  # noqa: S608 - fixed names
        assert cur.rowcount == 0, f"{table}: {cur.rowcount} rows of tenant B deleted"


@pytest.mark.parametrize("table", sorted(set(TABLES) - APPEND_ONLY))
def test_an_own_row_cannot_be_moved_to_another_tenant(app, table, tenant_a, tenant_b):
    with app.cursor() as cur:
        set_tenant(cur, tenant_a)
        with pytest.raises(errors.InsufficientPrivilege) as refused:
            cur.execute(f"UPDATE {table} SET tenant_id = %s WHERE tenant_id = %s", (tenant_b, tenant_a))  # noqa: S608
    assert refused_by_row_level_security(refused), f"{table}: refused for another reason: {refused.value}"


def test_the_audit_trail_is_append_only(app, tenant_a):
    with app.cursor() as cur:
        set_tenant(cur, tenant_a)
        cur.execute("INSERT INTO audit_logs (tenant_id, actor_type, actor_label, action, target_type) "
                    "VALUES (%s, 'system', 'isolation-check', 'check.append', 'audit_logs')", (tenant_a,))
        assert cur.rowcount == 1
        with pytest.raises(errors.InsufficientPrivilege):
            cur.execute("DELETE FROM audit_logs WHERE tenant_id = %s", (tenant_a,))


@pytest.mark.parametrize("statement", [
    "CREATE TABLE isolation_check (tenant_id uuid)",
    "CREATE TABLE public.isolation_check (tenant_id uuid)",
    *[f"DROP TABLE {table}" for table in TABLES],
    "DROP TABLE schema_history",
    "ALTER TABLE orders DISABLE ROW LEVEL SECURITY",
    "TRUNCATE orders",
    "CREATE SCHEMA isolation_check",
], ids=lambda statement: statement.split(" (")[0].lower().replace(" ", "-"))
def test_no_ddl(app, statement):
    with pytest.raises(errors.InsufficientPrivilege):
        with app.cursor() as cur:
            cur.execute(statement)


def test_the_migration_history_is_out_of_reach(app):
    with pytest.raises(errors.InsufficientPrivilege):
        with app.cursor() as cur:
            cur.execute("SELECT count(*) FROM schema_history")


def test_the_tenant_lasts_for_the_transaction_only(app, tenant_a):
    with app.cursor() as cur:
        set_tenant(cur, tenant_a)
        cur.execute("SELECT count(*) FROM tenants")
        assert cur.fetchone() == (1,)
        app.commit()
        cur.execute("SELECT count(*) FROM tenants")
        assert cur.fetchone() == (0,), "the tenant outlived its transaction"


def test_the_master_user_is_not_restricted(connect, rows_by_tenant):
    with connect().cursor() as cur:
        cur.execute("SELECT count(DISTINCT tenant_id) FROM orders")
        assert cur.fetchone() == (len(rows_by_tenant["orders"]),)
