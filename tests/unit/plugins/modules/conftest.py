"""Run a module's main() in-process, against moto or a Stubber, and capture its exit."""

import json

import pytest
from ansible.module_utils.common import warnings
from ansible.module_utils.testing import patch_module_args

AWS = {"region": "us-east-1", "access_key": "testing", "secret_key": "testing"}


class ModuleExit(Exception):
    """A module's exit_json or fail_json, with its result."""

    def __init__(self, result, failed):
        super().__init__(result.get("msg", ""))
        self.result = result
        self.failed = failed


@pytest.fixture(name="run_module")
def fixture_run_module(monkeypatch, capsys):
    """run_module(main, args, check_mode=False) -> the module's result dict; failures raise ModuleExit."""

    def run(main, args, check_mode=False, diff=False):
        full = {**AWS, **args, "_ansible_check_mode": check_mode, "_ansible_diff": diff}
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
