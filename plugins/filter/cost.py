# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that price an environment from its settings: a monthly estimate line by line, its table, and what a change
moves; and what is wrong with the stop schedule's settings."""

from __future__ import annotations

import re

from ansible.errors import AnsibleFilterError
from ansible_collections.shoppulse.analytics.plugins.module_utils.monitoring import alarm_keys
from ansible_collections.shoppulse.analytics.plugins.module_utils.rds_instance_classes import SOURCE as CLASS_SOURCE
from ansible_collections.shoppulse.analytics.plugins.module_utils.rds_instance_classes import instance_class

# AWS prices a month as 730 hours (the pricing pages' and the Pricing Calculator's month).
HOURS_PER_MONTH = 730
DAYS_PER_MONTH = HOURS_PER_MONTH / 24
# gp3 on RDS: 3,000 IOPS and 125 MiB/s included below 400 GB, 12,000 and 500 from 400 GB (RDS user guide,
# "Amazon RDS DB instance storage", gp3 storage).
GP3_LARGE_GB = 400
GP3_BASELINE = {"small": (3000, 125), "large": (12000, 500)}
# Performance Insights keeps 7 days free; longer retention is billed per vCPU-month (31-day months, 731 = 24 months).
PI_FREE_DAYS = 7
# RDS Proxy bills the target's vCPUs, with a minimum of 2 (RDS Proxy pricing).
PROXY_MIN_VCPUS = 2
# The secrets site.yml keeps: the master user's and the application role's (roles/secrets).
SECRETS = 2

_BOOLEANS = {"true": True, "yes": True, "on": True, "1": True, "false": False, "no": False, "off": False, "0": False}
_WHOLE = re.compile(r"^\s*[0-9]+\s*$")
_NUMBER = re.compile(r"^\s*[0-9]+(\.[0-9]+)?\s*$")
# EventBridge Scheduler's cron expression (its user guide): six fields, '?' in one of day-of-month and day-of-week.
_CRON = re.compile(r"^cron\(\S+( \S+){5}\)$")
_TIME_ZONE = re.compile(r"^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$")


def boolean(value) -> bool | None:
    """A boolean, or one of the words a boolean may arrive as from an inventory or -e; None for anything else."""
    if isinstance(value, bool):
        return value
    return _BOOLEANS.get(value.strip().lower()) if isinstance(value, str) else None


def _bool(settings: dict, name: str) -> bool:
    value = boolean(settings.get(name))
    if value is None:
        raise AnsibleFilterError(f"{name}: {settings.get(name)!r} is not true or false")
    return value


def _count(settings: dict, name: str) -> int:
    value = settings.get(name)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and _WHOLE.match(value):
        return int(value)
    raise AnsibleFilterError(f"{name}: {value!r} is not a whole number of 0 or more")


def _alarm_count(settings: dict) -> int:
    """cost_alarms when set; unset, the alarms the monitoring layer builds for the instance's class and
    monitoring_alarms_enabled (so a class change that adds or drops the burst alarms moves the estimate)."""
    if settings.get("cost_alarms") is None:
        return len(alarm_keys(settings["rds_instance_class"], settings.get("monitoring_alarms_enabled"), proxy=True))
    return _count(settings, "cost_alarms")


def _amount(settings: dict, name: str) -> float:
    value = settings.get(name)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return float(value)
    if isinstance(value, str) and _NUMBER.match(value):
        return float(value)
    raise AnsibleFilterError(f"{name}: {value!r} is not a number of 0 or more")


class _Prices:
    """A price list by id, whose misses name the variable that asked for the price."""

    def __init__(self, price_list: dict, region: str):
        if not isinstance(price_list, dict) or not isinstance(price_list.get("prices"), list):
            raise AnsibleFilterError("cost_estimate: the price list has no 'prices' list (prices/<region>.yml)")
        if price_list.get("region") != region:
            raise AnsibleFilterError(
                f"shoppulse_aws_region: {region} is priced by prices/{region}.yml, not the list for {price_list.get('region')}")
        self.region = region
        self.by_id = {entry["id"]: entry for entry in price_list["prices"]}

    def __call__(self, price_id: str, variable: str) -> dict:
        if price_id not in self.by_id:
            raise AnsibleFilterError(
                f"{variable}: prices/{self.region}.yml has no price {price_id}; add it there or run make prices")
        return self.by_id[price_id]


