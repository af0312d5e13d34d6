"""The CloudWatch Logs entry: a metric filter name is unique in its log group."""

import boto3
from moto import mock_aws

from localenv import fidelity


def put(logs, group, pattern, metric):
    logs.put_metric_filter(logGroupName=group, filterName="errors", filterPattern=pattern, metricTransformations=[
        {"metricName": metric, "metricNamespace": "ShopPulse", "metricValue": "1"}])


# logs-put-metric-filter-replaces

def test_put_metric_filter_with_an_existing_name_replaces_it():
    fidelity.apply_all()
    with mock_aws():
        logs = boto3.client("logs", region_name="us-east-1")
        for group in ("app", "db"):
            logs.create_log_group(logGroupName=group)
        put(logs, "app", "ERROR", "AppErrors")
        put(logs, "db", "FATAL", "DbErrors")
        put(logs, "app", "?ERROR ?FATAL", "AppFailures")
        listed = logs.describe_metric_filters()["metricFilters"]
    assert sorted((f["logGroupName"], f["filterName"], f["filterPattern"], f["metricTransformations"][0]["metricName"])
                  for f in listed) == [("app", "errors", "?ERROR ?FATAL", "AppFailures"), ("db", "errors", "FATAL", "DbErrors")]
