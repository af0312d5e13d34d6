# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: module_cache
type: aggregate
short_description: Keep the modules Ansible packs for a run, for the next runs of the same collections
version_added: 0.9.0
description:
  - Ansible packs each module it runs, with the module_utils it imports, into a payload (AnsiballZ) once per run, in
    the run's own temporary folder, and throws the payloads away at the end - about a quarter of a second per module
    a run uses, some 35 modules for C(site.yml).
  - This callback keeps the payloads of collection and C(ansible.builtin) modules in O(dir), in a folder named by a
    fingerprint of every collection that could feed them - the ansible-core and Python versions, each installed
    collection's C(MANIFEST.json), and for a collection run from its source (this checkout) the size and time of every
    file under C(plugins/modules) and C(plugins/module_utils). A change to any of them is a new folder, so a run never
    gets a payload built from other sources; folders unused for O(keep_days) are removed.
  - A run starts with the kept payloads linked into its temporary folder, where Ansible finds them as its own; at its
    end the payloads it built are added. Modules found by short name (C(ansible.legacy), which a playbook's
    C(library/) folder may shadow) are never kept.
  - A payload is kept with its Python files compiled, beside them in the payload, by the Python that runs
    C(ansible-playbook); Python imports them from there instead of compiling every module_utils file again in each
    module run (about a tenth of a second a run). A Python of another version finds no bytecode of its own there and
    compiles the files as before.
  - Only the time a run takes changes. When O(dir) cannot be used, the run goes on without it.
options:
  dir:
    description: Where the payloads are kept.
    type: path
    default: ~/.ansible/module_cache
    env:
      - name: SHOPPULSE_MODULE_CACHE_DIR
    ini:
      - section: callback_module_cache
        key: dir
  keep_days:
    description: Fingerprint folders not used for this many days are removed at the start of a run.
    type: int
    default: 7
    env:
      - name: SHOPPULSE_MODULE_CACHE_KEEP_DAYS
    ini:
      - section: callback_module_cache
        key: keep_days
"""

import base64
import binascii
import dataclasses
import functools
import hashlib
import importlib.util
import io
import marshal
import os
import pickle
import shutil
import sys
import time
import zipfile

from ansible import constants as C
from ansible.plugins.callback import CallbackBase
from ansible.release import __version__ as ansible_core_version
from ansible.utils.collection_loader import AnsibleCollectionConfig

# The payload names Ansible gives modules resolved by their full name: the same name is always the same source.
SHAREABLE = ("ansible_collections.", "ansible.modules.")
# A .pyc header's flags word (PEP 552): bit 0 hash-based, bit 1 (unset) check the source's hash on import.
UNCHECKED_HASH_PYC = (0b01).to_bytes(4, "little")
SOURCE_FOLDERS = (("plugins", "modules"), ("plugins", "module_utils"))
# What a kept payload holds beyond Ansible's own (its bytecode): a store of another format is another folder.
PAYLOAD_FORMAT = "bytecode-1"


def collection_dirs(search_paths) -> list[str]:
    """Every collection folder under the search paths (``<path>/ansible_collections/<namespace>/<name>``), sorted."""
    found = []
    for path in search_paths:
        root = os.path.join(path, "ansible_collections")
        for namespace in sorted(os.listdir(root)) if os.path.isdir(root) else ():
            namespace_dir = os.path.join(root, namespace)
            if os.path.isdir(namespace_dir):
                found.extend(os.path.join(namespace_dir, name) for name in sorted(os.listdir(namespace_dir))
                             if os.path.isdir(os.path.join(namespace_dir, name)))
    return found


def signature(path: str) -> str:
    info = os.stat(path)
    return f"{path}:{info.st_size}:{info.st_mtime_ns}"


def collection_signatures(collection: str, folders=SOURCE_FOLDERS) -> list[str]:
    """An installed collection by its manifest (rewritten by every install); one run from source by the files under
    ``folders`` (its module files unless told)."""
    manifest = os.path.join(collection, "MANIFEST.json")
    if os.path.isfile(manifest):
        return [signature(manifest)]
    signatures = []
    for folder in folders:
        for parent, dirs, files in os.walk(os.path.join(collection, *folder)):
            dirs.sort()
            signatures.extend(signature(os.path.join(parent, name)) for name in sorted(files))
    return signatures


def fingerprint(search_paths, store_format: str = PAYLOAD_FORMAT, folders=SOURCE_FOLDERS) -> str:
    """What a store's contents were made from: its format, ansible-core, Python, and every collection (``folders`` of
    one run from source)."""
    digest = hashlib.sha256(f"{store_format}\n{ansible_core_version}\n{sys.version}\n".encode())
    for collection in collection_dirs(search_paths):
        for line in [collection, *collection_signatures(collection, folders)]:
            digest.update(line.encode() + b"\n")
    return digest.hexdigest()[:32]


def prune(root: str, keep: str, keep_days: int) -> None:
    """Remove the fingerprint folders other than ``keep`` that no run has used for ``keep_days``."""
    horizon = time.time() - keep_days * 86400
    for name in os.listdir(root):
        folder = os.path.join(root, name)
        if name != keep and os.path.isdir(folder) and os.stat(folder).st_mtime < horizon:
            shutil.rmtree(folder, ignore_errors=True)


def use_store(root: str, key: str, keep_days: int) -> str:
    """The folder ``key`` under ``root``, made when missing (private to the user: what it holds is run as code) and
    marked in use; the other folders unused for ``keep_days`` removed."""
    store = os.path.join(root, key)
    os.makedirs(store, mode=0o700, exist_ok=True)
    os.utime(store)  # in use: not pruned
    prune(root, key, keep_days)
    return store


def shareable(name: str) -> bool:
    """A finished payload of a module resolved by its full name (not a lock or a copy under way)."""
    return name.startswith(SHAREABLE) and not name.endswith((".lock", "-part"))


def link_into(store: str, run_cache: str) -> None:
    """Link each kept payload into this run's cache folder, where Ansible looks for its own."""
    os.makedirs(run_cache, exist_ok=True)
    for name in os.listdir(store):
        if shareable(name):
            target = os.path.join(run_cache, name)
            if not os.path.lexists(target):
                os.symlink(os.path.join(store, name), target)


