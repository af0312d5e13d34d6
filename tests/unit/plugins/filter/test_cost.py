"""The cost filters price each line from the settings it depends on, name the variable at fault, and show what moves."""

import pytest
import yaml
from ansible.errors import AnsibleFilterError

from ansible_collections.shoppulse.analytics.plugins.filter.cost import (
    FilterModule,
    cost_as_deployed,
    cost_changes,
    cost_estimate,
    cost_table,
)
from ansible_collections.shoppulse.analytics.plugins.module_utils.rds_instance_classes import INSTANCE_CLASSES
from tests.conftest import CHECKOUT

PRICES = yaml.safe_load((CHECKOUT / "prices" / "us-east-1.yml").read_text(encoding="utf-8"))
# The seed's configuration, as the roles' defaults and the cost role's usage defaults give it.
SEED = {
    "shoppulse_aws_region": "us-east-1",
    "rds_instance_class": "db.t3.medium",
    "rds_multi_az": False,
    "rds_allocated_storage": 100,
    "rds_storage_type": "gp3",
    "rds_performance_insights": True,
    "rds_performance_insights_retention_days": 7,
    "rds_log_exports": ["postgresql", "upgrade"],
    "rds_log_retention_days": 30,
    "vpc_az_count": 2,
    "vpc_nat_gateway_per_az": False,
    "vpc_flow_log_retention_days": 30,
    "rds_proxy_log_retention_days": 30,
    "cost_nat_data_processed_gb": 5,
    "cost_flow_log_ingested_gb": 1,
    "cost_database_log_ingested_gb": 1,
    "cost_proxy_log_ingested_gb": 0.1,
    "cost_secret_api_calls": 10000,
    "cost_alarms": 0,
    "cost_dashboards": 0,
    "cost_manual_snapshots": 0,
}


def amounts(**changes):
    return {item["id"]: item["monthly_usd"] for item in cost_estimate({**SEED, **changes}, PRICES)["items"]}


def moved(**changes):
    before, after = amounts(), amounts(**changes)
    return {item for item in after if after[item] != before[item]}


def test_the_seed_costs_its_fixed_lines_at_the_corrected_prices():
    lines = amounts()
    assert lines["rds_instance"] == 52.56  # 730 h x $0.072
    assert lines["rds_storage"] == 11.50
    assert lines["rds_proxy"] == 21.90  # 2 vCPUs x 730 h x $0.015
    assert lines["nat_gateway_hours"] == 32.85 and lines["nat_gateway_ipv4"] == 3.65
    assert lines["secret"] == 0.80
    assert lines["rds_performance_insights_first_month"] == 0 and lines["rds_iops"] == 0 and lines["rds_throughput"] == 0


def test_the_total_is_the_sum_of_the_lines_and_lies_above_the_seeds_119():
    estimate = cost_estimate(SEED, PRICES)
    assert estimate["monthly_total_usd"] == round(sum(item["monthly_usd"] for item in estimate["items"]), 2)
    assert 119 < estimate["monthly_total_usd"] < 130


def test_every_line_carries_quantity_unit_price_and_its_source():
    for item in cost_estimate(SEED, PRICES)["items"]:
        assert set(item) >= {"quantity", "unit", "unit_price_usd", "monthly_usd", "source", "price_date"}
        assert item["source"] and item["price_date"]


def test_a_class_change_moves_the_instance_alone_while_the_proxy_stays_at_its_2_vcpu_minimum():
    assert moved(rds_instance_class="db.t3.large") == {"rds_instance"}


def test_a_class_with_more_vcpus_moves_the_instance_and_the_proxy():
    assert moved(rds_instance_class="db.r6g.xlarge") == {"rds_instance", "rds_proxy"}
    assert amounts(rds_instance_class="db.r6g.xlarge")["rds_proxy"] == 43.80  # 4 vCPUs


def test_a_class_change_moves_paid_performance_insights_with_the_vcpus():
    long = {"rds_performance_insights_retention_days": 731}
    before, after = amounts(**long), amounts(**long, rds_instance_class="db.r6g.xlarge")
    assert {item for item in after if after[item] != before[item]} == {
        "rds_instance", "rds_proxy", "rds_performance_insights_first_month", "rds_performance_insights_more_months"}


def test_storage_growth_moves_the_storage_line_only():
    assert moved(rds_allocated_storage=200) == {"rds_storage"}
    assert amounts(rds_allocated_storage=200)["rds_storage"] == 23.00


def test_a_nat_gateway_per_zone_moves_the_gateway_hours_and_their_ipv4_addresses_only():
    assert moved(vpc_nat_gateway_per_az=True) == {"nat_gateway_hours", "nat_gateway_ipv4"}
    assert amounts(vpc_nat_gateway_per_az=True)["nat_gateway_hours"] == 65.70


def test_multi_az_doubles_the_instance_and_its_storage():
    lines = amounts(rds_multi_az=True)
    assert lines["rds_instance"] == 105.12 and lines["rds_storage"] == 23.00


def test_performance_insights_is_free_for_7_days_and_billed_per_vcpu_month_beyond():
    assert amounts(rds_performance_insights_retention_days=31)["rds_performance_insights_first_month"] == 3.00
    assert amounts(rds_performance_insights_retention_days=31)["rds_performance_insights_more_months"] == 0
    assert amounts(rds_performance_insights_retention_days=731)["rds_performance_insights_more_months"] == 2.88  # 2 x 23 x 0.0625
    assert amounts(rds_performance_insights=False, rds_performance_insights_retention_days=731)["rds_performance_insights_first_month"] == 0


