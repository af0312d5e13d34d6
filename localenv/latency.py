"""How long the emulator's resources take to settle: the latency profile and the scale applied to it.

The profile (``latency_profile.yml`` beside this file, or the file named by SHOPPULSE_EMULATOR_LATENCY_PROFILE) states,
per resource and transition, the states AWS passes through and the seconds each typically lasts, each figure with its
public source. The emulator multiplies every figure by one scale factor, SHOPPULSE_EMULATOR_LATENCY_SCALE: 0 (the
default) keeps today's instant behaviour, 1 is AWS's pace, 0.01 a hundredth of it. The fidelity layer's lifecycle
entries read the current setting when a transition starts; see ``localenv/fidelity/lifecycle.py``.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

SCALE_VARIABLE = "SHOPPULSE_EMULATOR_LATENCY_SCALE"
# Reads a transition's last state is reported to before it settles, however much time has passed: a waiter then sees
# the transition whatever the machine's speed, which is what a test of the waits needs (0, the default: time alone).
HOLD_VARIABLE = "SHOPPULSE_EMULATOR_LATENCY_HOLD_READS"
PROFILE_VARIABLE = "SHOPPULSE_EMULATOR_LATENCY_PROFILE"
DEFAULT_PROFILE = Path(__file__).resolve().parent / "latency_profile.yml"

# The transitions the emulator models and, for each, the states a resource passes through in order before it
# settles (the settled state is the AWS API's own: available, deleted, or gone). A profile must time every one.
TRANSITIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("nat_gateway", "create"): ("pending",),
    ("nat_gateway", "delete"): ("deleting",),
    ("db_instance", "create"): ("creating", "backing-up"),
    ("db_instance", "modify"): ("modifying",),
    ("db_instance", "delete"): ("deleting",),
    ("db_instance_security_group", "remove"): ("removing",),
    ("db_instance", "stop"): ("stopping",),
    ("db_instance", "start"): ("starting",),
    ("db_snapshot", "create"): ("creating",),
    ("db_proxy", "create"): ("creating",),
    ("db_proxy", "modify"): ("modifying",),
    ("db_proxy", "delete"): ("deleting",),
    ("db_proxy_target", "register"): ("REGISTERING",),
}
EVIDENCE = ("documented", "informal", "estimate")

# Indirection so that tests can move time without sleeping.
clock: Callable[[], float] = time.monotonic


class LatencyError(ValueError):
    """The latency settings or profile are unusable; the message names the variable or key."""


@dataclass(frozen=True)
class Latency:
    """A profile (seconds per state at AWS's pace) and the scale the emulator applies to it."""

    scale: float = 0.0
    seconds: dict[tuple[str, str], tuple[tuple[str, float], ...]] = field(default_factory=dict)
    source: str = ""
    hold_reads: int = 0

    @property
    def active(self) -> bool:
        return self.scale > 0

    def phases(self, resource: str, transition: str, skip: frozenset[str] = frozenset()) -> tuple[tuple[str, float], ...]:
        """The states of one transition with their scaled seconds; () when latency is off."""
        if not self.active:
            return ()
        return tuple((state, seconds * self.scale) for state, seconds in self.seconds[(resource, transition)] if state not in skip)

    def describe(self) -> str:
        if not self.active:
            return "latency off (resources settle at once)"
        held = f", each transition held for {self.hold_reads} reads" if self.hold_reads else ""
        return f"latency scale {self.scale:g} of {self.source}{held}"


def load_profile(path: Path) -> dict[tuple[str, str], tuple[tuple[str, float], ...]]:
    """Read and check a profile: every modelled transition, its states in order, non-negative seconds and a source."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LatencyError(f"{PROFILE_VARIABLE}: cannot read {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise LatencyError(f"{path}: expected a mapping of resources")
    seconds: dict[tuple[str, str], tuple[tuple[str, float], ...]] = {}
    for (resource, transition), states in TRANSITIONS.items():
        where = f"{path}: {resource}.{transition}"
        given = (data.get(resource) or {}).get(transition)
        if not isinstance(given, dict) or tuple(given) != states:
            raise LatencyError(f"{where}: expected the states {', '.join(states)} in that order")
        phases = []
        for state, figure in given.items():
            phases.append((state, _figure(f"{where}.{state}", figure)))
        seconds[(resource, transition)] = tuple(phases)
    return seconds


def _figure(where: str, figure: Any) -> float:
    if not isinstance(figure, dict):
        raise LatencyError(f"{where}: expected seconds, source and evidence")
    value = figure.get("seconds")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise LatencyError(f"{where}.seconds: {value!r} is not a number of seconds (0 or more)")
    if not str(figure.get("source", "")).startswith("https://"):
        raise LatencyError(f"{where}.source: a public https:// source is required")
    if figure.get("evidence") not in EVIDENCE:
        raise LatencyError(f"{where}.evidence: {figure.get('evidence')!r} is not one of {', '.join(EVIDENCE)}")
    return float(value)


def parse_scale(raw: str, variable: str = SCALE_VARIABLE) -> float:
    """A scale factor written as text; LatencyError naming ``variable`` when it is not a number, 0 or more."""
    try:
        scale = float(raw)
    except ValueError:
        scale = -1.0
    if not 0 <= scale < float("inf"):
        raise LatencyError(f"{variable}: {raw!r} is not a scale factor (a number, 0 or more; 0 = instant, 1 = AWS's pace)")
    return scale


def from_env(environ: dict[str, str] | None = None) -> Latency:
    """The latency the environment asks for; LatencyError (naming the variable) when it is unusable."""
    env = os.environ if environ is None else environ
    scale = parse_scale(env.get(SCALE_VARIABLE, "").strip() or "0")
    path = Path(env.get(PROFILE_VARIABLE) or DEFAULT_PROFILE)
    hold = env.get(HOLD_VARIABLE, "").strip() or "0"
    if not hold.isdigit():
        raise LatencyError(f"{HOLD_VARIABLE}: {hold!r} is not a number of reads (0 or more)")
    if scale == 0:
        return Latency(source=str(path))
    return Latency(scale=scale, seconds=load_profile(path), source=str(path), hold_reads=int(hold))


def uniform(seconds: float, scale: float = 1.0) -> Latency:
    """A latency in which every modelled state lasts ``seconds`` at scale 1 (for tests and experiments)."""
    timed = {key: tuple((state, float(seconds)) for state in states) for key, states in TRANSITIONS.items()}
    return Latency(scale=scale, seconds=timed, source=f"every state {seconds:g}s")


_current = Latency()


def current() -> Latency:
    """The latency in force in this process."""
    return _current


def configure(latency: Latency) -> Latency:
    """Put ``latency`` in force; return the one it replaces (so that tests can restore it)."""
    global _current  # pylint: disable=global-statement  # one setting per emulator process
    previous, _current = _current, latency
    return previous
