#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: rds_proxy_endpoint
version_added: 0.1.0
short_description: Manage an additional endpoint of an Amazon RDS Proxy
description:
  - Creates, updates and deletes a proxy endpoint beside the proxy's default one, read/write or read-only, with its
    own subnets (possibly in another VPC) and security groups.
  - The RDS API changes only an endpoint's security groups (and name) in place. When the proxy, subnets, target role
    or network type differ, the module fails naming them or, with O(replace=true), deletes the endpoint, waits until
    it is gone and creates it anew.
  - Tags are updated in place.
author:
  - ShopPulse platform team (@shoppulse)
options:
  name:
    description: The endpoint's name (C(DBProxyEndpointName)); C(default) is the proxy's own endpoint and cannot be managed.
    type: str
    required: true
    aliases: [db_proxy_endpoint_name]
  db_proxy_name:
    description: The proxy the endpoint belongs to. Required to create an endpoint; cannot change afterwards.
    type: str
  state:
    description: Whether the endpoint should exist.
    type: str
    choices: [present, absent]
    default: present
  vpc_subnet_ids:
    description: The endpoint's subnets. Required to create an endpoint; cannot change afterwards.
    type: list
    elements: str
  vpc_security_group_ids:
    description: The endpoint's security groups; the proxy's when omitted at creation.
    type: list
    elements: str
  target_role:
    description: Whether the endpoint serves reads and writes or reads only (Aurora readers). Cannot change afterwards.
    type: str
    choices: [READ_WRITE, READ_ONLY]
    default: READ_WRITE
  endpoint_network_type:
    description: The IP version the endpoint serves. Cannot change afterwards.
    type: str
    choices: [IPV4, IPV6, DUAL]
  replace:
    description: Replace the endpoint when a setting that cannot change in place differs; when V(false) such a difference fails.
    type: bool
    default: false
  wait:
    description: Wait until the endpoint is available after a change, and gone after a deletion.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait.
    type: int
    default: 900
  wait_delay:
    description: Seconds between two polls while waiting.
    type: int
    default: 15
notes:
  - Check mode and diff mode are supported.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Ensure a read-only endpoint for reporting clients
  shoppulse.analytics.rds_proxy_endpoint:
    name: shoppulse-analytics-proxy-reader
    db_proxy_name: shoppulse-analytics-proxy
    target_role: READ_ONLY
    vpc_subnet_ids: [subnet-0aaaaaaaaaaaaaaaa, subnet-0bbbbbbbbbbbbbbbb]
    vpc_security_group_ids: [sg-0123456789abcdef0]
    tags:
      environment: prod

- name: Remove the endpoint
  shoppulse.analytics.rds_proxy_endpoint:
    name: shoppulse-analytics-proxy-reader
    state: absent
"""

RETURN = r"""
endpoint:
  description: The endpoint after the task (predicted in check mode); empty when absent.
  returned: always
  type: dict
  contains:
    db_proxy_endpoint_name:
      description: The endpoint's name.
      type: str
      sample: shoppulse-analytics-proxy-reader
    db_proxy_endpoint_arn:
      description: The endpoint's ARN.
      type: str
      sample: arn:aws:rds:us-east-1:123456789012:db-proxy-endpoint:prx-endpoint-0123456789abcdef0
    db_proxy_name:
      description: The proxy the endpoint belongs to.
      type: str
      sample: shoppulse-analytics-proxy
    endpoint:
      description: The host name clients connect to.
      type: str
      sample: shoppulse-analytics-proxy-reader.endpoint.proxy-abcdefghijkl.us-east-1.rds.amazonaws.com
    status:
      description: The endpoint's status.
      type: str
      sample: available
    target_role:
      description: C(READ_WRITE) or C(READ_ONLY).
      type: str
      sample: READ_ONLY
    vpc_id:
      description: The endpoint's VPC.
      type: str
      sample: vpc-0123456789abcdef0
    vpc_subnet_ids:
      description: The endpoint's subnets.
      type: list
      elements: str
      sample: [subnet-0aaaaaaaaaaaaaaaa, subnet-0bbbbbbbbbbbbbbbb]
    vpc_security_group_ids:
      description: The endpoint's security groups.
      type: list
      elements: str
      sample: [sg-0123456789abcdef0]
    is_default:
      description: Always false for an endpoint this module manages.
      type: bool
      sample: false
    tags:
      description: The endpoint's tags.
      type: dict
      sample: {"environment": "prod"}
