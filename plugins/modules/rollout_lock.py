#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: rollout_lock
version_added: 0.1.0
short_description: Take and give back an environment's rollout lock, kept in SSM Parameter Store
description:
  - Keeps one environment's rollout lock as an SSM Parameter Store parameter, so that two runs that change the same
    environment at once cannot both change it. The parameter's value is a JSON record of the run that holds the lock
    (C(token), C(owner), C(run_id), C(playbook), C(since), and C(host) and C(pid) of the ansible-playbook process when
    the module runs on the controller).
  - A lock whose holder ran on this same host and whose ansible-playbook process has exited (an operator's Ctrl-C, a
    closed terminal) is abandoned, and taken over with a warning, so that the re-run after an interruption goes on.
    A holder on another host is never judged abandoned; break its lock with O(force=true).
  - O(state=present) takes the lock with C(PutParameter) and C(Overwrite=false), which AWS refuses with
    C(ParameterAlreadyExists) when the parameter exists, so of two runs that try at once exactly one gets it. When
    another run holds it, the module waits up to O(wait_timeout) seconds for it to be given back, then fails with one
    line naming the holder.
  - O(state=absent) gives the lock back only when it holds O(token), so that a run never gives back another run's lock.
    O(force=true) breaks a lock whoever holds it (for a run that died holding it on another host); the lock never
    expires by time.
  - Taking and giving back a run's own lock is bookkeeping of that run, not a change to the environment, so it reports
    C(changed=false); RV(acquired) and RV(released) say what happened. Breaking another run's lock reports C(changed=true).
author:
  - ShopPulse platform team (@shoppulse)
options:
  name:
    description:
      - The parameter that holds the lock, one per environment, for example C(/shoppulse-analytics/prod/rollout-lock).
      - A path of letters, digits, C(.), C(-), C(_) and C(/), starting with C(/) and not with C(/aws) or C(/ssm).
    type: str
    required: true
  state:
    description: Whether this run should hold the lock (V(present)) or nobody should (V(absent)).
    type: str
    choices: [present, absent]
    default: present
  token:
    description:
      - The secret-free identifier of one hold of the lock, written into the lock when it is taken.
      - With O(state=present), a new one is generated when omitted; a lock that already holds this token is kept as it is
        (a run that takes its own lock again).
      - With O(state=absent), the lock is given back only when it holds this token; with O(force=true) as well, the lock is
        broken only while it still holds this token (so that a newer lock taken meanwhile is not broken).
    type: str
  force:
    description:
      - With O(state=absent), delete the lock whoever holds it (like C(terraform force-unlock)), for a run that died
        holding it. Give O(token) too to break only that lock.
    type: bool
    default: false
  owner:
    description: Who takes the lock, written into it; C(<user>@<host>) of the host the module runs on when omitted.
    type: str
  run_id:
    description: An identifier of the run that takes the lock (for example an AWX job id), written into it.
    type: str
  playbook:
    description: The playbook that takes the lock, written into it.
    type: str
  wait_timeout:
    description:
      - Seconds to wait for a lock held by another run to be given back, with O(state=present). V(0) fails at once.
      - Check mode never waits.
    type: int
    default: 0
  wait_delay:
    description: Seconds between two attempts while waiting.
    type: int
    default: 10
  hint:
    description:
      - Text added to the failure message when another run holds the lock, to tell the operator how to go on (how to wait,
        how to break a stale lock) in the terms of the calling playbook.
    type: str
notes:
  - Check mode never writes or deletes the lock, so that a preview may run beside an apply; with O(state=present) it reads
    the lock and warns when another run holds it.
  - SSM has no conditional delete, so giving the lock back reads it, compares the token and deletes it. Only a lock broken
    with O(force=true) and taken by another run between those two calls could be deleted by mistake.
  - The lock needs C(ssm:PutParameter), C(ssm:GetParameter) and C(ssm:DeleteParameter) on the parameter.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Take the rollout lock of the prod environment, waiting up to 10 minutes for another run to finish
  shoppulse.analytics.rollout_lock:
    name: /shoppulse-analytics/prod/rollout-lock
    playbook: site.yml
    wait_timeout: 600
  register: lock

- name: Give the lock back
  shoppulse.analytics.rollout_lock:
    name: /shoppulse-analytics/prod/rollout-lock
    state: absent
    token: "{{ lock.lock.token }}"

- name: Break the lock a run that died left behind, only while it still holds that run's token
  shoppulse.analytics.rollout_lock:
    name: /shoppulse-analytics/prod/rollout-lock
    state: absent
    force: true
    token: 5c0f3e1a-8d2b-4c8e-9a51-2f6d3b7e9c10
