# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: controller
short_description: Execute on the controller as ansible.builtin.local does, a Python module inside the task's worker
version_added: 0.17.0
description:
  - The same connection as C(ansible.builtin.local) in every respect but one. A module that C(ansible.builtin.local)
    would start as a new process of the controller's own Python - pipelined or from the file it put in the task's
    temporary folder, without C(become), without an C(environment), from a collection listed in
    O(in_worker_collections) - runs inside the task's worker instead.
  - The worker is the fork of the controller that runs one task. It already holds a started Python with ansible-core,
    the collections' code and boto3 imported, which a new process starts and imports again for each module; an AWS
    module's process took about 0.38 s of CPU on a 2-core machine, most of it before the module's first line.
  - The module runs from the same payload ansible-core built for the process (its AnsiballZ wrapper), with the same
    arguments, check mode and diff, in the task's folder, and reports through its standard output and exit code as
    the process would. What the module changes in the worker (folder, environment, C(sys.path), umask, open-file
    limit, signal handlers, locale, its exit handlers) is put back after it, as a process's end would. An interrupted
    run (SIGINT) interrupts the module as it would its process, so that its cleanup runs, then ends the worker as
    before. The module's temporary files (its unpacked payload among them) go to the run's own temporary folder,
    which the controller removes as it ends, even when a worker was killed.
  - Anything else (another interpreter, C(become), an C(environment), a module of another collection, a command) runs
    as C(ansible.builtin.local) runs it.
options:
  in_worker_collections:
    description: The collections whose Python modules run inside the task's worker.
    type: list
    elements: str
    default: [amazon.aws, community.aws, community.postgresql, shoppulse.analytics]
    vars:
      - name: ansible_controller_in_worker_collections
  become_success_timeout:
    type: int
    default: 10
    description:
      - As C(ansible.builtin.local)'s. Number of seconds to wait for become to succeed when enabled.
    vars:
      - name: ansible_local_become_success_timeout
  become_strip_preamble:
    type: bool
    default: true
    description:
      - As C(ansible.builtin.local)'s. Strip internal become output preceding command execution.
    vars:
      - name: ansible_local_become_strip_preamble
extends_documentation_fragment:
  - ansible.builtin.connection_pipelining
notes:
  - Pipelining is not needed. Where it is on and C(PYTHONUNBUFFERED) is set, Python reads a pipelined module one byte
    at a time from its standard input, which makes each module still run as a process slower.
  - The remote user is ignored, the user with which the ansible CLI was executed is used instead.
