"""Run a module's main() in-process, against moto or a Stubber, and capture its exit."""

import contextlib
import json

import boto3
import pytest
from ansible.module_utils.common import warnings
from ansible.module_utils.testing import patch_module_args
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry, RetryingBotoClientWrapper
from botocore.stub import Stubber
from moto import mock_aws

from localenv import fidelity

AWS = {"region": "us-east-1", "access_key": "testing", "secret_key": "testing"}


class ModuleExit(Exception):
    """A module's exit_json or fail_json, with its result."""

    def __init__(self, result, failed):
        super().__init__(result.get("msg", ""))
        self.result = result
        self.failed = failed


def emulated_client(service: str):
    """A client of ``service`` on moto with the fidelity layer on, as the local environment's emulator answers."""
    fidelity.apply_all()
    with mock_aws():
        yield boto3.client(service, region_name="us-east-1")


@pytest.fixture(name="ec2")
def fixture_ec2():
    yield from emulated_client("ec2")


@pytest.fixture(name="cw")
def fixture_cw():
    yield from emulated_client("cloudwatch")


@pytest.fixture(name="run_module")
def fixture_run_module(monkeypatch, capsys):
    """run_module(main, args, check_mode=False, diff=False, aws=True) -> the module's result dict (the tests' AWS
    connection options added unless aws=False); failures raise ModuleExit."""

    def run(main, args, check_mode=False, diff=False, aws=True):
        full = {**(AWS if aws else {}), **args, "_ansible_check_mode": check_mode, "_ansible_diff": diff}
        # Warnings and deprecations are process-wide in module_utils: one module process each under Ansible, but every
        # run here shares this one, so a run starts with none, as it would under Ansible.
        monkeypatch.setattr(warnings, "_global_warnings", {})
        monkeypatch.setattr(warnings, "_global_deprecations", {})
        with patch_module_args(full), pytest.raises(SystemExit) as exited:
            main()
        result = json.loads(capsys.readouterr().out)
        if exited.value.code:
            raise ModuleExit(result, failed=True)
        return result

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    return run


@pytest.fixture(name="stub_client")
def fixture_stub_client(monkeypatch):
    """stub_client(module, service) -> a Stubber behind the client every AnsibleAWSModule of ``module`` gets (with one
    retry), active until the test ends."""
    with contextlib.ExitStack() as stubbers:

        def stub(module, service):
            client = boto3.client(service, region_name="us-east-1")
            wrapped = RetryingBotoClientWrapper(client, AWSRetry.jittered_backoff(retries=1))
            monkeypatch.setattr(module.AnsibleAWSModule, "client", lambda self, *a, **k: wrapped)
            return stubbers.enter_context(Stubber(client))

        yield stub


def in_worker(module, args: dict, check_mode=False, diff=False, aws=True) -> dict:
    """``module``'s result as its action plugin gets it in the task's worker (plugins/plugin_utils/in_process.py), the
    tests' AWS connection options added unless aws=False; a failure raises ModuleExit, as run_module's does."""
    # pylint: disable=import-outside-toplevel  # the controller side only for the tests that run a module in the worker
    from ansible_collections.shoppulse.analytics.plugins.plugin_utils import in_process

    try:
        module.run(in_process.ControllerModule(f"shoppulse.analytics.{module.__name__.rsplit('.', 1)[-1]}", module.ARGUMENT_SPEC,
                                               module.OPTIONS, {**(AWS if aws else {}), **args}, check_mode, diff, aws))
    except in_process.Ended as ended:
        if ended.result.get("failed"):
            raise ModuleExit(ended.result, failed=True) from None
        return ended.result
    raise AssertionError("the module ended without exit_json or fail_json")
