"""The emulator's fidelity layer.

Each entry makes moto answer one API the way the AWS API reference says AWS answers it; it never bends
AWS behaviour to suit the project. Entries live in the service modules beside this file, register
themselves with :func:`entry`, and are listed in ``localenv/FIDELITY.md``, which
``python -m localenv.fidelity`` regenerates from them (a unit test keeps the two in step).
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Callable

SERVICE_MODULES = ("ec2", "logs", "rds", "rds_proxy", "secretsmanager", "iam")


@dataclass(frozen=True)
class Entry:
    """One difference between moto and AWS, and the patch that removes it."""

    key: str
    api: str
    moto: str
    aws: str
    reference: str
    patch: Callable[[], None]
    after_others: bool = False  # wraps handlers that other entries replace: applied once they all are


REGISTRY: dict[str, Entry] = {}
_APPLIED: set[str] = set()


def entry(key: str, api: str, moto: str, aws: str, reference: str,
          after_others: bool = False) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Register the decorated function as the patch for one documented difference."""

    def register(patch: Callable[[], None]) -> Callable[[], None]:
        if key in REGISTRY:
            raise ValueError(f"fidelity entry {key!r} is registered twice")
        REGISTRY[key] = Entry(key, api, moto, aws, reference, patch, after_others)
        return patch

    return register


def load() -> dict[str, Entry]:
    """Import every service module so that its entries register; return the registry."""
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    return REGISTRY


def apply_all() -> list[str]:
    """Apply every entry once (idempotent within a process); return the keys applied."""
    for key, item in sorted(load().items(), key=lambda pair: (pair[1].after_others, pair[0])):
        if key not in _APPLIED:
            item.patch()
            _APPLIED.add(key)
    return sorted(_APPLIED)


def markdown() -> str:
    """The table that ``localenv/FIDELITY.md`` holds, generated from the registry."""
    rows = [
        "| key | API | moto 5.2.5 | AWS (reference) |",
        "| --- | --- | --- | --- |",
    ]
    for key, item in sorted(load().items()):
        rows.append(f"| `{key}` | {item.api} | {item.moto} | {item.aws} ([reference]({item.reference})) |")
    return "\n".join(rows) + "\n"
