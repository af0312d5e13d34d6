"""What the local PostgreSQL server standing in for RDS says of a set of credentials, for the emulator to judge by.

``python -m localenv up`` starts the server (``localenv/services.py``); the ``local_rds_standin`` playbook creates the
RDS master user in it from the secret, and a rotation later changes that user's password inside the database (ALTER
ROLE), as AWS's rotation functions do. :func:`accepts` asks the server itself, logging in as a client of RDS would:
over TCP on loopback, with TLS. It cannot tell (None) while no local server is running or the user does not exist
there yet, so that the caller keeps its own judgement then.

Nothing is cached, as a rotation may change a password at any moment; passwords are never logged nor put in messages.
"""

from __future__ import annotations

from contextlib import closing
from pathlib import Path
from typing import Any

import psycopg2

from localenv import services

CONNECT_TIMEOUT = 2  # seconds: libpq's shortest; a judgement must not hold up the API call for long
# libpq's words when the server refuses the password, and when there is none to send. The server's own words follow
# its lc_messages, which `python -m localenv up` leaves at the environment's locale (C.UTF-8 here and in CI).
REFUSED = ("password authentication failed", "no password supplied")

_UNSET: Any = object()
_settings: Any = _UNSET


def settings() -> services.Settings | None:
    """The local services' settings in force: from the environment, read on first use, as services.py reads them."""
    global _settings  # pylint: disable=global-statement  # one local database per emulator process
    if _settings is _UNSET:
        _settings = services.Settings.from_env()
    return _settings


def configure(cfg: services.Settings | None) -> services.Settings | None:
    """Put ``cfg`` in force (None: no local database); return the settings it replaces (so that tests can restore them)."""
    global _settings  # pylint: disable=global-statement
    previous, _settings = settings(), cfg
    return previous


def _socket_file(cfg: services.Settings) -> Path:
    return cfg.pgsocket / f".s.PGSQL.{cfg.pg_port}"


def has_user(cfg: services.Settings, username: str) -> bool | None:
    """Whether the server has the role, asked as ``postgres`` over its unix socket (trust); None when it is not up."""
    if not _socket_file(cfg).exists():
        return None
    try:
        with closing(psycopg2.connect(host=str(cfg.pgsocket), port=cfg.pg_port, user="postgres", dbname="postgres",
                                      connect_timeout=CONNECT_TIMEOUT)) as conn, conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (username,))
            return cursor.fetchone() is not None
    except psycopg2.Error:
        return None


def logs_in(cfg: services.Settings, username: str, password: str) -> bool | None:
    """Whether a TLS login on loopback with these credentials succeeds; None when it fails for another reason."""
    try:
        psycopg2.connect(host="127.0.0.1", port=cfg.pg_port, user=username, password=password, dbname="postgres",
                         sslmode="require", gssencmode="disable", connect_timeout=CONNECT_TIMEOUT).close()
    except psycopg2.OperationalError as exc:
        return False if any(words in str(exc) for words in REFUSED) else None
    return True


def accepts(username: Any, password: Any) -> bool | None:
    """Whether the local database accepts ``username`` with ``password``; None when it cannot tell: no local database
    is configured or running, or it has no such user (yet)."""
    cfg = settings()
    if cfg is None or not isinstance(username, str) or not username or not has_user(cfg, username):
        return None
    if not isinstance(password, str) or not password:
        return False  # every TCP login must give a password (scram-sha-256), so none is a refusal
    return logs_in(cfg, username, password)
