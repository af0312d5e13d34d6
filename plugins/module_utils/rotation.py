# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Single-user rotation of a database secret: the four steps of a Secrets Manager rotation function.

One implementation with two callers: the rotation function (functions/rotate_secret/, which bundles this file as
``rotation.py``) runs every step here; playbooks/rotate_credentials.yml runs the database's side of setSecret and
testSecret here (set_on_database, test_on_database, through the postgresql_rotation_step module on the host that
reaches the instance) and the Secrets Manager side with secretsmanager_secret_stage. Each step starts from where an earlier attempt stopped:
createSecret keeps an AWSPENDING version it finds; setSecret logs in with AWSCURRENT, else AWSPENDING (set by an
attempt that stopped), else AWSPREVIOUS, and sets the pending password; testSecret logs in with it; finishSecret
moves AWSCURRENT to it (AWSPREVIOUS follows). The database never holds a password that the secret does not.

The steps take a Secrets Manager client (boto3's) and a database: an object with ``logs_in(credentials)`` (True,
False when the password is refused, an exception for anything else) and ``set_password(login, new)``, where
credentials are the secret's JSON (username, password, host, port). Passwords never reach a message.
"""

from __future__ import annotations

import json
import secrets
import string

STEPS = ("createSecret", "setSecret", "testSecret", "finishSecret")
# The secrets role's password: 32 characters of letters, digits and the punctuation RDS and libpq take unquoted.
PASSWORD_LENGTH = 32
PASSWORD_CHARS = string.ascii_letters + string.digits + ",-.=^_"


class RotationError(Exception):
    """A step cannot go on; the message says why, without a password."""


def new_password(length: int = PASSWORD_LENGTH) -> str:
    return "".join(secrets.choice(PASSWORD_CHARS) for position in range(length))


def versions(client, secret_id: str) -> dict:
    """The secret's versions and their stages (DescribeSecret)."""
    return client.describe_secret(SecretId=secret_id).get("VersionIdsToStages", {})


def check_token(client, secret_id: str, token: str) -> bool:
    """Whether the step has work to do for ``token``: False once it is AWSCURRENT; RotationError when it is not a
    version of the secret or not AWSPENDING (as AWS's rotation templates check at the start of every step)."""
    stages = versions(client, secret_id)
    if token not in stages:
        raise RotationError(f"secret {secret_id}: version {token} has no stage for rotation")
    if "AWSCURRENT" in stages[token]:
        return False
    if "AWSPENDING" not in stages[token]:
        raise RotationError(f"secret {secret_id}: version {token} is not AWSPENDING for rotation")
    return True


def read(client, secret_id: str, stage: str, token: str | None = None) -> dict:
    args = {"SecretId": secret_id, "VersionStage": stage}
    if token:
        args["VersionId"] = token
    value = json.loads(client.get_secret_value(**args)["SecretString"])
    if not isinstance(value, dict) or not value.get("username") or not value.get("password"):
        raise RotationError(f"secret {secret_id}: the {stage} version does not hold a username and a password")
    return value


def create_secret(client, secret_id: str, token: str, password: str | None = None) -> bool:
    """createSecret: the current credentials with a new password as AWSPENDING under ``token``; an AWSPENDING version
    already there is kept. True when it stored one."""
    current = read(client, secret_id, "AWSCURRENT")
    try:
        read(client, secret_id, "AWSPENDING", token)
        return False
    except client.exceptions.ResourceNotFoundException:
        pass
    client.put_secret_value(SecretId=secret_id, ClientRequestToken=token, VersionStages=["AWSPENDING"],
                            SecretString=json.dumps({**current, "password": password or new_password()}))
    return True


def set_on_database(database, current: dict, pending: dict, previous: dict | None = None) -> str:
    """setSecret on the database: the pending password set for the user, logged in with the current password, else
    the previous one. Returns how it went: ``already`` (the pending password logs in: an earlier attempt set it),
    ``current`` or ``previous`` (the password it logged in with to set it). RotationError when it takes none."""
    if pending["username"] != current["username"]:
        raise RotationError(f"AWSPENDING is for user {pending['username']}, AWSCURRENT for {current['username']}; "
                            "single-user rotation changes one user's password")
    if database.logs_in(pending):
        return "already"
    for name, login in (("current", current), ("previous", previous)):
        if login and login["username"] == current["username"] and database.logs_in(login):
            database.set_password(login, pending["password"])
            return name
    raise RotationError(f"the database accepts none of the AWSCURRENT, AWSPENDING and AWSPREVIOUS passwords of "
                        f"{current['username']}; AWSCURRENT is unchanged")


def test_on_database(database, pending: dict) -> None:
    """testSecret on the database: it takes the pending password."""
    if not database.logs_in(pending):
        raise RotationError(f"the database refuses the AWSPENDING password of {pending['username']} just set; "
                            "AWSCURRENT is unchanged")


def set_secret(client, database, secret_id: str, token: str) -> bool:
    """setSecret: set_on_database with the secret's versions. True when it changed the password."""
    pending = read(client, secret_id, "AWSPENDING", token)
    current = read(client, secret_id, "AWSCURRENT")
    try:
        previous = read(client, secret_id, "AWSPREVIOUS")
    except client.exceptions.ResourceNotFoundException:
        previous = None
    try:
        return set_on_database(database, current, pending, previous) != "already"
    except RotationError as exc:
        raise RotationError(f"secret {secret_id}: {exc}") from None


def test_secret(client, database, secret_id: str, token: str) -> None:
    """testSecret: the database takes the pending password."""
    try:
        test_on_database(database, read(client, secret_id, "AWSPENDING", token))
    except RotationError as exc:
        raise RotationError(f"secret {secret_id}: version {token}: {exc}") from None


def finish_secret(client, secret_id: str, token: str) -> bool:
    """finishSecret: AWSCURRENT moves to ``token`` (AWSPREVIOUS follows the version it leaves). True when it moved."""
    stages = versions(client, secret_id)
    current = next((version for version, labels in stages.items() if "AWSCURRENT" in labels), None)
    if current == token:
        return False
    client.update_secret_version_stage(SecretId=secret_id, VersionStage="AWSCURRENT", MoveToVersionId=token,
                                       RemoveFromVersionId=current)
    return True


def run_step(client, database, step: str, secret_id: str, token: str) -> bool:
    """One step of a rotation, as Secrets Manager asks a rotation function for it; whether it changed something."""
    if step not in STEPS:
        raise RotationError(f"step: {step!r} is not one of {', '.join(STEPS)}")
    if not check_token(client, secret_id, token):
        return False
    if step == "createSecret":
        return create_secret(client, secret_id, token)
    if step == "setSecret":
        return set_secret(client, database, secret_id, token)
    if step == "testSecret":
        test_secret(client, database, secret_id, token)
        return False
    return finish_secret(client, secret_id, token)
