#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: rds_events_info
version_added: 0.2.0
short_description: Read the recent RDS events of some sources
description:
  - Reads with C(DescribeEvents) the events of the last O(hours) hours for each source of O(sources), oldest first.
author:
  - ShopPulse platform team (@shoppulse)
options:
  sources:
    description: The sources, each a C(source_type) (C(db-instance), C(db-proxy), ...) and a C(source_identifier).
    type: list
    elements: dict
    required: true
  hours:
    description: How far back to read, 1 to 336 (RDS keeps 14 days of events).
    type: int
    default: 24
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the last day's events of the instance
  shoppulse.analytics.rds_events_info:
    sources:
      - {source_type: db-instance, source_identifier: shoppulse-analytics}
  register: events
"""

RETURN = r"""
events:
  description: The events, oldest first.
  returned: always
  type: list
  elements: dict
  sample: [{"date": "2026-12-02T04:00:00+00:00", "source_identifier": "shoppulse-analytics", "source_type": "db-instance",
            "message": "DB instance restarted", "event_categories": ["availability"]}]
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def main():
    argument_spec = dict(sources=dict(type="list", elements="dict", required=True), hours=dict(type="int", default=24))
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    if not 1 <= module.params["hours"] <= 336:
        module.fail_json(msg=f"hours: {module.params['hours']} is outside 1-336, the 14 days RDS keeps events")
    incomplete = [source for source in module.params["sources"] if not source.get("source_type") or not source.get("source_identifier")]
    if incomplete:
        module.fail_json(msg="sources: each needs a source_type and a source_identifier")
    client = module.client("rds", retry_decorator=AWSRetry.jittered_backoff())
    events = []
    for source in module.params["sources"]:
        try:
            pages = client.get_paginator("describe_events").paginate(
                SourceType=source["source_type"], SourceIdentifier=source["source_identifier"],
                Duration=module.params["hours"] * 60).build_full_result()
        except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
            module.fail_json_aws(e, msg=f"Could not read the events of {source['source_identifier']}")
        events.extend({"date": event["Date"].isoformat(), "source_identifier": event.get("SourceIdentifier"),
                       "source_type": event.get("SourceType"), "message": event.get("Message"),
                       "event_categories": event.get("EventCategories", [])} for event in pages.get("Events", []))
    module.exit_json(changed=False, events=sorted(events, key=lambda event: event["date"]))


if __name__ == "__main__":
    main()
