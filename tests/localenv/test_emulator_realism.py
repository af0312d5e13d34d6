"""`python -m localenv up` passes the realism settings to the emulator process: its resources take the profile's time
(0.5 s per state here, on the real clock) and the named operation fails once; a bad setting stops it from starting."""

import json
import time

import boto3
import pytest
import yaml
from botocore.config import Config
from botocore.exceptions import ClientError

from localenv import faults, latency, services

PORT = 4673
NO_RETRIES = Config(retries={"total_max_attempts": 1})


@pytest.fixture(name="settings")
def fixture_settings(tmp_path):
    cfg = services.Settings(state=tmp_path / "state", emulator_host="127.0.0.1", emulator_port=PORT, pg_port=25471)
    yield cfg
    services.down(cfg)


@pytest.fixture(name="half_second_profile")
def fixture_half_second_profile(tmp_path):
    profile = yaml.safe_load(latency.DEFAULT_PROFILE.read_text(encoding="utf-8"))
    for transitions in profile.values():
        for states in transitions.values():
            for figure in states.values():
                figure["seconds"] = 0.5
    path = tmp_path / "profile.yml"
    path.write_text(yaml.safe_dump(profile, sort_keys=False), encoding="utf-8")
    return path


def client(service, config=None):
    return boto3.client(service, endpoint_url=f"http://127.0.0.1:{PORT}", region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing", config=config)


def wait_until(read, wanted, timeout=10.0):
    """Poll ``read`` until it returns ``wanted``; return every distinct value seen, in order."""
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = read()
        if not seen or seen[-1] != value:
            seen.append(value)
        if value == wanted:
            return seen
        time.sleep(0.1)
    raise AssertionError(f"still {seen[-1]!r} after {timeout}s (seen {seen})")


def test_the_emulator_takes_the_profile_s_time_and_fails_the_named_call_once(settings, half_second_profile, monkeypatch):
    monkeypatch.setenv(latency.SCALE_VARIABLE, "1")
    monkeypatch.setenv(latency.PROFILE_VARIABLE, str(half_second_profile))
    monkeypatch.setenv(faults.FAIL_ONCE, "rds:CreateDBProxy")
    said = services.emulator_up(settings)
    assert "latency scale 1 of " in said and "failing once: rds:CreateDBProxy" in said

    ec2 = client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{zone}")["Subnet"]["SubnetId"]
               for i, zone in ((1, "a"), (2, "b"))]
    nat = ec2.create_nat_gateway(SubnetId=subnets[0], AllocationId=ec2.allocate_address(Domain="vpc")["AllocationId"])["NatGateway"]
    assert nat["State"] == "pending"
    assert wait_until(lambda: ec2.describe_nat_gateways(NatGatewayIds=[nat["NatGatewayId"]])["NatGateways"][0]["State"],
                      "available") == ["pending", "available"]

    secret = client("secretsmanager").create_secret(Name="db", SecretString=json.dumps({"username": "u", "password": "p"}))["ARN"]
    rds = client("rds", NO_RETRIES)
    request = {"DBProxyName": "p1", "EngineFamily": "POSTGRESQL", "RoleArn": "arn:aws:iam::123456789012:role/proxy",
               "VpcSubnetIds": subnets, "Auth": [{"AuthScheme": "SECRETS", "SecretArn": secret}]}
    with pytest.raises(ClientError) as failed:
        rds.create_db_proxy(**request)
    assert (failed.value.response["Error"]["Code"], failed.value.response["ResponseMetadata"]["HTTPStatusCode"]) == ("InternalFailure", 500)
    assert rds.describe_db_proxies()["DBProxies"] == []  # the failed call changed nothing
    assert rds.create_db_proxy(**request)["DBProxy"]["Status"] == "creating"
    assert wait_until(lambda: rds.describe_db_proxies(DBProxyName="p1")["DBProxies"][0]["Status"], "available") == ["creating", "available"]


def test_a_bad_setting_stops_the_emulator_before_it_starts(settings, monkeypatch):
    monkeypatch.setenv(faults.THROTTLE_RATE, "20%")
    with pytest.raises(services.ServiceError, match=f"^{faults.THROTTLE_RATE}: '20%' is not a fraction between 0 and 1$"):
        services.emulator_up(settings)
    assert not (settings.state / "emulator.pid").exists() and not services.port_open("127.0.0.1", PORT)
