#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: secretsmanager_credentials
version_added: 0.9.0
short_description: Keep a database credentials secret in Secrets Manager in one call, never changing its password
description:
  - Reads the secret (DescribeSecret, GetSecretValue), composes the JSON value it should hold and makes it so -
    C(username), C(password), C(engine) and C(dbname), plus C(host) and C(port) when O(host) is given - keeping every
    other key the secret holds (a rotation function may add some).
  - The password is never changed. A secret that has none gets O(new_password); a secret that is scheduled for
    deletion is restored with its old value, which is kept.
  - When no key differs the value is left byte for byte, so a re-run writes no new version. The description, the
    key (the same key given as ARN, id, alias name or alias ARN is the same key) and tags (added, never removed)
    follow the options.
  - Rotation is on with O(rotation_lambda_arn) every O(rotation_days) once the value holds a host (Secrets Manager
    rotates at once when rotation is turned on, and the function connects to that host); it is turned off when
    O(rotation_lambda_arn) is not given.
  - Refuses, before any change, a value that is not a JSON object, a value holding another username (a database
    user cannot be renamed) and, outside check mode, an address for a secret that does not exist.
  - Returns the secret's ARN and which keys changed, never a value; the existing password is masked wherever it
    could appear. In check mode on a secret that does not exist yet the ARN is a placeholder ending in
    C(-known-after-apply).
author:
  - ShopPulse platform team (@shoppulse)
options:
  name:
    description: The secret's name.
    type: str
    required: true
  description:
    description: The secret's description.
    type: str
    default: ""
  kms_key_id:
    description: The KMS key that encrypts the secret (key ARN, key id, alias name or alias ARN); omitted, the AWS-managed key.
    type: str
  username:
    description: The database user the secret holds; a secret holding another one is refused.
    type: str
    required: true
  dbname:
    description: The database name the secret holds as C(dbname).
    type: str
    required: true
  engine:
    description: The engine the secret holds as C(engine).
    type: str
    default: postgres
  new_password:
    description: The password of a secret that has none yet; ignored when the secret holds one. Never returned.
    type: str
    required: true
  host:
    description:
      - The database host to write into the secret with O(port). Given, the secret must exist; in check mode a secret
        that does not exist yet is left to the run that creates it (nothing to do, its ARN known after apply).
    type: str
  port:
    description: The database port to write with O(host).
    type: int
  rotation_lambda_arn:
    description: The function that rotates the secret once it holds a host; omitted, rotation is turned off.
    type: str
  rotation_days:
    description: Days between automatic rotations.
    type: int
    default: 30
  tags:
    description: Tags the secret must have; tags added by others are kept.
    type: dict
    default: {}
  error_prefix:
    description:
      - Put before the option name an error message starts with, so that a failure names the caller's variable
        (C(secrets_) turns C(name:) into C(secrets_name:)).
    type: str
    default: ""
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Ensure the master credentials secret, drawing a password only when it has none
  shoppulse.analytics.secretsmanager_credentials:
    name: shoppulse-analytics/rds/master
    username: shoppulse_admin
    dbname: shoppulse
    new_password: "{{ lookup('ansible.builtin.password', '/dev/null', length=32) }}"
    tags:
      project: shoppulse

- name: Write the instance's address into it and rotate it every 30 days
  shoppulse.analytics.secretsmanager_credentials:
    name: shoppulse-analytics/rds/master
    username: shoppulse_admin
    dbname: shoppulse
    new_password: "{{ lookup('ansible.builtin.password', '/dev/null', length=32) }}"
    host: shoppulse-analytics.abcdefghij.us-east-1.rds.amazonaws.com
    port: 5432
    rotation_lambda_arn: arn:aws:lambda:us-east-1:123456789012:function:shoppulse-analytics-secret-rotation
"""

RETURN = r"""
arn:
  description: The secret's ARN; in check mode before the secret exists, a placeholder ending in C(-known-after-apply).
  returned: always
  type: str
  sample: arn:aws:secretsmanager:us-east-1:123456789012:secret:shoppulse-analytics/rds/master-AbCdEf
