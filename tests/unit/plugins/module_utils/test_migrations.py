"""The migration runner's pure rules: file names, checksums, the no-transaction marker, splitting and the plan."""

import hashlib

import pytest

from ansible_collections.shoppulse.analytics.plugins.module_utils import migrations as lib


def applied(migration, success=True):
    return lib.Applied(migration.version_text, migration.script, migration.checksum, success)


def test_file_names_give_version_and_description():
    first = lib.parse_migration("V001__tenants_and_shared_trigger.sql", "SELECT 1;")
    assert first.version == (1,) and first.version_text == "1"
    assert first.description == "tenants and shared trigger"
    dotted = lib.parse_migration("V2_10__add_column.sql", "SELECT 1;")
    assert dotted.version == (2, 10) and dotted.version_text == "2.10"


@pytest.mark.parametrize("name", ["001__x.sql", "V1_x.sql", "V1__x.SQL", "v1__x.sql", "V1__.sql", "V1__x.sql.bak", "R__view.sql"])
def test_a_file_name_off_the_pattern_is_refused_naming_it(name):
    with pytest.raises(lib.MigrationError, match=f"migration file name '{name}' does not match"):
        lib.parse_migration(name, "SELECT 1;")


def test_an_empty_file_is_refused():
    with pytest.raises(lib.MigrationError, match="migration V1__x.sql is empty"):
        lib.parse_migration("V1__x.sql", " \n\n")


def test_versions_are_ordered_numerically_and_a_duplicate_names_both_files():
    files = {"V10__c.sql": "SELECT 3;", "V2__b.sql": "SELECT 2;", "V1_5__a.sql": "SELECT 1;"}
    assert [m.script for m in lib.load_migrations(files)] == ["V1_5__a.sql", "V2__b.sql", "V10__c.sql"]
    with pytest.raises(lib.MigrationError, match="version 1 is given twice: V001__a.sql and V1__b.sql"):
        lib.load_migrations({"V001__a.sql": "SELECT 1;", "V1__b.sql": "SELECT 1;"})


def test_checksum_ignores_line_endings_and_trailing_whitespace_only():
    text = "CREATE TABLE t (id int);\nSELECT 1;"
    expected = hashlib.sha256(text.encode()).hexdigest()
    assert lib.checksum(text) == expected
    assert lib.checksum(text.replace("\n", "\r\n") + "\r\n\n") == expected
    assert lib.checksum(text.replace("int", "bigint")) != expected
    assert lib.checksum("  " + text) != expected


def test_the_no_transaction_marker_counts_only_in_the_leading_comments():
    assert not lib.is_transactional("-- Add an index without blocking writes\n-- shoppulse:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);")
    assert not lib.is_transactional("\n-- SHOPPULSE:NO-TRANSACTION\nSELECT 1;")
    assert lib.is_transactional("SELECT 1;\n-- shoppulse:no-transaction\n")
    assert lib.is_transactional("-- shoppulse:no-transaction please\nSELECT 1;")


def test_transaction_control_in_a_transactional_file_is_refused():
    with pytest.raises(lib.MigrationError, match="migration V3__x.sql contains COMMIT"):
        lib.parse_migration("V3__x.sql", "CREATE TABLE a (id int);\n-- done\nCOMMIT;\nCREATE TABLE b (id int);")
    body = "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN PERFORM 1; END $$;"
    assert lib.parse_migration("V3__x.sql", body).transactional
    assert not lib.parse_migration("V3__x.sql", "-- shoppulse:no-transaction\nVACUUM t;\nBEGIN;\nSELECT 1;\nCOMMIT;").transactional


def test_split_statements_honours_quotes_comments_and_dollar_quoting():
    script = """
    -- leading comment; with a semicolon
    CREATE TABLE "odd;name" (note text DEFAULT 'it''s; fine');
    /* block; /* nested; */ still comment; */
    CREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $body$ BEGIN RETURN 'a;b'; END $body$;
    CREATE FUNCTION g() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;
    PREPARE p AS SELECT $1::int;
    CREATE FUNCTION h() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;
    CREATE INDEX CONCURRENTLY i ON "odd;name" (note)
    -- trailing comment only
    """
    statements = lib.split_statements(script)
    assert len(statements) == 6
    assert statements[0].endswith("""CREATE TABLE "odd;name" (note text DEFAULT 'it''s; fine')""")
    assert statements[1].startswith("/* block;") and statements[1].endswith("END $body$")
    assert statements[2].endswith("$$ SELECT 1; $$")
    assert statements[3] == "PREPARE p AS SELECT $1::int"
    assert statements[4].endswith("SELECT 1; SELECT 2; END")
    assert statements[5].startswith('CREATE INDEX CONCURRENTLY i ON "odd;name" (note)')


def test_plan_returns_pending_in_order():
    files = lib.load_migrations({"V1__a.sql": "SELECT 1;", "V2__b.sql": "SELECT 2;", "V3__c.sql": "SELECT 3;"})
    assert [m.script for m in lib.plan(files, [])] == ["V1__a.sql", "V2__b.sql", "V3__c.sql"]
    assert [m.script for m in lib.plan(files, [applied(files[0]), applied(files[1])])] == ["V3__c.sql"]
    assert not lib.plan(files, [applied(m) for m in files])


def test_plan_refuses_an_edited_applied_file_naming_it():
    before = lib.load_migrations({"V1__a.sql": "SELECT 1;", "V2__b.sql": "SELECT 2;"})
    after = lib.load_migrations({"V1__a.sql": "SELECT 1;", "V2__b.sql": "SELECT 22;"})
    with pytest.raises(lib.MigrationError, match=f"applied migration V2__b.sql was edited.*recorded sha256 {before[1].checksum}"):
        lib.plan(after, [applied(m) for m in before])


def test_plan_refuses_a_missing_applied_file_and_out_of_order_versions():
    files = lib.load_migrations({"V1__a.sql": "SELECT 1;", "V3__c.sql": "SELECT 3;"})
    with pytest.raises(lib.MigrationError, match=r"applied migration V3__c.sql \(version 3\) is missing"):
        lib.plan(files[:1], [applied(m) for m in files])
    late = lib.load_migrations({"V1__a.sql": "SELECT 1;", "V2__b.sql": "SELECT 2;", "V3__c.sql": "SELECT 3;"})
    with pytest.raises(lib.MigrationError, match="migration V2__b.sql is older than the latest applied version 3"):
        lib.plan(late, [applied(late[0]), applied(late[2])])


def test_failed_rows_are_not_counted_as_applied():
    files = lib.load_migrations({"V1__a.sql": "SELECT 1;", "V2__b.sql": "SELECT 2;"})
    history = [applied(files[0]), applied(files[1], success=False)]
    assert lib.failed(history) == [history[1]]
    assert [m.script for m in lib.plan(files, history)] == ["V2__b.sql"]


def test_lock_key_is_deterministic_signed_64_bit_and_per_table():
    key = lib.lock_key("public.schema_history")
    assert key == lib.lock_key("public.schema_history")
    assert -(2 ** 63) <= key < 2 ** 63
    assert key != lib.lock_key("public.other_history")


@pytest.mark.parametrize("name,ok", [("schema_history", True), ("ops.schema_history", True), ("Schema", False),
                                     ("a.b.c", False), ('x"; DROP', False), ("1abc", False)])
def test_history_table_names_are_plain_identifiers(name, ok):
    assert bool(lib.IDENTIFIER.match(name)) is ok