changes:
  description: The settings the task changed (or would change, in check mode).
  returned: always
  type: list
  elements: str
  sample: ["vpc_security_group_ids", "tags"]
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from ansible_collections.shoppulse.analytics.plugins.module_utils import rds_proxy as utils

try:
    import botocore
except ImportError:
    pass  # handled by AnsibleAWSModule

# Fixed at creation: module option -> DBProxyEndpoint key.
IMMUTABLE = {"db_proxy_name": "DBProxyName", "vpc_subnet_ids": "VpcSubnetIds", "target_role": "TargetRole",
             "endpoint_network_type": "EndpointNetworkType"}


def aws_errors():
    return (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError)


def read(client, module):
    name = module.params["name"]
    try:
        found = utils.describe_endpoints(client, endpoint_name=name)
        if not found:
            return None, {}
        return found[0], utils.list_tags(client, found[0]["DBProxyEndpointArn"])
    except aws_errors() as e:
        module.fail_json_aws(e, msg=f"Could not describe proxy endpoint {name}")


def wait(client, module, waiter):
    try:
        waiter(client, module.params["name"], module.params["wait_timeout"], module.params["wait_delay"])
    except utils.WaitTimeout as e:
        module.fail_json(msg=str(e))
    except aws_errors() as e:
        module.fail_json_aws(e, msg=f"Could not describe proxy endpoint {module.params['name']} while waiting")


def differences(endpoint, params):
    found = {}
    for option, key in IMMUTABLE.items():
        wanted = params.get(option)
        if wanted is None or (key not in endpoint and option == "endpoint_network_type"):
            continue
        current = endpoint.get(key)
        same = set(current or []) == set(wanted) if option == "vpc_subnet_ids" else current == wanted
        if not same:
            found[option] = (current, wanted)
    return found


def create(client, module):
    params = module.params
    missing = [option for option in ("db_proxy_name", "vpc_subnet_ids") if not params[option]]
    if missing:
        module.fail_json(msg="; ".join(f"{option}: required to create proxy endpoint {params['name']}" for option in missing))
    request = {"DBProxyName": params["db_proxy_name"], "DBProxyEndpointName": params["name"], "VpcSubnetIds": params["vpc_subnet_ids"],
               "TargetRole": params["target_role"]}
    optional = {"VpcSecurityGroupIds": params["vpc_security_group_ids"], "EndpointNetworkType": params["endpoint_network_type"],
                "Tags": ansible_dict_to_boto3_tag_list(params["tags"]) if params["tags"] else None}
    request.update({key: value for key, value in optional.items() if value is not None})
    try:
        client.create_db_proxy_endpoint(aws_retry=True, **request)
    except aws_errors() as e:
        module.fail_json_aws(e, msg=f"Could not create proxy endpoint {params['name']} of proxy {params['db_proxy_name']}")


def delete(client, module):
    try:
        client.delete_db_proxy_endpoint(aws_retry=True, DBProxyEndpointName=module.params["name"])
    except is_boto3_error_code("DBProxyEndpointNotFoundFault"):
        return
    except aws_errors() as e:  # pylint: disable=duplicate-except
        module.fail_json_aws(e, msg=f"Could not delete proxy endpoint {module.params['name']}")


def predicted(params, base=None, tags=None):
    endpoint = dict(base or {"DBProxyEndpointName": params["name"], "Status": "creating", "IsDefault": False})
    for option, key in {**IMMUTABLE, "vpc_security_group_ids": "VpcSecurityGroupIds"}.items():
        if params.get(option) is not None:
            endpoint[key] = params[option]
    return utils.normalise_endpoint(endpoint, params["tags"] if tags is None else tags)


def exit_with(module, changes, before, after):
    module.exit_json(changed=bool(changes), changes=changes, endpoint=after,
                     diff={"before": utils.for_diff(before), "after": utils.for_diff(after)})


