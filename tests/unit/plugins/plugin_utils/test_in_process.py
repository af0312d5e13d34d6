"""in_process: a module run in the task's worker answers as the same module run as its own process - the same result
for the same account, the same one-line failures - its secrets masked the same way; the controller's warm-up leaves
each worker nothing of botocore's data to read. One playbook shows the action plugin running the module in the worker
where it would run on the controller's Python, and as a process where the task sets an environment or becomes
another user."""

from __future__ import annotations

import gc
import json
import os
import re
import subprocess
import sys

import boto3
import botocore.exceptions
import botocore.loaders
import pytest
from moto import mock_aws

from ansible_collections.shoppulse.analytics.plugins.callback import aws_preload
from ansible_collections.shoppulse.analytics.plugins.modules import (
    cloudwatch_dashboard, cloudwatch_metric_alarms, ec2_vpc_flow_log, ec2_vpc_flow_log_info, ec2_vpc_network_info, ec2_vpc_route_tables,
    ec2_vpc_security_group, ec2_vpc_subnets, iam_authorization_details_info, iam_service_role, lambda_function_info, lambda_package, monitoring_state_info,
    rds_db_parameters_info, rds_event_subscription, rds_layer_info, rds_proxy, rds_proxy_info, role_and_log_groups_info, rollout_lock,
    scheduler_schedule, scheduler_schedule_info, secretsmanager_credentials, secretsmanager_rotation, secretsmanager_secret_info,
    secretsmanager_secret_stage)
from ansible_collections.shoppulse.analytics.plugins.plugin_utils import in_process
from localenv import fidelity
from tests.roles.conftest import CLOSED_PORT, ansible_playbook
from tests.roles.playbook_output import recap
from tests.unit.plugins.modules.conftest import fixture_run_module  # noqa: F401  pylint: disable=unused-import
from tests.unit.plugins.modules.conftest import AWS, ModuleExit, in_worker

SECRET = "shoppulse-analytics/rds/master"
PASSWORD = "held-Password-1234567890"
LOG_GROUP = "/aws/rds/instance/shoppulse-analytics/postgresql"
TOPIC = "arn:aws:sns:us-east-1:123456789012:shoppulse-analytics-alarms"


def _vpc_id() -> str:
    return boto3.client("ec2", region_name="us-east-1").describe_vpcs(
        Filters=[{"Name": "tag:Name", "Values": ["shoppulse-analytics"]}])["Vpcs"][0]["VpcId"]


