# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""shoppulse.analytics.ec2_vpc_security_group in the task's worker where it would run on the controller anyway."""

from __future__ import annotations

from ansible_collections.shoppulse.analytics.plugins.modules import ec2_vpc_security_group
from ansible_collections.shoppulse.analytics.plugins.plugin_utils.in_process import InProcessAction


class ActionModule(InProcessAction):
    MODULE = ec2_vpc_security_group
