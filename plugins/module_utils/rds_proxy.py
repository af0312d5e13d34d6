# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared code for the RDS Proxy modules: describe, validate, compare, wait, normalise.

botocore has paginators for every proxy Describe call but no waiters, so the waiters here poll ``Status`` and
``TargetHealth`` against a deadline and fail with the last state seen.
"""

from __future__ import annotations

import copy
import re
import time
from typing import Any, Callable

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

# Settings ModifyDBProxy changes in place: module option -> DBProxy key (and request key, except SecurityGroups).
MUTABLE = {
    "default_auth_scheme": "DefaultAuthScheme",
    "require_tls": "RequireTLS",
    "idle_client_timeout": "IdleClientTimeout",
    "debug_logging": "DebugLogging",
    "role_arn": "RoleArn",
}

# Settings fixed at creation: module option -> DBProxy key. Only a replacement changes them.
IMMUTABLE = {
    "engine_family": "EngineFamily",
    "vpc_subnet_ids": "VpcSubnetIds",
    "endpoint_network_type": "EndpointNetworkType",
    "target_connection_network_type": "TargetConnectionNetworkType",
}

# Connection pool suboption -> ConnectionPoolConfig key.
POOL = {
    "max_connections_percent": "MaxConnectionsPercent",
    "max_idle_connections_percent": "MaxIdleConnectionsPercent",
    "connection_borrow_timeout": "ConnectionBorrowTimeout",
    "session_pinning_filters": "SessionPinningFilters",
    "init_query": "InitQuery",
}

# Auth entry suboption -> UserAuthConfig key.
AUTH = {
    "auth_scheme": "AuthScheme",
    "secret_arn": "SecretArn",
    "iam_auth": "IAMAuth",
    "client_password_auth_type": "ClientPasswordAuthType",
    "description": "Description",
}

# The ranges the RDS API reference gives (CreateDBProxy, ConnectionPoolConfiguration).
RANGES = {
    "idle_client_timeout": (1, 28800),
    "connection_pool.max_connections_percent": (1, 100),
    "connection_pool.max_idle_connections_percent": (0, 100),
    "connection_pool.connection_borrow_timeout": (0, 300),
}

IDENTIFIER = re.compile(r"^[A-Za-z](?!.*--)[A-Za-z0-9-]{0,61}[A-Za-z0-9]$|^[A-Za-z]$")
SECRET_ARN = re.compile(r"^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$")

# Target health states that count as settled: a standalone instance must be AVAILABLE; an Aurora reader the
# proxy's read/write endpoint does not use reports UNUSED.
HEALTHY = {"AVAILABLE"}
HEALTHY_CLUSTER_MEMBER = {"AVAILABLE", "UNUSED"}

# Indirection so that unit tests can run the waiters without sleeping.
sleep: Callable[[float], None] = time.sleep
clock: Callable[[], float] = time.monotonic


class WaitTimeout(Exception):
    """A waiter's deadline passed; the message names the last state seen."""


# --- describe ---------------------------------------------------------------------------------------------------


@AWSRetry.jittered_backoff()
def describe_proxy(client, name: str) -> dict[str, Any] | None:
    """The proxy named ``name``, or None."""
    try:
        return client.describe_db_proxies(DBProxyName=name)["DBProxies"][0]
    except is_boto3_error_code("DBProxyNotFoundFault"):
        return None


@AWSRetry.jittered_backoff()
def list_proxies(client) -> list[dict[str, Any]]:
    """Every proxy of the account in the region, across pages."""
    return client.get_paginator("describe_db_proxies").paginate().build_full_result()["DBProxies"]


@AWSRetry.jittered_backoff()
def describe_target_group(client, name: str) -> dict[str, Any]:
    """The proxy's default target group (the only one the RDS API lets a proxy have)."""
    pages = client.get_paginator("describe_db_proxy_target_groups").paginate(DBProxyName=name, TargetGroupName="default")
    groups = pages.build_full_result()["TargetGroups"]
    return groups[0] if groups else {}


@AWSRetry.jittered_backoff()
def describe_targets(client, name: str) -> list[dict[str, Any]]:
    """The targets of the proxy's default target group, with their health."""
    pages = client.get_paginator("describe_db_proxy_targets").paginate(DBProxyName=name, TargetGroupName="default")
    return pages.build_full_result()["Targets"]


@AWSRetry.jittered_backoff()
def list_tags(client, arn: str) -> dict[str, str]:
    """A resource's tags as a plain dict."""
    return boto3_tag_list_to_ansible_dict(client.list_tags_for_resource(ResourceName=arn)["TagList"])