created:
  description: Whether the secret was created (or would be, in check mode).
  returned: always
  type: bool
restored:
  description: Whether a secret scheduled for deletion was restored (or would be).
  returned: always
  type: bool
changed_keys:
  description: The keys of the value that changed (or would), never their values.
  returned: always
  type: list
  elements: str
  sample: [host, port]
version_id:
  description: The version labelled AWSCURRENT after the call, or null when there is none (yet).
  returned: always
  type: str
rotation_enabled:
  description: Whether rotation is on after the call (or would be).
  returned: always
  type: bool
rotation_lambda_arn:
  description: The function that rotates the secret after the call (or would), null when rotation is off.
  returned: always
  type: str
host:
  description: The host the value holds after the call (or would), null when it holds none.
  returned: always
  type: str
port:
  description: The port the value holds after the call (or would), null when it holds none.
  returned: always
  type: int
rotating:
  description:
    - Whether a rotation is in progress after the call, so that a caller knows whether to wait for it.
    - True when the call turned rotation on (Secrets Manager then rotates at once), or when the secret held an
      C(AWSPENDING) version other than its C(AWSCURRENT) one.
  returned: always
  type: bool
"""

import json
import re


from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.shoppulse.analytics.plugins.module_utils.secrets import describe_secret
from ansible_collections.shoppulse.analytics.plugins.module_utils.secrets import holder

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

AWS_MANAGED_KEY = "alias/aws/secretsmanager"
HIDDEN = "********"


class Refused(Exception):
    """A secret the module will not take, with the one-line reason (its option name first, without the prefix)."""


def parse(name: str, raw: str | None) -> dict:
    """The secret's value as a dict ({} when there is none); a value that is not a JSON object is refused."""
    if raw is None:
        return {}
    if not raw.lstrip().startswith("{"):
        raise Refused(f"name: the secret {name} exists but does not hold a JSON object; only JSON credentials are kept")
    try:
        value = json.loads(raw)
    except ValueError:
        raise Refused(f"name: the secret {name} holds a value that is not valid JSON; only JSON credentials are kept") from None
    if not isinstance(value, dict):
        raise Refused(f"name: the secret {name} exists but does not hold a JSON object; only JSON credentials are kept")
    return value


def compose(params: dict, current: dict) -> dict:
    """The value the secret should hold: what it holds, with the declared keys set over it and its password kept."""
    password = current.get("password")
    held = password if isinstance(password, str) and password else params["new_password"]
    address = {"host": params["host"], "port": params["port"]} if params["host"] is not None else {}
    return {**current, "username": params["username"], "password": held, "engine": params["engine"],
            "dbname": params["dbname"], **address}


def same_key(declared: str | None, current: str | None) -> bool:
    """Whether the key DescribeSecret names is the declared one: it names a key by id or alias ARN and omits the
    AWS-managed key, so the same key given as ARN, id, alias name or alias ARN is the same key."""
    if declared is None:
        return current is None or re.fullmatch(r"(.*:)?" + AWS_MANAGED_KEY, current) is not None
    if current is None:
        return False
    return any(re.fullmatch(r"(.*[:/])?" + re.escape(short), long) is not None for long, short in ((current, declared), (declared, current)))


def rotation_differs(found: dict, desired: bool, params: dict) -> bool:
    if not desired:
        return bool(found.get("RotationEnabled"))
    return not (found.get("RotationEnabled") and found.get("RotationLambdaARN") == params["rotation_lambda_arn"]
                and (found.get("RotationRules") or {}).get("AutomaticallyAfterDays") == params["rotation_days"])


def placeholder_arn(module, name: str) -> str:
    """The ARN a secret not created yet will have, its random suffix marked known-after-apply."""
    caller = module.client("sts", retry_decorator=AWSRetry.jittered_backoff()).get_caller_identity(aws_retry=True)
    partition = caller["Arn"].split(":")[1]
    return f"arn:{partition}:secretsmanager:{module.region}:{caller['Account']}:secret:{name}-known-after-apply"