"""

RETURN = r"""
lock:
  description:
    - The lock as it stands after the task; empty when nobody holds it.
    - In check mode with O(state=present), the lock another run holds, or empty when it is free.
  returned: always
  type: dict
  contains:
    token:
      description: The identifier of this hold of the lock; what O(token) gives it back with.
      type: str
      sample: 5c0f3e1a-8d2b-4c8e-9a51-2f6d3b7e9c10
    owner:
      description: Who took it.
      type: str
      sample: alice@ops-laptop
    run_id:
      description: The run that took it, when given.
      type: str
      sample: awx job 42
    playbook:
      description: The playbook that took it, when given.
      type: str
      sample: site.yml
    since:
      description: When it was taken (UTC, ISO 8601).
      type: str
      sample: "2026-11-30T02:10:00Z"
acquired:
  description: Whether this run holds the lock after the task (always V(false) in check mode unless it already held it).
  returned: always
  type: bool
  sample: true
released:
  description: Whether the task gave the lock back or broke it (or would, in check mode).
  returned: always
  type: bool
  sample: false
waited:
  description: Seconds spent waiting for another run to give the lock back.
  returned: always
  type: int
  sample: 0
"""

import getpass
import json
import os
import re
import socket
import time
import uuid
from datetime import datetime
from datetime import timezone

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

# SSM parameter names (PutParameter): a path of these characters; /aws and /ssm are reserved.
NAME = re.compile(r"^/[A-Za-z0-9_.\-/]{1,1010}$")
RESERVED = re.compile(r"^/(aws|ssm)", re.IGNORECASE)
RECORD_KEYS = ("token", "owner", "run_id", "playbook", "since", "host", "pid")
PROC = "/proc"

# Indirection so that unit tests can wait without sleeping.
sleep = time.sleep
clock = time.monotonic


def aws_errors():
    return (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError)


def default_owner():
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # a container user without a passwd entry
        user = f"uid {os.getuid()}"
    return f"{user}@{socket.gethostname()}"


def _cmdline(pid):
    try:
        with open(f"{PROC}/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return None


def _parent(pid):
    try:
        with open(f"{PROC}/{pid}/stat", encoding="utf-8") as f:
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def playbook_pid():
    """The ansible-playbook process this module runs under, when it runs on the controller (a local connection on a
    system with /proc): the outermost ancestor whose command is ansible-playbook (its task workers are forks of it).
    None elsewhere, and then a lock is never judged abandoned."""
    found, pid = None, os.getppid()
    while pid and pid > 1:
        if "ansible-playbook" in (_cmdline(pid) or ""):
            found = pid
        pid = _parent(pid)
    return found


def abandoned(record):
    """Whether the run that holds the lock is known to be gone: it ran on this host and its ansible-playbook process
    has exited (a Ctrl-C, a killed terminal). A holder on another host is never judged from here."""
    if record.get("host") != socket.gethostname() or not str(record.get("pid", "")).isdigit():
        return False
    return "ansible-playbook" not in (_cmdline(int(record["pid"])) or "")


def new_record(params):
    record = {
        "token": params["token"] or str(uuid.uuid4()),
        "owner": params["owner"] or default_owner(),
        "run_id": params["run_id"],
        "playbook": params["playbook"],
        "since": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "host": socket.gethostname(),
        "pid": playbook_pid(),
    }
    return {key: value for key, value in record.items() if value}


def parse(value):
    """The lock record a parameter holds; a value that is not one is a lock of an unknown holder with no token."""
    try:
        record = json.loads(value)
    except ValueError:
        record = None
    if not isinstance(record, dict):
        return {"owner": f"unknown (the parameter holds {value[:60]!r}, not a lock record)"}
    return {key: str(record[key]) for key in RECORD_KEYS if record.get(key) not in (None, "")}


def describe(name, record):
    """One line naming the holder: who, since when, which playbook and run, and the token to break it with."""
    details = ", ".join(f"{label} {record[key]}" for label, key in (("playbook", "playbook"), ("run", "run_id"), ("token", "token"))
                        if record.get(key))
    since = f" since {record['since']}" if record.get("since") else ""
    return f"Rollout lock {name} is held by {record.get('owner', 'unknown')}{since}" + (f" ({details})" if details else "")


class RolloutLock:
    """One environment's lock parameter: read, create only if absent, delete."""

    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.name = module.params["name"]

    def read(self):
        try:
            value = self.client.get_parameter(aws_retry=True, Name=self.name)["Parameter"]["Value"]
        except is_boto3_error_code("ParameterNotFound"):
            return None
        except aws_errors() as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg=f"Could not read rollout lock {self.name}")
        return parse(value)

    def create(self, record):
        """Write the lock unless the parameter exists; True when this call created it."""
        try:
            self.client.put_parameter(aws_retry=True, Name=self.name, Value=json.dumps(record, sort_keys=True), Type="String",
                                      Overwrite=False, Description="Rollout lock: the run that changes this environment now")
        except is_boto3_error_code("ParameterAlreadyExists"):
            return False
        except aws_errors() as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg=f"Could not take rollout lock {self.name}")
        return True

    def delete(self):
        try:
            self.client.delete_parameter(aws_retry=True, Name=self.name)
        except is_boto3_error_code("ParameterNotFound"):
            return  # given back or broken meanwhile: nobody holds it, as asked
        except aws_errors() as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg=f"Could not delete rollout lock {self.name}")


