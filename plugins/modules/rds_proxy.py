#!/usr/bin/python
# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: rds_proxy
version_added: 0.1.0
short_description: Manage an Amazon RDS Proxy, its connection pool and its targets
description:
  - Creates, updates and deletes an RDS Proxy, the connection pool of its default target group, and the DB instances
    and clusters registered as its targets.
  - Changes in place what the RDS API can change in place (C(ModifyDBProxy) for the auth list, default auth scheme,
    TLS, idle client timeout, debug logging, role and security groups; C(ModifyDBProxyTargetGroup) for the pool;
    tags; targets) and reports each changed setting in RV(changes).
  - The engine family, subnets and network types are fixed when a proxy is created. When one of them differs, the
    module fails naming it or, with O(replace=true), deletes the proxy, waits until it is gone and creates it anew.
  - A pool update sends every pool field, the current value where no new one is asked for, so that none falls back
    to a default.
  - botocore has no proxy waiters; the module polls the proxy's status and the targets' health until O(wait_timeout).
  - Additional endpoints are managed with M(shoppulse.analytics.rds_proxy_endpoint).
author:
  - ShopPulse platform team (@shoppulse)
options:
  name:
    description:
      - The proxy's name (C(DBProxyName)); 1 to 63 letters, digits or hyphens, starting with a letter.
    type: str
    required: true
    aliases: [db_proxy_name]
  state:
    description: Whether the proxy should exist.
    type: str
    choices: [present, absent]
    default: present
  engine_family:
    description:
      - The kind of database engine the proxy connects to. Required to create a proxy; cannot change afterwards.
    type: str
    choices: [MYSQL, POSTGRESQL, SQLSERVER]
  auth:
    description:
      - How the proxy authenticates to the database, one entry per secret. Required to create a proxy unless
        O(default_auth_scheme=IAM_AUTH).
      - When given, the proxy's auth list is made equal to it (entries are matched by the suboptions set; unset
        suboptions take the AWS defaults).
    type: list
    elements: dict
    suboptions:
      auth_scheme:
        description: The kind of authentication.
        type: str
        choices: [SECRETS]
        default: SECRETS
      secret_arn:
        description: The ARN of the Secrets Manager secret with the database user's credentials.
        type: str
      iam_auth:
        description: Whether clients must (C(REQUIRED)), may (C(ENABLED)) or cannot (C(DISABLED)) use IAM authentication.
        type: str
        choices: [DISABLED, REQUIRED, ENABLED]
      client_password_auth_type:
        description: The password authentication the proxy uses with clients.
        type: str
        choices: [MYSQL_NATIVE_PASSWORD, MYSQL_CACHING_SHA2_PASSWORD, POSTGRES_SCRAM_SHA_256, POSTGRES_MD5, SQL_SERVER_AUTHENTICATION]
      description:
        description: A description of the entry.
        type: str
  default_auth_scheme:
    description:
      - How the proxy authenticates to the database when no secret applies; C(IAM_AUTH) for end-to-end IAM
        authentication, C(NONE) to use the O(auth) secrets.
    type: str
    choices: [IAM_AUTH, NONE]
  role_arn:
    description:
      - The IAM role the proxy assumes to read the secrets. Required to create a proxy.
    type: str
  vpc_subnet_ids:
    description:
      - The subnets of the proxy, at least two in two availability zones. Required to create a proxy; cannot change
        afterwards.
    type: list
    elements: str
  vpc_security_group_ids:
    description: The security groups of the proxy; the VPC's default group when omitted at creation.
    type: list
    elements: str
  require_tls:
    description: Whether clients must connect with TLS.
    type: bool
  idle_client_timeout:
    description: Seconds (1 to 28800) a client connection may stay idle before the proxy closes it; AWS defaults to 1800.
    type: int
  debug_logging:
    description: Whether the proxy logs SQL statements and connection details (may include sensitive data).
    type: bool
  endpoint_network_type:
    description: The IP version the proxy's endpoint serves. Cannot change after creation.
    type: str
    choices: [IPV4, IPV6, DUAL]
  target_connection_network_type:
    description: The IP version the proxy uses to reach its targets. Cannot change after creation.
    type: str
    choices: [IPV4, IPV6]
  connection_pool:
    description:
      - The connection pool of the default target group. Unset suboptions keep their current values.
    type: dict
    suboptions:
      max_connections_percent:
        description: The pool's size as a percentage (1 to 100) of the database's C(max_connections).
        type: int
      max_idle_connections_percent:
        description: How many idle connections (0 up to O(connection_pool.max_connections_percent)) the proxy keeps open.
        type: int
      connection_borrow_timeout:
        description: Seconds (0 to 300) a client waits for a pooled connection.
        type: int
      session_pinning_filters:
        description: SQL operations that do not pin a client session to a connection.
        type: list
        elements: str
        choices: [EXCLUDE_VARIABLE_SETS]
      init_query:
        description:
          - SQL run on each new database connection. It is visible in the API and in logs, so never put a secret in it.
          - An empty string removes it.
        type: str
  db_instance_identifiers:
    description:
      - The DB instances registered as targets. When given, missing ones are registered and, with O(purge_targets),
        others are deregistered. Omit to leave the instance targets alone.
    type: list
    elements: str
  db_cluster_identifiers:
    description:
      - The Aurora DB clusters registered as targets, kept in step like O(db_instance_identifiers).
    type: list
    elements: str
  purge_targets:
    description: Deregister targets that O(db_instance_identifiers) or O(db_cluster_identifiers) no longer list.
    type: bool
    default: true
  replace:
    description:
      - Replace the proxy (delete it, wait until it is gone, create it anew) when a setting that cannot change in place
        differs. When V(false), such a difference fails the task. Clients lose the proxy's endpoint meanwhile.
    type: bool
    default: false
  wait:
    description:
      - Wait until the proxy is available after a change, and until it is gone after a deletion.
      - A new proxy is always waited for before its pool and targets are set, as the API refuses them while it is created.
    type: bool
    default: true
  wait_for_targets:
    description:
      - Wait until every target is healthy (C(AVAILABLE)); on timeout the task fails with each target's health state,
        reason and description (for example C(AUTH_FAILURE)).
    type: bool
    default: false
  wait_timeout:
    description: Seconds to wait for each of the waits above.
    type: int
    default: 900
  wait_delay:
    description: Seconds between two polls while waiting.
    type: int
    default: 15
