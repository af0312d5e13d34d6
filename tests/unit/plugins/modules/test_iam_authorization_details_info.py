"""iam_authorization_details_info: every principal with its policy documents, on moto and a Stubber."""

import json

import boto3
import pytest
from moto import mock_aws

from ansible_collections.shoppulse.analytics.plugins.modules import iam_authorization_details_info

from .conftest import ModuleExit

TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "rds.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
READ = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*"}]}
V1 = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}


@pytest.fixture(name="iam")
def fixture_iam():
    with mock_aws():
        yield boto3.client("iam", region_name="us-east-1")


def test_an_empty_account_has_no_principals(run_module, iam):  # pylint: disable=unused-argument  # moto must be up
    assert run_module(iam_authorization_details_info.main, {})["principals"] == []


def test_lists_roles_users_and_groups_with_their_documents(run_module, iam):
    iam.create_role(RoleName="proxy", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.put_role_policy(RoleName="proxy", PolicyName="read", PolicyDocument=json.dumps(READ))
    managed = iam.create_policy(PolicyName="objects", PolicyDocument=json.dumps(V1))["Policy"]["Arn"]
    iam.create_policy_version(PolicyArn=managed, PolicyDocument=json.dumps(READ), SetAsDefault=True)
    iam.create_group(GroupName="ops")
    iam.attach_group_policy(GroupName="ops", PolicyArn=managed)
    iam.create_user(UserName="alice")
    iam.add_user_to_group(GroupName="ops", UserName="alice")
    result = run_module(iam_authorization_details_info.main, {}, check_mode=True)
    assert not result["changed"]
    by_name = {principal["name"]: principal for principal in result["principals"]}
    assert [principal["type"] for principal in result["principals"]] == ["role", "user", "group"]
    assert by_name["proxy"]["policies"] == [{"name": "read", "kind": "inline", "arn": None, "document": READ}]
    assert by_name["ops"]["policies"] == [{"name": "objects", "kind": "customer-managed", "arn": managed, "document": READ}]
    assert by_name["alice"]["groups"] == ["ops"] and by_name["alice"]["policies"] == []


def test_lists_only_the_types_asked_for(run_module, iam):
    iam.create_role(RoleName="proxy", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.create_user(UserName="alice")
    result = run_module(iam_authorization_details_info.main, {"types": ["user"]})
    assert [(principal["type"], principal["name"]) for principal in result["principals"]] == [("user", "alice")]


@pytest.fixture(name="stubbed")
def fixture_stubbed(stub_client):
    return stub_client(iam_authorization_details_info, "iam")


# The emulator loads no AWS-managed policies: a Stubber stands for an account that attaches one, over two pages.
def test_aws_managed_policies_are_named_without_a_document(run_module, stubbed):
    request = {"Filter": ["Role", "User", "Group", "LocalManagedPolicy"]}
    user = {"UserName": "alice", "UserId": "AIDAEXAMPLE000000001", "Arn": "arn:aws:iam::123456789012:user/alice", "Path": "/",
            "CreateDate": "2024-01-01T00:00:00Z", "GroupList": [], "UserPolicyList": [],
            "AttachedManagedPolicies": [{"PolicyName": "ReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}]}
    stubbed.add_response("get_account_authorization_details", {"UserDetailList": [], "IsTruncated": True, "Marker": "m1"}, request)
    stubbed.add_response("get_account_authorization_details", {"UserDetailList": [user], "IsTruncated": False}, {**request, "Marker": "m1"})
    result = run_module(iam_authorization_details_info.main, {})
    assert result["principals"] == [{"type": "user", "name": "alice", "arn": "arn:aws:iam::123456789012:user/alice", "groups": [],
                                     "policies": [{"name": "ReadOnlyAccess", "kind": "aws-managed",
                                                   "arn": "arn:aws:iam::aws:policy/ReadOnlyAccess", "document": None}]}]


def test_an_api_error_is_reported(run_module, stubbed):
    stubbed.add_client_error("get_account_authorization_details", "AccessDenied", "not allowed")
    with pytest.raises(ModuleExit, match="Could not read the account's authorization details.*not allowed"):
        run_module(iam_authorization_details_info.main, {})