@functools.lru_cache(maxsize=None)
def bytecode_of(filename: str, source: bytes) -> bytes:
    """``source`` compiled as a .pyc file: unchecked-hash based, so zipimport takes it without comparing times, and a
    Python whose magic number differs skips it for the source. Kept per run: the payloads share most of their files."""
    code = compile(source, filename, "exec", dont_inherit=True)
    # PEP 552's layout, from public parts: magic number, flags (hash-based, unchecked), source hash, marshalled code.
    return importlib.util.MAGIC_NUMBER + UNCHECKED_HASH_PYC + importlib.util.source_hash(source) + marshal.dumps(code)


def with_bytecode(archive: bytes) -> bytes:
    """The zip ``archive`` with each ``<name>.py`` compiled beside it as ``<name>.pyc``, where zipimport looks first."""
    source = zipfile.ZipFile(io.BytesIO(archive))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as compiled:
        for entry in source.infolist():
            data = source.read(entry)
            compiled.writestr(entry, data)
            if entry.filename.endswith(".py"):
                bytecode = zipfile.ZipInfo(f"{entry.filename}c", date_time=entry.date_time)
                bytecode.compress_type = entry.compress_type
                compiled.writestr(bytecode, bytecode_of(entry.filename, data))
    return output.getvalue()


def compiled_payload(built: bytes) -> bytes:
    """A payload file as Ansible writes it (a pickled ``_CachedModule``), its zip given bytecode; ``built`` unchanged when
    it is not one (another ansible-core's format): a payload is then kept as Ansible built it."""
    try:
        payload = pickle.loads(built)
        return pickle.dumps(dataclasses.replace(payload, zip_data=base64.b64encode(with_bytecode(base64.b64decode(payload.zip_data)))))
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError, binascii.Error,
            zipfile.BadZipFile, SyntaxError):
        return built


def keep_new(run_cache: str, store: str) -> None:
    """Add the payloads this run built to the store, compiled, each whole or not at all (a rename)."""
    for name in os.listdir(run_cache) if os.path.isdir(run_cache) else ():
        built = os.path.join(run_cache, name)
        kept = os.path.join(store, name)
        if not shareable(name) or os.path.islink(built) or os.path.exists(kept):
            continue
        partial = f"{kept}.{os.getpid()}-part"
        with open(built, "rb") as payload, open(partial, "wb") as copy:
            copy.write(compiled_payload(payload.read()))
        os.replace(partial, kept)


class CallbackModule(CallbackBase):
    """Links the kept payloads in as the run starts, keeps the new ones as it ends."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "shoppulse.analytics.module_cache"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, display=None):
        super().__init__(display=display)
        self.store = None
        self.run_cache = os.path.join(C.DEFAULT_LOCAL_TMP, "ansiballz_cache")

    def set_options(self, task_keys=None, var_options=None, direct=None):
        super().set_options(task_keys=task_keys, var_options=var_options, direct=direct)
        root = os.path.expanduser(self.get_option("dir"))
        try:
            self.store = use_store(root, fingerprint(AnsibleCollectionConfig.collection_paths), self.get_option("keep_days"))
            link_into(self.store, self.run_cache)
        except OSError as e:
            self._display.vvv(f"module_cache: {root} not used: {e}")
            self.store = None

    def v2_playbook_on_stats(self, stats):
        if self.store is None:
            return
        try:
            keep_new(self.run_cache, self.store)
        except OSError as e:
            self._display.vvv(f"module_cache: the payloads of this run were not kept in {self.store}: {e}")
