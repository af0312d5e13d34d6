"""A snapshot of the converged local environment, built once per test run and restored on a module's own ports.

A module whose tests start from the environment ``site.yml`` builds with inventories/local takes the fixture
``converged_environment_at`` (tests/conftest.py) instead of running that rollout itself::

    with converged_environment_at(PORT, PG_PORT) as env:  # as local_environment_at's env, converged
        ...

The snapshot is ``localenv.services.snapshot`` of a converged environment (the emulator's state, PostgreSQL's data
folder, the artifacts), with what its account held before the rollout (``account.before``): the shared environment's
(tests/environment.py), saved right after its first rollout, or, in a run without the shared environment (or when its
rollout failed), one built on a private emulator and PostgreSQL 15 (SNAPSHOT_PORT, SNAPSHOT_PG_PORT) with ``site.yml``.
With ``pytest -n`` every worker uses the same folder under the run's base temporary folder and a file lock lets one
build it while the others wait, so a run pays for no rollout of its own, or at most one, whatever the number of
modules restoring it.
A restore takes seconds (tests/localenv/test_snapshot.py proves the restored environment converged: site.yml
changes nothing there and gives the same outputs).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
from pathlib import Path

from localenv import services
from tests import account
from tests.roles.conftest import ansible_playbook, environment_settings, running
from tests.roles.playbook_output import ok

SNAPSHOT_PORT, SNAPSHOT_PG_PORT = 4611, 25411
BUILT = "built"  # written last: a folder without it is a build that did not finish
ANNOUNCED = "converged-snapshot.shared"  # in the run's folder: the shared environment has taken the lock to build it
# Whether this run has the shared environment (set in each worker once the run is collected, tests/conftest.py).
SHARED = {"in_run": False}
SHARED_START_WAIT = 600  # its worker starts it first, but on a loaded machine that can take a while
ROLLOUT_TIMEOUT = 900  # two cores shared with the other worker: a rollout can take minutes


def run_root(basetemp: Path) -> Path:
    """The folder every worker of this run shares: the base temporary folder, or its parent under xdist (where each
    worker's base is a folder of the run's)."""
    return basetemp.parent if os.environ.get("PYTEST_XDIST_WORKER") else basetemp


def built(folder: Path) -> bool:
    return (folder / BUILT).exists()


def save(cfg: services.Settings, env: dict[str, str], folder: Path, before: dict[str, list[str]]) -> None:
    """Save the converged environment of ``cfg`` as the snapshot ``folder`` (replacing what a failed save left), with
    ``before``, what its account held before the rollout (tests/account.py)."""
    shutil.rmtree(folder, ignore_errors=True)
    services.snapshot(cfg, folder, artifacts=Path(env["SHOPPULSE_ARTIFACTS_DIR"]))
    account.record(before, folder)
    (folder / BUILT).touch()


@contextlib.contextmanager
def snapshot_lock(basetemp: Path):
    """Hold the run's snapshot lock for the block; yields the snapshot's folder. Whoever holds it may build the snapshot
    while the other workers wait for it; the lock goes with the file, also when the block fails."""
    root = run_root(basetemp)
    with open(root / "converged-snapshot.lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield root / "converged-snapshot"


def announce(basetemp: Path) -> None:
    """Say, holding the snapshot lock, that the shared environment's first rollout is under way: it is the snapshot."""
    (run_root(basetemp) / ANNOUNCED).touch()


def build(folder: Path) -> None:
    """Build the snapshot ``folder`` with a rollout of its own on a new local environment."""
    cfg, env = environment_settings(folder.with_name("converged-snapshot-build"), SNAPSHOT_PORT, SNAPSHOT_PG_PORT)
    with running(cfg, env):
        before = account.held(SNAPSHOT_PORT)
        ok(ansible_playbook("site.yml", port=SNAPSHOT_PORT, env=env, timeout=ROLLOUT_TIMEOUT))
        save(cfg, env, folder, before)
    shutil.rmtree(folder.with_name("converged-snapshot-build"), ignore_errors=True)


def converged_snapshot(basetemp: Path) -> Path:
    """The run's snapshot of the converged environment: the shared environment's first rollout when the run has the
    shared environment (a module that asks first waits for it to take the lock, at most SHARED_START_WAIT), else a
    rollout of its own on a new local environment (also when the shared one's rollout failed)."""
    deadline = time.monotonic() + SHARED_START_WAIT
    while True:
        with snapshot_lock(basetemp) as folder:
            if built(folder):
                return folder
            if not SHARED["in_run"] or (run_root(basetemp) / ANNOUNCED).exists() or time.monotonic() > deadline:
                build(folder)
                return folder
        time.sleep(1)  # the lock released, so that the shared environment can take it


@contextlib.contextmanager
def converged_environment(snapshot: Path, state: Path, port: int, pg_port: int):
    """The snapshot restored in ``state`` on ``port`` and ``pg_port``, for the block; yields ansible-playbook's env."""
    with running(*environment_settings(state, port, pg_port), snapshot=snapshot) as env:
        yield env