def _line(item_id: str, description: str, quantity: float, price: dict) -> dict:
    return {
        "id": item_id,
        "description": description,
        "quantity": round(quantity, 4),
        "unit": price["unit"],
        "unit_price_usd": price["usd"],
        "monthly_usd": round(quantity * price["usd"], 2),
        "source": price["source"],
        "price_date": str(price["date"]),
    }


def _instance_lines(settings: dict, price, vcpus: int) -> list[dict]:
    name = settings["rds_instance_class"]
    deployment = "Multi-AZ" if _bool(settings, "rds_multi_az") else "Single-AZ"
    storage = _count(settings, "rds_allocated_storage")
    if settings.get("rds_storage_type", "gp3") != "gp3":
        raise AnsibleFilterError(f"rds_storage_type: {settings.get('rds_storage_type')!r} is not priced; only gp3 is")
    iops_base, throughput_base = GP3_BASELINE["large" if storage >= GP3_LARGE_GB else "small"]
    iops = _count({"rds_iops": settings.get("rds_iops", iops_base)}, "rds_iops")
    throughput = _count({"rds_storage_throughput": settings.get("rds_storage_throughput", throughput_base)},
                        "rds_storage_throughput")
    return [
        _line("rds_instance", f"DB instance {name}, {deployment}, {HOURS_PER_MONTH} h",
              HOURS_PER_MONTH, price(f"rds_instance/{deployment}/{name}", "rds_instance_class")),
        _line("rds_storage", f"gp3 storage, {storage} GB", storage, price(f"rds_storage/{deployment}/gp3", "rds_allocated_storage")),
        _line("rds_iops", f"gp3 IOPS above the {iops_base:,} included", max(0, iops - iops_base),
              price(f"rds_iops/{deployment}/gp3", "rds_allocated_storage")),
        _line("rds_throughput", f"gp3 throughput above the {throughput_base} MiB/s included",
              max(0, throughput - throughput_base), price(f"rds_throughput/{deployment}/gp3", "rds_allocated_storage")),
        *_performance_insights_lines(settings, price, vcpus * (2 if deployment == "Multi-AZ" else 1)),
    ]


