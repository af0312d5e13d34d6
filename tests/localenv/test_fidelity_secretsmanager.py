"""The Secrets Manager entries: a secret scheduled for deletion, and when a secret was last read."""

import datetime

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from localenv import fidelity


@pytest.fixture(name="secrets")
def fixture_secrets():
    fidelity.apply_all()
    with mock_aws():
        yield boto3.client("secretsmanager", region_name="us-east-1")


# secretsmanager-marked-for-deletion

def test_a_secret_scheduled_for_deletion_is_marked_for_deletion(secrets):
    secrets.create_secret(Name="db", SecretString="v")
    secrets.delete_secret(SecretId="db", RecoveryWindowInDays=7)
    for call in (lambda: secrets.get_secret_value(SecretId="db"), lambda: secrets.cancel_rotate_secret(SecretId="db")):
        with pytest.raises(ClientError) as refused:
            call()
        assert refused.value.response["Error"]["Code"] == "InvalidRequestException"
        assert refused.value.response["Error"]["Message"] == (
            "You can't perform this operation on the secret because it was marked for deletion.")


# secretsmanager-last-accessed-date

def test_last_accessed_date_is_the_day_of_the_last_read(secrets):
    secrets.create_secret(Name="db", SecretString="v")
    assert "LastAccessedDate" not in secrets.describe_secret(SecretId="db")
    secrets.get_secret_value(SecretId="db")
    today = datetime.datetime.now(datetime.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    assert secrets.describe_secret(SecretId="db")["LastAccessedDate"] == today
    assert secrets.list_secrets()["SecretList"][0]["LastAccessedDate"] == today