def acquire(module, lock):
    params = module.params
    record = new_record(params)
    if module.check_mode:
        current = lock.read()
        ours = bool(params["token"]) and current is not None and current.get("token") == params["token"]
        if current is not None and not ours:
            module.warn(f"{describe(lock.name, current)}: an apply now would wait for it or stop")
        module.exit_json(changed=False, lock=current or {}, acquired=ours, released=False, waited=0)

    started = clock()
    deadline = started + params["wait_timeout"]
    vanished = 0
    while True:
        if lock.create(record):
            module.exit_json(changed=False, lock=record, acquired=True, released=False, waited=round(clock() - started))
        current = lock.read()
        if current is None:
            vanished += 1
            if vanished <= 3:
                continue  # given back between the two calls: try again at once
            current = {"owner": "unknown (the parameter exists but cannot be read)"}
        if current.get("token") == record["token"]:
            # Ours already: taken by an earlier call of this run (or a retried PutParameter whose first attempt landed).
            module.exit_json(changed=False, lock=current, acquired=True, released=False, waited=round(clock() - started))
        if abandoned(current) and lock.read() == current:
            # Left by a run on this host whose ansible-playbook is gone: taken over, as the re-run after a Ctrl-C expects.
            module.warn(f"{describe(lock.name, current)}: that run's ansible-playbook (pid {current['pid']}) has exited; taking the lock over")
            lock.delete()
            continue
        remaining = deadline - clock()
        if remaining <= 0:
            waited = f"; waited {params['wait_timeout']} s" if params["wait_timeout"] else ""
            hint = f"; {params['hint']}" if params["hint"] else ""
            module.fail_json(msg=f"{describe(lock.name, current)}{waited}{hint}", lock=current, acquired=False,
                             released=False, waited=round(clock() - started))
        sleep(min(params["wait_delay"], remaining))


def release(module, lock):
    params = module.params
    current = lock.read()
    if current is None:
        module.exit_json(changed=False, lock={}, acquired=False, released=False, waited=0)
    matches = bool(params["token"]) and current.get("token") == params["token"]
    if params["force"] and params["token"] and not matches:
        module.fail_json(msg=f"{describe(lock.name, current)}, not by token {params['token']}: nothing was broken",
                         lock=current, acquired=False, released=False, waited=0)
    if not (params["force"] or matches):
        module.warn(f"{describe(lock.name, current)}, not by this run: left in place")
        module.exit_json(changed=False, lock=current, acquired=False, released=False, waited=0)
    if not module.check_mode:
        lock.delete()
    if not params["force"]:
        module.exit_json(changed=False, lock={}, acquired=False, released=True, waited=0)
    # Breaking a lock outlives the run; giving back this run's own lock does not.
    module.exit_json(changed=True, lock={}, acquired=False, released=True, waited=0, diff={"before": current, "after": {}})


def validate(module):
    params = module.params
    errors = []
    if not NAME.match(params["name"]) or RESERVED.match(params["name"]):
        errors.append(f"name: {params['name']!r} must be a parameter path (/ then letters, digits, . - _ /), not under /aws or /ssm")
    if params["wait_timeout"] < 0:
        errors.append(f"wait_timeout: {params['wait_timeout']} must be 0 or more seconds")
    if params["wait_delay"] < 1:
        errors.append(f"wait_delay: {params['wait_delay']} must be 1 or more seconds")
    if params["state"] == "absent" and not (params["token"] or params["force"]):
        errors.append("token: required to give the lock back (or force=true to break it whoever holds it)")
    if errors:
        module.fail_json(msg="; ".join(errors))


ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    token=dict(type="str", no_log=False),  # identifies a hold of the lock; grants nothing
    force=dict(type="bool", default=False),
    owner=dict(type="str"),
    run_id=dict(type="str"),
    playbook=dict(type="str"),
    wait_timeout=dict(type="int", default=0),
    wait_delay=dict(type="int", default=10),
    hint=dict(type="str"),
)
OPTIONS = {}


def run(module) -> None:
    """Take or give back the lock and end the module (its action plugin runs this in the task's worker on the controller)."""
    validate(module)
    # SSM throttles with ThrottlingException (not in the default list) and answers concurrent writes of one parameter
    # with TooManyUpdates; the next attempt sees who won.
    client = module.client("ssm", retry_decorator=AWSRetry.jittered_backoff(catch_extra_error_codes=["ThrottlingException", "TooManyUpdates"]))
    lock = RolloutLock(module, client)
    if module.params["state"] == "present":
        acquire(module, lock)
    else:
        release(module, lock)


def main():
    run(AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **OPTIONS))


if __name__ == "__main__":
    main()