@AWSRetry.jittered_backoff()
def describe_endpoints(client, proxy_name: str | None = None, endpoint_name: str | None = None) -> list[dict[str, Any]]:
    """Proxy endpoints, of one proxy and/or by name; [] when the proxy or endpoint does not exist."""
    params = {key: value for key, value in (("DBProxyName", proxy_name), ("DBProxyEndpointName", endpoint_name)) if value}
    try:
        return client.get_paginator("describe_db_proxy_endpoints").paginate(**params).build_full_result()["DBProxyEndpoints"]
    except is_boto3_error_code(["DBProxyNotFoundFault", "DBProxyEndpointNotFoundFault"]):
        return []


def read_proxy(client, name: str) -> dict[str, Any] | None:
    """The proxy with its tags, default target group and targets, in boto3's shapes; None when absent."""
    proxy = describe_proxy(client, name)
    if proxy is None:
        return None
    return {
        "proxy": proxy,
        "tags": list_tags(client, proxy["DBProxyArn"]),
        "target_group": describe_target_group(client, name),
        "targets": describe_targets(client, name),
    }


# --- validate ---------------------------------------------------------------------------------------------------


def validation_errors(params: dict[str, Any]) -> list[str]:
    """What is wrong with the options by the RDS API reference's rules, before any call; [] when nothing is."""
    errors = []
    if not IDENTIFIER.match(params["name"] or ""):
        errors.append(f"name: {params['name']!r} must be 1 to 63 letters, digits or hyphens, start with a letter, "
                      "and neither end with a hyphen nor contain two consecutive hyphens")
    values = {"idle_client_timeout": params.get("idle_client_timeout")}
    pool = params.get("connection_pool") or {}
    values.update({f"connection_pool.{key}": pool.get(key) for key in POOL})
    for option, (low, high) in RANGES.items():
        if values[option] is not None and not low <= values[option] <= high:
            errors.append(f"{option}: {values[option]} is outside {low}-{high}")
    if None not in (pool.get("max_connections_percent"), pool.get("max_idle_connections_percent")) \
            and pool["max_idle_connections_percent"] > pool["max_connections_percent"]:
        errors.append(f"connection_pool.max_idle_connections_percent: {pool['max_idle_connections_percent']} exceeds "
                      f"max_connections_percent {pool['max_connections_percent']}")
    for index, item in enumerate(params.get("auth") or []):
        if item.get("secret_arn") and not SECRET_ARN.match(item["secret_arn"]):
            errors.append(f"auth[{index}].secret_arn: {item['secret_arn']!r} is not a Secrets Manager secret ARN")
        if item.get("auth_scheme", "SECRETS") == "SECRETS" and not item.get("secret_arn"):
            errors.append(f"auth[{index}].secret_arn: required with auth_scheme SECRETS")
    subnets = params.get("vpc_subnet_ids")
    if subnets is not None and len(set(subnets)) < 2:
        errors.append(f"vpc_subnet_ids: a proxy needs at least two subnets in two availability zones, got {len(set(subnets))}")
    if params.get("role_arn") is not None and not params["role_arn"].startswith("arn:"):
        errors.append(f"role_arn: {params['role_arn']!r} is not an ARN")
    return errors


def creation_errors(params: dict[str, Any]) -> list[str]:
    """Options CreateDBProxy requires that are missing."""
    required = ["engine_family", "role_arn", "vpc_subnet_ids"]
    if params.get("default_auth_scheme") != "IAM_AUTH":
        required.append("auth")
    return [f"{option}: required to create proxy {params['name']}" for option in required if not params.get(option)]


# --- compare ----------------------------------------------------------------------------------------------------


