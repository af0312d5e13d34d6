#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: postgresql_migrations
version_added: 0.1.0
short_description: Apply versioned SQL migrations to a PostgreSQL database, once each, with a history
description:
  - Applies versioned SQL files (V<version>__<description>.sql) to one database in version order and
    records each in a history table (version, description, script, SHA-256 checksum, installed_on,
    installed_by, execution_ms, success), in the manner of Flyway.
  - "Everything happens on one connection. The run first takes a session advisory lock whose key is
    derived from O(history_table), waiting at most O(lock_wait) seconds, so that two runs at once apply
    each migration once: the second waits, then finds nothing pending. The lock is a session lock, so a
    killed run releases it with its connection."
  - Before applying anything, the checksums of the applied files are validated. An applied file that was
    edited or is missing stops the run naming the file, and so does a new file whose version is lower
    than the latest applied one (out of order).
  - Each pending migration runs with its history row in one transaction, so a failing migration leaves
    the database and the history exactly as they were. A DDL statement waits at most O(lock_timeout) for
    its table locks; a migration that times out on a lock is rolled back and retried up to
    O(lock_retries) times with a growing pause, so a blocked ALTER does not queue the application's
    traffic behind it.
  - "A file whose leading comment block holds the line C(-- shoppulse:no-transaction) runs outside a
    transaction, statement by statement (for C(CREATE INDEX CONCURRENTLY), which PostgreSQL refuses in a
    transaction). Its history row is written as failed before it starts and marked successful when it
    ends, so a failure or a killed run leaves a failed row: every later run refuses to go on until an
    operator has repaired the database by hand and re-run with O(repair=true)."
  - The checksum is taken over the file's text with LF line endings and without trailing whitespace at
    its end, so that O(migrations) (read on the controller) and O(path) (read on the target) agree.
  - In check mode the pending migrations really run, with their history rows, inside one transaction
    that is then rolled back, which proves they apply to the real database; the module reports the ones
    it would apply. Files marked to run outside a transaction cannot run there and are reported in
    RV(unverified).
author:
  - ShopPulse platform team (@shoppulse)
