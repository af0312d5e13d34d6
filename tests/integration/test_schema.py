"""The schema layer, read back from the database as the master user (over TLS, as psql would connect).

Every write here runs in a transaction that is rolled back when the test ends.
"""

from pathlib import Path

import psycopg2
import psycopg2.errors
import pytest

from ansible_collections.shoppulse.analytics.plugins.module_utils.migrations import load_migrations

CHECKOUT = Path(__file__).resolve().parents[2]
MIGRATIONS = CHECKOUT / "sql" / "migrations"
HISTORY_TABLE = "schema_history"  # roles/schema/defaults/main.yml: schema_history_table
TRIGGER_FUNCTION = "public.set_updated_at()"
TABLES = ["tenants", "users", "orders", "fulfillment", "marketing_campaigns", "role_metric_visibility", "governance_rules", "audit_logs"]
# sql/README.md, "Seed data": the rows sql/seed/ loads (687 in all), once however often it is loaded.
SEED_ROWS = {"tenants": 3, "users": 36, "marketing_campaigns": 18, "orders": 240, "fulfillment": 180,
             "role_metric_visibility": 108, "governance_rules": 12, "audit_logs": 90}

# pg_trigger.tgtype bits
TRIGGER_ROW, TRIGGER_BEFORE, TRIGGER_UPDATE = 1, 2, 16


@pytest.fixture(scope="module")
def conn(connect):
    return connect()


@pytest.fixture
def cur(conn):
    """A cursor in a transaction that is rolled back after the test, whatever it did."""
    with conn.cursor() as cursor:
        yield cursor
    conn.rollback()


def test_the_eight_tables_exist(cur):
    cur.execute("SELECT name FROM unnest(%s::text[]) AS name WHERE to_regclass('public.' || name) IS NULL", (TABLES,))
    missing = [name for (name,) in cur.fetchall()]
    assert not missing, f"tables missing from public: {missing}"


@pytest.mark.parametrize("table", TABLES)
def test_tenant_id_is_a_not_null_uuid(cur, table):
    cur.execute("SELECT data_type, is_nullable FROM information_schema.columns "
                "WHERE table_schema = 'public' AND table_name = %s AND column_name = 'tenant_id'", (table,))
    assert cur.fetchall() == [("uuid", "NO")], f"{table}.tenant_id should be uuid NOT NULL"


@pytest.mark.parametrize("table", TABLES)
def test_timestamps_are_not_null_timestamptz_defaulting_to_now(cur, table):
    cur.execute("SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns "
                "WHERE table_schema = 'public' AND table_name = %s AND column_name IN ('created_at', 'updated_at') "
                "ORDER BY column_name", (table,))
    assert cur.fetchall() == [("created_at", "timestamp with time zone", "NO", "now()"),
                              ("updated_at", "timestamp with time zone", "NO", "now()")], f"{table}'s created_at/updated_at"


@pytest.mark.parametrize("table", TABLES)
def test_an_index_leads_with_tenant_id(cur, table):
    cur.execute("SELECT i.indexrelid::regclass::text FROM pg_index AS i "
                "JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] "
                "WHERE i.indrelid = %s::regclass AND i.indisvalid AND a.attname = 'tenant_id'", (f"public.{table}",))
    assert cur.fetchall(), f"{table} has no valid index whose first column is tenant_id"


@pytest.mark.parametrize("table", TABLES)
def test_a_before_update_row_trigger_calls_the_shared_function(cur, table):
    cur.execute("SELECT t.tgname, t.tgtype::int, t.tgenabled FROM pg_trigger AS t "
                "WHERE t.tgrelid = %s::regclass AND NOT t.tgisinternal AND t.tgfoid = %s::regprocedure",
                (f"public.{table}", TRIGGER_FUNCTION))
    triggers = cur.fetchall()
    assert [trigger[0] for trigger in triggers] == [f"{table}_set_updated_at"], f"{table}'s triggers calling {TRIGGER_FUNCTION}"
    kind, enabled = triggers[0][1:]
    mask = TRIGGER_ROW | TRIGGER_BEFORE | TRIGGER_UPDATE
    assert kind & mask == mask, f"{table}_set_updated_at should be BEFORE UPDATE FOR EACH ROW (tgtype {kind})"
    assert enabled != "D", f"{table}_set_updated_at is disabled"


def test_one_shared_trigger_function(cur):
    cur.execute("SELECT p.oid::regprocedure::text FROM pg_proc AS p WHERE p.proname = 'set_updated_at'")
    assert cur.fetchall() == [("set_updated_at()",)], "one set_updated_at() function, in public"


@pytest.mark.parametrize("table", TABLES)
def test_an_update_moves_updated_at_to_the_transaction_time(cur, table):
    cur.execute(f"SELECT ctid::text, updated_at FROM {table} ORDER BY updated_at LIMIT 1")  # table names are ours: no injection
    row = cur.fetchone()
    assert row, f"{table} has no row to update (the seed data should give every table rows)"
    ctid, before = row
    cur.execute(f"UPDATE {table} SET created_at = created_at WHERE ctid = %s::tid RETURNING updated_at, now()", (ctid,))
    after, now = cur.fetchone()
    assert after == now and after > before, f"{table}: updated_at went from {before} to {after} in a transaction at {now}"


