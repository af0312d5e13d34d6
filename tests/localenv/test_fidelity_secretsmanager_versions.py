"""The Secrets Manager version entries answer as the Secrets Manager API reference says."""

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from localenv import fidelity
from tests.conftest import create_rotation_function

PENDING = "p" * 32


@pytest.fixture(name="sm")
def fixture_sm():
    fidelity.apply_all()
    # Without Docker the emulator's Lambda only records invocations: the test plays the rotation function.
    with mock_aws(config={"lambda": {"use_docker": False}}):
        yield boto3.client("secretsmanager", region_name="us-east-1")


def labels(sm, name):
    return sm.describe_secret(SecretId=name)["VersionIdsToStages"]


def holder(sm, name, stage):
    return next(version for version, stages in labels(sm, name).items() if stage in stages)


def finish(sm, name, token, value):
    """The rotation function's createSecret and finishSecret steps, as AWS's templates write them."""
    sm.put_secret_value(SecretId=name, ClientRequestToken=token, SecretString=value, VersionStages=["AWSPENDING"])
    sm.update_secret_version_stage(SecretId=name, VersionStage="AWSCURRENT", MoveToVersionId=token,
                                   RemoveFromVersionId=holder(sm, name, "AWSCURRENT"))


def test_moving_awscurrent_changes_the_value_read_without_a_stage(sm):
    first = sm.create_secret(Name="db", SecretString="old")["VersionId"]
    sm.put_secret_value(SecretId="db", ClientRequestToken=PENDING, SecretString="new", VersionStages=["AWSPENDING"])

    sm.update_secret_version_stage(SecretId="db", VersionStage="AWSCURRENT", MoveToVersionId=PENDING, RemoveFromVersionId=first)

    assert sm.get_secret_value(SecretId="db")["SecretString"] == "new"
    assert labels(sm, "db") == {first: ["AWSPREVIOUS"], PENDING: ["AWSPENDING", "AWSCURRENT"]}


def test_a_value_put_after_a_moved_awscurrent_makes_the_moved_one_previous(sm):
    first = sm.create_secret(Name="db", SecretString="old")["VersionId"]
    sm.put_secret_value(SecretId="db", ClientRequestToken=PENDING, SecretString="new", VersionStages=["AWSPENDING"])
    sm.update_secret_version_stage(SecretId="db", VersionStage="AWSCURRENT", MoveToVersionId=PENDING, RemoveFromVersionId=first)
    sm.update_secret_version_stage(SecretId="db", VersionStage="AWSPENDING", RemoveFromVersionId=PENDING)

    third = sm.put_secret_value(SecretId="db", SecretString="newest")["VersionId"]

    assert labels(sm, "db") == {first: [], PENDING: ["AWSPREVIOUS"], third: ["AWSCURRENT"]}
    assert sm.get_secret_value(SecretId="db")["SecretString"] == "newest"


def test_rotation_starts_with_the_stored_function_and_keeps_the_current_value_until_it_finishes(sm):
    function = create_rotation_function()
    first = sm.create_secret(Name="db", SecretString="old")["VersionId"]
    token = sm.rotate_secret(SecretId="db", RotationLambdaARN=function, RotationRules={"AutomaticallyAfterDays": 30})["VersionId"]
    finish(sm, "db", token, "second")

    again = sm.rotate_secret(SecretId="db")["VersionId"]  # AWSPENDING on the AWSCURRENT version: the last one finished

    assert sm.describe_secret(SecretId="db")["RotationLambdaARN"] == function
    assert labels(sm, "db") == {first: ["AWSPREVIOUS"], token: ["AWSCURRENT"], again: ["AWSPENDING"]}
    assert sm.get_secret_value(SecretId="db")["SecretString"] == "second"


def test_rotation_is_refused_while_another_is_in_progress(sm):
    function = create_rotation_function()
    first = sm.create_secret(Name="db", SecretString="old")["VersionId"]
    token = sm.rotate_secret(SecretId="db", RotationLambdaARN=function, RotationRules={"AutomaticallyAfterDays": 30})["VersionId"]

    with pytest.raises(ClientError) as refused:
        sm.rotate_secret(SecretId="db")

    assert refused.value.response["Error"]["Code"] == "InvalidRequestException"
    assert labels(sm, "db") == {first: ["AWSCURRENT"], token: ["AWSPENDING"]}
    assert sm.get_secret_value(SecretId="db")["SecretString"] == "old"


def test_rotation_without_a_function_stored_or_given_is_refused_and_changes_nothing(sm):
    first = sm.create_secret(Name="db", SecretString="old")["VersionId"]

    with pytest.raises(ClientError) as refused:
        sm.rotate_secret(SecretId="db")

    assert refused.value.response["Error"]["Code"] == "InvalidRequestException"
    assert labels(sm, "db") == {first: ["AWSCURRENT"]}
    assert sm.get_secret_value(SecretId="db")["SecretString"] == "old"


def test_rotation_with_a_function_that_does_not_exist_is_refused_and_stores_nothing(sm):
    first = sm.create_secret(Name="db", SecretString="old")["VersionId"]
    missing = "arn:aws:lambda:us-east-1:123456789012:function:absent"

    with pytest.raises(ClientError) as refused:
        sm.rotate_secret(SecretId="db", RotationLambdaARN=missing, RotationRules={"AutomaticallyAfterDays": 30})

    assert refused.value.response["Error"]["Code"] == "ResourceNotFoundException"
    described = sm.describe_secret(SecretId="db")
    assert "RotationLambdaARN" not in described and not described.get("RotationEnabled")
    assert labels(sm, "db") == {first: ["AWSCURRENT"]}


def test_rotation_with_a_stored_function_that_was_deleted_is_refused(sm):
    function = create_rotation_function()
    first = sm.create_secret(Name="db", SecretString="old")["VersionId"]
    token = sm.rotate_secret(SecretId="db", RotationLambdaARN=function, RotationRules={"AutomaticallyAfterDays": 30})["VersionId"]
    finish(sm, "db", token, "second")
    boto3.client("lambda", region_name="us-east-1").delete_function(FunctionName=function)

    with pytest.raises(ClientError) as refused:
        sm.rotate_secret(SecretId="db")

    assert refused.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert labels(sm, "db") == {first: ["AWSPREVIOUS"], token: ["AWSPENDING", "AWSCURRENT"]}
    assert sm.get_secret_value(SecretId="db")["SecretString"] == "second"
