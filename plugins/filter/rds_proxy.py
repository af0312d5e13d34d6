# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the rds_proxy role: whether a proxy already has what a call of the module would give it."""

from __future__ import annotations

from ansible_collections.shoppulse.analytics.plugins.module_utils.rds_proxy import as_declared


def rds_proxy_as_declared(proxy: dict | None, options: dict) -> bool:
    """Whether shoppulse.analytics.rds_proxy, given ``options`` (its options, as the task gives them), would change
    nothing on ``proxy`` (its own ``proxy`` result, or an entry of rds_proxy_info's ``proxies``): the comparisons the
    module makes itself, in module_utils/rds_proxy.py."""
    return as_declared(proxy, options)


def rds_proxy_pool_and_targets_as_declared(proxy: dict | None, pool: dict | None, instances: list[str]) -> bool:
    """Whether shoppulse.analytics.rds_proxy, given this pool and these instances as its only targets, would change
    nothing on ``proxy`` (the module's own ``proxy`` result) and wait for nothing: the proxy available, every declared
    pool setting as declared, and exactly ``instances`` registered."""
    return bool(proxy) and proxy.get("status") == "available" \
        and as_declared(proxy, {"connection_pool": pool, "db_instance_identifiers": instances})


class FilterModule:
    """Proxy filters."""

    def filters(self):
        return {"rds_proxy_as_declared": rds_proxy_as_declared,
                "rds_proxy_pool_and_targets_as_declared": rds_proxy_pool_and_targets_as_declared}
