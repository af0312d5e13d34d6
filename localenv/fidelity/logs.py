"""CloudWatch Logs metric filters: a filter name is unique in its log group, as the Logs API reference describes."""

from __future__ import annotations

from typing import Any

from localenv.fidelity import entry


@entry(
    key="logs-put-metric-filter-replaces",
    api="PutMetricFilter, DescribeMetricFilters",
    moto="a `PutMetricFilter` with a filter name the log group already has adds a second filter of that name",
    aws="`PutMetricFilter` creates or updates: with an existing name it replaces that filter's pattern and "
    "transformations",
    reference="https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutMetricFilter.html",
)
def put_metric_filter_replaces() -> None:
    from moto.logs.metric_filters import MetricFilters  # pylint: disable=import-outside-toplevel  # patched before serving

    original = MetricFilters.add_filter

    def add_filter(self: Any, filter_name: str, filter_pattern: str, log_group_name: str, metric_transformations: Any) -> None:
        self.metric_filters = [existing for existing in self.metric_filters
                               if (existing["filterName"], existing["logGroupName"]) != (filter_name, log_group_name)]
        original(self, filter_name, filter_pattern, log_group_name, metric_transformations)

    MetricFilters.add_filter = add_filter
