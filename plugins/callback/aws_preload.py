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
    them again, which takes most of a read's time. That data is then frozen (C(gc.freeze)), so that a worker's garbage
    collector leaves its memory pages shared with the controller.
  - It also makes every boto3 session of the controller and its workers share one botocore data loader, and reads that
    data before the first task of an amazon.aws or community.aws module too. Such a module run in the task's worker
    (by the P(shoppulse.analytics.controller#connection) connection) makes a session of its own, whose loader would
    otherwise read the service models again. In a rollout of C(site.yml) on an empty local environment the service
    models were read 11 times this way, against 32 without, and the endpoints and partitions twice, against 44 times.
  - Only the time a run takes changes; no credentials are read here. Without this callback each worker reads them for
    itself, as a module would.
"""

import gc
import importlib

from ansible.plugins.callback import CallbackBase

from ansible_collections.shoppulse.analytics.plugins.callback.jinja_preload import collection_plugin_modules
from ansible_collections.shoppulse.analytics.plugins.plugin_utils import in_process


# The collections whose modules make boto3 sessions: with the loader shared (in_process.share_loader), a module of
# theirs run in the task's worker reads no model that warm has read.
AWS_COLLECTIONS = ("amazon.aws.", "community.aws.")


def in_process_actions() -> set[str]:
    """The module names of the collection's in-process action plugins of AWS modules, each imported."""
    found = set()
    for name in collection_plugin_modules("shoppulse.analytics", "action"):
        action = importlib.import_module(name).ActionModule
        if getattr(action, "MODULE", None) is not None and getattr(action, "AWS", True):
            found.add("shoppulse.analytics." + name.rsplit(".", 1)[-1])
    return found


class CallbackModule(CallbackBase):
    """Imports the in-process actions as the playbook starts; reads botocore's data before the first task of one."""

    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "shoppulse.analytics.aws_preload"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.actions = set()

    def v2_playbook_on_start(self, playbook):
        in_process.share_loader()
        try:
            self.actions = in_process_actions()
        except ImportError as e:  # a plugin that cannot be imported here is left to the workers, which report it
            self._display.vvv(f"aws_preload: left to the workers: {e}")

    def v2_playbook_on_task_start(self, task, is_conditional):
        # What warm read, out of the garbage collector's reach before this task's worker is forked: jinja_preload's
        # freeze at every task's start ran before this callback, and covers the later tasks.
        if (task.action in self.actions or (task.action or "").startswith(AWS_COLLECTIONS)) and in_process.warm():
            gc.freeze()
