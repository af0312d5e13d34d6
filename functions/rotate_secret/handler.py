"""The platform's rotation function: single-user rotation of a database secret, step by step as Secrets Manager
invokes it ({"Step", "SecretId", "ClientRequestToken"}).

The steps are the collection's (plugins/module_utils/rotation.py, bundled as ``rotation.py``), the ones
playbooks/rotate_credentials.yml takes from Ansible; this file gives them the database, reached at the host and port
the function's environment names (ROTATION_DATABASE_HOST and ROTATION_DATABASE_PORT: the instance), else at those the
secret holds, with TLS, through the bundled pure-Python driver. Never through the proxy: the application secret names
it, and the proxy takes only a secret's AWSCURRENT password, so testSecret there would refuse the pending one.
"""

from __future__ import annotations

import json
import os
import ssl

import boto3
import pg8000.native

import rotation

TIMEOUT = 10  # seconds to connect
# libpq's words for a refused password and the SQLSTATEs of a refused login: a refusal, not a broken link.
REFUSED = ("28P01", "28000")


def address(credentials: dict) -> tuple[str, int]:
    """Where the steps log in: the instance the function's environment names, else the secret's host and port."""
    host = os.environ.get("ROTATION_DATABASE_HOST") or credentials["host"]
    port = os.environ.get("ROTATION_DATABASE_PORT") or credentials.get("port") or 5432
    return host, int(port)


class Database:
    """The database a secret's credentials log in to: TLS required, certificate not checked (sslmode=require)."""

    def connect(self, credentials: dict) -> pg8000.native.Connection:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        # RDS creates the postgres database on every instance; the secret's own may not exist yet.
        host, port = address(credentials)
        return pg8000.native.Connection(credentials["username"], password=credentials["password"], host=host, port=port,
                                        database="postgres", ssl_context=context, timeout=TIMEOUT,
                                        application_name="secret-rotation")

    def logs_in(self, credentials: dict) -> bool:
        try:
            self.connect(credentials).close()
        except pg8000.exceptions.DatabaseError as exc:
            fields = exc.args[0] if exc.args and isinstance(exc.args[0], dict) else {}
            if fields.get("C") in REFUSED:
                return False
            raise rotation.RotationError(f"{address(credentials)[0]}: {fields.get('C', '')} {fields.get('M', type(exc).__name__)}") from None
        return True

    def set_password(self, login: dict, password: str) -> None:
        connection = self.connect(login)
        try:
            connection.run(f"ALTER ROLE {pg8000.native.identifier(login['username'])} "
                           f"WITH PASSWORD {pg8000.native.literal(password)}")
        finally:
            connection.close()


def handler(event, context):  # pylint: disable=unused-argument
    step, secret_id, token = event["Step"], event["SecretId"], event["ClientRequestToken"]
    changed = rotation.run_step(boto3.client("secretsmanager"), Database(), step, secret_id, token)
    print(json.dumps({"step": step, "secret": secret_id, "version": token, "changed": changed}))
