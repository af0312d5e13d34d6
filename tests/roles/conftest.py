"""Run site.yml the way an operator does, against an emulator port where nothing listens.

A validation failure must come before any AWS call: with the endpoint closed, any call would fail with a
connection error instead of the validation message, so these tests can tell the two apart.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parents[2]
CLOSED_PORT = "9"  # discard: nothing listens here


@pytest.fixture(name="run_site")
def fixture_run_site():
    def run(*extra_vars: str) -> subprocess.CompletedProcess:
        argv = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "inventories/local", "site.yml"]
        for assignment in extra_vars:
            argv += ["-e", assignment]
        env = {**os.environ, "SHOPPULSE_EMULATOR_PORT": CLOSED_PORT, "ANSIBLE_CONFIG": str(CHECKOUT / "ansible.cfg"),
               "ANSIBLE_NOCOLOR": "1"}
        return subprocess.run(argv, cwd=CHECKOUT, env=env, capture_output=True, text=True, timeout=120, check=False)

    return run
