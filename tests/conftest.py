"""Make ``ansible_collections.shoppulse.analytics`` and ``localenv`` importable from the checkout."""

import sys
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parent.parent
for path in (CHECKOUT / ".ansible" / "collections", CHECKOUT):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))


def pytest_configure(config):  # pylint: disable=unused-argument  # pytest's hook signature
    """One botocore data loader for every session of this process, as the emulator has (localenv/emulator.py).
    amazon.aws makes a session per client, and each session reads the service models again (ec2's alone is megabytes
    of JSON): the in-process module tests spent half their time decoding them. The models are the same files whichever
    session reads them, as the collection's own in-process runs share them (plugins/plugin_utils/in_process.py, warm)."""
    # pylint: disable=import-outside-toplevel  # localenv is importable only once sys.path is set above
    from localenv.emulator import share_botocore_loader

    share_botocore_loader()
    without_default_amis()


def without_default_amis() -> None:
    """moto's in-process EC2 of this process starts without its sample of public AMIs, as MOTO_EC2_LOAD_DEFAULT_AMIS=false
    makes it: every account a test makes builds an EC2 backend per region it touches, which made some 2,600 images with
    random ids each time (0.17 s; the in-process unit and emulator tests took 186 CPU-seconds with them, 151 without),
    and no test reads an image. The setting is this process's only, not the environment's: the emulators the tests
    start keep the sample, as `python -m localenv up` does."""
    # pylint: disable=import-outside-toplevel  # moto only in the processes that run tests
    from moto import settings

    settings.ec2_load_default_amis = lambda: False


def postgres_server(tmp_path_factory, variable: str, default_port: int):
    """Generator for a session fixture: a PostgreSQL 15 server started as `python -m localenv up` starts it, on the
    port ``variable`` names (``default_port`` otherwise) plus the xdist worker's number; yields its settings, and stops
    and removes it afterwards. Skips when PostgreSQL 15 is not installed."""
    # pylint: disable=import-outside-toplevel  # localenv is importable only once sys.path is set above
    import os
    import shutil

    from localenv import services

    try:
        services.pg_bindir()
    except services.ServiceError as exc:
        pytest.skip(f"PostgreSQL 15 is not installed: {exc}")
    # A session per xdist worker: each worker's server on a port of its own (gw0 the port, gw1 the next).
    port = int(os.environ.get(variable, str(default_port))) + int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:])
    cfg = services.Settings(state=Path(tmp_path_factory.mktemp(f"pg-{port}")) / "state", emulator_host="127.0.0.1",
                            emulator_port=0, pg_port=port)
    services.postgres_up(cfg)
    yield cfg
    services.postgres_down(cfg)
    shutil.rmtree(cfg.state, ignore_errors=True)