def test_storage_from_400_gb_includes_more_iops_and_throughput():
    estimate = cost_estimate({**SEED, "rds_allocated_storage": 400, "rds_iops": 15000}, PRICES)
    iops = next(item for item in estimate["items"] if item["id"] == "rds_iops")
    assert iops["quantity"] == 3000 and "12,000" in iops["description"]


def test_log_storage_follows_each_groups_retention():
    assert amounts(vpc_flow_log_retention_days=7, rds_log_retention_days=7, rds_proxy_log_retention_days=7)["logs_storage"] < amounts()["logs_storage"]
    assert moved(cost_flow_log_ingested_gb=10) == {"logs_ingestion", "logs_storage"}


def test_usage_alarms_dashboards_and_snapshots_are_priced_from_their_variables():
    assert amounts(cost_nat_data_processed_gb=100)["nat_gateway_data"] == 4.50
    assert amounts(cost_alarms=10)["cloudwatch_alarms"] == 1.00
    assert amounts(cost_dashboards=1)["cloudwatch_dashboards"] == 3.00
    assert amounts(cost_manual_snapshots=1)["rds_snapshots"] == 0, "backup storage up to the instance's storage is free"
    assert amounts(cost_manual_snapshots=3)["rds_snapshots"] == 19.00  # 200 GB x $0.095


def test_unset_alarms_are_those_the_monitoring_layer_builds_for_the_class():
    # 10 instance alarms (3 of them burst alarms, T classes only) and 5 of the proxy, at $0.10 each.
    assert amounts(cost_alarms=None)["cloudwatch_alarms"] == 1.50
    assert amounts(cost_alarms=None, rds_instance_class="db.r6g.large")["cloudwatch_alarms"] == 1.20
    assert amounts(cost_alarms=None, monitoring_alarms_enabled={"cpu": False, "proxy_pinned": False})["cloudwatch_alarms"] == 1.30


def test_numbers_and_booleans_given_as_text_by_extra_vars_are_read():
    assert amounts(rds_allocated_storage="200", vpc_nat_gateway_per_az="true") == amounts(rds_allocated_storage=200, vpc_nat_gateway_per_az=True)


@pytest.mark.parametrize(("changes", "message"), [
    ({"rds_instance_class": "db.x9.huge"}, "rds_instance_class: 'db.x9.huge' is not in the instance class table"),
    ({"rds_allocated_storage": "lots"}, "rds_allocated_storage: 'lots' is not a whole number"),
    ({"vpc_nat_gateway_per_az": "maybe"}, "vpc_nat_gateway_per_az: 'maybe' is not true or false"),
    ({"cost_nat_data_processed_gb": -1}, "cost_nat_data_processed_gb: -1 is not a number of 0 or more"),
    ({"rds_storage_type": "io1"}, "rds_storage_type: 'io1' is not priced"),
    ({"shoppulse_aws_region": "eu-west-1"}, "shoppulse_aws_region: eu-west-1 is priced by prices/eu-west-1.yml"),
])
def test_bad_settings_fail_naming_the_variable(changes, message):
    with pytest.raises(AnsibleFilterError, match=message.replace("(", r"\(")):
        cost_estimate({**SEED, **changes}, PRICES)


def test_a_price_missing_from_the_list_names_the_variable_and_make_prices():
    prices = {**PRICES, "prices": [entry for entry in PRICES["prices"] if entry["id"] != "rds_instance/Single-AZ/db.t3.large"]}
    with pytest.raises(AnsibleFilterError, match="rds_instance_class: prices/us-east-1.yml has no price rds_instance/Single-AZ/db.t3.large"):
        cost_estimate({**SEED, "rds_instance_class": "db.t3.large"}, prices)


def test_the_pinned_list_prices_every_class_of_the_table_in_both_deployments_with_a_source_and_date():
    ids = {entry["id"] for entry in PRICES["prices"]}
    assert {f"rds_instance/{deployment}/{name}" for name in INSTANCE_CLASSES for deployment in ("Single-AZ", "Multi-AZ")} <= ids
    assert all(entry["source"] and entry["date"] and entry["filters"] for entry in PRICES["prices"])


def test_the_table_ends_with_the_total():
    lines = cost_table(cost_estimate(SEED, PRICES))
    assert lines[-1].startswith("Total per month") and lines[-1].endswith("$124.64")
    assert len(lines) == len(cost_estimate(SEED, PRICES)["items"]) + 1


def test_changes_list_the_lines_that_move_and_the_totals():
    before, after = cost_estimate(SEED, PRICES), cost_estimate({**SEED, "rds_instance_class": "db.t3.large"}, PRICES)
    assert cost_changes(before, after) == [
        "DB instance db.t3.large, Single-AZ, 730 h: $52.56 -> $105.85",
        f"Monthly cost: ${before['monthly_total_usd']:,.2f} -> ${after['monthly_total_usd']:,.2f} (+$53.29)",
    ]
    assert not cost_changes(before, before)
    assert cost_changes(None, after) == [f"Monthly cost: nothing built yet -> ${after['monthly_total_usd']:,.2f}"]


def test_as_deployed_takes_the_instance_and_the_nat_gateways_that_exist():
    instance = {"instance_class": "db.t3.medium", "allocated_storage": 100, "multi_az": False,
                "performance_insights_enabled": True, "performance_insights_retention_period": 7}
    declared = {**SEED, "rds_instance_class": "db.t3.large", "vpc_nat_gateway_per_az": True}
    deployed = cost_as_deployed(declared, instance, ["nat-0abc", "nat-known-after-apply"])
    assert cost_estimate(deployed, PRICES) == cost_estimate(SEED, PRICES)
    assert cost_as_deployed(declared, {}, []) is None


def test_filters_are_registered():
    assert set(FilterModule().filters()) == {"cost_estimate", "cost_table", "cost_changes", "cost_as_deployed", "cost_schedule_errors"}
