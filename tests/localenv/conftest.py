"""Lifecycles on a clock the test moves: every modelled state lasts half a second and no test sleeps. A real
PostgreSQL server stands in for RDS where a test needs the database's own answer."""

import pytest

from localenv import latency
from tests.conftest import postgres_server


class Clock:  # pylint: disable=too-few-public-methods
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(name="timed")
def fixture_timed(monkeypatch):
    """Latency on (each state 0.5 s at scale 1) with a test-driven clock; latency off again afterwards."""
    clock = Clock()
    monkeypatch.setattr(latency, "clock", clock)
    previous = latency.configure(latency.uniform(0.5))
    yield clock
    latency.configure(previous)


@pytest.fixture(name="standin_postgres", scope="session")
def fixture_standin_postgres(tmp_path_factory):
    """A PostgreSQL 15 server of this test session, started as `python -m localenv up` starts it: its settings."""
    yield from postgres_server(tmp_path_factory, "SHOPPULSE_STANDIN_TEST_PG_PORT", 25751)