notes:
  - Check mode and diff mode are supported. In check mode nothing is created, changed or deleted.
  - Renaming a proxy is not supported; a different O(name) manages a different proxy.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
"""

EXAMPLES = r"""
- name: Ensure a PostgreSQL proxy pools connections to the database instance
  shoppulse.analytics.rds_proxy:
    name: shoppulse-analytics-proxy
    engine_family: POSTGRESQL
    auth:
      - secret_arn: arn:aws:secretsmanager:us-east-1:123456789012:secret:shoppulse-analytics/rds/master-AbCdEf
        iam_auth: DISABLED
        client_password_auth_type: POSTGRES_SCRAM_SHA_256
    role_arn: arn:aws:iam::123456789012:role/shoppulse-analytics-proxy
    vpc_subnet_ids: [subnet-0aaaaaaaaaaaaaaaa, subnet-0bbbbbbbbbbbbbbbb]
    vpc_security_group_ids: [sg-0123456789abcdef0]
    require_tls: true
    idle_client_timeout: 1800
    connection_pool:
      max_connections_percent: 100
      max_idle_connections_percent: 50
      connection_borrow_timeout: 120
    db_instance_identifiers: [shoppulse-analytics]
    wait_for_targets: true
    tags:
      environment: prod

- name: Preview a move to other subnets, which needs a replacement
  shoppulse.analytics.rds_proxy:
    name: shoppulse-analytics-proxy
    vpc_subnet_ids: [subnet-0cccccccccccccccc, subnet-0dddddddddddddddd]
    replace: true
  check_mode: true

