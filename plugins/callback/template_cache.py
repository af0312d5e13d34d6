# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: template_cache
type: aggregate
short_description: Keep the code Jinja compiles each template into, for every later task and run
version_added: 0.16.0
description:
  - Ansible compiles every template and conditional it renders - Jinja parses it and generates Python code, which
    Python then compiles - in the task's worker, a fork of the controller that lives for one task, so that what one
    task compiled is lost for the next. A converged re-run of C(site.yml) compiled some 1,800 of them, about a
    quarter of its workers' time.
  - This callback keeps the compiled code of each template in O(dir), as Jinja's own bytecode cache keeps a loaded
    template's, under a key made of the template's text and of every setting that shapes the code Jinja makes from it
    (the environment's delimiters and whitespace rules, its extensions, Ansible's escaping of backslashes); a template
    is compiled once, and every later task and run of the same stack loads its code instead.
  - The store is a folder named by a fingerprint of what generates the code - Jinja, ansible-core and Python versions,
    Ansible's template settings, and each collection's filter and test plugins - so a run never loads code another
    version made; folders unused for O(keep_days) are removed. The store is private to the user (mode 0700), as the code
    in it is run.
  - A template that fails to compile is never kept, so its error is reported as before. The code looks up each filter
    and test by name as it runs, so one that has since gone still fails the task, naming it.
  - Only the time a run takes changes. When O(dir) cannot be used, or ansible-core's templating is not the one this
    callback knows, the run goes on without it.
options:
  dir:
    description: Where the compiled templates are kept.
    type: path
    default: ~/.ansible/template_cache
    env:
      - name: SHOPPULSE_TEMPLATE_CACHE_DIR
    ini:
      - section: callback_template_cache
        key: dir
  keep_days:
    description: Fingerprint folders not used for this many days are removed at the start of a run.
    type: int
    default: 7
    env:
      - name: SHOPPULSE_TEMPLATE_CACHE_KEEP_DAYS
    ini:
      - section: callback_template_cache
        key: keep_days
"""

import hashlib
import marshal
import os
import threading

import jinja2
from jinja2.environment import TemplateExpression

from ansible import constants as C
from ansible.plugins.callback import CallbackBase
from ansible.utils.collection_loader import AnsibleCollectionConfig

from ansible_collections.shoppulse.analytics.plugins.callback.module_cache import fingerprint, use_store

try:
    from ansible._internal._templating._jinja_bits import AnsibleEnvironment, _TemplateCompileContext
except ImportError:  # another ansible-core's templating: the run goes on without the cache
    AnsibleEnvironment = _TemplateCompileContext = None

# What a kept file holds (the marshalled code object): a store of another format is another folder.
STORE_FORMAT = "jinja-code-1"
# The collection folders whose plugins a template's code names: a change to one is a new store.
PLUGIN_FOLDERS = (("plugins", "filter"), ("plugins", "test"))
# The Environment settings (Jinja's documented ones) that shape the code compiled from a template's text.
SETTINGS = ("block_start_string", "block_end_string", "variable_start_string", "variable_end_string",
            "comment_start_string", "comment_end_string", "line_statement_prefix", "line_comment_prefix",
            "trim_blocks", "lstrip_blocks", "newline_sequence", "keep_trailing_newline", "optimized", "autoescape",
            "is_async")


def store_fingerprint(search_paths) -> str:
    """The store's name: the code generators' versions and settings, and the collections' filters and tests."""
    generator = (f"{STORE_FORMAT}\n{jinja2.__version__}\n{C.config.get_config_value('ALLOW_EMBEDDED_TEMPLATES')}\n"
                 f"{C.config.get_config_value('DEFAULT_JINJA2_EXTENSIONS')}")
    return fingerprint(search_paths, generator, PLUGIN_FOLDERS)


def _text(value) -> bytes:
    return value.encode() if isinstance(value, str) else repr(value).encode()


def key_of(kind: str, environment, source: str, *arguments) -> str:
    """The key of ``source`` compiled as ``kind`` (a template or an expression) by ``environment`` with ``arguments``."""
    context = _TemplateCompileContext.current(optional=True)
    settings = (tuple(getattr(environment, name) for name in SETTINGS), sorted(environment.extensions),
                getattr(environment.finalize, "jinja_pass_arg", environment.finalize is not None),
                None if context is None else context.escape_backslashes, arguments)
    digest = hashlib.sha256(_text(kind) + b"\0" + _text(settings) + b"\0")
    digest.update(_text(source))
    return digest.hexdigest()


