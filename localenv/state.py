"""Save the emulator's state to a file and load it into a fresh emulator: every AWS resource moto holds, with what the
fidelity layer keeps on moto's own objects.

moto keeps all of it in the process, in its ``BackendDict`` objects (one per service: account -> region -> backend),
and ``/moto-api/`` can reset it but neither save nor load it. Here those objects' contents are pickled; each
``BackendDict`` is written as the module attribute that holds it (``moto.rds.models.rds_backends``), so that a loaded
resource that points at one points at the live one of the process it is loaded into.

The fidelity layer keeps nothing of an account outside moto's objects: what it adds (proxy endpoints, the last time a
secret was read, lifecycle timelines, the last metrics sample) lives in the ``__dict__`` of moto's backends and
resources, and so travels with them. Two things do not:

- times of this process's monotonic clock, which mean nothing in another process: lifecycle timelines (which exist
  only with a latency scale above 0, so saving is refused then, while one could be running) and the instances' last
  metrics sample (dropped on load, so the next read samples again, as after a restart);
- locks, weak dictionaries, default dictionaries (moto's subclasses take other arguments, and their factories may be
  lambdas), and cryptography's key objects (moto's key pairs and certificates), which cannot be pickled: a lock is
  written as a new, unlocked lock, a weak dictionary as its entries, a
  default dictionary without its class's ``__init__`` (a lambda factory as one that copies the empty value), a key as
  its PEM text.

Nothing in the state names the ports the emulator or PostgreSQL listen on (the RDS endpoints are moto's host names,
which the Lambda runner maps to whatever PostgreSQL port the emulator is started with), so a state loads on any ports.
The file holds what the emulated secrets hold, passwords included: it is written 0600, and is only for local use.
"""

from __future__ import annotations

import collections
import copy
import importlib
import io
import os
import pickle
import sys
import threading
import weakref
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization

from localenv import latency

VARIABLE = "SHOPPULSE_EMULATOR_STATE"  # a state file the emulator loads when it starts
PATH = "/_localenv/state"  # the emulator's own path: POST writes the state to the file its body names
FORMAT = 1
_LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()))
# Kept on moto's objects by the fidelity layer as times of this process's monotonic clock.
_PROCESS_CLOCK_STAMPS = ("_shoppulse_metrics_sampled_at",)


class StateError(RuntimeError):
    """A state could not be saved or loaded."""


def _backend_dicts() -> dict[int, tuple[str, str]]:
    """Every moto BackendDict imported so far, by id: (module, attribute) of the module-level name that holds it."""
    from moto.core.base_backend import BackendDict  # pylint: disable=import-outside-toplevel  # moto on demand

    found: dict[int, tuple[str, str]] = {}
    for name, module in list(sys.modules.items()):
        if not name.startswith("moto.") or module is None:
            continue
        for attribute, value in list(vars(module).items()):
            if isinstance(value, BackendDict):
                found.setdefault(id(value), (name, attribute))
    return found


class _Copies:  # pylint: disable=too-few-public-methods
    """A default dictionary's factory that returns a copy of an empty value (in place of a lambda, which pickle cannot
    write)."""

    def __init__(self, empty: Any) -> None:
        self.empty = empty

    def __call__(self) -> Any:
        return copy.deepcopy(self.empty)


def _saveable_factory(factory: Any) -> Any:
    """moto's ``defaultdict(lambda: {})``: a factory that copies the empty value the lambda returns."""
    if getattr(factory, "__name__", "") == "<lambda>":
        empty = factory()
        if not empty:
            return _Copies(empty)
    return factory


def _default_dict_reduction(obj: collections.defaultdict) -> Any:
    """A defaultdict written without calling its class's __init__ (moto's subclasses take other arguments), its factory
    and attributes set afterwards."""
    state = (getattr(obj, "__dict__", {}), _saveable_factory(obj.default_factory))
    return _new_default_dict, (type(obj),), state, None, iter(obj.items()), _set_default_dict


def _new_default_dict(cls: type) -> Any:
    return cls.__new__(cls)


def _set_default_dict(obj: collections.defaultdict, state: tuple[dict, Any]) -> None:
    attributes, factory = state
    for name, value in attributes.items():
        setattr(obj, name, value)
    obj.default_factory = factory


def _private_key(pem: bytes) -> Any:
    return serialization.load_pem_private_key(pem, password=None)


def _public_key(pem: bytes) -> Any:
    return serialization.load_pem_public_key(pem)


def _new_lock(reentrant: bool) -> Any:
    return threading.RLock() if reentrant else threading.Lock()


class _Pickler(pickle.Pickler):
    def __init__(self, file: Any, names: dict[int, tuple[str, str]]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._names = names

    def persistent_id(self, obj: Any) -> Any:  # a live BackendDict: by name, never copied
        return self._names.get(id(obj)) if type(obj).__name__ == "BackendDict" else None

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, _LOCK_TYPES):
            return _new_lock, (isinstance(obj, _LOCK_TYPES[1]),)
        if isinstance(obj, collections.defaultdict):
            return _default_dict_reduction(obj)
        if isinstance(obj, weakref.WeakValueDictionary):  # its callback is a closure; its entries are what counts
            return weakref.WeakValueDictionary, (dict(obj),)
        if type(obj).__module__.startswith("cryptography.") and hasattr(obj, "private_bytes"):
            return _private_key, (obj.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                    serialization.NoEncryption()),)
        if type(obj).__module__.startswith("cryptography.") and hasattr(obj, "public_bytes") and hasattr(obj, "verify"):
            return _public_key, (obj.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo),)
        return NotImplemented


