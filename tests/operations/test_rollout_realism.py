"""site.yml on an emulator whose resources take time (latency profile at 1/100) and whose CreateDBProxy fails once.

One environment, two runs: the whole rollout, stopped at the proxy's creation by the error AWS documents for it after
the instance was requested; the next run, which finishes the rollout - the instance that run requested waited for while
still `creating` (named so, from the layer's read), then the proxy and its target - leaving exactly one of each
resource, each settled. That a run on a converged environment changes nothing is the shared environment's
(tests/roles/test_rds_role.py) and molecule's idempotence; a run of some layers alone (--tags) is
tests/operations/test_layers_alone.py's and test_destroy.py's partly built environment.

The emulator holds every transition's last state until it has been read HOLD_READS times, however long Ansible takes
to get to its wait: each wait sees the state it waits out, and prints its lines, whatever the machine's speed. The
state a wait's message names is the one the creating module read back in the same call, or, for an instance an
earlier run requested, the one the layer's read found. The waits poll every second (inventories/local), so
those a transition's held reads decide take seconds.
"""

import boto3
import pytest

from localenv import faults, latency
from tests.operations.test_destroy import held
from tests.roles.conftest import ansible_playbook, fixture_local_environment_at  # noqa: F401  pylint: disable=unused-import
from tests.roles.playbook_output import ok, recap

PORT, PG_PORT = 4731, 25531
SCALE = "0.01"  # the instance and the proxy take 6 s each; HOLD_READS keeps each state seen however short
FAULT = "rds:CreateDBProxy:DBProxyQuotaExceededFault"
# More reads than any resource gets before its wait polls it (its creation's answer, the module's read-back).
HOLD_READS = "8"
ONE_EACH = ("ec2:Vpcs", "ec2:InternetGateways", "ec2:NatGateways", "ec2:Addresses", "ec2:FlowLogs", "rds:DBInstances",
            "rds:DBSubnetGroups", "rds:DBParameterGroups", "rds:DBProxies")


def rds(port: int):
    return boto3.client("rds", region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{port}",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture(name="slow_environment", scope="module")
def fixture_slow_environment(local_environment_at):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(latency.SCALE_VARIABLE, SCALE)
        patch.setenv(latency.HOLD_VARIABLE, HOLD_READS)
        patch.setenv(faults.FAIL_ONCE, FAULT)
        with local_environment_at(PORT, PG_PORT) as env:
            yield env


def site(env, *args: str):
    return ansible_playbook("site.yml", *args, port=PORT, env=env, timeout=900)


def test_waits_show_in_the_run_and_an_injected_failure_is_finished_by_the_next_run(slow_environment):
    empty = held(PORT)  # the emulator's default VPC and its subnets
    stopped = site(slow_environment)
    assert stopped.returncode != 0 and recap(stopped)["failed"] == 1, stopped.stdout[-3000:]
    assert "DBProxyQuotaExceededFault" in stopped.stdout
    assert "maximum number of proxies" in stopped.stdout
    assert rds(PORT).describe_db_proxies()["DBProxies"] == []

    finished = site(slow_environment)
    ok(finished)
    # The instance the stopped run requested is still creating: this run waits for it, a line per poll.
    assert "Instance shoppulse-analytics was creating; available after" in finished.stdout
    assert "FAILED - RETRYING: [localhost]: Wait until available, a line per poll: instance shoppulse-analytics" in finished.stdout
    assert "Proxy shoppulse-analytics-proxy was creating; available after" in finished.stdout
    assert "The targets of shoppulse-analytics-proxy were REGISTERING; available after" in finished.stdout
    built = {kind: len(ids) - len(empty[kind]) for kind, ids in held(PORT).items()}
    assert {kind: built[kind] for kind in ONE_EACH} == dict.fromkeys(ONE_EACH, 1)
    assert built["ec2:Subnets"] == 6
    assert built["secretsmanager:SecretList"] == 2, "the master's and the application role's"
    instance = rds(PORT).describe_db_instances()["DBInstances"][0]
    assert instance["DBInstanceStatus"] == "available"
    proxy = rds(PORT).describe_db_proxies()["DBProxies"][0]
    assert proxy["Status"] == "available"
    targets = rds(PORT).describe_db_proxy_targets(DBProxyName=proxy["DBProxyName"])["Targets"]
    assert [target["TargetHealth"]["State"] for target in targets] == ["AVAILABLE"]