def _performance_insights_lines(settings: dict, price, vcpus: int) -> list[dict]:
    days = _count(settings, "rds_performance_insights_retention_days") if _bool(settings, "rds_performance_insights") else 0
    months = 0 if days <= PI_FREE_DAYS else (24 if days == 731 else -(-days // 31))
    return [
        _line("rds_performance_insights_first_month", f"Performance Insights, {days} days kept ({PI_FREE_DAYS} free): first month",
              vcpus if months else 0, price("rds_performance_insights/first_month", "rds_performance_insights_retention_days")),
        _line("rds_performance_insights_more_months", "Performance Insights: each further month kept",
              vcpus * max(0, months - 1), price("rds_performance_insights/additional_month", "rds_performance_insights_retention_days")),
    ]


def _log_lines(settings: dict, price) -> list[dict]:
    # (ingested GB a month, days kept) per log group: the flow log, each exported database log, the proxy's.
    exports = settings.get("rds_log_exports") or []
    groups = [
        (_amount(settings, "cost_flow_log_ingested_gb"), _count(settings, "vpc_flow_log_retention_days")),
        *[(_amount(settings, "cost_database_log_ingested_gb") / len(exports), _count(settings, "rds_log_retention_days"))
          for _export in exports],
        (_amount(settings, "cost_proxy_log_ingested_gb"), _count(settings, "rds_proxy_log_retention_days")),
    ]
    ingested = sum(gb for gb, _days in groups)
    # At steady state a group holds what arrived over its retention period.
    stored = sum(gb * min(days, 3653) / DAYS_PER_MONTH for gb, days in groups)
    return [
        _line("logs_ingestion", f"CloudWatch Logs ingested, {len(groups)} log groups", ingested, price("logs_ingestion", "cost_flow_log_ingested_gb")),
        _line("logs_storage", "CloudWatch Logs stored, each group's retention", stored, price("logs_storage", "vpc_flow_log_retention_days")),
    ]


def cost_estimate(settings: dict, price_list: dict) -> dict:
    """The monthly cost of an environment built with these settings, line by line, at the price list's prices."""
    if not isinstance(settings, dict):
        raise AnsibleFilterError("cost_estimate: the settings must be a dict of variables")
    region = settings.get("shoppulse_aws_region")
    price = _Prices(price_list, region)
    name = settings.get("rds_instance_class")
    spec = instance_class(name) if isinstance(name, str) else None
    if spec is None:
        raise AnsibleFilterError(f"rds_instance_class: {name!r} is not in the instance class table ({CLASS_SOURCE})")
    vcpus = spec["vcpus"]
    nat_gateways = (_count(settings, "vpc_nat_count") if "vpc_nat_count" in settings
                    else _count(settings, "vpc_az_count") if _bool(settings, "vpc_nat_gateway_per_az") else 1)
    storage = _count(settings, "rds_allocated_storage")
    snapshots = _count(settings, "cost_manual_snapshots")
    proxy_vcpus = max(PROXY_MIN_VCPUS, vcpus)
    items = [
        *_instance_lines(settings, price, vcpus),
        # Manual snapshots count as full copies (an upper bound); backup storage up to the instance's storage is free.
        _line("rds_snapshots", f"{snapshots} manual snapshots kept, beyond the {storage} GB free", max(0, (snapshots - 1) * storage),
              price("rds_backup_storage", "cost_manual_snapshots")),
        _line("rds_proxy", f"RDS Proxy, {proxy_vcpus} vCPUs ({vcpus} of {name}, {PROXY_MIN_VCPUS} at least)",
              proxy_vcpus * HOURS_PER_MONTH, price("rds_proxy", "rds_instance_class")),
        _line("nat_gateway_hours", f"{nat_gateways} NAT gateways, {HOURS_PER_MONTH} h each", nat_gateways * HOURS_PER_MONTH,
              price("nat_gateway_hours", "vpc_nat_gateway_per_az")),
        _line("nat_gateway_ipv4", f"{nat_gateways} public IPv4 addresses of the NAT gateways", nat_gateways * HOURS_PER_MONTH,
              price("public_ipv4", "vpc_nat_gateway_per_az")),
        _line("nat_gateway_data", "NAT gateway data processed", _amount(settings, "cost_nat_data_processed_gb"),
              price("nat_gateway_data", "cost_nat_data_processed_gb")),
        _line("secret", "Secrets Manager secrets (the master's and the application role's credentials)", SECRETS, price("secret", "secrets_name")),
        _line("secret_api_calls", "Secrets Manager API calls, per 10,000", _count(settings, "cost_secret_api_calls") / 10000,
              price("secret_api_calls", "cost_secret_api_calls")),
        _line("cloudwatch_alarms", "CloudWatch alarms", _alarm_count(settings), price("cloudwatch_alarm", "cost_alarms")),
        _line("cloudwatch_dashboards", "CloudWatch dashboards", _count(settings, "cost_dashboards"),
              price("cloudwatch_dashboard", "cost_dashboards")),
        *_log_lines(settings, price),
    ]
    return {
        "region": region,
        "hours_per_month": HOURS_PER_MONTH,
        "monthly_total_usd": round(sum(item["monthly_usd"] for item in items), 2),
        "items": items,
    }


def cost_as_deployed(settings: dict, instance: dict | None, nat_gateway_ids: list | None) -> dict | None:
    """The settings with what is deployed in place of what is declared: the instance's class, storage, Multi-AZ and
    Performance Insights (as rds_instance_settings shapes them) and the NAT gateways that exist. None without an instance."""
    if not instance:
        return None
    retention = instance.get("performance_insights_retention_period")
    return {
        **settings,
        "rds_instance_class": instance.get("instance_class"),
        "rds_allocated_storage": instance.get("allocated_storage"),
        "rds_multi_az": bool(instance.get("multi_az")),
        "rds_performance_insights": bool(instance.get("performance_insights_enabled")),
        "rds_performance_insights_retention_days": retention if retention is not None else PI_FREE_DAYS,
        # The vpc role names a NAT gateway it has yet to create nat-known-after-apply.
        "vpc_nat_count": len([nat for nat in nat_gateway_ids or [] if str(nat).startswith("nat-") and nat != "nat-known-after-apply"]),
    }


def _money(value: float) -> str:
    return f"${value:,.2f}"


def cost_table(estimate: dict) -> list[str]:
    """The estimate as the lines of a table: item, quantity and unit, unit price, monthly amount; then the total."""
    rows = [(item["description"], f"{item['quantity']:,.4g} {item['unit']}", f"${item['unit_price_usd']:g}", _money(item["monthly_usd"]))
            for item in estimate["items"]]
    rows.append(("Total per month", "", "", _money(estimate["monthly_total_usd"])))
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    return [f"{row[0]:<{widths[0]}}  {row[1]:>{widths[1]}}  {row[2]:>{widths[2]}}  {row[3]:>{widths[3]}}" for row in rows]


def cost_changes(before: dict, after: dict) -> list[str]:
    """What a change moves: a line per item whose monthly amount differs, then the totals; empty when nothing moves."""
    if before is None:
        return [f"Monthly cost: nothing built yet -> {_money(after['monthly_total_usd'])}"]
    amounts = {item["id"]: item for item in before["items"]}
    lines = [f"{item['description']}: {_money(amounts[item['id']]['monthly_usd'] if item['id'] in amounts else 0)}"
             f" -> {_money(item['monthly_usd'])}"
             for item in after["items"]
             if item["monthly_usd"] != amounts.get(item["id"], {}).get("monthly_usd", 0)]
    if not lines and before["monthly_total_usd"] == after["monthly_total_usd"]:
        return []
    delta = after["monthly_total_usd"] - before["monthly_total_usd"]
    sign = "+" if delta >= 0 else "-"
    return [*lines, f"Monthly cost: {_money(before['monthly_total_usd'])} -> {_money(after['monthly_total_usd'])}"
                    f" ({sign}{_money(abs(delta))})"]


def cost_schedule_errors(settings: dict) -> list[str]:
    """Return one message per problem of the stop schedule's settings (the cost role's and the inventory's variables, by
    name): an expression EventBridge Scheduler would refuse, a time zone that is no IANA name, a stop permission that
    is not a boolean, a schedule for an environment whose inventory does not allow stopping its database."""
    schedule, zone = settings.get("cost_stop_schedule"), str(settings["cost_stop_schedule_timezone"])
    # As the inventory's word, whatever its type (an integer 1 included).
    allowed = boolean(str(settings.get("shoppulse_stop_allowed", False)))
    errors = []
    if schedule not in (None, ""):
        fields = str(schedule)[5:-1].split(" ")
        if not _CRON.match(str(schedule)) or (fields[2] == "?") == (fields[4] == "?"):
            errors.append(f"cost_stop_schedule: '{schedule}' is not an EventBridge Scheduler cron expression of six fields (minutes "
                          "hours day-of-month month day-of-week year, with '?' in one of the two days), such as cron(0 20 * * ? *)")
    if not _TIME_ZONE.match(zone):
        errors.append(f"cost_stop_schedule_timezone: '{zone}' is not a time zone name such as UTC or Europe/Berlin")
    if allowed is None:
        errors.append(f"shoppulse_stop_allowed: '{settings.get('shoppulse_stop_allowed', False)}' is not true or false")
    elif schedule not in (None, "") and not allowed:
        environment = settings["shoppulse_environment"]
        errors.append(f"shoppulse_stop_allowed: the inventory of {environment} does not allow stopping its database, so it takes no stop "
                      f"schedule; set shoppulse_stop_allowed: true in inventories/{environment}/group_vars/all.yml to allow it, or unset "
                      "cost_stop_schedule")
    return errors


class FilterModule:
    """Cost estimate filters."""

    def filters(self):
        return {
            "cost_estimate": cost_estimate,
            "cost_table": cost_table,
            "cost_changes": cost_changes,
            "cost_as_deployed": cost_as_deployed,
            "cost_schedule_errors": cost_schedule_errors,
        }
