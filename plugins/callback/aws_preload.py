# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
name: aws_preload
type: aggregate
short_description: Prepare, once in the controller, what the collection's in-process AWS reads need in every worker
version_added: 0.14.0
description:
  - Some of the collection's AWS modules have action plugins that run them in the task's worker on the controller
    where the module would run on the controller's own Python anyway (P(shoppulse.analytics.rds_layer_info#module) and
    the others listed in C(plugins/action)). A worker is a fork of the controller that lives for one task.
  - As the playbook starts, this callback imports those action plugins in the controller, with boto3 and the amazon.aws
    code they use; before the first task that runs one of them, it reads the botocore data their clients need (the
    service list, the partitions and the service models). Each worker then finds both in memory instead of reading
    them again, which takes most of a read's time.
  - Only the time a run takes changes; no credentials are read here. Without this callback each worker reads them for
    itself, as a module would.
"""

import importlib
import pkgutil

from ansible.plugins.callback import CallbackBase

ACTIONS = "ansible_collections.shoppulse.analytics.plugins.action"


def in_process_actions() -> dict[str, object]:
    """The collection's in-process action plugins by module name, imported."""
    package = importlib.import_module(ACTIONS)
    found = {}
    for _finder, name, _is_package in pkgutil.iter_modules(package.__path__):
        plugin = importlib.import_module(f"{ACTIONS}.{name}")
        if getattr(plugin.ActionModule, "MODULE", None) is not None:
            found[f"shoppulse.analytics.{name}"] = plugin
    return found


class CallbackModule(CallbackBase):
    """Imports the in-process actions as the playbook starts; reads botocore's data before the first task of one."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "shoppulse.analytics.aws_preload"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.actions = {}

    def v2_playbook_on_start(self, playbook):
        try:
            self.actions = in_process_actions()
        except ImportError as e:  # boto3 missing: each worker reports it as the module would
            self._display.vvv(f"aws_preload: left to the workers: {e}")

    def v2_playbook_on_task_start(self, task, is_conditional):
        plugin = self.actions.get(task.action)
        if plugin is not None:
            importlib.import_module("ansible_collections.shoppulse.analytics.plugins.plugin_utils.in_process").warm()
