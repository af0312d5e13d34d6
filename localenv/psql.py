"""``python -m localenv.psql [psql options]`` (``make psql``): psql on the local PostgreSQL standing in for RDS, as the
master user, over TLS, with the credentials of the environment's secret (outputs.json's DatabaseSecretArn, else
``<SHOPPULSE_NAME>/rds/master``) - the connection the seed's schema checks (``\\dt``, ``\\di``, triggers) use.

The password reaches psql through its environment (PGPASSWORD), never its arguments, so no process listing or
terminal shows it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from localenv import services

PSQL_ENV_DROPPED = ("PGPASSFILE", "PGSERVICE", "PGSERVICEFILE")  # nothing of the caller's may pick other credentials


def secret_id(checkout: Path = services.CHECKOUT) -> str:
    """The secret site.yml recorded in outputs.json, or the local environment's secret by name."""
    outputs = Path(os.environ.get("SHOPPULSE_ARTIFACTS_DIR", checkout / "artifacts" / "local")) / "outputs.json"
    try:
        return json.loads(outputs.read_text(encoding="utf-8"))["DatabaseSecretArn"]
    except (FileNotFoundError, KeyError, ValueError):
        return f"{os.environ.get('SHOPPULSE_NAME', 'shoppulse-analytics')}/rds/master"


def read_secret(cfg: services.Settings, name: str) -> dict:
    import boto3  # pylint: disable=import-outside-toplevel  # the venv's, once make has built it

    client = boto3.client("secretsmanager", region_name="us-east-1", endpoint_url=f"http://{cfg.emulator_host}:{cfg.emulator_port}",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    return json.loads(client.get_secret_value(SecretId=name)["SecretString"])


def command(cfg: services.Settings, secret: dict, args: list[str]) -> tuple[list[str], dict[str, str]]:
    """psql's arguments and environment: TLS required on loopback, the secret's user and database."""
    conninfo = (f"host=127.0.0.1 port={cfg.pg_port} user={secret['username']} dbname={secret.get('dbname') or 'postgres'} "
                "sslmode=require")
    env = {key: value for key, value in os.environ.items() if key not in PSQL_ENV_DROPPED}
    return ["psql", conninfo, *args], {**env, "PGPASSWORD": secret["password"]}


def main(argv: list[str] | None = None) -> int:
    cfg = services.Settings.from_env()
    if not services.port_open("127.0.0.1", cfg.pg_port) or not services.port_open(cfg.emulator_host, cfg.emulator_port):
        print("error: the local environment is not up: run `make local` first", file=sys.stderr)
        return 1
    name = secret_id()
    try:
        secret = read_secret(cfg, name)
    except Exception as exc:  # pylint: disable=broad-except  # any failure to read it is told the same way
        print(f"error: could not read the secret {name} from the emulator: {exc}; run `make local` first", file=sys.stderr)
        return 1
    args, env = command(cfg, secret, sys.argv[1:] if argv is None else argv)
    os.execvpe(args[0], args, env)
    return 0  # not reached: psql replaces this process


if __name__ == "__main__":
    sys.exit(main())
