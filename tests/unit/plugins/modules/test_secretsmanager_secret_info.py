"""secretsmanager_secret_info: a secret's state without its value, on moto."""

import json

import boto3
import pytest
from moto import mock_aws

from ansible_collections.shoppulse.analytics.plugins.modules import secretsmanager_secret_info

NAME = "shoppulse-analytics/rds/master"
VALUE = '{"username": "u", "password": "never-returned"}'


@pytest.fixture(name="secrets")
def fixture_secrets():
    with mock_aws():
        yield boto3.client("secretsmanager", region_name="us-east-1")


def test_a_missing_secret_does_not_exist(run_module, secrets):
    result = run_module(secretsmanager_secret_info.main, {"name": NAME})
    assert result == {"changed": False, "exists": False, "secret": {}, "invocation": result["invocation"]}
    assert secrets.list_secrets()["SecretList"] == []


def test_describes_stages_tags_and_policy_never_the_value(run_module, secrets):
    arn = secrets.create_secret(Name=NAME, SecretString=VALUE, Tags=[{"Key": "environment", "Value": "local"}])["ARN"]
    pending = secrets.put_secret_value(SecretId=NAME, SecretString=VALUE.replace("never", "still-never"),
                                       VersionStages=["AWSPENDING"])["VersionId"]
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}]}
    secrets.put_resource_policy(SecretId=NAME, ResourcePolicy=json.dumps(policy))
    result = run_module(secretsmanager_secret_info.main, {"name": NAME})
    secret = result["secret"]
    assert result["exists"] and not result["changed"]
    assert secret["arn"] == arn and secret["name"] == NAME and secret["tags"] == {"environment": "local"}
    assert secret["pending_version_id"] == pending
    assert secret["current_version_id"] not in (None, pending)
    assert secret["resource_policy"] == policy and secret["deleted_date"] is None
    assert "never-returned" not in json.dumps(result)


def test_a_secret_scheduled_for_deletion_still_exists_with_its_date(run_module, secrets):
    secrets.create_secret(Name=NAME, SecretString=VALUE)
    secrets.delete_secret(SecretId=NAME, RecoveryWindowInDays=7)
    result = run_module(secretsmanager_secret_info.main, {"name": NAME})
    assert result["exists"] and result["secret"]["deleted_date"] is not None
    assert result["secret"]["pending_version_id"] is None and result["secret"]["resource_policy"] is None
