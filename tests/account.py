"""What an emulator's account holds of the kinds site.yml builds, listed with boto3: the before and after of the tests
that build, destroy or snapshot whole environments (tests/operations/test_destroy.py, test_environments.py,
tests/converged.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import boto3

# (service, operation, list key, id key, keep): keep, when given, drops what counts as gone.
LISTINGS: tuple[tuple[str, str, str, str, Callable[[dict], bool] | None], ...] = (
    ("ec2", "describe_vpcs", "Vpcs", "VpcId", None),
    ("ec2", "describe_subnets", "Subnets", "SubnetId", None),
    ("ec2", "describe_internet_gateways", "InternetGateways", "InternetGatewayId", None),
    ("ec2", "describe_nat_gateways", "NatGateways", "NatGatewayId", lambda item: item["State"] != "deleted"),
    ("ec2", "describe_addresses", "Addresses", "AllocationId", None),
    ("ec2", "describe_route_tables", "RouteTables", "RouteTableId", None),
    ("ec2", "describe_flow_logs", "FlowLogs", "FlowLogId", None),
    ("ec2", "describe_security_groups", "SecurityGroups", "GroupId", None),
    ("rds", "describe_db_instances", "DBInstances", "DBInstanceIdentifier", None),
    ("rds", "describe_db_subnet_groups", "DBSubnetGroups", "DBSubnetGroupName", None),
    # RDS's own default groups (one per family, listed once an instance used one) are not the environment's.
    ("rds", "describe_db_parameter_groups", "DBParameterGroups", "DBParameterGroupName",
     lambda item: not item["DBParameterGroupName"].startswith("default.")),
    ("rds", "describe_db_proxies", "DBProxies", "DBProxyName", None),
    ("iam", "list_roles", "Roles", "RoleName", None),
    ("logs", "describe_log_groups", "logGroups", "logGroupName", None),
    ("secretsmanager", "list_secrets", "SecretList", "Name", None),  # scheduled for deletion: not listed
    ("sns", "list_topics", "Topics", "TopicArn", None),
    ("cloudwatch", "describe_alarms", "MetricAlarms", "AlarmName", None),
    ("cloudwatch", "list_dashboards", "DashboardEntries", "DashboardName", None),
    ("rds", "describe_event_subscriptions", "EventSubscriptionsList", "CustSubscriptionId", None),
    ("lambda", "list_functions", "Functions", "FunctionName", None),
    ("ssm", "describe_parameters", "Parameters", "Name", None),  # the rollout lock
)
BEFORE = "account-before.json"  # beside a converged snapshot: the account before its rollout


def client(port: int, service: str):
    return boto3.client(service, region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{port}",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def held(port: int) -> dict[str, list[str]]:
    """Every resource of the kinds site.yml builds, as the emulator on ``port`` lists them, by ``service:list key``."""
    found = {}
    for service, operation, key, id_key, keep in LISTINGS:
        api = client(port, service)
        pages = api.get_paginator(operation).paginate() if api.can_paginate(operation) else [getattr(api, operation)()]
        found[f"{service}:{key}"] = sorted(item[id_key] for page in pages for item in page[key] if keep is None or keep(item))
    return found


def record(listing: dict[str, list[str]], folder: Path) -> None:
    """Keep ``listing`` (``held`` before a rollout) beside the snapshot in ``folder``."""
    (folder / BEFORE).write_text(json.dumps(listing), encoding="utf-8")


def before(folder: Path) -> dict[str, list[str]]:
    """What the account of the snapshot in ``folder`` held before its rollout."""
    return json.loads((folder / BEFORE).read_text(encoding="utf-8"))
