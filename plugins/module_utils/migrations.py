# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure functions of the migration runner: file names, checksums, statement splitting and the plan.

Nothing here talks to a database, so every rule (what a valid file name is, when an applied file counts
as edited, which versions are out of order) can be tested on its own.
"""

from __future__ import annotations

import hashlib
import re
import struct
from dataclasses import dataclass, field

# V<version>__<description>.sql, the version being dot- or underscore-separated integers (V1, V001, V2_1).
FILE_NAME = re.compile(r"^V(?P<version>\d+(?:[._]\d+)*)__(?P<description>[A-Za-z0-9][A-Za-z0-9_]*)\.sql$")

# A header comment that runs the file outside a transaction (CREATE INDEX CONCURRENTLY and friends).
NO_TRANSACTION_MARKER = "-- shoppulse:no-transaction"

LOCK_NAMESPACE = "shoppulse.analytics.postgresql_migrations"

# A name PostgreSQL takes unquoted: lower-case letters, digits and underscores, at most 63 bytes.
NAME = r"[a-z_][a-z0-9_]{0,62}"
UNQUOTED_NAME = re.compile(rf"^{NAME}$")
# The history table: table or schema.table, plain lower-case identifiers (no quoting games).
IDENTIFIER = re.compile(rf"^(?:{NAME}\.)?{NAME}$")

# Statements that would end the runner's transaction, committing a migration without its history row.
TRANSACTION_CONTROL = re.compile(r"^(BEGIN|COMMIT|ROLLBACK|END|ABORT|START\s+TRANSACTION|PREPARE\s+TRANSACTION)\b", re.I)


class MigrationError(Exception):
    """The migrations given or the history found cannot be reconciled; the message names the file."""


@dataclass(frozen=True)
class Migration:
    """One versioned file, as given to the runner."""

    version: tuple[int, ...]
    description: str
    script: str
    sql: str
    checksum: str
    transactional: bool

    @property
    def version_text(self) -> str:
        return version_text(self.version)


@dataclass(frozen=True)
class Applied:
    """One row of the history table."""

    version: str
    script: str
    checksum: str
    success: bool
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def version_key(self) -> tuple[int, ...]:
        return parse_version(self.version)


def parse_version(text: str) -> tuple[int, ...]:
    """'001' -> (1,), '2_1' or '2.1' -> (2, 1)."""
    return tuple(int(part) for part in re.split(r"[._]", text))


def version_text(version: tuple[int, ...]) -> str:
    """The form stored in the history table: (1,) -> '1', (2, 1) -> '2.1'."""
    return ".".join(str(part) for part in version)


def normalise(sql: str) -> str:
    """Line endings as LF and no trailing whitespace at the end of the file.

    The checksum is taken over this form, so a file read on the controller (Ansible's file lookup strips
    the final newline) and the same file read on the target host give the same checksum, and a Windows
    checkout does not look like an edit.
    """
    return sql.replace("\r\n", "\n").replace("\r", "\n").rstrip()


def checksum(sql: str) -> str:
    """SHA-256 (hex) of the normalised text."""
    return hashlib.sha256(normalise(sql).encode("utf-8")).hexdigest()


def is_transactional(sql: str) -> bool:
    """False when the marker appears in the leading comment block of the file."""
    for line in normalise(sql).split("\n"):
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("--"):
            return True
        if stripped.lower() == NO_TRANSACTION_MARKER:
            return False
    return True


def parse_migration(script: str, sql: str) -> Migration:
    match = FILE_NAME.match(script)
    if match is None:
        raise MigrationError(
            f"migration file name {script!r} does not match V<version>__<description>.sql "
            "(for example V001__tenants.sql): rename it so that it is applied, or move it out of the migrations"
        )
    if not normalise(sql):
        raise MigrationError(f"migration {script} is empty")
    if is_transactional(sql):
        heads = [_strip_comments(stmt) for stmt in split_statements(sql)]
        control = [head.split(None, 1)[0].upper() for head in heads if TRANSACTION_CONTROL.match(head)]
        if control:
            raise MigrationError(
                f"migration {script} contains {', '.join(control)}: the runner wraps each file and its history row in "
                f"one transaction, so remove the transaction control (or mark the file with '{NO_TRANSACTION_MARKER}')"
            )
    return Migration(
        version=parse_version(match.group("version")),
        description=match.group("description").replace("_", " "),
        script=script,
        sql=normalise(sql),
        checksum=checksum(sql),
        transactional=is_transactional(sql),
    )


def load_migrations(files: dict[str, str]) -> list[Migration]:
    """Parse every file and order by version; a version given twice is refused, naming both files."""
    migrations = sorted((parse_migration(name, sql) for name, sql in files.items()), key=lambda m: m.version)
    for first, second in zip(migrations, migrations[1:]):
        if first.version == second.version:
            raise MigrationError(f"version {first.version_text} is given twice: {first.script} and {second.script}")
    return migrations


def failed(history: list[Applied]) -> list[Applied]:
    """History rows of migrations that failed outside a transaction (the database is 'dirty')."""
    return [row for row in history if not row.success]


def plan(migrations: list[Migration], history: list[Applied]) -> list[Migration]:
    """Validate the applied files against the history and return the pending ones, in order.

    Refused, naming the file: an applied migration whose file is missing or whose checksum changed, and a
    pending version lower than the highest applied one (out of order).
    """
    by_version = {m.version: m for m in migrations}
    applied = [row for row in history if row.success]
    for row in applied:
        local = by_version.get(row.version_key)
        if local is None:
            raise MigrationError(
                f"applied migration {row.script} (version {row.version}) is missing from the migrations given: "
                "restore the file; applied migrations are never deleted"
            )
        if local.checksum != row.checksum:
            raise MigrationError(
                f"applied migration {local.script} was edited after it was applied (recorded sha256 {row.checksum}, "
                f"file now {local.checksum}): restore the file and put the change in a new migration"
            )
    done = {row.version_key for row in applied}
    pending = [m for m in migrations if m.version not in done]
    if applied and pending:
        latest = max(row.version_key for row in applied)
        early = [m.script for m in pending if m.version < latest]
        if early:
            raise MigrationError(
                f"migration {', '.join(early)} is older than the latest applied version {version_text(latest)} "
                "(out of order): give it a version above the latest applied one"
            )
    return pending


def lock_key(history_table: str) -> int:
    """A deterministic signed 64-bit advisory lock key (advisory locks are already scoped to one database)."""
    digest = hashlib.sha256(f"{LOCK_NAMESPACE}:{history_table}".encode("utf-8")).digest()
    return struct.unpack(">q", digest[:8])[0]


def split_statements(sql: str) -> list[str]:
    """Split a script into statements at top-level semicolons.

    Needed only for files run outside a transaction: PostgreSQL runs a multi-statement query string as one
    implicit transaction, where CREATE INDEX CONCURRENTLY is refused. Quotes, quoted identifiers, dollar
    quoting and both comment styles are honoured; empty statements and comment-only tails are dropped.
    """
    statements: list[str] = []
    start = i = 0
    size = len(sql)
    while i < size:
        char = sql[i]
        if char in ("'", '"'):
            i = _skip_quoted(sql, i, char)
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            i = size if end < 0 else end + 1
        elif sql.startswith("/*", i):
            i = _skip_block_comment(sql, i)
        elif char == "$":
            i = _skip_dollar_quoted(sql, i)
        elif char == ";" and _inside_atomic_body(sql[start:i]):
            i += 1
        elif char == ";":
            statements.append(sql[start:i])
            i += 1
            start = i
        else:
            i += 1
    statements.append(sql[start:])
    return [stmt.strip() for stmt in statements if _has_code(stmt)]


def _skip_quoted(sql: str, i: int, quote: str) -> int:
    i += 1
    while i < len(sql):
        if sql[i] == quote:
            if sql.startswith(quote * 2, i):  # a doubled quote is an escaped one
                i += 2
                continue
            return i + 1
        i += 1
    return i


def _skip_block_comment(sql: str, i: int) -> int:
    depth = 0
    while i < len(sql):
        if sql.startswith("/*", i):
            depth += 1
            i += 2
        elif sql.startswith("*/", i):
            depth -= 1
            i += 2
            if depth == 0:
                return i
        else:
            i += 1
    return i


DOLLAR_TAG = re.compile(r"\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$")


def _skip_dollar_quoted(sql: str, i: int) -> int:
    match = DOLLAR_TAG.match(sql, i)
    if match is None or (i > 0 and (sql[i - 1].isalnum() or sql[i - 1] == "_")):
        return i + 1  # a positional parameter ($1) or part of an identifier
    tag = match.group(0)
    end = sql.find(tag, match.end())
    return len(sql) if end < 0 else end + len(tag)


def _inside_atomic_body(chunk: str) -> bool:
    """A SQL-standard function body (BEGIN ATOMIC ... END) holds semicolons of its own."""
    code = _strip_comments(chunk)
    return bool(re.search(r"\bBEGIN\s+ATOMIC\b", code, re.I)) and not re.search(r"\bEND\s*$", code, re.I)


def _strip_comments(statement: str) -> str:
    without_line_comments = re.sub(r"--[^\n]*", "", statement)
    return re.sub(r"/\*.*?\*/", "", without_line_comments, flags=re.S).strip()


def _has_code(statement: str) -> bool:
    return bool(_strip_comments(statement))
