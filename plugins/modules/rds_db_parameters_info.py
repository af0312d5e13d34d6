#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: rds_db_parameters_info
version_added: 0.2.0
short_description: Read the parameters of an RDS DB parameter group
description:
  - Returns what DescribeDBParameters says of a DB parameter group - every parameter's value and where the value
    comes from (set on the group, or the engine's default) - so that an audit can check a setting such as
    C(rds.force_ssl) on the group an instance really uses.
  - A group that does not exist returns C(exists=false) and no parameters.
author:
  - ShopPulse platform team (@shoppulse)
options:
  name:
    description: The DB parameter group's name.
    type: str
    required: true
    aliases: [db_parameter_group_name]
  names:
    description: Return only these parameters; every parameter of the group when empty.
    type: list
    elements: str
    default: []
  source:
    description: Return only the parameters with this source (C(user) for the values set on the group).
    type: str
    choices: [user, system, engine-default]
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Read whether the database's parameter group forces TLS
  shoppulse.analytics.rds_db_parameters_info:
    name: shoppulse-analytics-postgres15
    names: [rds.force_ssl]
  register: tls_parameter

- name: Refuse a group that does not force TLS
  ansible.builtin.assert:
    that: tls_parameter.parameters['rds.force_ssl'].value == '1'

- name: List what the group sets over the engine defaults
  shoppulse.analytics.rds_db_parameters_info:
    name: shoppulse-analytics-postgres15
    source: user
  register: group_overrides
"""

RETURN = r"""
exists:
  description: Whether the parameter group exists.
  returned: always
  type: bool
parameters:
  description: The parameters found, by name (empty when the group does not exist).
  returned: always
  type: dict
  sample: {"rds.force_ssl": {"value": "1", "source": "user", "apply_type": "dynamic", "apply_method": "pending-reboot",
           "data_type": "boolean", "allowed_values": "0,1", "is_modifiable": true}}
  contains:
    value:
      description: The parameter's value as text, or null when neither the group nor the engine sets one.
      type: str
    source:
      description: Where the value comes from (C(user), C(system) or C(engine-default)).
      type: str
    apply_type:
      description: C(static) (needs a reboot) or C(dynamic).
      type: str
    apply_method:
      description: How the last change applies (C(immediate) or C(pending-reboot)).
      type: str
    data_type:
      description: The parameter's data type.
      type: str
    allowed_values:
      description: The values the parameter accepts.
      type: str
    is_modifiable:
      description: Whether the parameter can be changed.
      type: bool
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.shoppulse.analytics.plugins.module_utils.rds_layer import read_parameters

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule


ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True, aliases=["db_parameter_group_name"]),
    names=dict(type="list", elements="str", default=[]),
    source=dict(type="str", choices=["user", "system", "engine-default"]),
)
OPTIONS = {}


def run(module) -> None:
    """Read and end the module (its action plugin runs this in the task's worker on the controller)."""
    client = module.client("rds", retry_decorator=AWSRetry.jittered_backoff())
    try:
        parameters = read_parameters(client, module.params["name"], module.params["names"], module.params["source"])
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as e:
        module.fail_json_aws(e, msg=f"Could not read the parameters of the DB parameter group {module.params['name']}")
    module.exit_json(changed=False, exists=parameters is not None, parameters=parameters or {})


def main():
    run(AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **OPTIONS))


if __name__ == "__main__":
    main()
