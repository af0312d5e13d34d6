"""The ``postgres15`` DB parameter group family, derived from a real PostgreSQL 15 and the RDS reference.

``python -m localenv.parameters --write`` (``make parameters``) initialises a throwaway cluster in a temporary folder,
reads ``pg_settings`` from it in single-user mode (no port, no server left running) and writes
``localenv/data/postgres15_parameters.json``: every parameter PostgreSQL 15 lets a session or the server set, as
DescribeEngineDefaultParameters reports it (type, allowed values, static or dynamic), plus RDS's own ``rds.*``
parameters and the values RDS itself sets, from the RDS for PostgreSQL parameter pages. The fidelity layer loads the
file; a test checks it equals what this command derives from the installed PostgreSQL 15.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from localenv import services

FAMILY = "postgres15"
DATA = Path(__file__).resolve().parent / "data" / f"{FAMILY}_parameters.json"

PARAMETERS_PAGE = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.PostgreSQL.CommonDBATasks.Parameters.html"

# pg_settings.vartype -> the DataType RDS reports.
_DATA_TYPES = {"bool": "boolean", "integer": "integer", "real": "float", "string": "string", "enum": "string"}

# RDS's own parameters of the family (RDS for PostgreSQL parameters page): name -> (default RDS sets or None,
# description, apply type, data type, allowed values or None).
RDS_PARAMETERS: dict[str, tuple[str | None, str, str, str, str | None]] = {
    "rds.accepted_password_auth_method": ("md5+scram", "Force authentication for connections with password stored locally.",
                                          "dynamic", "string", "md5+scram,scram"),
    "rds.adaptive_autovacuum": ("1", "Parameter to tune autovacuum parameters dynamically.", "dynamic", "boolean", "0,1"),
    "rds.allowed_extensions": ("*", "Specifies the extensions that can be created in the database.", "dynamic", "list", None),
    "rds.custom_dns_resolution": ("0", "Enables custom DNS resolution.", "dynamic", "boolean", "0,1"),
    "rds.enable_plan_management": ("0", "Enables the apg_plan_mgmt extension.", "static", "boolean", "0,1"),
    "rds.force_admin_logging_level": (None, "Logs actions by RDS internal users (rdsadmin) at the given level.", "dynamic", "string",
                                      "disabled,debug5,debug4,debug3,debug2,debug1,info,notice,warning,error,log,fatal,panic"),
    "rds.force_autovacuum_logging_level": ("warning", "Logs autovacuum worker operations at the given level.", "dynamic", "string",
                                           "disabled,debug5,debug4,debug3,debug2,debug1,info,notice,warning,error,log,fatal,panic"),
    "rds.force_ssl": ("1", "Force SSL connections.", "dynamic", "boolean", "0,1"),
    "rds.log_retention_period": ("4320", "Amazon RDS for PostgreSQL will delete PostgreSQL log that are older than N minutes.",
                                 "dynamic", "integer", "1440-10080"),
    "rds.logical_replication": ("0", "Enables logical decoding.", "static", "boolean", "0,1"),
    "rds.rds_superuser_reserved_connections": ("2", "Sets the number of connection slots reserved for rds_superusers.",
                                               "static", "integer", "0-8388607"),
    "rds.restrict_password_commands": ("0", "Restricts password-related commands to members of rds_password.",
                                       "static", "boolean", "0,1"),
}

# Values RDS sets in place of PostgreSQL's defaults (Source "system"), and the shape RDS gives some parameters.
RDS_SETTINGS: dict[str, dict[str, Any]] = {
    "log_rotation_age": {"ParameterValue": "60", "AllowedValues": "1-1440"},
    "max_connections": {"ParameterValue": "LEAST({DBInstanceClassMemory/9531392},5000)"},
    "shared_buffers": {"ParameterValue": "{DBInstanceClassMemory/32768}"},
    "shared_preload_libraries": {
        "ParameterValue": "pg_stat_statements", "DataType": "list",
        "AllowedValues": "auto_explain,orafce,pg_bigm,pg_cron,pg_hint_plan,pg_partman_bgw,pg_prewarm,pg_similarity,"
                         "pg_stat_statements,pg_tle,pg_transport,pglogical,plprofiler"},
}

_QUERY = ("SELECT encode(convert_to(json_agg(json_build_object('name', name, 'vartype', vartype, 'min', min_val, "
          "'max', max_val, 'enumvals', enumvals, 'context', context, 'description', short_desc, 'unit', unit) "
          "ORDER BY name)::text, 'UTF8'), 'hex') AS settings FROM pg_settings WHERE context <> 'internal';\n")


class GeneratorError(RuntimeError):
    """PostgreSQL 15 could not be run to read its settings."""


def read_pg_settings() -> list[dict[str, Any]]:
    """pg_settings of a fresh PostgreSQL 15 cluster, made and dropped in a temporary folder."""
    bindir = services.pg_bindir()
    user = services.server_user()
    folder = Path(tempfile.mkdtemp(prefix="shoppulse-pg-settings-"))
    try:
        if user is not None:
            shutil.chown(folder, user.pw_uid, user.pw_gid)
        pgdata = folder / "data"
        made = services.run_as(user, [str(bindir / "initdb"), "-D", str(pgdata), "-U", "postgres", "-E", "UTF8",
                                      "--auth-local=trust", "--no-instructions", "--lc-messages=C"])
        if made.returncode != 0:
            raise GeneratorError(f"initdb failed: {made.stderr.strip() or made.stdout.strip()}")
        ran = services.run_as(user, [str(bindir / "postgres"), "--single", "-D", str(pgdata), "-j", "postgres"], input=_QUERY)
        found = re.search(r'settings = "([0-9a-f]+)"', ran.stdout)
        if found is None:
            raise GeneratorError(f"reading pg_settings failed: {ran.stderr.strip() or ran.stdout.strip()}")
        return json.loads(bytes.fromhex(found.group(1)).decode("utf-8"))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _engine_parameter(setting: dict[str, Any]) -> dict[str, Any]:
    """One pg_settings row as DescribeEngineDefaultParameters reports it (PostgreSQL's own default: no value)."""
    vartype = setting["vartype"]
    unit = f"({setting['unit']}) " if setting.get("unit") else ""
    parameter: dict[str, Any] = {
        "ParameterName": setting["name"],
        "Description": unit + (setting.get("description") or ""),
        "Source": "engine-default",
        "ApplyType": "static" if setting["context"] == "postmaster" else "dynamic",
        "DataType": _DATA_TYPES[vartype],
    }
    if vartype == "bool":
        parameter["AllowedValues"] = "0,1"
    elif vartype in ("integer", "real"):
        parameter["AllowedValues"] = f"{setting['min']}-{setting['max']}"
    elif vartype == "enum":
        parameter["AllowedValues"] = ",".join(setting["enumvals"])
    return parameter


def _rds_parameter(name: str) -> dict[str, Any]:
    value, description, apply_type, data_type, allowed = RDS_PARAMETERS[name]
    parameter: dict[str, Any] = {"ParameterName": name, "Description": description,
                                 "Source": "system" if value is not None else "engine-default",
                                 "ApplyType": apply_type, "DataType": data_type}
    if value is not None:
        parameter["ParameterValue"] = value
    if allowed is not None:
        parameter["AllowedValues"] = allowed
    return parameter


def family(settings: list[dict[str, Any]]) -> dict[str, Any]:
    """The family's parameters, by name: PostgreSQL's with RDS's settings over them, and RDS's own."""
    parameters = {setting["name"]: _engine_parameter(setting) for setting in settings}
    parameters.update({name: _rds_parameter(name) for name in RDS_PARAMETERS})
    for name, overrides in RDS_SETTINGS.items():
        parameters[name].update(overrides)
        if "ParameterValue" in overrides:
            parameters[name]["Source"] = "system"
    for parameter in parameters.values():
        parameter.update({"IsModifiable": True, "ApplyMethod": "pending-reboot"})
    return {
        "family": FAMILY,
        "derived_from": f"pg_settings of PostgreSQL {services.PG_MAJOR} (context <> 'internal'), and {PARAMETERS_PAGE}",
        "regenerate": "python -m localenv.parameters --write",
        "parameters": [parameters[name] for name in sorted(parameters)],
    }


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=1, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true", help=f"write {DATA.name} (default: print it)")
    args = parser.parse_args(argv)
    try:
        text = render(family(read_pg_settings()))
    except (GeneratorError, services.ServiceError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.write:
        DATA.parent.mkdir(exist_ok=True)
        DATA.write_text(text, encoding="utf-8")
        print(f"wrote {DATA} ({len(json.loads(text)['parameters'])} parameters)")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