def _named(module: str, attribute: str) -> Any:
    return getattr(importlib.import_module(module), attribute)


class _Unpickler(pickle.Unpickler):
    def persistent_load(self, pid: Any) -> Any:
        return _named(*pid)


def dumps() -> bytes:
    """The emulator's state, pickled. StateError while a latency scale above 0 is in force (a timeline could run)."""
    from moto.core.base_backend import BackendDict  # pylint: disable=import-outside-toplevel

    if latency.current().active:
        raise StateError(f"the state of an emulator with a latency scale above 0 ({latency.SCALE_VARIABLE}) cannot be "
                         "saved: its resources' timelines are times of its own clock")
    names = _backend_dicts()
    services = {}
    for backends in list(BackendDict._instances):  # pylint: disable=protected-access  # moto's registry of backends in use
        if id(backends) not in names:
            raise StateError(f"moto's {backends.service_name} backends are not held by any moto module")
        services[names[id(backends)]] = dict(backends)
    buffer = io.BytesIO()
    try:
        _Pickler(buffer, names).dump({"format": FORMAT, "services": services})
    except (pickle.PicklingError, TypeError, AttributeError) as exc:  # an object of a kind pickle cannot write
        where = ", ".join(_unsaveable(services, names)) or "?"
        raise StateError(f"the state holds an object that cannot be saved ({type(exc).__name__}: {exc}; in {where})") from exc
    return buffer.getvalue()


def _unsaveable(services: dict, names: dict[int, tuple[str, str]]) -> list[str]:
    """Where the objects pickle cannot write are: each backend attribute (service.attribute) that fails alone."""
    failing = []
    for (_module, attribute), accounts in services.items():
        for account in accounts.values():
            for backend in account.values():
                for name, value in vars(backend).items():
                    try:
                        _Pickler(io.BytesIO(), names).dump(value)
                    except (pickle.PicklingError, TypeError, AttributeError) as exc:
                        failing.append(f"{attribute}.{name} ({exc})")
    return sorted(set(failing))


class _TrialUnpickler(_Unpickler):
    def persistent_load(self, pid: Any) -> Any:
        return pid  # the live BackendDicts stay untouched


def save(path: Path) -> int:
    """Write the state to ``path`` (0600) once it is known to load; its size in bytes."""
    data = dumps()
    try:
        _TrialUnpickler(io.BytesIO(data)).load()
    except Exception as exc:  # pylint: disable=broad-except  # whatever would stop a load stops the save
        raise StateError(f"the state would not load ({type(exc).__name__}: {exc})") from exc
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    with open(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as handle:
        handle.write(data)
    partial.replace(path)
    return len(data)


def loads(data: bytes) -> list[str]:
    """Put a pickled state in place of this process's (moto's backends must be empty); the services loaded."""
    from moto.core.base_backend import BackendDict  # pylint: disable=import-outside-toplevel

    try:
        saved = _Unpickler(io.BytesIO(data)).load()
    except Exception as exc:  # pylint: disable=broad-except  # any unpickling failure means the same to the caller
        raise StateError(f"not an emulator state ({type(exc).__name__}: {exc})") from exc
    if not isinstance(saved, dict) or saved.get("format") != FORMAT:
        raise StateError(f"not an emulator state of format {FORMAT}")
    loaded = []
    for (module, attribute), accounts in saved["services"].items():
        backends = _named(module, attribute)
        dict.clear(backends)
        dict.update(backends, accounts)
        if backends not in BackendDict._instances:  # pylint: disable=protected-access
            BackendDict._instances.append(backends)  # pylint: disable=protected-access
        for account in accounts.values():
            for backend in account.values():
                _drop_clock_stamps(backend)
        loaded.append(backends.service_name)
    return sorted(set(loaded))


def _drop_clock_stamps(backend: Any) -> None:
    for instance in getattr(backend, "databases", {}).values():
        for stamp in _PROCESS_CLOCK_STAMPS:
            instance.__dict__.pop(stamp, None)


def load(path: Path) -> list[str]:
    """Load the state file at ``path``; StateError naming it when it cannot be read or is not a state."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise StateError(f"cannot read the emulator state {path}: {exc.strerror}") from exc
    try:
        return loads(data)
    except StateError as exc:
        raise StateError(f"{path} is {exc}") from exc


class Middleware:  # pylint: disable=too-few-public-methods
    """The emulator's own path beside moto's application: ``POST /_localenv/state`` with a file path as the body saves
    the state there (the emulator listens on loopback only); every other request goes to moto."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") != PATH:
            return self.app(environ, start_response)
        if environ.get("REQUEST_METHOD") != "POST":
            return _answer(start_response, "405 Method Not Allowed", "POST a file path to save the state there\n")
        length = int(environ.get("CONTENT_LENGTH") or 0)
        target = environ["wsgi.input"].read(length).decode("utf-8").strip()
        if not target or not os.path.isabs(target):
            return _answer(start_response, "400 Bad Request", "the body must be an absolute file path\n")
        try:
            size = save(Path(target))
        except (StateError, OSError) as exc:
            return _answer(start_response, "409 Conflict", f"{exc}\n")
        return _answer(start_response, "200 OK", f"saved {size} bytes to {target}\n")


def _answer(start_response: Any, status: str, text: str) -> list[bytes]:
    body = text.encode("utf-8")
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
    return [body]
