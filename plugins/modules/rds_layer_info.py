#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: rds_layer_info
version_added: 0.12.0
short_description: Read a database layer's instance, security group, subnet group, parameter group and log groups in one call
description:
  - Reads, each as the module that builds it reads it and in that module's result shape, the DB instance
    O(db_instance_identifier) (M(amazon.aws.rds_instance_info)), the security group O(security_group_name) of the VPC
    O(vpc_id) (M(amazon.aws.ec2_security_group_info)), the DB subnet group O(subnet_group_name)
    (M(amazon.aws.rds_subnet_group)), the DB parameter group O(parameter_group_name) with its parameters
    O(parameter_names) (M(amazon.aws.rds_instance_param_group)) and the log groups O(log_group_names)
    (M(amazon.aws.cloudwatchlogs_log_group)) - one process where those modules would take one each - so that a layer
    can skip those modules with the filters P(shoppulse.analytics.rds_security_group_as_declared#filter),
    P(shoppulse.analytics.rds_subnet_group_as_declared#filter), P(shoppulse.analytics.rds_parameter_group_as_declared#filter),
    P(shoppulse.analytics.cloudwatch_log_group_as_declared#filter) and P(shoppulse.analytics.rds_instance_as_declared#filter)
    where nothing differs.
  - Reads only; never changes anything.
author:
  - ShopPulse platform team (@shoppulse)
options:
  db_instance_identifier:
    description: The DB instance to read.
    type: str
    required: true
  security_group_name:
    description: The security group to read, by name within O(vpc_id).
    type: str
  vpc_id:
    description:
      - The VPC of O(security_group_name).
      - Without it, the first group of that name in any VPC, as M(amazon.aws.ec2_security_group_info) finds it with
        the C(group-name) filter alone (a teardown or an operations playbook that has not read the network).
    type: str
  subnet_group_name:
    description: The DB subnet group to read.
    type: str
  parameter_group_name:
    description: The DB parameter group to read.
    type: str
  parameter_names:
    description: The parameters of O(parameter_group_name) to return, whatever sets their value (the group, the
      engine's defaults or the system), as M(amazon.aws.rds_instance_param_group) compares them.
    type: list
    elements: str
    default: []
  log_group_names:
    description: The log groups to read.
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read the database layer
  shoppulse.analytics.rds_layer_info:
    db_instance_identifier: shoppulse-analytics
    security_group_name: shoppulse-analytics-db
    vpc_id: vpc-0123456789abcdef0
    subnet_group_name: shoppulse-analytics-db
    parameter_group_name: shoppulse-analytics-postgres15
    parameter_names: [rds.force_ssl, log_connections]
    log_group_names: [/aws/rds/instance/shoppulse-analytics/postgresql]
  register: found
"""

RETURN = r"""
instances:
  description: The instance as M(amazon.aws.rds_instance_info) returns it, in a list of one; empty when it does not exist.
  returned: always
  type: list
  elements: dict
  sample: [{"db_instance_identifier": "shoppulse-analytics", "db_instance_status": "available", "tags": {}}]
security_group:
  description: The security group as M(amazon.aws.ec2_security_group_info) returns one (C(group_id), C(group_name),
    C(description), C(vpc_id), C(ip_permissions), C(ip_permissions_egress), C(tags)); empty when it does not exist.
  returned: when O(security_group_name) is given
  type: dict
  sample: {"group_id": "sg-0123456789abcdef0", "group_name": "shoppulse-analytics-db", "ip_permissions": [], "tags": {}}
subnet_group:
  description: The DB subnet group as M(amazon.aws.rds_subnet_group) reads it (C(db_subnet_group_name),
    C(db_subnet_group_description), C(subnets), C(tags)); empty when it does not exist.
  returned: when O(subnet_group_name) is given
  type: dict
  sample: {"db_subnet_group_name": "shoppulse-analytics-db", "db_subnet_group_description": "", "subnets": [], "tags": {}}
parameter_group:
  description: The DB parameter group as M(amazon.aws.rds_instance_param_group) returns it (C(db_parameter_group_name),
    C(db_parameter_group_family), C(description), C(tags)), with C(parameters), those of O(parameter_names) that the
    family has, by name, as M(shoppulse.analytics.rds_db_parameters_info) returns them; empty when it does not exist.
  returned: when O(parameter_group_name) is given
  type: dict
  sample: {"db_parameter_group_name": "shoppulse-analytics-postgres15", "db_parameter_group_family": "postgres15",
           "tags": {}, "parameters": {"rds.force_ssl": {"value": "1", "source": "user", "data_type": "boolean"}}}
log_groups:
  description: Each log group of O(log_group_names) by name, as M(shoppulse.analytics.role_and_log_groups_info)
    returns them; empty for one that does not exist.
  returned: always
  type: dict
  sample: {"/aws/rds/instance/shoppulse-analytics/postgresql": {"log_group_name": "/aws/rds/instance/shoppulse-analytics/postgresql",
           "arn": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/rds/instance/shoppulse-analytics/postgresql:*",
           "retention_in_days": 30, "tags": {}}}
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.shoppulse.analytics.plugins.module_utils.rds_layer import read_instances
from ansible_collections.shoppulse.analytics.plugins.module_utils.rds_layer import read_parameter_group
from ansible_collections.shoppulse.analytics.plugins.module_utils.rds_layer import read_security_group
from ansible_collections.shoppulse.analytics.plugins.module_utils.rds_layer import read_subnet_group
from ansible_collections.shoppulse.analytics.plugins.module_utils.service_resources import read_beside

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


def read(module) -> dict:
    """Each resource named in the module's options, under its RETURN key."""
    params = module.params
    rds = module.client("rds", retry_decorator=AWSRetry.jittered_backoff())
    found = {"instances": read_instances(rds, params["db_instance_identifier"]), "log_groups": {}}
    if params["security_group_name"]:
        ec2 = module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())
        found["security_group"] = read_security_group(ec2, params["security_group_name"], params["vpc_id"])
    if params["subnet_group_name"]:
        found["subnet_group"] = read_subnet_group(rds, params["subnet_group_name"])
    if params["parameter_group_name"]:
        found["parameter_group"] = read_parameter_group(rds, params["parameter_group_name"], params["parameter_names"])
    return {**found, **read_beside(module, log_group_names=params["log_group_names"])}


ARGUMENT_SPEC = dict(db_instance_identifier=dict(type="str", required=True), security_group_name=dict(type="str"),
                     vpc_id=dict(type="str"), subnet_group_name=dict(type="str"), parameter_group_name=dict(type="str"),
                     parameter_names=dict(type="list", elements="str", default=[]),
                     log_group_names=dict(type="list", elements="str", default=[]))
OPTIONS: dict = {}


def run(module) -> None:
    """Read and end the module (its action plugin runs this in the task's worker on the controller)."""
    try:
        found = read(module)
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError, AnsibleAWSError) as e:
        module.fail_json_aws(e, msg=f"db_instance_identifier: could not read the database layer of {module.params['db_instance_identifier']}")
    module.exit_json(changed=False, **found)


def main():
    run(AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **OPTIONS))


if __name__ == "__main__":
    main()