# (table, insert naming %(tenant)s and a reference %(ref)s, the referenced table and column, the foreign key)
CROSS_TENANT_REFERENCES = [
    ("fulfillment", "INSERT INTO fulfillment (tenant_id, order_id) VALUES (%(tenant)s, %(ref)s)",
     "orders", "order_id", "fulfillment_order_fkey"),
    ("orders", "INSERT INTO orders (tenant_id, order_number, customer_ref, currency, subtotal_amount, total_amount, item_count, "
     "ordered_at, campaign_id) VALUES (%(tenant)s, 'it-cross-tenant', 'it-customer', 'USD', 10, 10, 1, now(), %(ref)s)",
     "marketing_campaigns", "campaign_id", "orders_campaign_fkey"),
    ("marketing_campaigns", "INSERT INTO marketing_campaigns (tenant_id, name, channel, currency, budget_amount, created_by) "
     "VALUES (%(tenant)s, 'it-cross-tenant', 'email', 'USD', 100, %(ref)s)",
     "users", "user_id", "marketing_campaigns_created_by_fkey"),
    ("governance_rules", "INSERT INTO governance_rules (tenant_id, name, rule_type, created_by) "
     "VALUES (%(tenant)s, 'it-cross-tenant', 'row_filter', %(ref)s)",
     "users", "user_id", "governance_rules_created_by_fkey"),
    ("audit_logs", "INSERT INTO audit_logs (tenant_id, actor_type, actor_user_id, actor_label, action, target_type) "
     "VALUES (%(tenant)s, 'user', %(ref)s, 'it-check', 'it.check', 'tenant')",
     "users", "user_id", "audit_logs_actor_fkey"),
]


@pytest.mark.parametrize("table, insert, ref_table, ref_column, constraint", CROSS_TENANT_REFERENCES,
                         ids=[case[0] for case in CROSS_TENANT_REFERENCES])
def test_a_reference_to_another_tenants_row_is_refused(cur, table, insert, ref_table, ref_column, constraint):
    cur.execute(f"SELECT DISTINCT ON (tenant_id) tenant_id, {ref_column} FROM {ref_table} ORDER BY tenant_id, {ref_column} LIMIT 2")
    rows = cur.fetchall()
    assert len(rows) == 2, f"{ref_table} should have rows of two tenants (seed data), has {len(rows)}"
    (tenant_a, own_ref), other_ref = rows[0], rows[1][1]

    # The same row pointing at its own tenant's row is accepted: the refusal below is about the tenant only.
    cur.execute("SAVEPOINT own_tenant")
    cur.execute(insert, {"tenant": tenant_a, "ref": own_ref})
    cur.execute("ROLLBACK TO SAVEPOINT own_tenant")

    with pytest.raises(psycopg2.errors.ForeignKeyViolation) as refused:
        cur.execute(insert, {"tenant": tenant_a, "ref": other_ref})
    assert refused.value.diag.constraint_name == constraint, f"{table}: refused by {refused.value.diag.constraint_name}, not {constraint}"


def test_seed_data_has_at_least_two_tenants_in_every_table(cur):
    counts = {}
    for table in TABLES:
        cur.execute(f"SELECT count(DISTINCT tenant_id) FROM {table}")
        counts[table] = cur.fetchone()[0]
    assert all(count >= 2 for count in counts.values()), f"tenants with rows, by table: {counts}"


def test_seed_data_is_loaded_once_as_documented(cur):
    counts = {}
    for table in SEED_ROWS:
        cur.execute(f"SELECT count(*) FROM {table}")
        counts[table] = cur.fetchone()[0]
    assert counts == SEED_ROWS


@pytest.mark.parametrize("table", TABLES)
def test_no_duplicate_rows(cur, table):
    """No two rows hold the same data under different generated ids (a seed loaded twice would)."""
    cur.execute("SELECT array_agg(a.attname::text) FROM pg_index AS i "
                "JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey) "
                "WHERE i.indrelid = %s::regclass AND i.indisprimary", (f"public.{table}",))
    key = cur.fetchone()[0]
    ignored = [column for column in key if column != "tenant_id"] or key  # the generated id, not the tenant
    cur.execute(f"SELECT count(*), count(DISTINCT to_jsonb(t) - %s::text[] - 'created_at' - 'updated_at') FROM {table} AS t",
                (ignored,))
    rows, distinct = cur.fetchone()
    assert rows == distinct, f"{table}: {rows - distinct} row(s) duplicate another apart from {ignored}"


def test_history_has_one_successful_row_per_migration_file_with_its_checksum(cur):
    files = {path.name: path.read_text(encoding="utf-8") for path in sorted(MIGRATIONS.glob("*.sql"))}
    assert files, f"no migrations in {MIGRATIONS}"
    # The runner's own checksum (plugins/module_utils/migrations.py): SHA-256 of the normalised text.
    expected = {m.script: (m.version_text, m.description, m.checksum, True) for m in load_migrations(files)}
    cur.execute(f"SELECT script, version, description, checksum, success FROM public.{HISTORY_TABLE} ORDER BY installed_rank")
    rows = cur.fetchall()
    scripts = [row[0] for row in rows]
    assert len(scripts) == len(set(scripts)), f"a migration is recorded twice: {scripts}"
    assert {row[0]: tuple(row[1:]) for row in rows} == expected
