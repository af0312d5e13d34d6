"""postgresql_migrations against a real PostgreSQL 15: the guarantees a migration tool owes its operators.

The session fixture starts a throw-away server with localenv (port SHOPPULSE_SCHEMA_TEST_PG_PORT, default
25473) and stops it at the end; each test migrates a database of its own. The module runs the way Ansible
runs it, as a separate Python process fed an arguments file, so that concurrent runs are real processes.
"""

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import psycopg2
import pytest

from ansible_collections.shoppulse.analytics.plugins.module_utils import migrations as lib
from ansible_collections.shoppulse.analytics.plugins.modules import postgresql_migrations
from tests.conftest import postgres_server
from .conftest import ModuleExit, in_worker

CHECKOUT = Path(__file__).resolve().parents[4]
MIGRATIONS = CHECKOUT / "sql" / "migrations"
SEED = CHECKOUT / "sql" / "seed"
MODULE = "ansible_collections.shoppulse.analytics.plugins.modules.postgresql_migrations"
TABLES = {"tenants", "users", "orders", "fulfillment", "marketing_campaigns", "role_metric_visibility", "governance_rules", "audit_logs"}


@pytest.fixture(scope="session", name="server")
def fixture_server(tmp_path_factory):
    """A PostgreSQL 15 server of this test session: (socket folder, port)."""
    for cfg in postgres_server(tmp_path_factory, "SHOPPULSE_SCHEMA_TEST_PG_PORT", 25473):
        yield str(cfg.pgsocket), cfg.pg_port


@pytest.fixture(name="db")
def fixture_db(server):
    """A fresh, empty database; dropped afterwards."""
    name = f"mig_{uuid.uuid4().hex[:10]}"
    admin = connect(server, "postgres")
    admin.autocommit = True
    admin.cursor().execute(f"CREATE DATABASE {name}")
    yield Database(server, name)
    admin.cursor().execute(f"DROP DATABASE {name} WITH (FORCE)")
    admin.close()


def connect(server, dbname):
    socket_dir, port = server
    return psycopg2.connect(host=socket_dir, port=port, user="postgres", dbname=dbname)