- name: Remove the proxy and wait until it is gone
  shoppulse.analytics.rds_proxy:
    name: shoppulse-analytics-proxy
    state: absent
"""

RETURN = r"""
proxy:
  description: The proxy after the task (predicted in check mode), with its tags, target group and targets; empty when absent.
  returned: always
  type: dict
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
      description: The proxy's status (C(available), C(creating), C(modifying), C(deleting), ...).
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
    vpc_id:
      description: The proxy's VPC.
      type: str
      sample: vpc-0123456789abcdef0
    vpc_subnet_ids:
      description: The proxy's subnets.
      type: list
      elements: str
      sample: [subnet-0aaaaaaaaaaaaaaaa, subnet-0bbbbbbbbbbbbbbbb]
    vpc_security_group_ids:
      description: The proxy's security groups.
      type: list
      elements: str
      sample: [sg-0123456789abcdef0]
    auth:
      description: The auth entries (auth_scheme, secret_arn, iam_auth, client_password_auth_type, description).
      type: list
      elements: dict
      sample: [{"auth_scheme": "SECRETS", "iam_auth": "DISABLED", "secret_arn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"}]
    role_arn:
      description: The role the proxy assumes.
      type: str
      sample: arn:aws:iam::123456789012:role/shoppulse-analytics-proxy
    require_tls:
      description: Whether TLS is required.
      type: bool
      sample: true
    idle_client_timeout:
      description: The idle client timeout in seconds.
      type: int
      sample: 1800
    debug_logging:
      description: Whether debug logging is on.
      type: bool
      sample: false
    tags:
      description: The proxy's tags.
      type: dict
      sample: {"environment": "prod"}
    target_group:
      description: The default target group.
      type: dict
      contains:
        target_group_arn:
          description: The target group's ARN.
          type: str
          sample: arn:aws:rds:us-east-1:123456789012:target-group:prx-tg-0123456789abcdef0
        connection_pool_config:
          description: The pool (max_connections_percent, max_idle_connections_percent, connection_borrow_timeout,
            session_pinning_filters, init_query).
          type: dict
          sample: {"max_connections_percent": 100, "max_idle_connections_percent": 50, "connection_borrow_timeout": 120,
                   "session_pinning_filters": []}
    targets:
      description: The registered targets and their health.
      type: list
      elements: dict
      sample: [{"rds_resource_id": "shoppulse-analytics", "type": "RDS_INSTANCE", "port": 5432,
                "target_health": {"state": "AVAILABLE"}}]
changes:
  description: The settings the task changed (or would change, in check mode).
  returned: always
  type: list
  elements: str
  sample: ["idle_client_timeout", "connection_pool.max_idle_connections_percent", "tags", "db_instance_identifiers"]
replaced:
  description: Whether the proxy was (or would be) deleted and created anew.
  returned: always
  type: bool
  sample: false