class CodeStore:
    """One file of marshalled code per key in ``folder``; a file is written whole or not at all (a rename)."""

    def __init__(self, folder: str):
        self.folder = folder

    def load(self, key: str):
        """The kept code, or None when there is none or it cannot be read (it is then compiled and written again)."""
        try:
            with open(os.path.join(self.folder, key), "rb") as kept:
                return marshal.load(kept)
        except (OSError, EOFError, ValueError, TypeError):
            return None

    def keep(self, key: str, code) -> None:
        kept = os.path.join(self.folder, key)
        partial = f"{kept}.{os.getpid()}-part"
        try:
            with open(partial, "wb") as output:
                marshal.dump(code, output)
            os.replace(partial, kept)
        except OSError:
            pass  # kept by a later run


def install(store: CodeStore) -> bool:
    """Make ansible-core's Jinja environment compile through ``store`` (once a process); False, nothing changed, when
    this ansible-core's templating is not the one known here."""
    if AnsibleEnvironment is None:
        return False
    if getattr(AnsibleEnvironment, "_shoppulse_code_store", None) is not None:
        return True
    compile_source = AnsibleEnvironment.compile
    compile_expression = AnsibleEnvironment.compile_expression
    # The code compiled from the node tree that compile_expression parses, while one is being kept (per thread, so that
    # another thread's compile is never kept under this expression's key).
    local = threading.local()

    def cacheable(environment) -> bool:
        return not environment._debuggable_template_source  # pylint: disable=protected-access  # ansible's debug mode writes its own files

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):  # pylint: disable=redefined-builtin  # Jinja's name
        if raw or not isinstance(source, str) or not cacheable(self):
            code = compile_source(self, source, name, filename, raw, defer_init)
            made = getattr(local, "made", None)
            if made and not raw:
                made[-1] = code
            return code
        key = key_of("template", self, source, name, filename, defer_init)
        code = store.load(key)
        if code is None:
            code = compile_source(self, source, name, filename, raw, defer_init)
            store.keep(key, code)
        return code

    def compile_expression_cached(self, source, undefined_to_none=True):
        if not cacheable(self):
            return compile_expression(self, source, undefined_to_none)
        key = key_of("expression", self, source)
        code = store.load(key)
        if code is None:
            made = local.__dict__.setdefault("made", [])
            made.append(None)
            try:
                expression = compile_expression(self, source, undefined_to_none)
            finally:
                code = made.pop()
            if code is not None:
                store.keep(key, code)
            return expression
        # What Jinja's compile_expression returns for this code: a template of it, called for its ``result``.
        return TemplateExpression(self.template_class.from_code(self, code, self.make_globals(None), None), undefined_to_none)

    AnsibleEnvironment.compile = compile
    AnsibleEnvironment.compile_expression = compile_expression_cached
    AnsibleEnvironment._shoppulse_code_store = store  # pylint: disable=protected-access  # marks the class as done
    return True


class CodeStoreCallback(CallbackBase):
    """A callback that puts a CodeStore in place as it is loaded, in the controller, so that every task's worker
    inherits it: in the folder ``store_fingerprint`` names under its ``dir`` option, through ``install``."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NEEDS_ENABLED = True
    SERVES = ""  # what install hooks, for the message when it is not the one known here

    def store_fingerprint(self) -> str:
        raise NotImplementedError

    def install(self, store: CodeStore) -> bool:
        raise NotImplementedError

    def set_options(self, task_keys=None, var_options=None, direct=None):
        super().set_options(task_keys=task_keys, var_options=var_options, direct=direct)
        name = self.CALLBACK_NAME.rsplit(".", 1)[-1]
        root = os.path.expanduser(self.get_option("dir"))
        try:
            folder = use_store(root, self.store_fingerprint(), self.get_option("keep_days"))
        except OSError as e:
            self._display.vvv(f"{name}: {root} not used: {e}")
            return
        if not self.install(CodeStore(folder)):
            self._display.vvv(f"{name}: not used with this ansible-core's {self.SERVES}")


class CallbackModule(CodeStoreCallback):
    """Compiles ansible-core's templates through the store."""

    CALLBACK_NAME = "shoppulse.analytics.template_cache"
    SERVES = "templating"

    def store_fingerprint(self) -> str:
        return store_fingerprint(AnsibleCollectionConfig.collection_paths)

    def install(self, store: CodeStore) -> bool:
        return install(store)
