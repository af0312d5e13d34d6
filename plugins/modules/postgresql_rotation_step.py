#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: postgresql_rotation_step
version_added: 0.3.0
short_description: The database's side of a single-user rotation step (setSecret, testSecret)
description:
  - Runs the database's side of the setSecret or testSecret step of a Secrets Manager single-user rotation, with the
    same code as the collection's rotation function (the C(rotation) module utils), on the host that reaches the
    database instance.
  - V(setSecret) sets the AWSPENDING password for the user, logged in with the AWSCURRENT password, else the
    AWSPREVIOUS one; when the AWSPENDING password already logs in (an earlier run set it) nothing changes. Fails,
    naming the user, when the database takes none of them.
  - V(testSecret) logs in with the AWSPENDING password and fails when the database refuses it.
  - Passwords are never returned or put in a message. Connections use TLS (O(ssl_mode)).
author:
  - ShopPulse platform team (@shoppulse)
requirements:
  - psycopg2
options:
  step:
    description: The rotation step.
    type: str
    required: true
    choices: [setSecret, testSecret]
  user:
    description: The user whose password rotates (the secret's C(username)).
    type: str
    required: true
  current_password:
    description: The AWSCURRENT password.
    type: str
    required: true
  pending_password:
    description: The AWSPENDING password.
    type: str
    required: true
  previous_password:
    description: The AWSPREVIOUS password, if any.
    type: str
  login_host:
    description: The database instance's host.
    type: str
    required: true
  login_port:
    description: Its port.
    type: int
    default: 5432
  login_db:
    description: The database to log in to (RDS creates C(postgres) on every instance).
    type: str
    default: postgres
  ssl_mode:
    description: libpq's sslmode.
    type: str
    default: require
    choices: [require, verify-ca, verify-full]
  ca_cert:
    description: The CA bundle that verifies the server's certificate (with V(verify-ca) or V(verify-full)).
    type: path
  connect_timeout:
    description: Seconds to connect.
    type: int
    default: 10
notes:
  - Supports check mode (setSecret then only reports whether it would set the password).
"""

EXAMPLES = r"""
- name: Set the AWSPENDING password on the database (setSecret)
  shoppulse.analytics.postgresql_rotation_step:
    step: setSecret
    user: "{{ rotate_current.username }}"
    current_password: "{{ rotate_current.password }}"
    pending_password: "{{ rotate_pending.password }}"
    login_host: shoppulse-analytics.abc.us-east-1.rds.amazonaws.com
"""

RETURN = r"""
logged_in_with:
  description:
    - setSecret - the password it logged in with to set the new one (V(current), V(previous)), or V(already) when the
      AWSPENDING password already logged in; testSecret - V(pending).
  returned: always
  type: str
"""

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.shoppulse.analytics.plugins.module_utils import rotation

PSYCOPG2_ERROR = None
try:
    import psycopg2
    from psycopg2 import sql
except ImportError:
    psycopg2 = None
    PSYCOPG2_ERROR = traceback.format_exc()

REFUSED = ("28P01", "28000")  # the SQLSTATEs of a refused login


class Database:
    """The instance, reached as the module's options say, for the rotation steps."""

    def __init__(self, params, check_mode):
        self.params = params
        self.check_mode = check_mode

    def connect(self, credentials):
        extra = {"sslrootcert": self.params["ca_cert"]} if self.params["ca_cert"] else {}
        return psycopg2.connect(host=self.params["login_host"], port=self.params["login_port"],
                                dbname=self.params["login_db"], user=credentials["username"],
                                password=credentials["password"], sslmode=self.params["ssl_mode"],
                                connect_timeout=self.params["connect_timeout"], application_name="secret-rotation", **extra)

    def logs_in(self, credentials):
        try:
            self.connect(credentials).close()
        except psycopg2.OperationalError as exc:
            if exc.pgcode in REFUSED or "password authentication failed" in str(exc):
                return False
            raise rotation.RotationError(f"{self.params['login_host']}:{self.params['login_port']}: cannot connect "
                                         f"({str(exc).strip().splitlines()[0]})") from None
        return True

    def set_password(self, login, password):
        if self.check_mode:
            return
        connection = self.connect(login)
        try:
            with connection, connection.cursor() as cursor:
                cursor.execute(sql.SQL("ALTER ROLE {} WITH PASSWORD %s").format(sql.Identifier(login["username"])), (password,))
        finally:
            connection.close()


def main():
    password = dict(type="str", no_log=True)
    module = AnsibleModule(
        argument_spec=dict(
            step=dict(type="str", required=True, choices=["setSecret", "testSecret"]),
            user=dict(type="str", required=True),
            current_password=dict(password, required=True),
            pending_password=dict(password, required=True),
            previous_password=password,
            login_host=dict(type="str", required=True),
            login_port=dict(type="int", default=5432),
            login_db=dict(type="str", default="postgres"),
            ssl_mode=dict(type="str", default="require", choices=["require", "verify-ca", "verify-full"]),
            ca_cert=dict(type="path"),
            connect_timeout=dict(type="int", default=10),
        ),
        supports_check_mode=True,
    )
    if psycopg2 is None:
        module.fail_json(msg=missing_required_lib("psycopg2"), exception=PSYCOPG2_ERROR)
    params = module.params
    if not params["current_password"] or not params["pending_password"]:
        module.fail_json(msg="current_password, pending_password: both must be given (the AWSCURRENT and AWSPENDING passwords)")
    current, pending = ({"username": params["user"], "password": params[f"{stage}_password"]} for stage in ("current", "pending"))
    previous = {"username": params["user"], "password": params["previous_password"]} if params["previous_password"] else None
    database = Database(params, module.check_mode)
    try:
        if params["step"] == "setSecret":
            how = rotation.set_on_database(database, current, pending, previous)
            module.exit_json(changed=how != "already", logged_in_with=how)
        rotation.test_on_database(database, pending)
    except rotation.RotationError as exc:
        module.fail_json(msg=f"{params['user']}@{params['login_host']}:{params['login_port']}: {exc}")
    module.exit_json(changed=False, logged_in_with="pending")


if __name__ == "__main__":
    main()