# Each in-process module with options that read (or would change) something the account below holds (a callable gives
# options that name what the account's fixture made).
CASES = {
    "rds_layer_info": (rds_layer_info, {"db_instance_identifier": "shoppulse-analytics", "log_group_names": [LOG_GROUP]}),
    "ec2_vpc_network_info": (ec2_vpc_network_info, {"name": "shoppulse-analytics", "zones": True}),
    "monitoring_state_info": (monitoring_state_info, {"alarm_prefix": "shoppulse", "dashboard": "shoppulse", "topic": "shoppulse"}),
    "rds_proxy_info": (rds_proxy_info, {}),
    "lambda_function_info": (lambda_function_info, {"name": "test-db-connection", "log_group_name": LOG_GROUP}),
    "scheduler_schedule_info": (scheduler_schedule_info, {"name": "shoppulse-analytics-stop"}),
    "secretsmanager_credentials": (secretsmanager_credentials, {"name": SECRET, "username": "shoppulse_admin", "dbname": "other",
                                                                "new_password": "drawn-Password-0987654321"}),
    "rollout_lock": (rollout_lock, {"name": "/shoppulse-analytics/test/rollout-lock", "playbook": "site.yml"}),
    "secretsmanager_secret_info": (secretsmanager_secret_info, {"name": SECRET}),
    "role_and_log_groups_info": (role_and_log_groups_info, {"role_name": "missing-role", "log_group_names": [LOG_GROUP]}),
    "rds_db_parameters_info": (rds_db_parameters_info, {"name": "default.postgres15", "names": ["rds.force_ssl"]}),
    "ec2_vpc_flow_log_info": (ec2_vpc_flow_log_info, {}),
    "iam_authorization_details_info": (iam_authorization_details_info, {}),
    "ec2_vpc_subnets": (ec2_vpc_subnets, lambda: {"vpc_id": _vpc_id(), "subnets": [
        {"cidr": "10.0.0.0/24", "az": "us-east-1a", "map_public": True, "tags": {"Name": "public-a", "tier": "public"}}]}),
    "ec2_vpc_security_group": (ec2_vpc_security_group, lambda: {
        "name": "shoppulse-analytics-sg", "description": "database", "vpc_id": _vpc_id(), "tags": {"Name": "shoppulse-analytics-sg"},
        "rules": [{"ports": [5432], "group_name": "shoppulse-analytics-sg", "rule_desc": "members"}]}),
    "rds_proxy": (rds_proxy, {"name": "shoppulse-analytics-proxy", "engine_family": "POSTGRESQL", "require_tls": True,
                              "auth": [{"secret_arn": f"arn:aws:secretsmanager:us-east-1:123456789012:secret:{SECRET}-AbCdEf"}],
                              "role_arn": "arn:aws:iam::123456789012:role/proxy", "vpc_subnet_ids": ["subnet-1", "subnet-2"]}),
    "iam_service_role": (iam_service_role, {
        "name": "shoppulse-analytics-proxy", "tags": {"environment": "test"}, "policy_name": "read-secrets",
        "assume_role_policy_document": json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "rds.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
        "policy_document": json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]})}),
    "cloudwatch_metric_alarms": (cloudwatch_metric_alarms, {"prefix": "shoppulse-", "alarm_actions": [TOPIC], "alarms": [
        {"name": "shoppulse-cpu", "metric_name": "CPUUtilization", "namespace": "AWS/RDS", "statistic": "Average",
         "dimensions": {"DBInstanceIdentifier": "shoppulse-analytics"}, "comparison": "GreaterThanThreshold", "threshold": 80,
         "period": 300, "evaluation_periods": 3}]}),
    "cloudwatch_dashboard": (cloudwatch_dashboard, {"name": "shoppulse-analytics", "body": {"widgets": [
        {"type": "text", "x": 0, "y": 0, "width": 6, "height": 2, "properties": {"markdown": "ShopPulse"}}]}}),
    "rds_event_subscription": (rds_event_subscription, {"name": "shoppulse-analytics-instance", "sns_topic_arn": TOPIC,
                                                        "source_type": "db-instance", "source_ids": ["shoppulse-analytics"]}),
    "ec2_vpc_route_tables": (ec2_vpc_route_tables, lambda: {"vpc_id": _vpc_id(), "route_tables": [
        {"name": "shoppulse-analytics-isolated", "tags": {"tier": "isolated"}}]}),
    "ec2_vpc_flow_log": (ec2_vpc_flow_log, lambda: {"resource_id": _vpc_id(), "log_group_name": LOG_GROUP, "tags": {"Name": "flow"},
                                                    "deliver_logs_permission_arn": "arn:aws:iam::123456789012:role/flow-logs"}),
    "scheduler_schedule": (scheduler_schedule, {"name": "shoppulse-analytics-stop", "schedule_expression": "cron(0 20 * * ? *)", "target": {
        "arn": "arn:aws:scheduler:::aws-sdk:rds:stopDBInstance", "role_arn": "arn:aws:iam::123456789012:role/stop",
        "input": {"DbInstanceIdentifier": "shoppulse-analytics"}}}),
    "secretsmanager_rotation": (secretsmanager_rotation, {"name": SECRET}),
    "secretsmanager_secret_stage": (secretsmanager_secret_stage, {
        "name": SECRET, "stage": "AWSPENDING", "version_id": "00000000-0000-4000-8000-000000000001",
        "secret_string": json.dumps({"username": "shoppulse_admin", "password": "drawn-Password-1234567890", "dbname": "shoppulse"})}),
}