"""

import copy

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


def aws_errors():
    return (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError)


class ProxyManager:
    """Brings one proxy in line with the module's options, recording what it changes."""

    def __init__(self, module, client):
        self.module = module
        self.client = client
        self.params = module.params
        self.name = module.params["name"]
        self.changes = []

    # --- reading --------------------------------------------------------------------------------------------

    def read(self):
        try:
            return utils.read_proxy(self.client, self.name)
        except aws_errors() as e:
            self.module.fail_json_aws(e, msg=f"Could not describe proxy {self.name}")

    def wait(self, waiter, what):
        try:
            waiter(self.client, self.name, self.params["wait_timeout"], self.params["wait_delay"])
        except utils.WaitTimeout as e:
            self.module.fail_json(msg=str(e), changes=self.changes)
        except aws_errors() as e:
            self.module.fail_json_aws(e, msg=f"Could not describe proxy {self.name} while waiting for {what}")

    # --- mutating calls ---------------------------------------------------------------------------------------

    def create(self):
        params = self.params
        request = {
            "DBProxyName": self.name,
            "EngineFamily": params["engine_family"],
            "RoleArn": params["role_arn"],
            "VpcSubnetIds": params["vpc_subnet_ids"],
        }
        optional = {
            "Auth": utils.auth_request(params["auth"]) if params["auth"] is not None else None,
            "DefaultAuthScheme": params["default_auth_scheme"],
            "VpcSecurityGroupIds": params["vpc_security_group_ids"],
            "RequireTLS": params["require_tls"],
            "IdleClientTimeout": params["idle_client_timeout"],
            "DebugLogging": params["debug_logging"],
            "EndpointNetworkType": params["endpoint_network_type"],
            "TargetConnectionNetworkType": params["target_connection_network_type"],
            "Tags": ansible_dict_to_boto3_tag_list(params["tags"]) if params["tags"] else None,
        }
        request.update({key: value for key, value in optional.items() if value is not None})
        try:
            self.client.create_db_proxy(aws_retry=True, **request)
        except aws_errors() as e:
            self.module.fail_json_aws(e, msg=f"Could not create proxy {self.name}")

    def delete(self):
        try:
            self.client.delete_db_proxy(aws_retry=True, DBProxyName=self.name)
        except is_boto3_error_code("DBProxyNotFoundFault"):
            return
        except aws_errors() as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg=f"Could not delete proxy {self.name}")

    def modify(self, changes):
        try:
            self.client.modify_db_proxy(aws_retry=True, DBProxyName=self.name, **changes)
        except aws_errors() as e:
            self.module.fail_json_aws(e, msg=f"Could not modify proxy {self.name} ({', '.join(sorted(changes))})")

    def modify_pool(self, config):
        try:
            self.client.modify_db_proxy_target_group(aws_retry=True, DBProxyName=self.name, TargetGroupName="default",
                                                     ConnectionPoolConfig=config)
        except aws_errors() as e:
            self.module.fail_json_aws(e, msg=f"Could not modify the connection pool of proxy {self.name}")

    def update_tags(self, arn, to_set, to_unset):
        try:
            if to_unset:
                self.client.remove_tags_from_resource(aws_retry=True, ResourceName=arn, TagKeys=to_unset)
            if to_set:
                self.client.add_tags_to_resource(aws_retry=True, ResourceName=arn, Tags=ansible_dict_to_boto3_tag_list(to_set))
        except aws_errors() as e:
            self.module.fail_json_aws(e, msg=f"Could not update the tags of proxy {self.name}")

    def register(self, instances, clusters):
        for key, identifiers in (("DBInstanceIdentifiers", instances), ("DBClusterIdentifiers", clusters)):
            for identifier in identifiers:
                try:
                    self.client.register_db_proxy_targets(aws_retry=True, DBProxyName=self.name, TargetGroupName="default",
                                                          **{key: [identifier]})
                except is_boto3_error_code("DBProxyTargetAlreadyRegisteredFault"):
                    continue  # registered meanwhile (an interrupted run, another operator): the goal is met
                except aws_errors() as e:  # pylint: disable=duplicate-except
                    self.module.fail_json_aws(e, msg=f"Could not register {identifier} as a target of proxy {self.name}")

    def deregister(self, instances, clusters):
        request = {key: value for key, value in (("DBInstanceIdentifiers", instances), ("DBClusterIdentifiers", clusters)) if value}
        if not request:
            return
        try:
            self.client.deregister_db_proxy_targets(aws_retry=True, DBProxyName=self.name, TargetGroupName="default", **request)
        except is_boto3_error_code("DBProxyTargetNotFoundFault"):
            return
        except aws_errors() as e:  # pylint: disable=duplicate-except
            self.module.fail_json_aws(e, msg=f"Could not deregister {', '.join(instances + clusters)} from proxy {self.name}")

    # --- planning -----------------------------------------------------------------------------------------------

    def plan(self, state):
        """The changes to bring ``state`` in line: (ModifyDBProxy fields, pool config or None, tags or None, target plan)."""
        planned = utils.plan(state, self.params)
        pool = planned["pool"]
        if pool.get("MaxIdleConnectionsPercent", 0) > pool.get("MaxConnectionsPercent", 100):
            self.module.fail_json(msg=f"connection_pool.max_idle_connections_percent: {pool['MaxIdleConnectionsPercent']} exceeds "
                                      f"max_connections_percent {pool['MaxConnectionsPercent']}")
        self.changes += planned["changes"]
        return planned["modify"], (pool if planned["pool_changed"] else None), planned["tags"], planned["targets"]

    # --- the two states -----------------------------------------------------------------------------------------

    def present(self, existing):
        params = self.params
        before = existing
        replaced = False
        if existing is not None:
            differences = utils.immutable_differences(existing["proxy"], params)
            if differences and not params["replace"]:
                detail = "; ".join(f"{option} is {old!r}, asked for {new!r}" for option, (old, new) in differences.items())
                self.module.fail_json(msg=f"Proxy {self.name} cannot be changed in place ({detail}): set replace=true to replace it")
            if differences:
                replaced = True
                self.changes += sorted(differences)
                existing = None
                if not self.module.check_mode:
                    self.delete()
                    self.wait(utils.wait_for_proxy_deleted, "its deletion before the replacement")

        if existing is None:
            self.require_creation_options()
            self.changes.append("created")
            predicted = utils.predicted_proxy(params)
            if self.module.check_mode:
                self.finish(before, predicted, replaced)
            self.check_subnet_zones()
            self.create()
            # The API refuses pool and target changes while the proxy is being created.
            if params["wait"] or params["connection_pool"] or params["db_instance_identifiers"] or params["db_cluster_identifiers"]:
                self.wait(utils.wait_for_proxy, "it to become available")
            existing = self.read()

        elif existing["proxy"].get("Status") not in ("available", None) and params["wait"]:
            self.wait(utils.wait_for_proxy, "it to become available before changing it")

        modify, pool, tags, targets = self.plan(existing)
        if self.module.check_mode:
            self.finish(before, utils.apply_changes(existing, modify, pool, tags, targets), replaced)

        if modify:
            self.modify(modify)
            # A modified proxy is `modifying` for a while, and the API refuses target group changes meanwhile.
            if pool is not None or any(targets.values()):
                self.wait(utils.wait_for_proxy, "the modification to finish")
        if pool is not None:
            self.modify_pool(pool)
        if tags is not None:
            to_set, to_unset = compare_aws_tags(existing["tags"], params["tags"], params["purge_tags"])
            self.update_tags(existing["proxy"]["DBProxyArn"], to_set, to_unset)
        self.deregister(targets["deregister_instances"], targets["deregister_clusters"])
        self.register(targets["register_instances"], targets["register_clusters"])

        if params["wait"] and (modify or pool is not None):
            self.wait(utils.wait_for_proxy, "it to become available")
        if params["wait_for_targets"]:
            self.wait(utils.wait_for_targets, "its targets to become available")
        self.finish(before, self.read(), replaced)

    def check_subnet_zones(self):
        """A proxy needs subnets in at least two availability zones: say so before CreateDBProxy gives a vaguer error."""
        ec2 = self.module.client("ec2", retry_decorator=AWSRetry.jittered_backoff())
        try:
            subnets = ec2.describe_subnets(aws_retry=True, SubnetIds=self.params["vpc_subnet_ids"])["Subnets"]
        except aws_errors() as e:
            self.module.fail_json_aws(e, msg=f"Could not describe the subnets of proxy {self.name}")
        zones = sorted({subnet["AvailabilityZone"] for subnet in subnets})
        if len(zones) < 2:
            self.module.fail_json(msg=f"vpc_subnet_ids: a proxy needs subnets in at least two availability zones, got {', '.join(zones) or 'none'}")

    def require_creation_options(self):
        missing = utils.creation_errors(self.params)
        if missing:
            self.module.fail_json(msg="; ".join(missing))

    def absent(self, existing):
        if existing is None:
            self.module.exit_json(changed=False, proxy={}, changes=[], replaced=False)
        self.changes.append("deleted")
        if not self.module.check_mode:
            self.delete()
            if self.params["wait"]:
                self.wait(utils.wait_for_proxy_deleted, "its deletion")
        self.finish(existing, None, False)

    def finish(self, before, after, replaced):
        before_view = utils.normalise(before)
        after_view = utils.normalise(after)
        self.module.exit_json(
            changed=bool(self.changes),
            proxy=after_view,
            changes=self.changes,
            replaced=replaced,
            diff={"before": utils.for_diff(before_view), "after": utils.for_diff(copy.deepcopy(after_view))},
        )


