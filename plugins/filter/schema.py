# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the schema role: what is wrong with its settings before it connects."""

from __future__ import annotations

import re

from ansible_collections.shoppulse.analytics.plugins.module_utils.migrations import UNQUOTED_NAME

# Role names RDS for PostgreSQL reserves, or that PostgreSQL gives a meaning of its own.
RESERVED_ROLE = re.compile(r"^(pg_|rds)")
RESERVED_ROLES = ("public", "postgres")


def _port(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def schema_settings_errors(settings: dict) -> list[str]:
    """Return one message per problem of the schema role's settings (its variables, by name, with the endpoint and port
    it will use and how many migration and seed files it found), each naming the variable at fault."""
    errors = []
    if not settings["host"]:
        errors.append("schema_db_host: give the endpoint to connect to (site.yml passes the RDS Proxy endpoint), or set schema_connect_host")
    port = _port(settings["port"])
    if port is None or not 1 <= port <= 65535:
        errors.append(f"schema_connect_port/schema_db_port: {settings['port']} is not a TCP port (1-65535)")
    if not settings["schema_secret_arn"]:
        errors.append("schema_secret_arn: give the ARN or name of the secret holding the database username and password")
    if settings["schema_ssl_mode"] != "require" and not settings["schema_ca_cert"]:
        errors.append(f"schema_ca_cert: schema_ssl_mode {settings['schema_ssl_mode']} verifies the server certificate and needs a CA bundle path")
    if not UNQUOTED_NAME.match(str(settings["schema_database"])):
        errors.append(f"schema_database: {settings['schema_database']} must be lower-case letters, digits and underscores (at most 63)")
    role = str(settings["schema_app_role"])
    if not UNQUOTED_NAME.match(role) or RESERVED_ROLE.match(role) or role in RESERVED_ROLES:
        errors.append(f"schema_app_role: {role} must be lower-case letters, digits and underscores (at most 63), not pg_*, rds* or public")
    tables = settings["schema_app_append_only_tables"]
    if not all(UNQUOTED_NAME.match(str(table)) for table in tables):
        errors.append(f"schema_app_append_only_tables: {tables} must list lower-case table names")
    if settings["migration_files"] == 0:
        errors.append(f"schema_migrations_dir: {settings['schema_migrations_dir']} holds no *.sql migration files on the controller")
    if settings["schema_load_seed_data"] and settings["seed_files"] == 0:
        errors.append(f"schema_seed_dir: {settings['schema_seed_dir']} holds no *.sql seed files, and schema_load_seed_data is true")
    return errors


class FilterModule:
    """Schema filters."""

    def filters(self):
        return {"schema_settings_errors": schema_settings_errors}