# The modules whose case the account refuses (its secret has no rotation function): both ways must refuse alike.
REFUSED_ON_THE_ACCOUNT = {"secretsmanager_rotation"}


@pytest.fixture(name="account")
def fixture_account(monkeypatch):
    """An account holding a VPC, a log group and a credentials secret; the default credentials are the tests'."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    fidelity.apply_all()
    with mock_aws():
        boto3.client("ec2", region_name="us-east-1").create_vpc(
            CidrBlock="10.0.0.0/16", TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "shoppulse-analytics"}]}])
        boto3.client("logs", region_name="us-east-1").create_log_group(logGroupName=LOG_GROUP)
        boto3.client("secretsmanager", region_name="us-east-1").create_secret(
            Name=SECRET, SecretString=json.dumps({"username": "shoppulse_admin", "password": PASSWORD, "dbname": "shoppulse"}))
        yield


def as_process(run_module, module, args: dict, check_mode=False, diff=False) -> dict:
    return run_module(module.main, args, check_mode=check_mode, diff=diff)


@pytest.mark.parametrize("name", CASES)
def test_a_module_run_in_the_worker_answers_as_its_process(account, run_module, name):  # pylint: disable=unused-argument
    module, args = CASES[name]
    args = args() if callable(args) else args
    # Check mode with diff: the writing modules say what they would change and change nothing, so both runs see one account.
    if name not in REFUSED_ON_THE_ACCOUNT:
        assert in_worker(module, args, check_mode=True, diff=True) == as_process(run_module, module, args, check_mode=True, diff=True)
        return
    with pytest.raises(ModuleExit) as in_the_worker:
        in_worker(module, args, check_mode=True, diff=True)
    with pytest.raises(ModuleExit) as as_its_process:
        as_process(run_module, module, args, check_mode=True, diff=True)
    assert in_the_worker.value.result == as_its_process.value.result and in_the_worker.value.result["msg"]


def test_a_module_without_aws_calls_answers_as_its_process_with_the_file_it_names(tmp_path, run_module):
    """lambda_package: a plain AnsibleModule's options, and the attributes AnsibleModule adds of the file in ``dest``."""
    source = tmp_path / "handler.py"
    source.write_text("def handler(event, context):\n    return None\n")
    args = {"dest": str(tmp_path / "function.zip"), "sources": [{"src": str(source)}]}
    assert in_worker(lambda_package, args, aws=False)["changed"]

    in_the_worker = in_worker(lambda_package, args, check_mode=True, diff=True, aws=False)
    assert in_the_worker == run_module(lambda_package.main, args, check_mode=True, diff=True, aws=False)
    assert in_the_worker["state"] == "file" and in_the_worker["size"] == (tmp_path / "function.zip").stat().st_size
    with pytest.raises(ModuleExit) as refused:
        in_worker(lambda_package, {**args, "region": "us-east-1"}, aws=False)
    assert refused.value.result["msg"] == "Unsupported parameters for (shoppulse.analytics.lambda_package) module: region. " \
        "Supported parameters include: dest, packages, sources."


