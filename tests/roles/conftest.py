"""Run playbooks the way an operator does, against an emulator port where nothing listens or a private emulator.

A validation failure must come before any AWS call: with the endpoint closed, any call would fail with a
connection error instead of the validation message, so these tests can tell the two apart.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from localenv import services

CHECKOUT = Path(__file__).resolve().parents[2]
CLOSED_PORT = "9"  # discard: nothing listens here


def ansible_playbook(playbook: str, *args: str, port, timeout: float = 120, env: dict | None = None,
                     inventory: str = "local") -> subprocess.CompletedProcess:
    """Run ``ansible-playbook -i inventories/<inventory> <playbook> <args>`` from the checkout, the emulator on ``port``.

    ``env`` adds to the environment (``local_environment_at`` gives the PostgreSQL port, state and artifacts folders).
    """
    argv = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", f"inventories/{inventory}", playbook, *args]
    env = {**os.environ, "SHOPPULSE_EMULATOR_PORT": str(port), "ANSIBLE_CONFIG": str(CHECKOUT / "ansible.cfg"),
           "ANSIBLE_NOCOLOR": "1", **(env or {})}
    return subprocess.run(argv, cwd=CHECKOUT, env=env, capture_output=True, text=True, timeout=timeout, check=False)


def reap(pid: int | None, timeout: float = 15.0) -> None:
    """Stop and reap an emulator this process started: unreaped, it stays a zombie that services.down waits on."""
    if pid is None:
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(pid, os.WNOHANG) == (0, 0):
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                deadline = float("inf")
            time.sleep(0.05)


@pytest.fixture(name="run_site")
def fixture_run_site():
    def run(*extra_vars: str) -> subprocess.CompletedProcess:
        return ansible_playbook("site.yml", *[arg for assignment in extra_vars for arg in ("-e", assignment)], port=CLOSED_PORT)

    return run


@pytest.fixture(name="run_playbook", scope="session")
def fixture_run_playbook():
    """``run_playbook(playbook, *args, port=...)``: ansible-playbook against the emulator on that port."""
    return ansible_playbook


@pytest.fixture(name="emulator_at", scope="session")
def fixture_emulator_at(tmp_path_factory):
    """``with emulator_at(port) as endpoint_url:`` runs a private emulator (no PostgreSQL) for that block."""

    @contextlib.contextmanager
    def emulator(port: int):
        cfg = services.Settings(state=tmp_path_factory.mktemp(f"emulator-{port}"), emulator_host="127.0.0.1",
                                emulator_port=port, pg_port=0)
        services.emulator_up(cfg)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            reap(services.read_pid(cfg.state / "emulator.pid"))
            services.down(cfg)

    return emulator


def environment_settings(state: Path, port: int, pg_port: int) -> tuple[services.Settings, dict[str, str]]:
    """The services' settings with their state in ``state`` and what ansible-playbook needs to reach them for site.yml as
    a whole: the PostgreSQL port, the state folder (its admin socket) and an artifacts folder of its own, so that
    outputs.json stays out of the checkout."""
    cfg = services.Settings(state=state / "state", emulator_host="127.0.0.1", emulator_port=port, pg_port=pg_port)
    return cfg, {"SHOPPULSE_PG_PORT": str(pg_port), "SHOPPULSE_LOCAL_STATE": str(cfg.state),
                 "SHOPPULSE_ARTIFACTS_DIR": str(state / "artifacts")}


@contextlib.contextmanager
def running(cfg: services.Settings, env: dict[str, str], snapshot: Path | None = None):
    """The emulator and PostgreSQL 15 of ``cfg`` up for the block (restored from ``snapshot`` when given, its artifacts
    in ``env``'s folder), then stopped and removed."""
    try:
        services.up(cfg, snapshot=snapshot, artifacts=Path(env["SHOPPULSE_ARTIFACTS_DIR"]) if snapshot else None)
        yield env
    finally:
        reap(services.read_pid(cfg.state / "emulator.pid"))
        services.down(cfg)


@pytest.fixture(name="local_environment_at", scope="session")
def fixture_local_environment_at(tmp_path_factory):
    """``with local_environment_at(port, pg_port) as env:`` runs a private emulator and PostgreSQL 15 for that block;
    ``env`` is what ``run_playbook(..., env=env)`` needs (environment_settings)."""

    @contextlib.contextmanager
    def environment(port: int, pg_port: int):
        with running(*environment_settings(tmp_path_factory.mktemp(f"local-{port}"), port, pg_port)) as env:
            yield env

    return environment
