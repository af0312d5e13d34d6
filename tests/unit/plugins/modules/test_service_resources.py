"""The log group and IAM service role reads (module_utils/service_resources.py) and the filters that skip a module
where a read shows nothing to do: on moto, the filter calls a read "as declared" exactly when the module, given the
same options, then reports no change - converged, and after each kind of drift the module mends. Also the reads that
return them: role_and_log_groups_info, lambda_function_info and ec2_vpc_network_info."""

import copy

import boto3
import pytest
from ansible_collections.amazon.aws.plugins.modules import cloudwatchlogs_log_group
from moto import mock_aws

from ansible_collections.shoppulse.analytics.plugins.filter.service_roles_and_logs import (
    cloudwatch_log_group_as_declared, iam_service_role_as_declared)
from ansible_collections.shoppulse.analytics.plugins.module_utils.service_resources import read_log_group, read_service_role
from ansible_collections.shoppulse.analytics.plugins.modules import (
    ec2_vpc_network_info, iam_service_role, lambda_function_info, role_and_log_groups_info)
from localenv import fidelity

from .conftest import ModuleExit

GROUP = "/aws/lambda/rotate"
LOG_GROUP = {"log_group_name": GROUP, "retention": 30, "tags": {"project": "shoppulse"}, "purge_tags": True}
ROLE = {"name": "rotate-role", "description": "Runs the Lambda function rotate",
        "assume_role_policy_document": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "policy_name": "rotate",
        "policy_document": {"Version": "2012-10-17", "Statement": [
            {"Sid": "WriteItsLog", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
             "Resource": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/rotate:*"}]},
        "tags": {"project": "shoppulse"}, "purge_tags": True}


@pytest.fixture(name="aws")
def fixture_aws():
    fidelity.apply_all()
    with mock_aws():
        yield {service: boto3.client(service, region_name="us-east-1") for service in ("iam", "logs")}


def log_group_agrees(run_module, aws, declared: dict) -> bool:
    """The filter's verdict on a fresh read, checked against the module's own (no change reported); the verdict."""
    found = read_log_group(aws["logs"], declared["log_group_name"])
    verdict = cloudwatch_log_group_as_declared(found, declared["log_group_name"], declared.get("retention"),
                                               declared.get("tags"), declared.get("purge_tags", True))
    assert verdict is not run_module(cloudwatchlogs_log_group.main, declared, check_mode=True)["changed"]
    return verdict


def role_agrees(run_module, aws, declared: dict) -> bool:
    found = read_service_role(aws["iam"], declared["name"], declared.get("policy_name"))
    verdict = iam_service_role_as_declared(found, declared)
    assert verdict is not run_module(iam_service_role.main, declared, check_mode=True)["changed"]
    return verdict


def test_a_log_group_is_as_declared_exactly_when_the_module_would_change_nothing(run_module, aws):
    assert read_log_group(aws["logs"], GROUP) == {}
    assert not log_group_agrees(run_module, aws, LOG_GROUP)  # missing
    run_module(cloudwatchlogs_log_group.main, LOG_GROUP)
    aws["logs"].create_log_group(logGroupName=f"{GROUP}-other")  # a name the prefix also finds
    assert read_log_group(aws["logs"], GROUP)["retention_in_days"] == 30
    assert log_group_agrees(run_module, aws, LOG_GROUP)
    assert not log_group_agrees(run_module, aws, {**LOG_GROUP, "retention": 14})
    assert not log_group_agrees(run_module, aws, {**LOG_GROUP, "tags": {"project": "other"}})
    aws["logs"].tag_log_group(logGroupName=GROUP, tags={"owner": "someone"})
    assert not log_group_agrees(run_module, aws, LOG_GROUP)  # purged
    assert log_group_agrees(run_module, aws, {**LOG_GROUP, "purge_tags": False})  # kept
    assert log_group_agrees(run_module, aws, {"log_group_name": GROUP, "retention": None, "tags": None})
    # Another group's read is never this one's, whatever it holds.
    other = read_log_group(aws["logs"], f"{GROUP}-other")
    assert not cloudwatch_log_group_as_declared(other, GROUP, None, None)


def test_a_role_is_as_declared_exactly_when_the_module_would_change_nothing(run_module, aws):
    assert read_service_role(aws["iam"], ROLE["name"], ROLE["policy_name"]) == {}
    assert not role_agrees(run_module, aws, ROLE)  # missing
    run_module(iam_service_role.main, ROLE)
    assert role_agrees(run_module, aws, ROLE)
    reordered = copy.deepcopy(ROLE)
    reordered["policy_document"]["Statement"][0]["Action"].reverse()  # the same policy, written another way
    assert role_agrees(run_module, aws, reordered)
    for key, value in (("description", "Another"), ("tags", {"project": "other"}),
                       ("assume_role_policy_document", {**ROLE["assume_role_policy_document"], "Version": "2008-10-17"})):
        assert not role_agrees(run_module, aws, {**ROLE, key: value}), key
    wider = copy.deepcopy(ROLE)
    wider["policy_document"]["Statement"][0]["Action"].append("logs:DescribeLogStreams")
    assert not role_agrees(run_module, aws, wider)
    aws["iam"].delete_role_policy(RoleName=ROLE["name"], PolicyName=ROLE["policy_name"])
    assert not role_agrees(run_module, aws, ROLE)  # the policy gone
    run_module(iam_service_role.main, ROLE)
    aws["iam"].tag_role(RoleName=ROLE["name"], Tags=[{"Key": "owner", "Value": "someone"}])
    assert not role_agrees(run_module, aws, ROLE)
    assert role_agrees(run_module, aws, {**ROLE, "purge_tags": False})
    assert not iam_service_role_as_declared(read_service_role(aws["iam"], ROLE["name"], ROLE["policy_name"]),
                                            {**ROLE, "name": "another-role"})


def test_the_function_read_returns_its_role_and_log_group_only_when_named(run_module, aws):
    run_module(cloudwatchlogs_log_group.main, LOG_GROUP)
    run_module(iam_service_role.main, ROLE)
    plain = run_module(lambda_function_info.main, {"name": "rotate"})
    named = run_module(lambda_function_info.main, {"name": "rotate", "role_name": ROLE["name"],
                                                   "policy_name": ROLE["policy_name"], "log_group_name": GROUP})
    assert "role" not in plain and "log_group" not in plain and not named["exists"]  # read whether or not it exists
    assert named["role"] == read_service_role(aws["iam"], ROLE["name"], ROLE["policy_name"])
    assert named["role"]["policy_document"]["Statement"][0]["Sid"] == "WriteItsLog"
    assert named["log_group"] == read_log_group(aws["logs"], GROUP) and named["log_group"]["arn"].endswith(f"{GROUP}:*")


def test_the_network_read_returns_the_flow_logs_group_and_role_only_when_named(run_module, aws):
    run_module(cloudwatchlogs_log_group.main, LOG_GROUP)
    run_module(iam_service_role.main, ROLE)
    plain = run_module(ec2_vpc_network_info.main, {"name": "shoppulse-analytics"})
    named = run_module(ec2_vpc_network_info.main, {"name": "shoppulse-analytics", "flow_log_group_name": GROUP,
                                                   "flow_log_role_name": ROLE["name"], "flow_log_policy_name": ROLE["policy_name"]})
    assert "flow_log_group" not in plain and "flow_log_role" not in plain and named["vpcs"] == []
    assert named["flow_log_group"] == read_log_group(aws["logs"], GROUP)
    assert named["flow_log_role"] == read_service_role(aws["iam"], ROLE["name"], ROLE["policy_name"])
    missing = run_module(ec2_vpc_network_info.main, {"name": "shoppulse-analytics", "flow_log_group_name": "/nothing",
                                                     "flow_log_role_name": "nothing"})
    assert (missing["flow_log_group"], missing["flow_log_role"]) == ({}, {})


def test_the_layer_read_returns_the_role_and_each_log_group_asked_for(run_module, aws):
    run_module(cloudwatchlogs_log_group.main, LOG_GROUP)
    run_module(iam_service_role.main, ROLE)
    found = run_module(role_and_log_groups_info.main, {"role_name": ROLE["name"], "policy_name": ROLE["policy_name"],
                                                       "log_group_names": [GROUP, "/aws/lambda/missing"]})
    assert not found["changed"]
    assert found["role"] == read_service_role(aws["iam"], ROLE["name"], ROLE["policy_name"])
    assert found["log_groups"] == {GROUP: read_log_group(aws["logs"], GROUP), "/aws/lambda/missing": {}}
    nothing = run_module(role_and_log_groups_info.main, {})
    assert (nothing["log_groups"], "role" in nothing) == ({}, False)
    assert run_module(role_and_log_groups_info.main, {"role_name": "missing"})["role"] == {}


def test_the_layer_read_names_what_it_could_not_read(run_module, stub_client):
    stub_client(role_and_log_groups_info, "iam").add_client_error("get_role", service_error_code="AccessDenied")
    with pytest.raises(ModuleExit) as failed:
        run_module(role_and_log_groups_info.main, {"role_name": ROLE["name"]})
    assert failed.value.result["msg"].startswith("role_name: could not read the role rotate-role or the log groups []")
