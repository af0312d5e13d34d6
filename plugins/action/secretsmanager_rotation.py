# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""shoppulse.analytics.secretsmanager_rotation in the task's worker where it would run on the controller anyway."""

from __future__ import annotations

from ansible_collections.shoppulse.analytics.plugins.modules import secretsmanager_rotation
from ansible_collections.shoppulse.analytics.plugins.plugin_utils.in_process import InProcessAction


class ActionModule(InProcessAction):
    MODULE = secretsmanager_rotation