"""

import atexit
import contextlib
import io
import locale
import os
import re
import resource
import shlex
import signal
import sys
import tempfile
import traceback

import ansible.constants as C
from ansible.module_utils import _internal as module_side
from ansible.module_utils import basic
from ansible.module_utils._internal import _traceback
from ansible.module_utils.common import warnings
from ansible.plugins.connection import local
from ansible.utils.display import Display

display = Display()

# The wrapper ansible-core builds for a Python module (ansible/_internal/_ansiballz/_wrapper.py): its marker, and the
# module it runs, one argument a line of the call that ends it.
WRAPPER_MARK = b"\n_ANSIBALLZ_WRAPPER = True\n"
MODULE_FQN = re.compile(rb"^module_fqn='ansible_collections\.(\w+)\.(\w+)\.plugins\.modules\.[\w.]+',$", re.MULTILINE)
# Signals a module may take for itself, given back to the worker's handlers afterwards.
SIGNALS = (signal.SIGALRM, signal.SIGTERM, signal.SIGINT, signal.SIGPIPE)


class Interrupted(Exception):
    """The worker was sent SIGINT (the run's Ctrl-C) while the module ran: the module has ended as a Python process
    ends on it, and the worker now ends as it does on it."""


def interrupt(signum, frame):
    """A module's SIGINT, as a new Python process takes it: KeyboardInterrupt, so that the module's cleanup (its
    wrapper removes the payload it unpacked) runs before the worker ends."""
    del signum, frame
    raise KeyboardInterrupt


def exit_status(code) -> tuple[int, str]:
    """The exit code of a process that raised SystemExit(code), and what it printed to stderr, as Python does."""
    if code is None:
        return 0, ""
    if isinstance(code, int):
        return code, ""
    return 1, f"{code}\n"


@contextlib.contextmanager
def module_process(cwd: str | None, path: str, stdout: io.StringIO, stderr: io.StringIO):
    """The worker as a new Python process would be for a module: in ``cwd``, its output in ``stdout`` and ``stderr``,
    ansible's module_utils in their module-side mode; afterwards the exit handlers it registered are run, as at a
    process's end, and everything it may have changed is put back."""
    saved = {
        "cwd": os.getcwd(), "environ": dict(os.environ), "path": (sys.path, list(sys.path)), "argv": sys.argv,
        "stdin": sys.stdin, "umask": os.umask(0o022), "nofile": resource.getrlimit(resource.RLIMIT_NOFILE),
        "locale": locale.setlocale(locale.LC_ALL), "tempdir": tempfile.tempdir,
        "signals": {number: signal.getsignal(number) for number in SIGNALS},
        "controller": (module_side.is_controller, module_side.get_controller_serialize_map, module_side.import_controller_module,
                       _traceback._is_traceback_enabled),  # pylint: disable=protected-access
        "args": (basic._ANSIBLE_ARGS, basic._ANSIBLE_PROFILE),  # pylint: disable=protected-access
    }
    os.umask(saved["umask"])
    signal.signal(signal.SIGINT, interrupt)
    # The run's own temporary folder, which the controller removes as it ends, even after the worker was killed: the
    # wrapper unpacks the module's payload there, and the module makes its temporary files there.
    tempfile.tempdir = C.DEFAULT_LOCAL_TMP
    exit_handlers = []
    register = atexit.register
    try:
        if cwd:
            os.chdir(cwd)
        sys.argv = [path]  # the script's file, or "" for one read from standard input
        sys.stdin = io.StringIO()
        atexit.register = lambda func, *args, **kwargs: exit_handlers.append((func, args, kwargs)) or func
        module_side.is_controller = False
        module_side.get_controller_serialize_map = dict
        module_side.import_controller_module = lambda _name: None
        _traceback._is_traceback_enabled = _traceback._is_module_traceback_enabled  # pylint: disable=protected-access
        warnings._global_warnings.clear()  # pylint: disable=protected-access
        warnings._global_deprecations.clear()  # pylint: disable=protected-access
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            yield
            for func, args, kwargs in reversed(exit_handlers):
                try:
                    func(*args, **kwargs)
                except Exception:  # pylint: disable=broad-exception-caught  # reported as Python reports it at exit
                    stderr.write(f"Exception ignored in atexit callback {func!r}:\n{traceback.format_exc()}")
    finally:
        atexit.register = register
        (module_side.is_controller, module_side.get_controller_serialize_map, module_side.import_controller_module,
         _traceback._is_traceback_enabled) = saved["controller"]  # pylint: disable=protected-access
        basic._ANSIBLE_ARGS, basic._ANSIBLE_PROFILE = saved["args"]  # pylint: disable=protected-access
        warnings._global_warnings.clear()  # pylint: disable=protected-access
        warnings._global_deprecations.clear()  # pylint: disable=protected-access
        for number, handler in saved["signals"].items():
            signal.signal(number, handler)
        resource.setrlimit(resource.RLIMIT_NOFILE, saved["nofile"])
        locale.setlocale(locale.LC_ALL, saved["locale"])
        tempfile.tempdir = saved["tempdir"]
        os.umask(saved["umask"])
        sys.argv, sys.stdin, sys.path = saved["argv"], saved["stdin"], saved["path"][0]  # the wrapper makes a new list
        sys.path[:] = saved["path"][1]
        os.environ.clear()
        os.environ.update(saved["environ"])
        os.chdir(saved["cwd"])


def run_wrapper(wrapper: bytes, path: str, cwd: str | None) -> tuple[int, bytes, bytes]:
    """Run a module's AnsiballZ wrapper as ``python3 <path>`` would, or ``python3`` reading it from standard input
    when ``path`` is empty: its exit code, its standard output and its standard error."""
    stdout, stderr = io.StringIO(), io.StringIO()
    code = compile(wrapper, path or "<stdin>", "exec")
    with module_process(cwd, path, stdout, stderr):
        try:
            exec(code, {"__name__": "__main__", "__builtins__": __builtins__})  # pylint: disable=exec-used  # the module's own wrapper
            rc, said = 0, ""
        except SystemExit as ended:
            rc, said = exit_status(ended.code)
        except KeyboardInterrupt:
            rc, said = -signal.SIGINT, ""
        except Exception:  # pylint: disable=broad-exception-caught  # as the interpreter reports an uncaught exception
            rc, said = 1, traceback.format_exc()
        stderr.write(said)
    if rc == -signal.SIGINT:  # the worker's own SIGINT handler, put back, ends it (and what it started) as before
        os.kill(os.getpid(), signal.SIGINT)
        raise Interrupted("interrupted while the module ran")
    return rc, stdout.getvalue().encode("utf-8", "surrogateescape"), stderr.getvalue().encode("utf-8", "surrogateescape")


class Connection(local.Connection):
    """ansible.builtin.local, with the Python modules of the listed collections run inside the task's worker."""

    def built_for(self, path: str) -> str:
        """The command ActionBase builds to run a module with this very interpreter and no environment string (from
        ``path``, or pipelined when it is empty), run by the default shell."""
        run = self._shell.append_command(self._shell.build_module_command("", f"#!{sys.executable}", path), "sleep 0")
        return f"{C.DEFAULT_EXECUTABLE} -c {shlex.quote(run)}"

    def payload(self, cmd, in_data: bytes | None, sudoable: bool) -> tuple[bytes, str] | None:
        """The AnsiballZ wrapper ``cmd`` runs and its file name (empty when pipelined), when ``cmd`` is ansible-core's
        run of a listed collection's module by this very interpreter with nothing (become, environment) around it."""
        if not isinstance(cmd, str) or (sudoable and self.become):
            return None
        wrapper, path = None, ""
        if in_data:
            if self.get_option("pipelining") and cmd == self.built_for(""):
                wrapper = in_data
        else:
            # Not pipelined: the wrapper ansible-core has just put in the task's temporary folder.
            try:
                path = shlex.split(shlex.split(cmd)[2])[1]
            except (ValueError, IndexError):
                return None
            tmpdir = self._shell.tmpdir
            if (tmpdir and os.path.dirname(path) == tmpdir.rstrip("/") and os.path.basename(path).startswith("AnsiballZ_")
                    and cmd == self.built_for(path) and os.path.isfile(path)):
                with open(path, "rb") as module_file:
                    wrapper = module_file.read()
        if wrapper is None or WRAPPER_MARK not in wrapper[:4096]:
            return None
        found = MODULE_FQN.search(wrapper)
        listed = found is not None and f"{found[1].decode()}.{found[2].decode()}" in self.get_option("in_worker_collections")
        return (wrapper, path) if listed else None

    def exec_command(self, cmd: str, in_data: bytes | None = None, sudoable: bool = True) -> tuple[int, bytes, bytes]:
        payload = self.payload(cmd, in_data, sudoable)
        if payload is None:
            return super().exec_command(cmd, in_data=in_data, sudoable=sudoable)
        self._connect()
        display.vvv(f"EXEC {cmd} (in the task's worker)", host=self._play_context.remote_addr)
        return run_wrapper(*payload, self.cwd.decode("utf-8", "surrogateescape") if isinstance(self.cwd, bytes) else self.cwd)
