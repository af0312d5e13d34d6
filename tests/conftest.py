"""Make ``ansible_collections.shoppulse.analytics`` and ``localenv`` importable from the checkout."""

import sys
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
for path in (CHECKOUT / ".ansible" / "collections", CHECKOUT):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))


def postgres_server(tmp_path_factory, variable: str, default_port: int):
    """Generator for a session fixture: a PostgreSQL 15 server started as `python -m localenv up` starts it, on the
    port ``variable`` names (``default_port`` otherwise); yields its settings, and stops and removes it afterwards.
    Skips when PostgreSQL 15 is not installed."""
    # pylint: disable=import-outside-toplevel  # localenv is importable only once sys.path is set above
    import os
    import shutil

    import pytest

    from localenv import services

    try:
        services.pg_bindir()
    except services.ServiceError as exc:
        pytest.skip(f"PostgreSQL 15 is not installed: {exc}")
    port = int(os.environ.get(variable, str(default_port)))
    cfg = services.Settings(state=Path(tmp_path_factory.mktemp(f"pg-{port}")) / "state", emulator_host="127.0.0.1",
                            emulator_port=0, pg_port=port)
    services.postgres_up(cfg)
    yield cfg
    services.postgres_down(cfg)
    shutil.rmtree(cfg.state, ignore_errors=True)