options:
  login_db:
    description: The database to migrate.
    type: str
    required: true
  migrations:
    description:
      - The migration files as a dictionary of file name to SQL text, for example built on the controller
        with the P(ansible.builtin.file#lookup) lookup. Only the file name (not a path) is used.
      - Mutually exclusive with O(path); one of the two is required.
    type: dict
  path:
    description:
      - A folder on the target host holding the migration files. Every C(*.sql) file in it is a migration
        and must be named V<version>__<description>.sql; other files are ignored.
      - Mutually exclusive with O(migrations); one of the two is required.
    type: path
  history_table:
    description:
      - The history table, in the C(public) schema unless qualified as C(schema.table). Created when absent.
      - The advisory lock key is derived from this name.
    type: str
    default: schema_history
  lock_wait:
    description: Seconds to wait for another run's advisory lock before failing.
    type: int
    default: 300
  lock_timeout:
    description:
      - PostgreSQL C(lock_timeout) for the migrations' statements, as PostgreSQL accepts it (C(10s), C(500ms)).
      - C(0) waits forever, which is not advisable on a live database.
    type: str
    default: 10s
  lock_retries:
    description: How many times a transactional migration that timed out on a lock is retried.
    type: int
    default: 5
  repair:
    description:
      - Delete the history rows of migrations that failed outside a transaction, so that the next run
        applies them again. Use it only after repairing the database by hand (for example dropping an
        INVALID index left by a failed C(CREATE INDEX CONCURRENTLY)).
    type: bool
    default: false
notes:
  - The module needs psycopg2 or psycopg 3 on the target host, and connects through
    community.postgresql's connection code, with all its options.
  - "Advisory locks are scoped to one database: runs against different databases never wait for each other."
seealso:
  - module: community.postgresql.postgresql_query
  - name: Flyway concepts
    description: The history table, checksums and validation this module follows.
    link: https://documentation.red-gate.com/fd/migrations-184127470.html
attributes:
  check_mode:
    support: full
  diff_mode:
    description: Returns the applied migrations before and after the run.
    support: full
extends_documentation_fragment:
  - community.postgresql.postgres
"""

EXAMPLES = r"""
- name: Apply the migrations read on the controller
  shoppulse.analytics.postgresql_migrations:
    login_host: db.example.internal
    login_user: "{{ db_credentials.username }}"
    login_password: "{{ db_credentials.password }}"
    login_db: shoppulse
    ssl_mode: verify-full
    ca_cert: /etc/ssl/certs/rds-global-bundle.pem
    migrations: "{{ dict(names | zip(query('ansible.builtin.file', *files))) }}"
  vars:
    files: "{{ query('ansible.builtin.fileglob', 'sql/migrations/*.sql') | sort }}"
    names: "{{ files | map('basename') | list }}"

- name: Apply the migrations found in a folder on the target host
  shoppulse.analytics.postgresql_migrations:
    login_unix_socket: /var/run/postgresql
    login_db: shoppulse
    path: /opt/shoppulse/sql/migrations
    lock_timeout: 5s

- name: Clear a failed non-transactional migration after repairing the database by hand
  shoppulse.analytics.postgresql_migrations:
    login_unix_socket: /var/run/postgresql
    login_db: shoppulse
    path: /opt/shoppulse/sql/migrations
    repair: true
"""

RETURN = r"""
applied:
  description:
    - The migrations this run applied, in order (in check mode, the ones it would apply).
  returned: always
  type: list
  elements: str
  sample: [V003__marketing_campaigns.sql, V004__orders_and_fulfillment.sql]
pending:
  description:
    - The migrations not applied once the run ends (in check mode, the ones it would apply, since nothing
      is committed).
  returned: always
  type: list
  elements: str
  sample: []
unverified:
  description: In check mode, the pending migrations that run outside a transaction and so were not tried.
  returned: always
  type: list
  elements: str
  sample: []
repaired:
  description: The failed migrations whose history rows O(repair=true) deleted.
  returned: always
  type: list
  elements: str
  sample: []
current_version:
  description: The highest successfully applied version once the run ends (null when none).
  returned: always
  type: str
  sample: "6"
history_table:
  description: The history table, schema-qualified.
  returned: always
  type: str
  sample: public.schema_history
lock_key:
  description: The advisory lock key the run held.
  returned: always
  type: int
  sample: 5823049384750123
history:
  description: The history rows once the run ends (in check mode, as they were before it), in install order.
  returned: always
  type: list
  elements: dict
  contains:
    version:
      description: The version, as dot-separated integers.
      type: str
      sample: "1"
    description:
      description: The description, from the file name.
      type: str
      sample: tenants and shared trigger
    script:
      description: The file name.
      type: str
      sample: V001__tenants_and_shared_trigger.sql
    checksum:
      description: SHA-256 of the normalised file.
      type: str
    installed_by:
      description: The database user that applied it.
      type: str
    installed_on:
      description: When it was applied (ISO 8601).
      type: str
    execution_ms:
      description: How long it ran, in milliseconds.
      type: int
    success:
      description: False for a non-transactional migration that failed or did not finish.
      type: bool
    transactional:
      description: Whether it ran in a transaction.
      type: bool
"""

import os
import time

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native
from ansible_collections.community.postgresql.plugins.module_utils.postgres import (
    connect_to_db,
    ensure_required_libs,
    get_conn_params,
    postgres_common_argument_spec,
)
from ansible_collections.shoppulse.analytics.plugins.module_utils import migrations as plan_lib

try:
    from psycopg2 import sql as pgsql
except ImportError:
    try:
        from psycopg import sql as pgsql
    except ImportError:
        pgsql = None  # ensure_required_libs reports the missing driver

LOCK_NOT_AVAILABLE = "55P03"
HISTORY_COLUMNS = ("version", "description", "script", "checksum", "installed_by", "installed_on", "execution_ms", "success", "transactional")


class MigrationRunner:
    """One connection, one advisory lock, and the history table behind it."""

    def __init__(self, module: AnsibleModule, connection) -> None:
        self.module = module
        self.conn = connection
        self.check_mode = module.check_mode
        schema, dummy, table = module.params["history_table"].rpartition(".")
        self.table = pgsql.Identifier(schema or "public", table)
        self.table_name = f"{schema or 'public'}.{table}"
        self.key = plan_lib.lock_key(self.table_name)
        self.result = dict(changed=False, applied=[], pending=[], unverified=[], repaired=[], history=[],
                           current_version=None, history_table=self.table_name, lock_key=self.key)

    # --- SQL helpers -----------------------------------------------------------------------------

    def execute(self, query, params=None) -> list:
        """Rows as tuples, whichever row factory the driver's connection was given."""
        cursor = self.conn.cursor()
        try:
            cursor.execute(query, params)
            rows = cursor.fetchall() if cursor.description else []
        finally:
            cursor.close()
        return [tuple(row.values()) if isinstance(row, dict) else tuple(row) for row in rows]

    def fail(self, msg: str) -> None:
        if self.in_transaction():
            try:
                self.execute("ROLLBACK")
            except Exception:  # pylint: disable=broad-except  # the connection may be gone; the failure message matters
                pass
        # Migrations committed before the failure stay applied (each is its own transaction).
        self.result["changed"] = self.result["changed"] or (bool(self.result["applied"]) and not self.check_mode)
        self.module.fail_json(msg=msg, **self.result)

    # --- lock ------------------------------------------------------------------------------------

    def lock(self) -> None:
        """Wait at most lock_wait seconds for the session advisory lock (lock_timeout bounds the wait)."""
        # Advisory lock waits obey lock_timeout; 0 would mean forever, so a zero wait is one millisecond.
        wait_ms = max(self.module.params["lock_wait"] * 1000, 1)
        self.execute("SELECT set_config('lock_timeout', %s, false)", (f"{wait_ms}ms",))
        try:
            self.execute("SELECT pg_advisory_lock(%s)", (self.key,))
        except Exception as exc:  # pylint: disable=broad-except  # any driver's error class
            if self.sqlstate(exc) != LOCK_NOT_AVAILABLE:
                raise
            holders = self.execute(
                "SELECT a.pid, a.usename::text, a.application_name, a.backend_start::text FROM pg_locks l "
                "JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted "
                "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                "AND l.classid::bigint = %s AND l.objid::bigint = %s AND l.objsubid = 1",
                ((self.key >> 32) & 0xFFFFFFFF, self.key & 0xFFFFFFFF),
            )
            held_by = ", ".join(f"pid {pid} ({user}, {app}, since {since})" for pid, user, app, since in holders)
            self.fail(f"another migration run holds the advisory lock {self.key} on this database "
                      f"(held by {held_by or 'a session that has since ended'}); gave up after {self.module.params['lock_wait']}s: "
                      "wait for it to finish or raise lock_wait")
        self.execute("SELECT set_config('lock_timeout', %s, false)", (self.module.params["lock_timeout"],))

    # --- history ---------------------------------------------------------------------------------

    def history_exists(self) -> bool:
        return self.execute("SELECT to_regclass(%s) IS NOT NULL AS present", (self.table_name,))[0][0]

    def create_history(self) -> None:
        self.execute(pgsql.SQL(
            "CREATE TABLE IF NOT EXISTS {} ("
            " installed_rank integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
            " version text NOT NULL UNIQUE,"
            " description text NOT NULL,"
            " script text NOT NULL,"
            " checksum char(64) NOT NULL,"
            " installed_by text NOT NULL DEFAULT current_user,"
            " installed_on timestamptz NOT NULL DEFAULT now(),"
            " execution_ms integer NOT NULL DEFAULT 0 CHECK (execution_ms >= 0),"
            " success boolean NOT NULL,"
            " transactional boolean NOT NULL)"
        ).format(self.table))

    def read_history(self) -> list:
        rows = self.execute(pgsql.SQL(
            "SELECT version, description, script, checksum, installed_by, installed_on::text, execution_ms, success, transactional "
            "FROM {} ORDER BY installed_rank"
        ).format(self.table))
        return [dict(zip(HISTORY_COLUMNS, row)) for row in rows]

    def record(self, migration: plan_lib.Migration, execution_ms: int, success: bool) -> None:
        self.execute(
            pgsql.SQL("INSERT INTO {} (version, description, script, checksum, execution_ms, success, transactional) "
                      "VALUES (%s, %s, %s, %s, %s, %s, %s)").format(self.table),
            (migration.version_text, migration.description, migration.script, migration.checksum, execution_ms, success,
             migration.transactional),
        )

    # --- applying --------------------------------------------------------------------------------

    def apply_transactional(self, migration: plan_lib.Migration, commit: bool) -> None:
        """The migration and its history row in one transaction; retried when a lock wait timed out."""
        retries = self.module.params["lock_retries"]
        for attempt in range(retries + 1):
            if commit:
                self.execute("BEGIN")
            else:
                self.execute("SAVEPOINT shoppulse_migration")
            started = time.monotonic()
            try:
                self.execute(migration.sql)
                if not self.in_transaction():
                    self.fail(f"migration {migration.script} ended the runner's transaction (COMMIT or ROLLBACK in the file); "
                              "remove the transaction control statements, the runner wraps each file in one transaction")
                self.record(migration, int((time.monotonic() - started) * 1000), True)
            except Exception as exc:  # pylint: disable=broad-except  # any driver's error class
                self.execute("ROLLBACK" if commit else "ROLLBACK TO SAVEPOINT shoppulse_migration")
                if self.sqlstate(exc) == LOCK_NOT_AVAILABLE and attempt < retries:
                    pause = min(2 ** attempt, 30)
                    self.module.warn(f"migration {migration.script} timed out waiting for a lock; retrying in {pause}s "
                                     f"({attempt + 1}/{retries})")
                    time.sleep(pause)
                    continue
                self.fail(f"migration {migration.script} failed and was rolled back, leaving the database and "
                          f"{self.table_name} as before: {to_native(exc).strip()}")
            if commit:
                self.execute("COMMIT")
            self.result["applied"].append(migration.script)
            return

    def apply_outside_transaction(self, migration: plan_lib.Migration) -> None:
        """Statement by statement, autocommit; a failed history row stays behind if it does not finish."""
        self.record(migration, 0, False)
        started = time.monotonic()
        for statement in plan_lib.split_statements(migration.sql):
            try:
                self.execute(statement)
            except Exception as exc:  # pylint: disable=broad-except  # any driver's error class
                self.result["applied"].append(migration.script)
                self.result["changed"] = True
                self.fail(f"migration {migration.script} (run outside a transaction) failed at: {statement[:200]}: "
                          f"{to_native(exc).strip()}. The database may hold part of it and {self.table_name} records it "
                          "as failed: repair the database by hand, then re-run with repair=true")
        self.execute(pgsql.SQL("UPDATE {} SET success = true, execution_ms = %s WHERE version = %s").format(self.table),
                     (int((time.monotonic() - started) * 1000), migration.version_text))
        self.result["applied"].append(migration.script)

    def in_transaction(self) -> bool:
        # psycopg2 and psycopg 3 both expose libpq's transaction status: 2 is INTRANS, 3 is INERROR.
        return int(self.conn.info.transaction_status) in (2, 3)

    @staticmethod
    def sqlstate(exc: Exception):
        return getattr(exc, "pgcode", None) or getattr(exc, "sqlstate", None)

    # --- the run ---------------------------------------------------------------------------------

    def run(self, migrations: list) -> dict:
        self.execute("SELECT set_config('application_name', 'shoppulse.analytics.postgresql_migrations', false)")
        self.lock()
        check = self.check_mode
        if check:
            self.execute("BEGIN")
        had_history = self.history_exists()
        if not had_history:
            self.create_history()
            self.result["changed"] = True
        before = self.read_history()
        self.result["history"] = before
        history = [plan_lib.Applied(row["version"], row["script"], row["checksum"], row["success"]) for row in before]

        dirty = plan_lib.failed(history)
        if dirty and self.module.params["repair"]:
            self.execute(pgsql.SQL("DELETE FROM {} WHERE NOT success").format(self.table))
            self.result["repaired"] = [row.script for row in dirty]
            self.result["changed"] = True
            history = [row for row in history if row.success]
        elif dirty:
            self.fail(f"migration {', '.join(row.script for row in dirty)} failed outside a transaction in an earlier run "
                      f"and is recorded as failed in {self.table_name}: repair the database by hand, then re-run with repair=true")

        try:
            pending = plan_lib.plan(migrations, history)
        except plan_lib.MigrationError as exc:
            self.fail(str(exc))

        for migration in pending:
            if check and not migration.transactional:
                self.result["unverified"].append(migration.script)
                self.result["applied"].append(migration.script)
            elif check:
                self.apply_transactional(migration, commit=False)
            elif migration.transactional:
                self.apply_transactional(migration, commit=True)
            else:
                self.apply_outside_transaction(migration)
        if pending:
            self.result["changed"] = True

        if check:
            self.execute("ROLLBACK")
            self.result["pending"] = [m.script for m in pending]
            after = history
        else:
            self.result["history"] = self.read_history()
            after = [plan_lib.Applied(row["version"], row["script"], row["checksum"], row["success"]) for row in self.result["history"]]
        done = [row.version_key for row in after if row.success]
        if check:
            done += [m.version for m in pending]
        self.result["current_version"] = plan_lib.version_text(max(done)) if done else None
        self.result["diff"] = dict(
            before=dict(history_table=had_history, applied=[row["script"] for row in before if row["success"]]),
            after=dict(history_table=True, applied=[row["script"] for row in before if row["success"]] + self.result["applied"]),
        )
        self.execute("SELECT pg_advisory_unlock(%s)", (self.key,))
        return self.result


def read_folder(module: AnsibleModule, folder: str) -> dict:
    if not os.path.isdir(folder):
        module.fail_json(msg=f"path {folder} is not a folder on the target host")
    files = {}
    for name in sorted(os.listdir(folder)):
        if name.endswith(".sql") and os.path.isfile(os.path.join(folder, name)):
            with open(os.path.join(folder, name), encoding="utf-8") as handle:
                files[name] = handle.read()
    return files


ARGUMENT_SPEC = postgres_common_argument_spec()
ARGUMENT_SPEC.update(
    login_db=dict(type="str", required=True),
    migrations=dict(type="dict"),
    path=dict(type="path"),
    history_table=dict(type="str", default="schema_history"),
    lock_wait=dict(type="int", default=300),
    lock_timeout=dict(type="str", default="10s"),
    lock_retries=dict(type="int", default=5),
    repair=dict(type="bool", default=False),
)
OPTIONS = dict(mutually_exclusive=[("migrations", "path")], required_one_of=[("migrations", "path")])


def run(module) -> None:
    """Apply the pending migrations; ``module`` is an AnsibleModule or the in-process stand-in."""
    if not plan_lib.IDENTIFIER.match(module.params["history_table"]):
        module.fail_json(msg=f"history_table {module.params['history_table']!r} must be table or schema.table "
                             "(lower-case letters, digits and underscores)")
    for option in ("lock_wait", "lock_retries"):
        if module.params[option] < 0:
            module.fail_json(msg=f"{option} must be zero or more")

    files = module.params["migrations"]
    if module.params["path"]:
        files = read_folder(module, module.params["path"])
    try:
        migrations = plan_lib.load_migrations({name.rsplit("/", 1)[-1]: str(sql) for name, sql in files.items()})
    except plan_lib.MigrationError as exc:
        module.fail_json(msg=str(exc))

    ensure_required_libs(module)
    conn_params = get_conn_params(module, module.params)
    # Autocommit: the runner issues BEGIN/COMMIT itself, so that the session advisory lock is held between
    # transactions without an open one (CREATE INDEX CONCURRENTLY waits for every open transaction).
    connection, dummy = connect_to_db(module, conn_params, autocommit=True)
    try:
        result = MigrationRunner(module, connection).run(migrations)
    except Exception as exc:  # pylint: disable=broad-except  # a database error outside any migration (settings, privileges)
        module.fail_json(msg=f"migration run against {module.params['login_db']} failed: {to_native(exc).strip()}")
    finally:
        connection.close()
    module.exit_json(**result)


def main() -> None:
    run(AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **OPTIONS))


if __name__ == "__main__":
    main()