class Credentials:
    """One call's work on one secret: read it, work out what differs, make it so (unless in check mode)."""

    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.name = module.params["name"]
        self.client = module.client("secretsmanager", retry_decorator=AWSRetry.jittered_backoff())
        self.result = {"changed": False, "created": False, "restored": False, "changed_keys": [], "version_id": None,
                       "rotation_enabled": False, "rotation_lambda_arn": None, "host": None, "port": None,
                       "rotating": False}

    def call(self, operation: str, **kwargs) -> dict:
        """A Secrets Manager call; an error fails naming the secret and the call."""
        try:
            return getattr(self.client, operation)(aws_retry=True, **kwargs)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            self.module.fail_json_aws(e, msg=f"{self.params['error_prefix']}name: {self.name} could not be written ({operation})")
        return {}  # not reached: fail_json exits

    def hide(self, *values) -> None:
        """Mask these values wherever the module's output could show them, as a no_log option is."""
        self.module.no_log_values.update(value for value in values if isinstance(value, str) and value)

    def read_value(self) -> tuple[str | None, dict]:
        """The secret's current value as held and as parsed; both, and the password, hidden from the output."""
        raw = self.call("get_secret_value", SecretId=self.name).get("SecretString")
        self.hide(raw)
        current = parse(self.name, raw)
        self.hide(current.get("password"))
        return raw, current

    def changed(self, **diff: tuple) -> None:
        """Note a change; ``diff`` gives each changed field's (before, after), for --diff."""
        self.result["changed"] = True
        shown = self.result.setdefault("diff", {"before": {}, "after": {}})
        for key, (before, after) in diff.items():
            shown["before"][key], shown["after"][key] = before, after

    def ensure(self) -> dict:
        params, check = self.params, self.module.check_mode
        attaching = params["host"] is not None
        found = describe_secret(self.module, self.client, self.name, missing_ok=True)
        deleted = bool(found and found.get("DeletedDate"))
        if attaching and (found is None or deleted) and not check:
            raise Refused(f"name: no secret {self.name} to write the host and port into; create it first (the secrets role's main entry point)")
        if found is None:
            return self.create(attaching)
        if deleted:
            self.result["restored"] = True
            self.changed(deleted_date=(str(found["DeletedDate"]), None))
            if check:
                self.result["arn"] = found["ARN"]
                return self.result
            self.call("restore_secret", SecretId=self.name)
        raw, current = self.read_value()
        if current.get("username") not in (None, "", params["username"]):
            prefix = params["error_prefix"]
            raise Refused(f"username: the secret {self.name} already holds the username '{current['username']}' and a database user "
                          f"cannot be renamed; set {prefix}username to it")
        return self.update(found, raw, current)

    def create(self, attaching: bool) -> dict:
        if attaching:  # check mode only (refused otherwise): the run that creates it comes first
            self.result["arn"] = placeholder_arn(self.module, self.name)
            return self.result
        value = compose(self.params, {})
        self.result.update(created=True, changed_keys=sorted(value))
        self.changed(**{key: (None, HIDDEN if key == "password" else value[key]) for key in sorted(value)})
        if self.module.check_mode:
            self.result["arn"] = placeholder_arn(self.module, self.name)
            return self.result
        arguments = {"Name": self.name, "SecretString": json.dumps(value)}
        if self.params["description"]:
            arguments["Description"] = self.params["description"]
        if self.params["kms_key_id"]:
            arguments["KmsKeyId"] = self.params["kms_key_id"]
        if self.params["tags"]:
            arguments["Tags"] = ansible_dict_to_boto3_tag_list(self.params["tags"])
        created = self.call("create_secret", **arguments)
        self.result.update(arn=created["ARN"], version_id=created.get("VersionId"))
        return self.result

    def update(self, found: dict, raw: str, current: dict) -> dict:
        params, check = self.params, self.module.check_mode
        desired = compose(params, current)
        keys = sorted(key for key in desired if key not in current or current[key] != desired[key])
        stages = found.get("VersionIdsToStages", {})
        current_version, pending_version = holder(stages, "AWSCURRENT"), holder(stages, "AWSPENDING")
        self.result.update(arn=found["ARN"], changed_keys=keys, version_id=current_version,
                           rotating=pending_version not in (None, current_version))
        kms_differs = not same_key(params["kms_key_id"], found.get("KmsKeyId"))
        description_differs = found.get("Description", "") != params["description"]
        if keys:
            self.changed(**{key: (HIDDEN if key == "password" and key in current else current.get(key),
                                  HIDDEN if key == "password" else desired[key]) for key in keys})
        if kms_differs:
            self.changed(kms_key_id=(found.get("KmsKeyId"), params["kms_key_id"]))
        if description_differs:
            self.changed(description=(found.get("Description", ""), params["description"]))
        if keys or kms_differs or description_differs:
            # The value as it is when no key differs: a new key or description alone keeps it byte for byte.
            arguments = {"SecretId": self.name, "Description": params["description"],
                         "SecretString": json.dumps(desired) if keys else raw}
            key = params["kms_key_id"] or (AWS_MANAGED_KEY if found.get("KmsKeyId") else None)
            if key:
                arguments["KmsKeyId"] = key
            if not check:
                self.result["version_id"] = self.call("update_secret", **arguments).get("VersionId")
        self.tag(found)
        self.rotate(found, desired)
        return self.result

    def tag(self, found: dict) -> None:
        current = boto3_tag_list_to_ansible_dict(found.get("Tags", []))
        add, _remove = compare_aws_tags(current, self.params["tags"], purge_tags=False)
        if add:
            self.changed(tags=(current, {**current, **add}))
            if not self.module.check_mode:
                self.call("tag_resource", SecretId=self.name, Tags=ansible_dict_to_boto3_tag_list(add))

    def rotate(self, found: dict, desired: dict) -> None:
        # After the value: turning rotation on rotates at once, and the function reads the host from the value.
        wanted = bool(self.params["rotation_lambda_arn"]) and bool(str(desired.get("host") or ""))
        self.result.update(rotation_enabled=wanted, rotation_lambda_arn=self.params["rotation_lambda_arn"] if wanted else None,
                           host=desired.get("host"), port=desired.get("port"))
        if not rotation_differs(found, wanted, self.params):
            return
        self.changed(rotation=({"enabled": bool(found.get("RotationEnabled")), "lambda_arn": found.get("RotationLambdaARN"),
                                "days": (found.get("RotationRules") or {}).get("AutomaticallyAfterDays")},
                               {"enabled": wanted, "lambda_arn": self.params["rotation_lambda_arn"] if wanted else None,
                                "days": self.params["rotation_days"] if wanted else None}))
        if self.module.check_mode:
            return
        if wanted:
            self.result["rotating"] = True
            self.call("rotate_secret", SecretId=self.name, RotationLambdaARN=self.params["rotation_lambda_arn"],
                      RotationRules={"AutomaticallyAfterDays": self.params["rotation_days"]})
        else:
            self.call("cancel_rotate_secret", SecretId=self.name)


ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    description=dict(type="str", default=""),
    kms_key_id=dict(type="str"),
    username=dict(type="str", required=True),
    dbname=dict(type="str", required=True),
    engine=dict(type="str", default="postgres"),
    new_password=dict(type="str", required=True, no_log=True),
    host=dict(type="str"),
    port=dict(type="int"),
    rotation_lambda_arn=dict(type="str"),
    rotation_days=dict(type="int", default=30),
    tags=dict(type="dict", default={}),
    error_prefix=dict(type="str", default=""),
)
OPTIONS = dict(required_together=[("host", "port")])


def run(module) -> None:
    """Make the secret so and end the module (its action plugin runs this in the task's worker on the controller)."""
    try:
        result = Credentials(module).ensure()
    except Refused as refused:
        module.fail_json(msg=module.params["error_prefix"] + str(refused))
    if not module._diff:  # pylint: disable=protected-access
        result.pop("diff", None)
    module.exit_json(**result)


def main():
    run(AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **OPTIONS))


if __name__ == "__main__":
    main()