def create_rotation_function() -> str:
    """A do-nothing Lambda function (and its role) in moto, for a secret's rotation; its ARN. Call inside mock_aws."""
    # pylint: disable=import-outside-toplevel  # boto3 only for the tests that call this
    import io
    import zipfile

    import boto3

    role = boto3.client("iam", region_name="us-east-1").create_role(RoleName="rotation", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("rotate.py", "def handler(event, context):\n    return None\n")
    return boto3.client("lambda", region_name="us-east-1").create_function(
        FunctionName="rotate", Runtime="python3.12", Role=role, Handler="rotate.handler", Code={"ZipFile": code.getvalue()})["FunctionArn"]


# The modules that spend much of their time waiting (on the emulator's clock, a lock timeout, a process starting) rather
# than computing, after the shared environment's group: they run while molecule, lint and sanity still want the cores,
# which take the time they leave idle; at the end of the run nothing would (measured with --durations and per-module
# CPU time: test_rollout_realism waits about 20 s of its minute).
WAITING_MODULES = ("tests/operations/test_rollout_realism.py", "tests/unit/plugins/modules/test_postgresql_migrations.py",
                   "tests/localenv/test_fidelity_awslambda.py", "tests/localenv/test_faults.py",
                   "tests/localenv/test_emulator_realism.py", "tests/localenv/test_services.py")
# Then the modules that converge environments of their own, slowest first (measured with --durations), and the longest
# of the others: the workers work through the long ones and the many short modules fill both workers' ends. Those that
# restore the run's converged snapshot come after the ones that do not; but test_destroy first, whose partly built
# environment is destroyed while its whole one restores the snapshot.
SLOW_MODULES = ("tests/operations/test_destroy.py",
                "tests/roles/test_vpc_interrupted.py", "tests/operations/test_environments.py",
                "tests/roles/test_secrets_role.py", "tests/operations/test_snapshot_restore.py",
                "tests/operations/test_stop_start.py", "tests/operations/test_rotate_credentials.py",
                "tests/operations/test_layers_alone.py", "tests/operations/test_audit.py", "tests/roles/test_rds_proxy_role.py",
                "tests/localenv/test_snapshot.py", "tests/localenv/test_fidelity_rds.py")
ORDER = (*WAITING_MODULES, *SLOW_MODULES)


def pytest_collection_modifyitems(items):
    """Run the shared environment's modules first, then WAITING_MODULES and SLOW_MODULES in their order, then the rest
    as collected (a stable sort: the shared modules keep their collection order, which tests/environment.py relies on)."""
    # pylint: disable=import-outside-toplevel  # tests.environment imports localenv, importable once sys.path is set
    from tests.environment import SHARED_MODULES

    def rank(item) -> int:
        module = item.nodeid.split("::", 1)[0]
        if module in SHARED_MODULES:
            return 0
        return 1 + ORDER.index(module) if module in ORDER else 1 + len(ORDER)

    items.sort(key=rank)


def pytest_collection_finish(session):
    """Tell tests/converged.py whether this run has the shared environment, whose first rollout is then the converged
    snapshot: each worker collects the whole run, whichever modules it runs."""
    # pylint: disable=import-outside-toplevel  # tests.environment imports localenv, importable once sys.path is set
    from tests import converged
    from tests.environment import SHARED_MODULES

    converged.SHARED["in_run"] = any(item.nodeid.split("::", 1)[0] in SHARED_MODULES for item in session.items)


def pytest_xdist_make_scheduler(config, log):
    """``--dist loadfile`` (the Makefile's), with the modules that share the converged environment as one file: one
    worker runs them all, on one rollout (tests/environment.py, SHARED_MODULES). Files are handed out in collection
    order (pytest_collection_modifyitems), not xdist's default of the files with the most tests first."""
    if config.getvalue("dist") != "loadfile":
        return None
    config.option.loadscopereorder = False
    # pylint: disable=import-outside-toplevel  # xdist only when tests run in workers
    from xdist.scheduler import LoadFileScheduling

    from tests.environment import SHARED_GROUP, SHARED_MODULES

    class SharedEnvironmentScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = super()._split_scope(nodeid)
            return SHARED_GROUP if module in SHARED_MODULES else module

    return SharedEnvironmentScheduling(config, log)


@pytest.fixture(name="shared_environment", scope="session")
def fixture_shared_environment(tmp_path_factory):
    """The converged local environment the modules of ``SHARED_MODULES`` share (tests/environment.py)."""
    # pylint: disable=import-outside-toplevel  # tests.environment imports localenv, importable once sys.path is set
    from tests import environment

    with environment.shared_environment(tmp_path_factory.mktemp("shared-environment"), tmp_path_factory.getbasetemp()) as shared:
        yield shared


@pytest.fixture(name="converged_environment_at", scope="session")
def fixture_converged_environment_at(tmp_path_factory):
    """``with converged_environment_at(port, pg_port) as env:`` the converged local environment for that block, restored
    on those ports from the run's snapshot (tests/converged.py), which the first call of the run builds."""
    # pylint: disable=import-outside-toplevel  # tests.converged imports localenv, importable once sys.path is set
    import contextlib

    from tests import converged

    @contextlib.contextmanager
    def environment(port: int, pg_port: int):
        snapshot = converged.converged_snapshot(tmp_path_factory.getbasetemp())
        with converged.converged_environment(snapshot, tmp_path_factory.mktemp(f"converged-{port}"), port, pg_port) as env:
            yield env

    return environment
