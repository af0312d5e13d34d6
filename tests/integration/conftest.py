"""Fixtures for checks that read a live local environment (emulator + PostgreSQL) back.

Run by molecule's verify step, or by hand after `make local`:
    .venv/bin/pytest tests/integration
"""

import os

import boto3
import pytest

ENDPOINT = f"http://127.0.0.1:{os.environ.get('SHOPPULSE_EMULATOR_PORT', '4566')}"
NAME = os.environ.get("SHOPPULSE_NAME", "shoppulse-analytics")


def pytest_collection_modifyitems(config, items):  # pylint: disable=unused-argument
    """These checks need the live environment; outside it they would only fail on connection errors."""
    for item in items:
        item.add_marker(pytest.mark.integration)


def pytest_configure(config):
    config.addinivalue_line("markers", "integration: reads a live local environment")


@pytest.fixture(scope="session")
def aws():
    """A client factory bound to the emulator."""

    def client(service):
        return boto3.client(service, region_name="us-east-1", endpoint_url=ENDPOINT,
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    return client


@pytest.fixture(scope="session")
def vpc(aws):
    vpcs = aws("ec2").describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [NAME]}])["Vpcs"]
    assert len(vpcs) == 1, f"expected one VPC named {NAME}, found {len(vpcs)}"
    return vpcs[0]
