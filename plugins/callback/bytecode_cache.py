# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: bytecode_cache
type: aggregate
short_description: Keep the bytecode of the collections' Python, which ansible-core compiles at every import
version_added: 0.17.0
description:
  - Python keeps the bytecode of what it imports beside its source, but ansible-core's collection loader compiles a
    collection's Python (its plugins, module_utils and modules) from source at every import, in every process. A run
    compiles its callbacks, filters and action plugins as it starts, and each task's worker - a fork of the controller
    that lives for one task - compiles again what its task imports, such as a module the
    P(shoppulse.analytics.controller#connection) connection runs in the worker, with its module_utils.
  - This callback keeps the code compiled from each file in O(dir), under a key made of the file's name and its
    source, so a file is compiled once and every later import, task and run loads its code instead.
  - The store is a folder named by a fingerprint of the ansible-core and Python versions, each installed collection
    and every file under the C(plugins) folder of a collection run from its source (this checkout), so an edit makes a
    new folder; folders unused for O(keep_days) are removed. The store is private to the user (mode 0700), as the code
    in it is run. A file that fails to compile is never kept, so its error is reported as before.
  - It takes effect from the moment it is loaded, so it comes first in C(callbacks_enabled). Only the time a run takes
    changes. When O(dir) cannot be used, or ansible-core's collection loader is not the one this callback knows, the run
    goes on without it.
options:
  dir:
    description: Where the compiled code is kept.
    type: path
    default: ~/.ansible/bytecode_cache
    env:
      - name: SHOPPULSE_BYTECODE_CACHE_DIR
    ini:
      - section: callback_bytecode_cache
        key: dir
  keep_days:
    description: Fingerprint folders not used for this many days are removed at the start of a run.
    type: int
    default: 7
    env:
      - name: SHOPPULSE_BYTECODE_CACHE_KEEP_DAYS
    ini:
      - section: callback_bytecode_cache
        key: keep_days
"""

import hashlib

from ansible.utils.collection_loader import AnsibleCollectionConfig

from ansible_collections.shoppulse.analytics.plugins.callback.module_cache import fingerprint
from ansible_collections.shoppulse.analytics.plugins.callback.template_cache import CodeStore, CodeStoreCallback

try:
    from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionPkgLoaderBase as CollectionLoader
except ImportError:  # another ansible-core's collection loader: the run goes on without the cache
    CollectionLoader = None

# What a kept file holds (a marshalled code object): a store of another format is another folder.
STORE_FORMAT = "collection-bytecode-1"
# The folders of a collection run from source whose files make its part of the fingerprint.
SOURCE_FOLDERS = (("plugins",),)


def key_of(filename: str, source) -> str:
    """The key of ``source`` compiled as the module whose file is ``filename`` (which the code holds)."""
    digest = hashlib.sha256(filename.encode("utf-8", "surrogateescape") + b"\0")
    digest.update(source.encode() if isinstance(source, str) else source)
    return digest.hexdigest()


def install(store: CodeStore) -> bool:
    """Make ansible-core's collection loader compile through ``store`` (once a process); False, nothing changed, when
    this ansible-core's loader is not the one known here."""
    if CollectionLoader is None or not callable(getattr(CollectionLoader, "get_code", None)):
        return False
    if getattr(CollectionLoader, "_shoppulse_code_store", None) is not None:
        return True

    # As ansible-core's own get_code, which compiles the source each time, with the compile kept.
    def get_code(self, fullname):
        if self._compiled_code:
            return self._compiled_code
        filename = self.get_filename(fullname) or "<string>"
        source = self.get_source(fullname)
        if source is None:  # a synthetic package: no code at all
            return None
        key = key_of(filename, source)
        code = store.load(key)
        if code is None:
            code = compile(source=source, filename=filename, mode="exec", flags=0, dont_inherit=True)
            store.keep(key, code)
        self._compiled_code = code
        return code

    CollectionLoader.get_code = get_code
    CollectionLoader._shoppulse_code_store = store  # pylint: disable=protected-access  # marks the class as done
    return True


class CallbackModule(CodeStoreCallback):
    """Compiles the collections' Python through the store, from the moment it is loaded."""

    CALLBACK_NAME = "shoppulse.analytics.bytecode_cache"
    SERVES = "collection loader"

    def store_fingerprint(self) -> str:
        return fingerprint(AnsibleCollectionConfig.collection_paths, STORE_FORMAT, SOURCE_FOLDERS)

    def install(self, store: CodeStore) -> bool:
        return install(store)