class Database:
    def __init__(self, server, name):
        self.server, self.name = server, name

    def query(self, sql, params=None):
        conn = connect(self.server, self.name)
        try:
            with conn, conn.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchall() if cur.description else []
        finally:
            conn.close()

    def public_relations(self):
        return {row[0] for row in self.query("SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                                             "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i', 'S')")}

    def tables(self):
        return {row[0] for row in self.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}

    def history(self):
        return self.query("SELECT version, script, checksum, success, transactional, execution_ms, installed_by "
                          "FROM schema_history ORDER BY installed_rank")

    def args(self, **options):
        socket_dir, port = self.server
        return {"login_unix_socket": socket_dir, "login_port": port, "login_user": "postgres", "login_db": self.name, **options}


def module_process(args, check_mode=False, diff=False):
    """Start the module as Ansible would, in its own process."""
    payload = {"ANSIBLE_MODULE_ARGS": {**args, "_ansible_check_mode": check_mode, "_ansible_diff": diff}}
    handle = Path(os.environ.get("TMPDIR", "/tmp")) / f"migrations-args-{uuid.uuid4().hex}.json"
    handle.write_text(json.dumps(payload), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(CHECKOUT / ".ansible" / "collections"), str(CHECKOUT)])}
    proc = subprocess.Popen([sys.executable, "-m", MODULE, str(handle)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    proc.args_file = handle
    return proc


def finish(proc):
    out, err = proc.communicate(timeout=120)
    proc.args_file.unlink(missing_ok=True)
    assert out, f"module printed nothing; stderr: {err}"
    result = json.loads(out)
    assert bool(result.get("failed")) == (proc.returncode != 0), result
    return result


def run(args, check_mode=False, diff=False):
    return finish(module_process(args, check_mode, diff))


def folder(tmp_path, extra=None, edit=None):
    """A copy of sql/migrations plus extra files ({name: sql}) and edits ({name: sql})."""
    target = tmp_path / f"migrations-{uuid.uuid4().hex[:6]}"
    shutil.copytree(MIGRATIONS, target)
    for name, sql in {**(extra or {}), **(edit or {})}.items():
        (target / name).write_text(sql, encoding="utf-8")
    return str(target)


REAL = sorted(p.name for p in MIGRATIONS.glob("*.sql"))


def test_in_the_worker_the_module_answers_as_its_process(db):
    args = db.args(path=str(MIGRATIONS), login_password="never-shown")
    preview = in_worker(postgresql_migrations, args, check_mode=True, diff=True, aws=False)
    assert preview == run(args, check_mode=True, diff=True)
    assert preview["pending"] == REAL and "never-shown" not in json.dumps(preview)

    applied = in_worker(postgresql_migrations, args, aws=False)
    assert applied["applied"] == REAL and [row[1] for row in db.history()] == REAL
    assert in_worker(postgresql_migrations, args, aws=False) == run(args)  # both find nothing to do
    with pytest.raises(ModuleExit) as refused:
        in_worker(postgresql_migrations, {**args, "lock_wait": -1}, aws=False)
    assert refused.value.result == run({**args, "lock_wait": -1}) and refused.value.result["msg"] == "lock_wait must be zero or more"


def test_fresh_apply_creates_the_schema_and_records_every_file(db):
    result = run(db.args(path=str(MIGRATIONS)), diff=True)
    assert result["changed"] and result["applied"] == REAL and result["pending"] == []
    assert result["current_version"] == str(len(REAL)) and result["history_table"] == "public.schema_history"
    assert result["diff"] == {"before": {"history_table": False, "applied": []}, "after": {"history_table": True, "applied": REAL}}
    assert TABLES <= db.tables()
    history = db.history()
    assert [row[1] for row in history] == REAL
    for (version, script, checksum, success, transactional, execution_ms, installed_by) in history:
        text = (MIGRATIONS / script).read_text(encoding="utf-8")
        assert version == lib.version_text(lib.parse_migration(script, text).version)
        assert checksum == lib.checksum(text) and success and transactional and execution_ms >= 0 and installed_by == "postgres"


def test_a_second_run_changes_nothing(db):
    run(db.args(path=str(MIGRATIONS)))
    before = db.history()
    again = run(db.args(path=str(MIGRATIONS)))
    assert not again["changed"] and again["applied"] == [] and again["pending"] == []
    assert db.history() == before


def test_a_new_file_is_applied_alone(db, tmp_path):
    run(db.args(path=str(MIGRATIONS)))
    extended = folder(tmp_path, extra={"V007__order_notes.sql": "ALTER TABLE orders ADD COLUMN notes text;\n"})
    result = run(db.args(path=extended))
    assert result["changed"] and result["applied"] == ["V007__order_notes.sql"] and result["current_version"] == "7"
    assert [row[1] for row in db.history()] == REAL + ["V007__order_notes.sql"]
    assert db.query("SELECT 1 FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'notes'")


def test_an_edited_applied_file_stops_the_run_naming_it(db, tmp_path):
    run(db.args(path=str(MIGRATIONS)))
    edited = (MIGRATIONS / "V002__users.sql").read_text(encoding="utf-8").replace("display_name  text", "display_name  varchar(200)")
    changed = folder(tmp_path, extra={"V007__later.sql": "CREATE TABLE later (id int);"}, edit={"V002__users.sql": edited})
    result = run(db.args(path=changed))
    assert result["failed"] and not result["changed"]
    assert "applied migration V002__users.sql was edited after it was applied" in result["msg"]
    assert "later" not in db.tables() and len(db.history()) == len(REAL)


def test_a_failing_migration_leaves_no_trace(db, tmp_path):
    run(db.args(path=str(MIGRATIONS)))
    broken = folder(tmp_path, extra={
        "V007__audit_archive.sql": "CREATE TABLE audit_archive (LIKE audit_logs);\nINSERT INTO tenants (slug) VALUES ('x');\n",
        "V008__after.sql": "CREATE TABLE after_broken (id int);",
    })
    result = run(db.args(path=broken))
    assert result["failed"] and not result["changed"] and result["applied"] == []
    assert result["msg"].startswith("migration V007__audit_archive.sql failed and was rolled back")
    assert 'null value in column "name"' in result["msg"]
    assert not {"audit_archive", "after_broken"} & db.tables()
    assert len(db.history()) == len(REAL)


def test_migrations_before_a_failure_stay_applied_each_in_its_own_transaction(db, tmp_path):
    mixed = folder(tmp_path, extra={"V007__good.sql": "CREATE TABLE good (id int);",
                                    "V008__bad.sql": "CREATE TABLE bad (id int);\nSELECT 1 / 0;"})
    result = run(db.args(path=mixed))
    assert result["failed"] and result["changed"] and result["applied"] == REAL + ["V007__good.sql"]
    assert "migration V008__bad.sql failed" in result["msg"] and "division by zero" in result["msg"]
    assert "good" in db.tables() and "bad" not in db.tables()
    assert [row[1] for row in db.history()][-1] == "V007__good.sql"


def test_check_mode_runs_the_pending_migrations_rolls_back_and_reports_them(db):
    result = run(db.args(path=str(MIGRATIONS)), check_mode=True)
    assert result["changed"] and result["applied"] == REAL and result["pending"] == REAL and result["unverified"] == []
    assert result["current_version"] == str(len(REAL))
    assert db.public_relations() == set()  # not even the history table
    assert not db.query("SELECT 1 FROM pg_proc WHERE proname = 'set_updated_at'")


def test_check_mode_proves_the_sql_against_the_real_database(db, tmp_path):
    run(db.args(path=str(MIGRATIONS)))
    wrong = folder(tmp_path, extra={"V007__typo.sql": "ALTER TABLE order ADD COLUMN notes text;"})
    result = run(db.args(path=wrong), check_mode=True)
    assert result["failed"] and "migration V007__typo.sql failed" in result["msg"] and "syntax error" in result["msg"]
    fine = folder(tmp_path, extra={"V007__notes.sql": "ALTER TABLE orders ADD COLUMN notes text;"})
    result = run(db.args(path=fine), check_mode=True)
    assert result["changed"] and result["applied"] == ["V007__notes.sql"] and result["pending"] == ["V007__notes.sql"]
    assert not db.query("SELECT 1 FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'notes'")
    assert len(db.history()) == len(REAL)


def test_two_runs_at_once_apply_each_migration_once(db, tmp_path):
    # The first migration sleeps so that the runs overlap for certain.
    slow = folder(tmp_path, edit={"V001__tenants_and_shared_trigger.sql":
                                  "SELECT pg_sleep(1.5);\n" + (MIGRATIONS / "V001__tenants_and_shared_trigger.sql").read_text()})
    procs = [module_process(db.args(path=slow)) for dummy in range(3)]
    results = [finish(proc) for proc in procs]
    assert all(not r.get("failed") for r in results), [r.get("msg") for r in results]
    assert sorted(len(r["applied"]) for r in results) == [0, 0, len(REAL)]
    assert sorted(r["changed"] for r in results) == [False, False, True]
    history = db.history()
    assert [row[1] for row in history] == REAL and all(row[3] for row in history)
    assert TABLES <= db.tables()


def test_a_held_lock_is_waited_for_within_the_bound_and_named(db):
    holder = connect(db.server, db.name)
    holder.autocommit = True
    holder.cursor().execute("SELECT pg_advisory_lock(%s)", (lib.lock_key("public.schema_history"),))
    started = time.monotonic()
    result = run(db.args(path=str(MIGRATIONS), lock_wait=1))
    assert 1 <= time.monotonic() - started < 10
    assert result["failed"] and "another migration run holds the advisory lock" in result["msg"]
    assert f"pid {holder.get_backend_pid()}" in result["msg"]
    assert db.public_relations() == set()
    holder.close()
    assert run(db.args(path=str(MIGRATIONS)))["applied"] == REAL


def test_a_ddl_lock_wait_times_out_and_is_retried(db, tmp_path):
    run(db.args(path=str(MIGRATIONS)))
    blocker = connect(db.server, db.name)
    blocker.cursor().execute("LOCK TABLE orders IN ACCESS SHARE MODE")  # an open read: ALTER must wait
    release = threading.Timer(1.0, blocker.rollback)
    release.start()
    extended = folder(tmp_path, extra={"V007__order_notes.sql": "ALTER TABLE orders ADD COLUMN notes text;"})
    result = run(db.args(path=extended, lock_timeout="200ms", lock_retries=3))
    release.join()
    blocker.close()
    assert result["applied"] == ["V007__order_notes.sql"], result
    assert "timed out waiting for a lock; retrying" in json.dumps(result["warnings"]), result.get("warnings")


def test_a_ddl_lock_wait_fails_after_the_retries(db, tmp_path):
    run(db.args(path=str(MIGRATIONS)))
    blocker = connect(db.server, db.name)
    blocker.cursor().execute("LOCK TABLE orders IN ACCESS SHARE MODE")
    extended = folder(tmp_path, extra={"V007__order_notes.sql": "ALTER TABLE orders ADD COLUMN notes text;"})
    result = run(db.args(path=extended, lock_timeout="100ms", lock_retries=1))
    blocker.rollback()
    blocker.close()
    assert result["failed"] and "migration V007__order_notes.sql failed and was rolled back" in result["msg"]
    assert "lock timeout" in result["msg"] and len(db.history()) == len(REAL)


def test_out_of_order_versions_are_refused(db, tmp_path):
    run(db.args(path=str(MIGRATIONS)))
    late = folder(tmp_path, extra={"V005_1__forgotten.sql": "CREATE TABLE forgotten (id int);"})
    result = run(db.args(path=late))
    assert result["failed"] and "migration V005_1__forgotten.sql is older than the latest applied version 6" in result["msg"]
    assert "forgotten" not in db.tables()


def test_no_transaction_files_run_concurrently_and_a_failure_leaves_a_dirty_state_until_repaired(db, tmp_path):
    index = "-- shoppulse:no-transaction\nCREATE INDEX CONCURRENTLY orders_tenant_total_idx ON orders (tenant_id, total_amount);\n"
    bad = ("-- shoppulse:no-transaction\nCREATE INDEX CONCURRENTLY audit_logs_tenant_action_idx ON audit_logs (tenant_id, action);\n"
           "CREATE INDEX CONCURRENTLY nowhere_idx ON no_such_table (tenant_id);\n")
    result = run(db.args(path=folder(tmp_path, extra={"V007__orders_total_index.sql": index})))
    assert result["applied"] == REAL + ["V007__orders_total_index.sql"]  # transactional and not, in one run
    assert db.history()[-1][3:5] == (True, False)  # success, not transactional
    assert db.query("SELECT indisvalid FROM pg_index WHERE indexrelid = 'orders_tenant_total_idx'::regclass") == [(True,)]

    dirty = folder(tmp_path, extra={"V007__orders_total_index.sql": index, "V008__audit_action_index.sql": bad})
    result = run(db.args(path=dirty))
    assert result["failed"] and result["changed"]
    assert "migration V008__audit_action_index.sql (run outside a transaction) failed" in result["msg"]
    assert db.history()[-1][1:4:2] == ("V008__audit_action_index.sql", False)

    again = run(db.args(path=dirty))
    assert again["failed"] and not again["changed"]
    assert "migration V008__audit_action_index.sql failed outside a transaction in an earlier run" in again["msg"]

    # The operator repairs by hand: the first index of V008 was built, so the fixed file guards it.
    fixed = folder(tmp_path, extra={"V007__orders_total_index.sql": index, "V008__audit_action_index.sql":
                                    bad.replace("INDEX CONCURRENTLY audit", "INDEX CONCURRENTLY IF NOT EXISTS audit")
                                       .replace("CREATE INDEX CONCURRENTLY nowhere_idx ON no_such_table (tenant_id);\n", "")})
    repaired = run(db.args(path=fixed, repair=True))
    assert repaired["repaired"] == ["V008__audit_action_index.sql"] and repaired["applied"] == ["V008__audit_action_index.sql"]
    assert [row[3] for row in db.history()] == [True] * (len(REAL) + 2)


def test_check_mode_reports_no_transaction_files_as_unverified(db, tmp_path):
    run(db.args(path=str(MIGRATIONS)))
    index = "-- shoppulse:no-transaction\nCREATE INDEX CONCURRENTLY orders_tenant_total_idx ON orders (tenant_id, total_amount);\n"
    result = run(db.args(path=folder(tmp_path, extra={"V007__orders_total_index.sql": index})), check_mode=True)
    assert result["changed"] and result["unverified"] == ["V007__orders_total_index.sql"]
    assert result["pending"] == ["V007__orders_total_index.sql"] and len(db.history()) == len(REAL)


def test_contents_given_as_a_dict_match_the_same_files_read_from_a_folder(db):
    # Ansible's file lookup strips the final newline; the checksums must still agree.
    contents = {name: (MIGRATIONS / name).read_text(encoding="utf-8").rstrip() for name in REAL}
    assert run(db.args(migrations=contents))["applied"] == REAL
    assert not run(db.args(path=str(MIGRATIONS)))["changed"]


def test_a_bad_file_name_or_input_fails_before_connecting(db):
    result = run(db.args(migrations={"V1_tenants.sql": "SELECT 1;"}))
    assert result["failed"] and "migration file name 'V1_tenants.sql' does not match" in result["msg"]
    result = run(db.args(migrations={"V1__a.sql": "SELECT 1;"}, history_table='x"; DROP TABLE tenants; --'))
    assert result["failed"] and result["msg"].startswith("history_table 'x\"; DROP TABLE tenants; --' must be")
    result = run(db.args(path="/nonexistent/folder"))
    assert result["failed"] and result["msg"] == "path /nonexistent/folder is not a folder on the target host"
    assert db.public_relations() == set()


def test_the_schema_holds_data_honestly(db):
    """The acceptance checks on the model itself: seed loads twice, triggers, tenant-scoped foreign keys."""
    run(db.args(path=str(MIGRATIONS)))
    counts = []
    for dummy in range(2):
        for seed in sorted(SEED.glob("*.sql")):
            db.query(seed.read_text(encoding="utf-8"))
        counts.append(db.query("SELECT (SELECT count(*) FROM tenants), (SELECT count(*) FROM users), (SELECT count(*) FROM orders),"
                               " (SELECT count(*) FROM fulfillment), (SELECT count(*) FROM audit_logs)")[0])
    assert counts[0] == counts[1] and counts[0][0] >= 2 and sum(counts[0]) >= 300

    before = db.query("SELECT updated_at FROM tenants WHERE slug = 'cedar-coffee'")[0][0]
    db.query("UPDATE tenants SET plan = 'standard' WHERE slug = 'cedar-coffee'")
    assert db.query("SELECT updated_at FROM tenants WHERE slug = 'cedar-coffee'")[0][0] > before

    other = db.query("SELECT order_id FROM orders o JOIN tenants t USING (tenant_id) WHERE t.slug = 'bluebird-home' LIMIT 1")[0][0]
    with pytest.raises(psycopg2.errors.ForeignKeyViolation, match="fulfillment_order_fkey"):
        db.query("INSERT INTO fulfillment (tenant_id, order_id) SELECT tenant_id, %s FROM tenants WHERE slug = 'cedar-coffee'", (other,))
    with pytest.raises(psycopg2.errors.CheckViolation, match="orders_total_check"):
        db.query("UPDATE orders SET total_amount = total_amount + 1 WHERE order_id = %s", (other,))
