# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the rds_proxy role: whether a proxy already has what a call of the module would give it."""

from __future__ import annotations

from ansible_collections.shoppulse.analytics.plugins.module_utils.rds_proxy import POOL
from ansible_collections.shoppulse.analytics.plugins.module_utils.rds_proxy import pool_request
from ansible_collections.shoppulse.analytics.plugins.module_utils.rds_proxy import target_changes


def rds_proxy_pool_and_targets_as_declared(proxy: dict | None, pool: dict | None, instances: list[str]) -> bool:
    """Whether shoppulse.analytics.rds_proxy, given this pool and these instances as its only targets, would change
    nothing on ``proxy`` (the module's own ``proxy`` result): the proxy available, every declared pool setting as
    declared, and exactly ``instances`` registered - the comparisons the module makes itself."""
    if not proxy or proxy.get("status") != "available":
        return False
    current = (proxy.get("target_group") or {}).get("connection_pool_config") or {}
    target_group = {"ConnectionPoolConfig": {key: current[option] for option, key in POOL.items() if option in current}}
    targets = [{"RdsResourceId": target.get("rds_resource_id"), "Type": target.get("type"),
                "TrackedClusterId": target.get("tracked_cluster_id")} for target in proxy.get("targets") or []]
    return not pool_request(target_group, pool)[0] and not any(target_changes(targets, instances, None, True).values())


class FilterModule:
    """Proxy filters."""

    def filters(self):
        return {"rds_proxy_pool_and_targets_as_declared": rds_proxy_pool_and_targets_as_declared}
