# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the rds_proxy role: what is wrong with its settings, and whether a proxy already has what a call of the
module would give it."""

from __future__ import annotations

from ansible_collections.shoppulse.analytics.plugins.module_utils.rds_proxy import IDENTIFIER
from ansible_collections.shoppulse.analytics.plugins.module_utils.rds_proxy import RANGES
from ansible_collections.shoppulse.analytics.plugins.module_utils.rds_proxy import as_declared
from ansible_collections.shoppulse.analytics.plugins.module_utils.waits import delay_errors

# The role's variables whose ranges are the module's own (module_utils/rds_proxy.py RANGES), by the module's option.
RANGED = {"rds_proxy_idle_client_timeout": "idle_client_timeout",
          "rds_proxy_max_connections_percent": "connection_pool.max_connections_percent",
          "rds_proxy_connection_borrow_timeout": "connection_pool.connection_borrow_timeout"}


def rds_proxy_settings_errors(settings: dict) -> list[str]:
    """Return one message per setting of the rds_proxy role (its variables, by name) that the RDS API would reject or
    that cannot work; the pool's and the waits' only where the proxy is to be present."""
    name = str(settings["rds_proxy_name"])
    # The module's identifier rule (RDS API reference, CreateDBProxy: DBProxyName), and two characters at least.
    errors = [] if len(name) > 1 and IDENTIFIER.match(name) else [
        f"rds_proxy_name: {name} must be 2 to 63 letters, digits or hyphens, start with a letter, not end with a hyphen nor contain '--'"]
    if settings.get("rds_proxy_state", "present") != "present":
        return errors
    value = {key: int(settings[key]) for key in (*RANGED, "rds_proxy_max_idle_connections_percent", "rds_proxy_wait_timeout",
                                                 "rds_proxy_wait_delay")}
    for key, option in RANGED.items():
        low, high = RANGES[option]
        if not low <= value[key] <= high:
            errors.append(f"{key}: {value[key]} is outside {low}-{high}")
    idle, most = value["rds_proxy_max_idle_connections_percent"], value["rds_proxy_max_connections_percent"]
    if not 0 <= idle <= most:
        errors.append(f"rds_proxy_max_idle_connections_percent: {idle} is outside 0-{most} (rds_proxy_max_connections_percent)")
    timeout = value["rds_proxy_wait_timeout"]
    if timeout < 1:
        errors.append(f"rds_proxy_wait_timeout: {timeout} must be a positive number of seconds")
    return errors + delay_errors("rds_proxy_wait_delay", value["rds_proxy_wait_delay"], "rds_proxy_wait_timeout", timeout)


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
        return {"rds_proxy_settings_errors": rds_proxy_settings_errors,
                "rds_proxy_as_declared": rds_proxy_as_declared,
                "rds_proxy_pool_and_targets_as_declared": rds_proxy_pool_and_targets_as_declared}
