"""Make ``ansible_collections.shoppulse.analytics`` and ``localenv`` importable from the checkout."""

import sys
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parent.parent
for path in (CHECKOUT / ".ansible" / "collections", CHECKOUT):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))


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


def pytest_xdist_make_scheduler(config, log):
    """``--dist loadfile`` (the Makefile's), with the modules that share the converged environment as one file: one
    worker runs them all, on one rollout (tests/environment.py, SHARED_MODULES)."""
    if config.getvalue("dist") != "loadfile":
        return None
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

    with environment.shared_environment(tmp_path_factory.mktemp("shared-environment")) as shared:
        yield shared
