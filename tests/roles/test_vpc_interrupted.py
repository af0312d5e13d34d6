"""An interrupted VPC rollout re-runs to exactly one NAT gateway and one elastic IP per NAT zone, reusing the address an
interrupted run allocated; with a NAT gateway per zone, each zone gets its own."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest

from localenv import services

CHECKOUT = Path(__file__).resolve().parents[2]
PORT = 4597


@pytest.fixture(name="emulator")
def fixture_emulator(tmp_path):
    cfg = services.Settings(state=tmp_path / "state", emulator_host="127.0.0.1", emulator_port=PORT, pg_port=25497)
    services.emulator_up(cfg)
    yield boto3.client("ec2", region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{PORT}",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    services.down(cfg)


def site(*extra: str) -> list[str]:
    """site.yml's network layer only: these tests are about the VPC and need no database."""
    return [str(Path(sys.executable).parent / "ansible-playbook"), "-i", "inventories/local", "site.yml", "--tags", "vpc", *extra]


def env() -> dict:
    return {**os.environ, "SHOPPULSE_EMULATOR_PORT": str(PORT), "ANSIBLE_CONFIG": str(CHECKOUT / "ansible.cfg")}


def nat_gateways(ec2):
    return ec2.describe_nat_gateways(Filters=[{"Name": "state", "Values": ["pending", "available"]}])["NatGateways"]


def test_interrupt_after_the_nat_gateway_was_requested(emulator):
    run = subprocess.Popen(site(), cwd=CHECKOUT, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           start_new_session=True)
    deadline = time.monotonic() + 120
    while not nat_gateways(emulator) and time.monotonic() < deadline and run.poll() is None:
        time.sleep(0.05)
    os.killpg(run.pid, signal.SIGINT)  # as an operator's Ctrl-C
    run.wait(timeout=60)
    assert len(nat_gateways(emulator)) == 1, "the run never reached the NAT gateway"

    finished = subprocess.run(site(), cwd=CHECKOUT, env=env(), capture_output=True, text=True, timeout=300, check=False)
    assert finished.returncode == 0, finished.stdout[-3000:]
    assert len(nat_gateways(emulator)) == 1
    assert len(emulator.describe_addresses()["Addresses"]) == 1


def test_an_elastic_ip_left_by_an_interrupted_run_is_reused_and_each_zone_gets_a_gateway_of_its_own(emulator):
    # The run stopped between allocating zone a's address and requesting its NAT gateway; this one asks for one per zone.
    orphan = emulator.allocate_address(Domain="vpc", TagSpecifications=[
        {"ResourceType": "elastic-ip", "Tags": [{"Key": "Name", "Value": "shoppulse-analytics-nat-us-east-1a"}]}])["AllocationId"]

    finished = subprocess.run(site("-e", "vpc_nat_gateway_per_az=true"), cwd=CHECKOUT, env=env(), capture_output=True, text=True,
                              timeout=300, check=False)
    assert finished.returncode == 0, finished.stdout[-3000:]
    gateways = nat_gateways(emulator)
    assert len(gateways) == 2 and len(emulator.describe_addresses()["Addresses"]) == 2
    subnets = {s["SubnetId"]: s["AvailabilityZone"] for s in emulator.describe_subnets(SubnetIds=[g["SubnetId"] for g in gateways])["Subnets"]}
    by_zone = {subnets[g["SubnetId"]]: g["NatGatewayAddresses"][0]["AllocationId"] for g in gateways}
    assert sorted(by_zone) == ["us-east-1a", "us-east-1b"]
    assert by_zone["us-east-1a"] == orphan and by_zone["us-east-1b"] != orphan
