"""One converged local environment shared by the test modules that need one, instead of a rollout per module.

`tests/conftest.py` gives it as the session fixture ``shared_environment``: a private emulator and PostgreSQL 15
(ports 4651 and 25451), brought to the converged state by the first rollout, which is itself the rollout-lock race:
two operators start ``site.yml -vvv`` at the same moment, one applies and the other stops naming it. With
``pytest -n`` each worker has its own session, so the modules of SHARED_MODULES are scheduled as one file
(``--dist loadfile``, tests/conftest.py's pytest_xdist_make_scheduler): one worker, one rollout, the modules in
collection order. (xdist's own ``--dist loadgroup`` would do it by marker, but its groups do not reach the scheduler
with this pytest: every test of a group went to either worker.)

A module adopts it by adding its path to SHARED_MODULES and taking the fixture, then reads or changes that
environment with ``shared_environment.site(...)`` or ``shared_environment.playbook(...)``,
``shared_environment.client(service)``, ``.outputs`` and ``.instance_identifier``::

    def test_something(shared_environment): ...

A module that changes the environment puts back what it changed, or changes it in a way the later modules of the
group do not read (they run in collection order: tests/roles, then tests/operations); a module that needs an empty
account or a destroyed environment keeps an emulator of its own (``emulator_at``, ``local_environment_at``).

Right after its first rollout the environment is saved as the run's converged snapshot (tests/converged.py,
``python -m localenv snapshot``); a module of the other worker that asks for the snapshot meanwhile waits for it. The
modules that start from the converged environment and change it restore that snapshot on ports of their own
(``converged_environment_at``), in seconds where a rollout takes minutes.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import boto3

from tests import account, converged
from tests.roles.conftest import ansible_playbook, environment_settings, running

PORT, PG_PORT = 4651, 25451
SHARED_GROUP = "shared_environment"
# The modules that use the fixture: one worker runs them, in this (collection) order.
SHARED_MODULES = ("tests/roles/test_rds_role.py", "tests/operations/test_rollout_lock.py",
                  "tests/roles/test_monitoring_role.py",
                  "tests/operations/test_rotation_function.py")
# The two operators of the first rollout, and the lock-wait arguments of a run that must wait for another.
OWNERS = ("alice@ops-1", "bob@ops-2")
LOCK_WAIT = ("-e", "rollout_lock_wait_timeout=900", "-e", "rollout_lock_wait_delay=2")
SITE_TIMEOUT = 900  # two cores shared with other runs: a rollout can take minutes
# The class of the one preview of a class change (SharedEnvironment.class_change_preview): not burstable, so that the
# preview also drops the burst-balance alarms.
PREVIEW_CLASS = "db.r6g.large"
ALARM_PREFIX = "shoppulse-analytics-rds-"


@dataclass(frozen=True)
class Preview:
    """``site.yml --check --diff`` of a class change, and the alarms' thresholds (by name) just before and after it."""

    result: subprocess.CompletedProcess
    thresholds_before: dict[str, float]
    thresholds_after: dict[str, float]