def auth_request(auth: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The auth option as the API's UserAuthConfig list (unset suboptions left out, so AWS applies its defaults)."""
    return [{key: item[option] for option, key in AUTH.items() if item.get(option) is not None} for item in auth]


def _auth_matches(current: list[dict[str, Any]], wanted: list[dict[str, Any]]) -> bool:
    """Whether every wanted entry is present (by the keys it sets) and nothing else is."""
    if len(current) != len(wanted):
        return False
    remaining = list(current)
    for entry in wanted:
        match = next((item for item in remaining if all(item.get(key) == value for key, value in entry.items())), None)
        if match is None:
            return False
        remaining.remove(match)
    return True


def proxy_changes(proxy: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """The ModifyDBProxy request fields whose wanted value differs from the proxy's."""
    changes = {}
    for option, key in MUTABLE.items():
        if params.get(option) is not None and proxy.get(key) != params[option]:
            changes[key] = params[option]
    groups = params.get("vpc_security_group_ids")
    if groups is not None and set(groups) != set(proxy.get("VpcSecurityGroupIds", [])):
        changes["SecurityGroups"] = list(groups)
    if params.get("auth") is not None:
        wanted = auth_request(params["auth"])
        if not _auth_matches(proxy.get("Auth", []), wanted):
            changes["Auth"] = wanted
    return changes


def immutable_differences(proxy: dict[str, Any], params: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Wanted settings that differ from the proxy's and that only a replacement can change."""
    differences = {}
    for option, key in IMMUTABLE.items():
        wanted = params.get(option)
        if wanted is None or key not in proxy and option != "vpc_subnet_ids":
            continue  # an older API answer without the key: nothing to compare against
        current = proxy.get(key)
        same = set(current or []) == set(wanted) if option == "vpc_subnet_ids" else current == wanted
        if not same:
            differences[option] = (current, wanted)
    return differences


def pool_request(target_group: dict[str, Any], pool: dict[str, Any] | None) -> tuple[list[str], dict[str, Any]]:
    """(pool options that differ, the full ConnectionPoolConfig to send).

    The request carries every pool field, the current value where none is wanted, so that no field falls back to a
    default on the way (moto and older API versions reset an omitted MaxIdleConnectionsPercent).
    """
    current = target_group.get("ConnectionPoolConfig", {})
    config = {key: current[key] for key in POOL.values() if key in current}
    changed = []
    for option, key in POOL.items():
        wanted = (pool or {}).get(option)
        if wanted is None:
            continue
        if option == "session_pinning_filters":
            differs = sorted(wanted) != sorted(current.get(key, []))
        elif option == "init_query":
            differs = wanted != current.get(key, "")
        else:
            differs = wanted != current.get(key)
        if differs:
            changed.append(option)
        config[key] = wanted
    return changed, config


def registered(targets: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """(standalone DB instance identifiers, DB cluster identifiers) registered with the proxy."""
    instances = [t["RdsResourceId"] for t in targets if t.get("Type") == "RDS_INSTANCE" and not t.get("TrackedClusterId")]
    clusters = [t.get("TrackedClusterId") or t["RdsResourceId"] for t in targets if t.get("Type") == "TRACKED_CLUSTER"]
    return instances, clusters


def target_changes(targets: list[dict[str, Any]], instances: list[str] | None, clusters: list[str] | None,
                   purge: bool) -> dict[str, list[str]]:
    """What to register and deregister so that the targets match the lists given (None: leave that kind alone)."""
    current_instances, current_clusters = registered(targets)
    plan: dict[str, list[str]] = {"register_instances": [], "register_clusters": [], "deregister_instances": [], "deregister_clusters": []}
    for kind, current, wanted in (("instances", current_instances, instances), ("clusters", current_clusters, clusters)):
        if wanted is None:
            continue
        plan[f"register_{kind}"] = [item for item in dict.fromkeys(wanted) if item not in current]
        if purge:
            plan[f"deregister_{kind}"] = [item for item in current if item not in wanted]
    return plan


# The module's defaults for the options plan() reads beside those without one.
PLAN_DEFAULTS = {"purge_tags": True, "purge_targets": True}


def option_of(request_key: str) -> str:
    """The module option a ModifyDBProxy request field comes from."""
    if request_key == "SecurityGroups":
        return "vpc_security_group_ids"
    if request_key == "Auth":
        return "auth"
    return next(option for option, key in MUTABLE.items() if key == request_key)


def plan(state: dict[str, Any], params: dict[str, Any]) -> dict[str, Any]:
    """What brings an existing proxy's ``state`` (read_proxy) in line with ``params`` (the module's options):
    ``changes`` (the options that differ), ``modify`` (ModifyDBProxy fields), ``pool`` (the full ConnectionPoolConfig
    to send, whether or not it differs), ``pool_changed``, ``tags`` (the tags it will have, None when they are as
    declared), ``targets`` (target_changes)."""
    params = {**PLAN_DEFAULTS, **params}
    modify = proxy_changes(state["proxy"], params)
    changes = [option_of(key) for key in modify]
    pool_changed, pool = pool_request(state["target_group"], params.get("connection_pool"))
    changes += [f"connection_pool.{option}" for option in pool_changed]
    tags = None
    if params.get("tags") is not None:
        to_set, to_unset = compare_aws_tags(state["tags"], params["tags"], params["purge_tags"])
        if to_set or to_unset:
            changes.append("tags")
            tags = {key: value for key, value in state["tags"].items() if key not in to_unset}
            tags.update(to_set)
    targets = target_changes(state["targets"], params.get("db_instance_identifiers"), params.get("db_cluster_identifiers"),
                             params["purge_targets"])
    if targets["register_instances"] or targets["deregister_instances"]:
        changes.append("db_instance_identifiers")
    if targets["register_clusters"] or targets["deregister_clusters"]:
        changes.append("db_cluster_identifiers")
    return {"changes": changes, "modify": modify, "pool": pool, "pool_changed": bool(pool_changed), "tags": tags, "targets": targets}


def as_declared(proxy: dict[str, Any] | None, params: dict[str, Any]) -> bool:
    """Whether the module, given ``params``, would change nothing on ``proxy`` (as normalise() returns it): the proxy
    exists, nothing only a replacement changes differs, and plan() finds nothing to change."""
    if not proxy:
        return False
    state = denormalise(proxy)
    return not immutable_differences(state["proxy"], params) and not plan(state, params)["changes"]


# --- predict (check mode) ---------------------------------------------------------------------------------------


def predicted_proxy(params: dict[str, Any]) -> dict[str, Any]:
    """The state a CreateDBProxy with these options would produce, in boto3's shapes."""
    proxy = {"DBProxyName": params["name"], "Status": "creating"}
    for option, key in {**MUTABLE, **IMMUTABLE}.items():
        if params.get(option) is not None:
            proxy[key] = params[option]
    if params.get("vpc_security_group_ids") is not None:
        proxy["VpcSecurityGroupIds"] = list(params["vpc_security_group_ids"])
    if params.get("auth") is not None:
        proxy["Auth"] = auth_request(params["auth"])
    pool = pool_request({}, params.get("connection_pool"))[1]
    targets = [{"RdsResourceId": i, "Type": "RDS_INSTANCE"} for i in params.get("db_instance_identifiers") or []]
    targets += [{"RdsResourceId": c, "TrackedClusterId": c, "Type": "TRACKED_CLUSTER"} for c in params.get("db_cluster_identifiers") or []]
    return {"proxy": proxy, "tags": dict(params.get("tags") or {}), "target_group": {"ConnectionPoolConfig": pool} if pool else {},
            "targets": targets}


def apply_changes(state: dict[str, Any], modify: dict[str, Any], pool: dict[str, Any] | None, tags: dict[str, str] | None,
                  plan: dict[str, list[str]]) -> dict[str, Any]:
    """``state`` as it will be once the given changes are made (for check mode and diff)."""
    after = copy.deepcopy(state)
    for key, value in modify.items():
        after["proxy"]["VpcSecurityGroupIds" if key == "SecurityGroups" else key] = value
    if pool is not None:
        after["target_group"]["ConnectionPoolConfig"] = pool
    if tags is not None:
        after["tags"] = tags
    gone = set(plan["deregister_instances"]) | set(plan["deregister_clusters"])
    after["targets"] = [t for t in after["targets"] if (t.get("TrackedClusterId") or t["RdsResourceId"]) not in gone]
    after["targets"] += [{"RdsResourceId": i, "Type": "RDS_INSTANCE"} for i in plan["register_instances"]]
    after["targets"] += [{"RdsResourceId": c, "TrackedClusterId": c, "Type": "TRACKED_CLUSTER"} for c in plan["register_clusters"]]
    return after


# --- wait -------------------------------------------------------------------------------------------------------


def poll(check: Callable[[], tuple[bool, str]], timeout: int, delay: float, what: str) -> None:
    """Call ``check`` until it reports done or ``timeout`` seconds pass; raise WaitTimeout with its last word."""
    deadline = clock() + timeout
    while True:
        done, last = check()
        if done:
            return
        if clock() >= deadline:
            raise WaitTimeout(f"Timed out after {timeout}s waiting for {what}: {last}")
        sleep(delay)


def wait_for_proxy(client, name: str, timeout: int, delay: float = 15) -> None:
    """Wait until the proxy's status is available."""

    def check() -> tuple[bool, str]:
        proxy = describe_proxy(client, name)
        status = proxy["Status"] if proxy else "not found"
        return status == "available", f"status is {status}"

    poll(check, timeout, delay, f"proxy {name} to become available")


def wait_for_proxy_deleted(client, name: str, timeout: int, delay: float = 15) -> None:
    """Wait until the proxy no longer exists."""

    def check() -> tuple[bool, str]:
        proxy = describe_proxy(client, name)
        return proxy is None, f"status is {proxy['Status'] if proxy else 'gone'}"

    poll(check, timeout, delay, f"proxy {name} to be deleted")


def describe_health(target: dict[str, Any]) -> str:
    """One target's health as `id: STATE (REASON: description)`."""
    health = target.get("TargetHealth", {})
    detail = ": ".join(part for part in (health.get("Reason"), health.get("Description")) if part)
    return f"{target.get('RdsResourceId')}: {health.get('State', 'UNKNOWN')}" + (f" ({detail})" if detail else "")


def unhealthy(targets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The instance targets that are not yet serving (cluster entries carry no health of their own)."""
    bad = []
    for target in targets:
        if target.get("Type") == "TRACKED_CLUSTER":
            continue
        settled = HEALTHY_CLUSTER_MEMBER if target.get("TrackedClusterId") else HEALTHY
        if target.get("TargetHealth", {}).get("State") not in settled:
            bad.append(target)
    return bad


def wait_for_targets(client, name: str, timeout: int, delay: float = 15) -> None:
    """Wait until every target of the proxy is healthy; the timeout names each one that is not, with its reason."""

    def check() -> tuple[bool, str]:
        bad = unhealthy(describe_targets(client, name))
        return not bad, "; ".join(describe_health(target) for target in bad)

    poll(check, timeout, delay, f"the targets of proxy {name} to become available")


def wait_for_endpoint(client, name: str, timeout: int, delay: float = 15) -> None:
    """Wait until the proxy endpoint's status is available."""

    def check() -> tuple[bool, str]:
        found = describe_endpoints(client, endpoint_name=name)
        status = found[0]["Status"] if found else "not found"
        return status == "available", f"status is {status}"

    poll(check, timeout, delay, f"proxy endpoint {name} to become available")


def wait_for_endpoint_deleted(client, name: str, timeout: int, delay: float = 15) -> None:
    """Wait until the proxy endpoint no longer exists."""

    def check() -> tuple[bool, str]:
        found = describe_endpoints(client, endpoint_name=name)
        return not found, f"status is {found[0]['Status'] if found else 'gone'}"

    poll(check, timeout, delay, f"proxy endpoint {name} to be deleted")


# --- normalise --------------------------------------------------------------------------------------------------


def normalise(state: dict[str, Any] | None) -> dict[str, Any]:
    """A proxy state (proxy, tags, target group, targets) as one snake_case dict; {} for none."""
    if not state:
        return {}
    result = camel_dict_to_snake_dict(state["proxy"])
    result["tags"] = dict(state["tags"])
    result["target_group"] = camel_dict_to_snake_dict(state["target_group"])
    result["targets"] = [camel_dict_to_snake_dict(target) for target in state["targets"]]
    return result


def denormalise(proxy: dict[str, Any]) -> dict[str, Any]:
    """A proxy as normalise() returns it, back in read_proxy()'s boto3 shapes, with the fields the comparisons read (the
    snake_case keys are the module's option names)."""
    fields = {**MUTABLE, **IMMUTABLE, "vpc_security_group_ids": "VpcSecurityGroupIds"}
    found = {key: proxy[option] for option, key in fields.items() if option in proxy}
    found["Auth"] = [{key: item[option] for option, key in AUTH.items() if option in item} for item in proxy.get("auth") or []]
    pool = (proxy.get("target_group") or {}).get("connection_pool_config") or {}
    return {
        "proxy": found,
        "tags": dict(proxy.get("tags") or {}),
        "target_group": {"ConnectionPoolConfig": {key: pool[option] for option, key in POOL.items() if option in pool}},
        "targets": [{"RdsResourceId": target.get("rds_resource_id"), "Type": target.get("type"),
                     "TrackedClusterId": target.get("tracked_cluster_id")} for target in proxy.get("targets") or []],
    }


def normalise_endpoint(endpoint: dict[str, Any] | None, tags: dict[str, str] | None = None) -> dict[str, Any]:
    """A proxy endpoint in snake_case with its tags; {} for none."""
    if not endpoint:
        return {}
    result = camel_dict_to_snake_dict(endpoint)
    result["tags"] = dict(tags or {})
    return result


def for_diff(value: dict[str, Any]) -> dict[str, Any]:
    """A normalised resource without the fields that change on every write, so that a diff shows settings only."""
    drop = {"created_date", "updated_date", "status"}
    result = {key: item for key, item in value.items() if key not in drop}
    if isinstance(result.get("target_group"), dict):
        result["target_group"] = {key: item for key, item in result["target_group"].items() if key not in drop}
    if isinstance(result.get("targets"), list):
        result["targets"] = [{key: item for key, item in target.items() if key != "target_health"} for target in result["targets"]]
    return result
