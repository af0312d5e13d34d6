#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: rds_proxy_info
version_added: 0.1.0
short_description: List Amazon RDS Proxies with their pool, targets and tags
description:
  - Lists every RDS Proxy of the account in the region, or one by name, in the shape
    M(shoppulse.analytics.rds_proxy) returns, that is the proxy with its tags, default target group and targets with health.
  - With O(role_name) and O(log_group_names), also reads the proxy's IAM role and log groups as
    M(shoppulse.analytics.role_and_log_groups_info) does - one process where a layer would take two - so that the
    rds_proxy role can skip each module where the filters P(shoppulse.analytics.rds_proxy_as_declared#filter),
    P(shoppulse.analytics.iam_service_role_as_declared#filter) and
    P(shoppulse.analytics.cloudwatch_log_group_as_declared#filter) show nothing to do.
  - Reads only; never changes anything.
author:
  - ShopPulse platform team (@shoppulse)
options:
  name:
    description: The proxy to describe. All proxies when omitted; an empty list when no proxy has this name.
    type: str
    aliases: [db_proxy_name]
  role_name:
    description: An IAM role to read beside the proxies, as M(shoppulse.analytics.role_and_log_groups_info) reads it.
    type: str
    version_added: 0.14.0
  policy_name:
    description: The name of that role's inline policy to read with it.
    type: str
    version_added: 0.14.0
  log_group_names:
    description: Log groups to read beside the proxies, as M(shoppulse.analytics.role_and_log_groups_info) reads them.
    type: list
    elements: str
    default: []
    version_added: 0.14.0
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the proxy the rds_proxy role manages
  shoppulse.analytics.rds_proxy_info:
    name: shoppulse-analytics-proxy
  register: proxy_info

- name: Read the proxy with its IAM role and log group, as the rds_proxy role does
  shoppulse.analytics.rds_proxy_info:
    name: shoppulse-analytics-proxy
    role_name: shoppulse-analytics-proxy-role
    policy_name: read-database-secret
    log_group_names: [/aws/rds/proxy/shoppulse-analytics-proxy]
  register: proxy_layer

- name: List every proxy with unhealthy targets
  shoppulse.analytics.rds_proxy_info:
  register: all_proxies
"""

RETURN = r"""
proxies:
  description: The proxies found, each as M(shoppulse.analytics.rds_proxy) returns C(proxy).
  returned: always
  type: list
  elements: dict
  contains:
    db_proxy_name:
      description: The proxy's name.
      type: str
      sample: shoppulse-analytics-proxy
    db_proxy_arn:
      description: The proxy's ARN.
      type: str
      sample: arn:aws:rds:us-east-1:123456789012:db-proxy:prx-0123456789abcdef0
    status:
      description: The proxy's status.
      type: str
      sample: available
    endpoint:
      description: The host name clients connect to.
      type: str
      sample: shoppulse-analytics-proxy.proxy-abcdefghijkl.us-east-1.rds.amazonaws.com
    engine_family:
      description: The engine family.
      type: str
      sample: POSTGRESQL
    require_tls:
      description: Whether TLS is required.
      type: bool
      sample: true
    idle_client_timeout:
      description: The idle client timeout in seconds.
      type: int
      sample: 1800
    tags:
      description: The proxy's tags.
      type: dict
      sample: {"environment": "prod"}
    target_group:
      description: The default target group with its C(connection_pool_config).
      type: dict
      sample: {"target_group_name": "default", "connection_pool_config": {"max_connections_percent": 100}}
    targets:
      description: The registered targets with their C(target_health).
      type: list
      elements: dict
      sample: [{"rds_resource_id": "shoppulse-analytics", "type": "RDS_INSTANCE", "target_health": {"state": "AVAILABLE"}}]
role:
  description: The role O(role_name) as M(shoppulse.analytics.role_and_log_groups_info) returns C(role), empty when it
    does not exist.
  returned: when O(role_name) is given
  type: dict
  version_added: 0.14.0
  sample: {"arn": "arn:aws:iam::123456789012:role/shoppulse-analytics-proxy-role", "role_name": "shoppulse-analytics-proxy-role",
           "description": "", "assume_role_policy_document": {}, "tags": {}, "policy_document": null}
log_groups:
  description: Each log group of O(log_group_names) by name, as M(shoppulse.analytics.role_and_log_groups_info) returns
    C(log_groups).
  returned: when O(log_group_names) is given
  type: dict
  version_added: 0.14.0
  sample: {"/aws/rds/proxy/shoppulse-analytics-proxy": {"log_group_name": "/aws/rds/proxy/shoppulse-analytics-proxy",
           "arn": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/rds/proxy/shoppulse-analytics-proxy:*",
           "retention_in_days": 30, "tags": {}}}
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.shoppulse.analytics.plugins.module_utils import rds_proxy as utils
from ansible_collections.shoppulse.analytics.plugins.module_utils.service_resources import read_beside

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


ARGUMENT_SPEC = dict(name=dict(type="str", aliases=["db_proxy_name"]), role_name=dict(type="str"), policy_name=dict(type="str"),
                     log_group_names=dict(type="list", elements="str", default=[]))
OPTIONS = {}


def run(module) -> None:
    """Read and end the module (its action plugin runs this in the task's worker on the controller)."""
    client = module.client("rds", retry_decorator=AWSRetry.jittered_backoff())
    name = module.params["name"]
    try:
        if name:
            names = [name]
        else:
            names = [proxy["DBProxyName"] for proxy in utils.list_proxies(client)]
        # A proxy deleted between the listing and its read is skipped, not reported as an error.
        states = [state for state in (utils.read_proxy(client, item) for item in names) if state is not None]
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Could not describe proxy {name}" if name else "Could not describe proxies")
    params = module.params
    try:
        beside = read_beside(module, params["role_name"], params["policy_name"], params["log_group_names"])
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)
    module.exit_json(changed=False, proxies=[utils.normalise(state) for state in states], **beside)


def main():
    run(AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **OPTIONS))


if __name__ == "__main__":
    main()
