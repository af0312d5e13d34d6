"""The SSM entries: concurrent creations of one parameter, exactly one succeeds; parameters are described with their policies."""

import sys
import threading

import boto3
import pytest
from moto import mock_aws
from moto.ssm.models import ssm_backends

from localenv import fidelity

THREADS = 8


@pytest.fixture(name="backend")
def fixture_backend():
    fidelity.apply_all()
    with mock_aws():
        boto3.client("ssm", region_name="us-east-1").describe_parameters()
        yield ssm_backends["123456789012"]["us-east-1"]


def race(backend, name: str) -> list[int]:
    """THREADS creations of ``name`` released at once (as moto's threaded server runs requests); the winners."""
    winners, start = [], threading.Barrier(THREADS)

    def create(value: int) -> None:
        start.wait()
        try:
            backend.put_parameter(name, None, str(value), "String", None, None, False, [], "text", None, None)
        except Exception as error:  # pylint: disable=broad-exception-caught  # only ParameterAlreadyExists is expected
            assert type(error).__name__ == "ParameterAlreadyExists", error
        else:
            winners.append(value)

    threads = [threading.Thread(target=create, args=(value,)) for value in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return winners


def test_concurrent_creations_of_one_parameter_have_one_winner(backend):
    # Switching threads every microsecond makes an unguarded check-then-store interleave in about half the rounds.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        rounds = [race(backend, f"/lock/{n}") for n in range(20)]
    finally:
        sys.setswitchinterval(interval)
    assert all(len(winners) == 1 for winners in rounds), [len(w) for w in rounds]
    assert [backend.get_parameter(f"/lock/{n}").value for n in range(20)] == [str(w[0]) for w in rounds]


def test_a_deleted_parameter_can_be_created_again(backend):
    backend.put_parameter("/lock/again", None, "1", "String", None, None, False, [], "text", None, None)
    backend.delete_parameter("/lock/again")
    assert len(race(backend, "/lock/again")) == 1


# ssm-describe-parameters-policies

def test_described_parameters_carry_their_policies():
    fidelity.apply_all()
    with mock_aws():
        ssm = boto3.client("ssm", region_name="us-east-1")
        ssm.put_parameter(Name="/plain", Value="v", Type="String")
        expiry = '[{"Type":"Expiration","Version":"1.0","Attributes":{"Timestamp":"2030-01-01T00:00:00.000Z"}}]'
        ssm.put_parameter(Name="/expiring", Value="v", Type="String", Tier="Advanced", Policies=expiry)
        described = {p["Name"]: p for p in ssm.describe_parameters()["Parameters"]}
    assert described["/plain"]["Policies"] == []
    assert len(described["/expiring"]["Policies"]) == 1