@dataclass
class SharedEnvironment:
    """The converged environment: where it runs, the two runs of its rollout, and what site.yml wrote."""

    port: int
    env: dict[str, str]
    rollout: dict[str, subprocess.CompletedProcess] = field(default_factory=dict)
    # Settings the environment's inventory now declares beyond inventories/local: a module that changes one for good
    # (storage grows and never shrinks) records it, and every later run passes it first, as an operator's inventory would.
    inventory: dict = field(default_factory=dict)
    preview: Preview | None = None  # class_change_preview's, once run

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, service: str):
        return boto3.client(service, region_name="us-east-1", endpoint_url=self.endpoint_url,
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    def playbook(self, playbook: str, *args: str, timeout: float = SITE_TIMEOUT) -> subprocess.CompletedProcess:
        """``ansible-playbook -i inventories/local <playbook> <args>`` against this environment (``args`` after the
        recorded inventory settings, so an ``-e`` of theirs wins)."""
        declared = ("-e", json.dumps(self.inventory)) if self.inventory else ()
        return ansible_playbook(playbook, *declared, *args, port=self.port, env=self.env, timeout=timeout)

    def site(self, *args: str, timeout: float = SITE_TIMEOUT) -> subprocess.CompletedProcess:
        return self.playbook("site.yml", *args, timeout=timeout)

    def thresholds(self) -> dict[str, float]:
        alarms = self.client("cloudwatch").describe_alarms(AlarmNamePrefix=ALARM_PREFIX)["MetricAlarms"]
        return {alarm["AlarmName"]: alarm["Threshold"] for alarm in alarms}

    def class_change_preview(self) -> Preview:
        """The one preview of a class change (PREVIEW_CLASS) on the converged environment, run by the first module that
        asks (tests/roles/test_rds_role.py, before its scaling steps): the database, monitoring and cost layers' tests
        each read what their layer shows in it."""
        if self.preview is None:
            before = self.thresholds()
            result = self.site("--check", "--diff", "-e", f"rds_instance_class={PREVIEW_CLASS}")
            self.preview = Preview(result, before, self.thresholds())
        return self.preview

    @property
    def winner(self) -> str:
        """The owner whose rollout applied (the other stopped at the lock)."""
        applied = [owner for owner, result in self.rollout.items() if result.returncode == 0]
        assert len(applied) == 1, {owner: result.stdout[-3000:] for owner, result in self.rollout.items()}
        return applied[0]

    @property
    def converge(self) -> subprocess.CompletedProcess:
        """The run that built the environment."""
        return self.rollout[self.winner]

    @property
    def outputs_path(self) -> Path:
        return Path(self.env["SHOPPULSE_ARTIFACTS_DIR"]) / "outputs.json"

    @property
    def outputs(self) -> dict:
        return json.loads(self.outputs_path.read_text(encoding="utf-8"))

    @property
    def instance_identifier(self) -> str:
        """The DB instance site.yml built: the one at the endpoint outputs.json names (whatever its name)."""
        endpoint = self.outputs["DatabaseEndpoint"]
        found = [db["DBInstanceIdentifier"] for db in self.client("rds").describe_db_instances()["DBInstances"]
                 if db.get("Endpoint", {}).get("Address") == endpoint]
        assert len(found) == 1, f"expected one instance at {endpoint}, found {found}"
        return found[0]


def race(environment: SharedEnvironment) -> dict[str, subprocess.CompletedProcess]:
    """Two operators apply the empty environment at the same moment (-vvv), neither willing to wait."""
    with concurrent.futures.ThreadPoolExecutor(len(OWNERS)) as pool:
        runs = {owner: pool.submit(environment.site, "-vvv", "-e", f"rollout_lock_owner={owner}") for owner in OWNERS}
        return {owner: run.result() for owner, run in runs.items()}


@contextlib.contextmanager
def shared_environment(folder: Path, basetemp: Path):
    """Bring the shared environment up in ``folder``, converge it, yield it; stop and remove it afterwards. The first
    rollout is the run's converged snapshot (tests/converged.py) unless one was built before: the other workers wait for
    it rather than converge one of their own."""
    cfg, env = environment_settings(folder, PORT, PG_PORT)
    with contextlib.ExitStack() as up:
        # The lock first, before the services start: a module of the other worker asking for the snapshot meanwhile
        # then waits for this rollout instead of building one of its own.
        with converged.snapshot_lock(basetemp) as snapshot:
            converged.announce(basetemp)
            up.enter_context(running(cfg, env))
            environment = SharedEnvironment(port=PORT, env=env)
            before = account.held(PORT)
            environment.rollout = race(environment)
            if not converged.built(snapshot) and any(run.returncode == 0 for run in environment.rollout.values()):
                converged.save(cfg, env, snapshot, before)
        yield environment
