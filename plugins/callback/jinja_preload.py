# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: jinja_preload
type: aggregate
short_description: Load the Jinja filter and test plugins and the connection plugins once, in the controller, for every task's worker
version_added: 0.9.0
description:
  - Ansible runs each task in a worker process forked from the controller, and a worker loads the filter and test
    plugins its templates use for itself, then exits. For a collection's filter, ansible-core's loader imports every
    filter file of the collection, compiling each from source, and the modules they import; its own filters and tests
    are loaded whole. A run of C(site.yml) did this in about 140 of its some 230 workers.
  - This callback loads them in the controller as the playbook starts - ansible-core's filters and tests, and the
    filter and test files of the collections named in O(collections) - so that each worker, a fork of the controller,
    finds them loaded.
  - It also loads the connection plugins of those collections, such as P(shoppulse.analytics.controller#connection),
    with the configuration their documentation declares. Without this, every worker of a task that connects imports
    the plugin and parses that documentation again, 85 workers in a converged re-run of C(site.yml) on the local
    environment.
  - Then, as each play and each task starts, it moves the objects the controller holds (the parsed playbook, the
    inventory, the loaded plugins, what the tasks before registered) out of reach of Python's garbage collector
    (C(gc.freeze)), as Python's documentation advises right before forking. The collections a worker's garbage
    collector makes then leave those memory pages shared with the controller instead of copying them.
  - Only the time a run takes changes. A plugin file that fails to load here is left to the worker, which reports it
    as before.
options:
  collections:
    description: The collections whose filter, test and connection plugins are loaded in the controller.
    type: list
    elements: str
    default: [shoppulse.analytics, ansible.utils]
    env:
      - name: SHOPPULSE_JINJA_PRELOAD_COLLECTIONS
    ini:
      - section: callback_jinja_preload
        key: collections
"""

import gc
import importlib
import pkgutil

from ansible.plugins.callback import CallbackBase
from ansible.plugins.loader import connection_loader, filter_loader, test_loader

PLUGIN_TYPES = ("filter", "test")


def collection_plugin_modules(collection: str, plugin_type: str) -> list[str]:
    """The Python modules of a collection's plugins of one type, by the names ansible-core's loader imports them as."""
    package_name = f"ansible_collections.{collection}.plugins.{plugin_type}"
    try:
        package = importlib.import_module(package_name)
    except ImportError:
        return []
    return [name for _finder, name, is_package in pkgutil.iter_modules(package.__path__, prefix=f"{package_name}.")
            if not is_package]


def preload(collections) -> list[str]:
    """Load ansible-core's filters and tests, the named collections' filter and test modules and their connection
    plugins; the modules that failed to load (left to the workers, which report them)."""
    for loader in (filter_loader, test_loader):
        for _plugin in loader.all():
            pass
    failed = []
    for collection in collections:
        for plugin_type in PLUGIN_TYPES:
            for name in collection_plugin_modules(collection, plugin_type):
                try:
                    importlib.import_module(name)
                except Exception:  # pylint: disable=broad-exception-caught  # the worker's loader reports it, as without this
                    failed.append(name)
        # Through the loader rather than imported: the loader keeps the module and the configuration definitions its
        # documentation declares, which a worker's connection would otherwise read again.
        for name in collection_plugin_modules(collection, "connection"):
            try:
                connection_loader.get(f"{collection}.{name.rsplit('.', 1)[-1]}", class_only=True)
            except Exception:  # pylint: disable=broad-exception-caught  # the worker's loader reports it, as without this
                failed.append(name)
    return failed


class CallbackModule(CallbackBase):
    """Loads the Jinja and connection plugins as the playbook starts; freezes the controller's objects before each worker is forked."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "shoppulse.analytics.jinja_preload"
    CALLBACK_NEEDS_ENABLED = True

    def v2_playbook_on_start(self, playbook):
        failed = preload(self.get_option("collections"))
        if failed:
            self._display.vvv(f"jinja_preload: left to the workers: {', '.join(failed)}")

    def v2_playbook_on_play_start(self, play):
        gc.freeze()

    # The worker of a task is forked right after its start is announced; until then the controller has made new
    # objects (a task's results, templated variables) that a freeze at the play's start missed.
    def v2_playbook_on_task_start(self, task, is_conditional):
        gc.freeze()

    def v2_playbook_on_handler_task_start(self, task):
        gc.freeze()
