# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs one of the collection's modules inside the task's worker on the controller.

A module started as its own process pays for a Python interpreter, the module's packaging and every import (boto3
included) on each task: about 0.4 s, where the AWS calls of a layer's read take a fraction of that. An action plugin
named as the module hands the module's ``run`` a stand-in for ``AnsibleAWSModule`` that takes the same validated
options (the common AWS ones included, with their environment fallbacks), makes the same clients and ends the same way,
so the task's result is the module's. It does so only where the module would run on the controller's own Python
anyway: a local connection, the host's interpreter the controller's, no ``environment``, ``become`` or ``async`` on
the task. Anywhere else the module runs as usual. A module that makes no AWS call (``AWS = False`` on its action) gets
a plain AnsibleModule's options, and a result naming a file (``path``, else ``dest``) gets that file's attributes, as
AnsibleModule adds them.
"""

from __future__ import annotations

import functools
import json
import os
import sys

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.arg_spec import ModuleArgumentSpecValidator
from ansible.module_utils.common.json import Direction
from ansible.module_utils.common.json import get_module_encoder
from ansible.module_utils.common.parameters import remove_values
from ansible.module_utils.errors import UnsupportedError
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.action import ActionBase
from ansible.utils.vars import merge_hash

from ansible_collections.amazon.aws.plugins.module_utils.botocore import _aws_connection_info
from ansible_collections.amazon.aws.plugins.module_utils.botocore import _get_user_agent_string
from ansible_collections.amazon.aws.plugins.module_utils.botocore import _merge_botocore_config
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleBotocoreError
from ansible_collections.amazon.aws.plugins.module_utils.retries import RetryingBotoClientWrapper
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.modules import aws_argument_spec
from ansible_collections.amazon.aws.plugins.plugin_utils.base import AWSPluginBase

try:
    import boto3
    import botocore.config
    import botocore.session
    HAS_BOTO3 = True
except ImportError:
    HAS_BOTO3 = False  # then the module runs as its own process, whose import check reports it


# The services the in-process modules make clients for: their models are read once per run (warm).
SERVICES = ("cloudwatch", "ec2", "iam", "lambda", "logs", "rds", "scheduler", "secretsmanager", "sns", "ssm", "sts")

# A boto3 session whose data (the service list, the partitions, the models of SERVICES) the controller has read before
# forking, so that each worker makes its clients from memory; None until warm() runs. It holds no credentials: each
# client is given its own, or finds them as a new session would.
_SHARED = {"session": None}


def share_loader() -> None:
    """One botocore data loader for every session this process and its forks make (one per search path, as botocore
    makes them). amazon.aws makes a session per module, and each session's loader would read the service models again,
    tens of milliseconds each for ec2's; shared, a module run in the task's worker (the shoppulse.analytics.controller
    connection) makes its clients from the models warm read in the controller. The models are the same files whichever
    session reads them, as they are for every client of one session."""
    if HAS_BOTO3 and not hasattr(botocore.session.create_loader, "cache_info"):
        botocore.session.create_loader = functools.lru_cache(maxsize=None)(botocore.session.create_loader)


def warm() -> bool:
    """Read the botocore data every in-process module needs, once, in the controller (a callback calls this before the
    first such task); each worker, a fork, then finds it read. Credentials are never resolved here. Whether this call
    read it (False when an earlier call has, or without boto3)."""
    if _SHARED["session"] is not None or not HAS_BOTO3:
        return False
    core = botocore.session.get_session()
    loader = core.get_component("data_loader")  # the loader every client of this session reads its data with
    loader.list_available_services("service-2")
    for data in ("endpoints", "partitions", "sdk-default-configuration", "_retry"):
        loader.load_data(data)
    for service in SERVICES:
        for kind in ("service-2", "endpoint-rule-set-1"):
            loader.load_service_model(service, kind)
    _SHARED["session"] = boto3.session.Session(botocore_session=core)
    return True


# The task's arguments and the module's result as they travel between the controller and a module without a profile
# of its own: JSON, so that the module sees plain values and the controller reads what the module would have printed.
TO_MODULE = get_module_encoder("legacy", Direction.CONTROLLER_TO_MODULE)
TO_CONTROLLER = get_module_encoder("legacy", Direction.MODULE_TO_CONTROLLER)


class Ended(Exception):
    """The module called exit_json or fail_json: ``result`` is what it printed, as the controller reads it."""

    def __init__(self, result: dict):
        super().__init__(result.get("msg", ""))
        self.result = result


class ControllerModule(AWSPluginBase):
    """What the in-process modules use of AnsibleAWSModule: params, check_mode, _diff, region, no_log_values, client(),
    warn() and the ways to end."""

    def __init__(self, name: str, argument_spec: dict, options: dict, args: dict, check_mode: bool, diff: bool,
                 aws: bool = True):
        spec = aws_argument_spec() if aws else {}  # an AnsibleAWSModule's connection options, or a plain AnsibleModule's none
        spec.update(argument_spec)
        self.params = json.loads(json.dumps(args, cls=TO_MODULE))
        validated = ModuleArgumentSpecValidator(spec, **options).validate(self.params)
        self.no_log_values = validated._no_log_values  # pylint: disable=protected-access  # as AnsibleModule takes them
        if validated.error_messages:  # the first, as AnsibleModule reports it
            msg = validated.errors.msg
            if isinstance(validated.errors[0], UnsupportedError):
                msg = f"Unsupported parameters for ({name}) module: {msg}"
            self.fail_json(msg)
        self.params = validated.validated_parameters
        self.check_mode = check_mode
        self._diff = diff  # as AnsibleModule names it: whether the run shows diffs

    # AnsibleModule's own, for a result that names a file: its owner, group, mode, state and size (and SELinux context).
    _selinux_enabled = _selinux_mls_enabled = _selinux_initial_context = None
    add_path_info = AnsibleModule.add_path_info
    user_and_group = AnsibleModule.user_and_group
    selinux_enabled = AnsibleModule.selinux_enabled
    selinux_mls_enabled = AnsibleModule.selinux_mls_enabled
    selinux_initial_context = AnsibleModule.selinux_initial_context
    selinux_context = AnsibleModule.selinux_context

    def get_options(self) -> dict:
        return self.params

    def client(self, service: str, retry_decorator=None, **extra_params):
        """As AnsibleAWSModule.client, the connection settings taken the same way, from the warmed session when the
        controller has one (a new session otherwise, as amazon.aws makes for each client)."""
        try:
            region, endpoint_url, connect = _aws_connection_info(self.params)
        except AnsibleBotocoreError as e:
            self.fail_json(to_native(e))
        connect.update(extra_params)
        config = _merge_botocore_config(botocore.config.Config(user_agent=_get_user_agent_string()), connect.pop("aws_config", None))
        profile = connect.pop("profile_name", None)
        session = _SHARED["session"] if _SHARED["session"] is not None and not profile else boto3.session.Session(profile_name=profile)
        conn = session.client(service, config=config, region_name=region, endpoint_url=endpoint_url, **connect)
        return conn if retry_decorator is None else RetryingBotoClientWrapper(conn, retry_decorator)

    def exit_json(self, **result):
        self.end(result)

    def fail_json(self, msg: str, **result):
        self.end({**result, "failed": True, "msg": msg})

    def end(self, result: dict):
        """As AnsibleModule returns: its arguments under invocation, every no_log value masked (booleans and nulls
        kept), then JSON."""
        self.add_path_info(result)
        result.setdefault("invocation", {"module_args": self.params})
        kept = {key: value for key, value in result.items() if value is None or isinstance(value, bool)}
        result = {**remove_values(result, self.no_log_values), **kept}
        raise Ended(json.loads(json.dumps(result, cls=TO_CONTROLLER)))

    # amazon.aws's own failure helpers: they build the message, the SDK versions and the AWS response, then call
    # fail_json, so an AWS error reads as it does from the module's process.
    fail_json_aws = AnsibleAWSModule.fail_json_aws
    fail_json_aws_error = AnsibleAWSModule.fail_json_aws_error
    _gather_versions = AnsibleAWSModule._gather_versions  # pylint: disable=protected-access


class InProcessAction(ActionBase):
    """The action plugin of a module (``MODULE``: the module's Python module, with ARGUMENT_SPEC, OPTIONS and
    run(module)), which runs it in the worker where that is the same as running it on the host."""

    MODULE = None
    AWS = True  # an AnsibleAWSModule; False for a module that makes no AWS call (it then needs no boto3)
    _supports_check_mode = True
    _supports_async = True  # as a process only

    def runs_here(self, task_vars: dict) -> bool:
        """Whether the module would run with the controller's own Python, as the controller's user, at once."""
        task = self._task
        if ((self.AWS and not HAS_BOTO3) or self._connection.transport != "local" or any(task.environment or []) or task.async_val
                or self._play_context.become):
            return False
        interpreter = task_vars.get("ansible_python_interpreter")
        if interpreter is None:
            return False
        interpreter = self._templar.template(interpreter)
        # Not resolving links: a virtualenv's python links to the interpreter it was made from, without its packages.
        return os.path.abspath(str(interpreter)) == os.path.abspath(sys.executable)

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        del tmp  # no longer used by ansible-core
        if self.runs_here(task_vars or {}):
            try:
                self.MODULE.run(ControllerModule(self._task.resolved_action, self.MODULE.ARGUMENT_SPEC, self.MODULE.OPTIONS,
                                                 self._task.args, self._task.check_mode, bool(self._task.diff), self.AWS))
            except Ended as ended:
                return {**result, "changed": False, **ended.result}
            raise AssertionError(f"{self._task.resolved_action} ended without exit_json or fail_json")
        # Elsewhere, as ansible-core's normal action runs a module.
        wrap_async = self._task.async_val and not self._connection.has_native_async
        result = merge_hash(result, self._execute_module(task_vars=task_vars, wrap_async=wrap_async))
        if not wrap_async:
            self._remove_tmp_path(self._connection._shell.tmpdir)  # pylint: disable=protected-access  # as normal.py does
        return result