def ensure_present(client, module, existing, tags):
    params = module.params
    before = utils.normalise_endpoint(existing, tags)
    changes = []
    if existing is not None:
        found = differences(existing, params)
        if found and not params["replace"]:
            detail = "; ".join(f"{option} is {old!r}, asked for {new!r}" for option, (old, new) in found.items())
            module.fail_json(msg=f"Proxy endpoint {params['name']} cannot be changed in place ({detail}): set replace=true to replace it")
        if found:
            changes += sorted(found)
            if not module.check_mode:
                delete(client, module)
                wait(client, module, utils.wait_for_endpoint_deleted)
            existing = None
    if existing is None:
        changes.append("created")
        if module.check_mode:
            exit_with(module, changes, before, predicted(params))
        create(client, module)
        if params["wait"]:
            wait(client, module, utils.wait_for_endpoint)
        existing, tags = read(client, module)
        exit_with(module, changes, before, utils.normalise_endpoint(existing, tags))

    groups = params["vpc_security_group_ids"]
    modify = groups is not None and set(groups) != set(existing.get("VpcSecurityGroupIds", []))
    to_set, to_unset = compare_aws_tags(tags, params["tags"], params["purge_tags"]) if params["tags"] is not None else ({}, [])
    if modify:
        changes.append("vpc_security_group_ids")
    if to_set or to_unset:
        changes.append("tags")
    if module.check_mode or not changes:
        new_tags = {**{k: v for k, v in tags.items() if k not in to_unset}, **to_set}
        exit_with(module, changes, before, predicted({**params, "tags": new_tags}, base=existing, tags=new_tags))
    try:
        if modify:
            client.modify_db_proxy_endpoint(aws_retry=True, DBProxyEndpointName=params["name"], VpcSecurityGroupIds=groups)
        if to_unset:
            client.remove_tags_from_resource(aws_retry=True, ResourceName=existing["DBProxyEndpointArn"], TagKeys=to_unset)
        if to_set:
            client.add_tags_to_resource(aws_retry=True, ResourceName=existing["DBProxyEndpointArn"], Tags=ansible_dict_to_boto3_tag_list(to_set))
    except aws_errors() as e:
        module.fail_json_aws(e, msg=f"Could not update proxy endpoint {params['name']} ({', '.join(changes)})")
    if modify and params["wait"]:
        wait(client, module, utils.wait_for_endpoint)
    existing, tags = read(client, module)
    exit_with(module, changes, before, utils.normalise_endpoint(existing, tags))


def ensure_absent(client, module, existing, tags):
    if existing is None:
        module.exit_json(changed=False, changes=[], endpoint={})
    if not module.check_mode:
        delete(client, module)
        if module.params["wait"]:
            wait(client, module, utils.wait_for_endpoint_deleted)
    exit_with(module, ["deleted"], utils.normalise_endpoint(existing, tags), {})


def main():
    argument_spec = dict(
        name=dict(type="str", required=True, aliases=["db_proxy_endpoint_name"]),
        db_proxy_name=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        vpc_subnet_ids=dict(type="list", elements="str"),
        vpc_security_group_ids=dict(type="list", elements="str"),
        target_role=dict(type="str", choices=["READ_WRITE", "READ_ONLY"], default="READ_WRITE"),
        endpoint_network_type=dict(type="str", choices=["IPV4", "IPV6", "DUAL"]),
        replace=dict(type="bool", default=False),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=900),
        wait_delay=dict(type="int", default=15),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    if params["name"] == "default" or not utils.IDENTIFIER.match(params["name"]):
        module.fail_json(msg=f"name: {params['name']!r} must be 1 to 63 letters, digits or hyphens, start with a letter, "
                             "and not be 'default' (the proxy's own endpoint)")
    if params["vpc_subnet_ids"] is not None and len(set(params["vpc_subnet_ids"])) < 2:
        module.fail_json(msg="vpc_subnet_ids: a proxy endpoint needs at least two subnets in two availability zones")

    client = module.client("rds", retry_decorator=AWSRetry.jittered_backoff())
    existing, tags = read(client, module)
    if params["state"] == "present":
        ensure_present(client, module, existing, tags)
    else:
        ensure_absent(client, module, existing, tags)


if __name__ == "__main__":
    main()
