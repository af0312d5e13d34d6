"""The RDS parameter group entries answer as the RDS API reference says."""

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from localenv import fidelity


@pytest.fixture(name="rds")
def fixture_rds():
    fidelity.apply_all()
    with mock_aws():
        yield boto3.client("rds", region_name="us-east-1")


def test_an_unknown_parameter_group_is_not_found(rds):
    with pytest.raises(ClientError) as error:
        rds.describe_db_parameter_groups(DBParameterGroupName="absent")
    assert error.value.response["Error"]["Code"] == "DBParameterGroupNotFound"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_a_known_parameter_group_is_still_described(rds):
    rds.create_db_parameter_group(DBParameterGroupName="pg", DBParameterGroupFamily="postgres15", Description="d")
    groups = rds.describe_db_parameter_groups(DBParameterGroupName="pg")["DBParameterGroups"]
    assert [group["DBParameterGroupName"] for group in groups] == ["pg"]
    assert "pg" in [group["DBParameterGroupName"] for group in rds.describe_db_parameter_groups()["DBParameterGroups"]]