def test_the_password_a_module_reads_or_is_given_never_reaches_its_result(account):  # pylint: disable=unused-argument
    module, args = CASES["secretsmanager_credentials"]
    shown = json.dumps(in_worker(module, args, diff=True))
    assert PASSWORD not in shown and args["new_password"] not in shown

    # A no_log option's value is masked wherever a result would carry it, as AnsibleModule masks it.
    controller = in_process.ControllerModule("shoppulse.analytics.secretsmanager_credentials", module.ARGUMENT_SPEC, module.OPTIONS,
                                             {**AWS, **args}, False, False)
    with pytest.raises(in_process.Ended) as ended:
        controller.exit_json(changed=False, echoed=f"it was {args['new_password']}")
    assert ended.value.result["echoed"] == "it was ********"
    assert ended.value.result["invocation"]["module_args"]["new_password"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


@pytest.mark.parametrize("args, message", [
    ({"security_group_name": "db"}, "missing required arguments: db_instance_identifier"),
    ({"db_instance_identifier": "x", "colour": "red"}, "Unsupported parameters for (shoppulse.analytics.rds_layer_info) module: colour."),
])
def test_options_the_module_refuses_are_refused_in_the_same_words(run_module, args, message):
    with pytest.raises(ModuleExit) as in_the_worker:
        in_worker(rds_layer_info, args)
    with pytest.raises(ModuleExit) as as_its_process:
        run_module(rds_layer_info.main, args)

    # The process names itself by its file under this harness, by its FQCN under Ansible, as the worker does.
    assert in_the_worker.value.result["msg"].split(" module: ")[-1] == as_its_process.value.result["msg"].split(" module: ")[-1]
    assert in_the_worker.value.result["msg"].startswith(message)


def test_an_aws_error_fails_naming_the_call_and_the_code():
    module = in_process.ControllerModule("shoppulse.analytics.rds_layer_info", rds_layer_info.ARGUMENT_SPEC, rds_layer_info.OPTIONS,
                                         {**AWS, "db_instance_identifier": "x"}, False, False)
    error = botocore.exceptions.ClientError({"Error": {"Code": "AccessDenied", "Message": "not allowed"}}, "DescribeDBInstances")

    with pytest.raises(in_process.Ended) as ended:
        module.fail_json_aws(error, msg="db_instance_identifier: could not read x")

    assert ended.value.result["failed"] is True
    assert ended.value.result["msg"] == ("db_instance_identifier: could not read x: An error occurred (AccessDenied) when calling the "
                                         "DescribeDBInstances operation: not allowed")
    assert ended.value.result["error"] == {"code": "AccessDenied", "message": "not allowed"}


def test_after_the_warm_up_a_worker_makes_every_client_without_reading_botocores_data(monkeypatch):
    in_process.warm()
    read = []
    original = botocore.loaders.JSONFileLoader.load_file
    monkeypatch.setattr(botocore.loaders.JSONFileLoader, "load_file", lambda self, path: read.append(path) or original(self, path))
    module = in_process.ControllerModule("shoppulse.analytics.rds_layer_info", rds_layer_info.ARGUMENT_SPEC, rds_layer_info.OPTIONS,
                                         {**AWS, "db_instance_identifier": "x", "endpoint_url": "http://127.0.0.1:9"}, False, False)

    for service in in_process.SERVICES:
        module.client(service)

    assert in_process.warm() is False  # read once per run: a second call reads nothing
    assert [path for path in read if path.endswith(("service-2", "endpoint-rule-set-1", "endpoints"))] == []


def test_the_callback_knows_every_in_process_module_and_warms_up_for_those_only(monkeypatch):
    warmed = []

    def warm():  # as in_process.warm: it reads on its first call only, and says so
        warmed.append(not warmed)
        return warmed[-1]

    monkeypatch.setattr(in_process, "warm", warm)
    callback = aws_preload.CallbackModule()
    callback.v2_playbook_on_start(None)

    assert sorted(callback.actions) == sorted(f"shoppulse.analytics.{name}" for name in CASES)
    gc.unfreeze()
    try:
        callback.v2_playbook_on_task_start(type("Task", (), {"action": "ansible.builtin.ping"})(), False)
        assert not warmed and not gc.get_freeze_count()
        callback.v2_playbook_on_task_start(type("Task", (), {"action": "shoppulse.analytics.rds_layer_info"})(), False)
        assert warmed == [True] and gc.get_freeze_count()  # what warm read, frozen before the worker is forked
        callback.v2_playbook_on_task_start(type("Task", (), {"action": "shoppulse.analytics.rds_proxy_info"})(), False)
        assert warmed.count(True) == 1  # read once per run
    finally:
        gc.unfreeze()


@pytest.mark.parametrize("action", ["amazon.aws.ec2_vpc_net", "community.aws.secretsmanager_secret"])
def test_the_callback_warms_up_before_a_module_of_amazon_aws_or_community_aws(monkeypatch, action):
    warmed = []
    monkeypatch.setattr(in_process, "warm", lambda: warmed.append(True) or True)
    callback = aws_preload.CallbackModule()
    callback.v2_playbook_on_task_start(type("Task", (), {"action": "ansible.builtin.debug"})(), False)
    callback.v2_playbook_on_task_start(type("Task", (), {"action": action})(), False)
    gc.unfreeze()
    assert warmed == [True]


# In a process of its own: this test process shares one loader already (tests/conftest.py).
SHARED_LOADER_PROBE = """
import boto3
from ansible_collections.shoppulse.analytics.plugins.plugin_utils import in_process
def loaders():
    return [boto3.session.Session()._session.get_component("data_loader") for _ in range(2)]
first, second = loaders()
assert first is not second, "botocore already shares its loader: nothing to prove"
in_process.share_loader()
in_process.share_loader()  # a second call wraps nothing again
in_process.warm()
first, second = loaders()
assert first is second, "two sessions, two loaders"
assert "ec2" in str(first._cache), "the sessions' loader is the one warm read the models with"
print("one loader")
"""


def test_after_share_loader_every_session_reads_with_the_loader_warm_read():
    result = subprocess.run([sys.executable, "-c", SHARED_LOADER_PROBE], capture_output=True, text=True, check=False,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert result.returncode == 0 and result.stdout.strip() == "one loader", result.stderr[-3000:]


def test_the_module_runs_in_the_worker_on_the_controllers_python_and_as_a_process_elsewhere(tmp_path):
    task = {"shoppulse.analytics.rds_layer_info": {"db_instance_identifier": "x", "region": "us-east-1",
                                                   "endpoint_url": f"http://127.0.0.1:{CLOSED_PORT}", "access_key": "testing",
                                                   "secret_key": "testing"}, "ignore_errors": True}
    playbook = tmp_path / "read.yml"
    playbook.write_text(json.dumps([{"hosts": "aws_control", "gather_facts": False, "tasks": [
        {"name": "In the worker", **task, "register": "in_the_worker"},
        {"name": "As a process", **task, "register": "as_a_process", "environment": {"SHOPPULSE_MARK": "1"}},
        {"name": "As a process, become", **task, "register": "become", "become": True, "become_method": "ansible.builtin.su"},
        {"name": "All fail in the same words", "ansible.builtin.assert": {"that": [
            "in_the_worker.msg == as_a_process.msg == become.msg",
            "in_the_worker.msg is match('db_instance_identifier: could not read the database layer of x: ')"]}},
    ]}]))

    result = ansible_playbook(str(playbook), "-vvv", port=CLOSED_PORT)

    assert recap(result) == {**recap(result), "ok": 4, "failed": 0, "ignored": 3}, result.stdout[-3000:]
    # The module's payload run by Python (python3, or python or python3.11 where a long checkout path gives the venv's
    # scripts a /bin/sh trampoline to the interpreter, as uv and pip write it): pipelined on its standard input, or as a
    # file where become turns pipelining off; not the other commands naming it.
    runs = [line for line in result.stdout.splitlines() if line.startswith("<localhost> EXEC")
            and re.search(r"/python(3(\.\d+)?)?( \S+/AnsiballZ_rds_layer_info\.py)? && sleep 0", line)]
    # The environment's task and the become task (root becoming root runs without su), not the first.
    assert len(runs) == 2 and "SHOPPULSE_MARK=1 " in runs[0] and "SHOPPULSE_MARK" not in runs[1], runs
