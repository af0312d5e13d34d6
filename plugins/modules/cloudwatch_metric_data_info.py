#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: cloudwatch_metric_data_info
version_added: 0.2.0
short_description: Read the recent values of several CloudWatch metrics in one GetMetricData call
description:
  - Reads every metric of O(metrics) over the last O(minutes) minutes with one C(GetMetricData) request (its pages
    followed), oldest value first.
author:
  - ShopPulse platform team (@shoppulse)
options:
  metrics:
    description: The metrics to read, at most 500.
    type: list
    elements: dict
    required: true
    suboptions:
      id:
        description: A name for the result, a lower-case letter then letters, digits and C(_).
        type: str
        required: true
      namespace:
        description: The metric's namespace, for example C(AWS/RDS).
        type: str
        required: true
      metric_name:
        description: The metric's name.
        type: str
        required: true
      dimensions:
        description: The metric's dimensions, name to value.
        type: dict
        default: {}
      statistic:
        description: The statistic per period (C(Average), C(Maximum), C(p90), ...).
        type: str
        default: Average
  minutes:
    description: How far back to read.
    type: int
    default: 60
  period:
    description: Seconds per value.
    type: int
    default: 60
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the last hour of the instance's connections
  shoppulse.analytics.cloudwatch_metric_data_info:
    metrics:
      - id: connections
        namespace: AWS/RDS
        metric_name: DatabaseConnections
        dimensions: {DBInstanceIdentifier: shoppulse-analytics}
        statistic: Maximum
  register: recent
"""

RETURN = r"""
metrics:
  description: Each metric's values by its id, oldest first.
  returned: always
  type: dict
  sample: {"connections": {"timestamps": ["2026-12-02T04:00:00+00:00"], "values": [3.0]}}
"""

import re
from datetime import datetime
from datetime import timedelta
from datetime import timezone

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

QUERY_ID = re.compile(r"^[a-z][A-Za-z0-9_]*$")


def query(metric, period):
    return {"Id": metric["id"], "ReturnData": True, "MetricStat": {
        "Metric": {"Namespace": metric["namespace"], "MetricName": metric["metric_name"],
                   "Dimensions": [{"Name": name, "Value": str(value)} for name, value in sorted(metric["dimensions"].items())]},
        "Period": period, "Stat": metric["statistic"]}}


def read(module, client):
    params = module.params
    end = datetime.now(timezone.utc)
    request = {"MetricDataQueries": [query(metric, params["period"]) for metric in params["metrics"]],
               "StartTime": end - timedelta(minutes=params["minutes"]), "EndTime": end, "ScanBy": "TimestampAscending"}
    found = {metric["id"]: {"timestamps": [], "values": []} for metric in params["metrics"]}
    while True:
        try:
            answer = client.get_metric_data(aws_retry=True, **request)
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg="Could not read the metrics")
        for result in answer["MetricDataResults"]:
            points = sorted(zip(result.get("Timestamps", []), result.get("Values", [])))
            found[result["Id"]]["timestamps"].extend(stamp.isoformat() for stamp, _value in points)
            found[result["Id"]]["values"].extend(value for _stamp, value in points)
        if not answer.get("NextToken"):
            return found
        request["NextToken"] = answer["NextToken"]


def main():
    argument_spec = dict(
        metrics=dict(type="list", elements="dict", required=True, options=dict(
            id=dict(type="str", required=True),
            namespace=dict(type="str", required=True),
            metric_name=dict(type="str", required=True),
            dimensions=dict(type="dict", default={}),
            statistic=dict(type="str", default="Average"),
        )),
        minutes=dict(type="int", default=60),
        period=dict(type="int", default=60),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    errors = [f"metrics: id {metric['id']!r} must be a lower-case letter then letters, digits and _"
              for metric in module.params["metrics"] if not QUERY_ID.match(metric["id"])]
    if not 1 <= len(module.params["metrics"]) <= 500:
        errors.append("metrics: give 1 to 500 metrics")
    if module.params["minutes"] < 1 or module.params["period"] < 1:
        errors.append("minutes and period must be 1 or more")
    if errors:
        module.fail_json(msg="; ".join(errors))
    client = module.client("cloudwatch", retry_decorator=AWSRetry.jittered_backoff())
    module.exit_json(changed=False, metrics=read(module, client))


if __name__ == "__main__":
    main()