AUTH_SPEC = dict(
    auth_scheme=dict(type="str", choices=["SECRETS"], default="SECRETS"),
    secret_arn=dict(type="str", no_log=False),  # an ARN, not the secret itself
    iam_auth=dict(type="str", choices=["DISABLED", "REQUIRED", "ENABLED"]),
    client_password_auth_type=dict(type="str", choices=["MYSQL_NATIVE_PASSWORD", "MYSQL_CACHING_SHA2_PASSWORD", "POSTGRES_SCRAM_SHA_256",
                                                        "POSTGRES_MD5", "SQL_SERVER_AUTHENTICATION"]),
    description=dict(type="str"),
)
POOL_SPEC = dict(
    max_connections_percent=dict(type="int"),
    max_idle_connections_percent=dict(type="int"),
    connection_borrow_timeout=dict(type="int"),
    session_pinning_filters=dict(type="list", elements="str", choices=["EXCLUDE_VARIABLE_SETS"]),
    init_query=dict(type="str"),
)
ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True, aliases=["db_proxy_name"]),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    engine_family=dict(type="str", choices=["MYSQL", "POSTGRESQL", "SQLSERVER"]),
    auth=dict(type="list", elements="dict", options=AUTH_SPEC),
    default_auth_scheme=dict(type="str", choices=["IAM_AUTH", "NONE"]),
    role_arn=dict(type="str"),
    vpc_subnet_ids=dict(type="list", elements="str"),
    vpc_security_group_ids=dict(type="list", elements="str"),
    require_tls=dict(type="bool"),
    idle_client_timeout=dict(type="int"),
    debug_logging=dict(type="bool"),
    endpoint_network_type=dict(type="str", choices=["IPV4", "IPV6", "DUAL"]),
    target_connection_network_type=dict(type="str", choices=["IPV4", "IPV6"]),
    connection_pool=dict(type="dict", options=POOL_SPEC),
    db_instance_identifiers=dict(type="list", elements="str"),
    db_cluster_identifiers=dict(type="list", elements="str"),
    purge_targets=dict(type="bool", default=utils.PLAN_DEFAULTS["purge_targets"]),
    replace=dict(type="bool", default=False),
    wait=dict(type="bool", default=True),
    wait_for_targets=dict(type="bool", default=False),
    wait_timeout=dict(type="int", default=900),
    wait_delay=dict(type="int", default=15),
    tags=dict(type="dict", aliases=["resource_tags"]),
    purge_tags=dict(type="bool", default=utils.PLAN_DEFAULTS["purge_tags"]),
)
OPTIONS: dict = {}


def run(module) -> None:
    """Converge and end the module (its action plugin runs this in the task's worker on the controller)."""
    if module.params["state"] == "present":
        errors = utils.validation_errors(module.params)
        if errors:
            module.fail_json(msg="; ".join(errors))

    client = module.client("rds", retry_decorator=AWSRetry.jittered_backoff())
    manager = ProxyManager(module, client)
    existing = manager.read()
    if module.params["state"] == "present":
        manager.present(existing)
    else:
        manager.absent(existing)


def main():
    run(AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True, **OPTIONS))


if __name__ == "__main__":
    main()
