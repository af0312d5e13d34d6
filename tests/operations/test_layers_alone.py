"""site.yml off the first rollout, on one converged local environment: each layer alone (--tags) takes the layers
before it from AWS and changes nothing, and a vpc_cidr other than the VPC's block stops the run before any change.
One more run on an empty emulator: a layer alone where the layers before it were never built stops naming them.

The environment is the run's converged snapshot (tests/converged.py), restored for the module; no test changes it
but the last of the converged environment's, which deletes the application secret (as an environment built before the
application role existed lacks it), previews the secrets and schema layers, then runs site.yml: the secret is made
again, the application role takes its password, and only then does the rotation function rotate it.
"""

import json

import boto3
import psycopg2
import pytest

from tests.roles.conftest import fixture_emulator_at, fixture_run_playbook  # noqa: F401  pylint: disable=unused-import
from tests.roles.playbook_output import changed_tasks, ok
from tests.roles.test_rds_role import refused

PORT, PG_PORT = 4743, 25543
EMPTY_PORT = 4744  # a fresh emulator, where no layer was ever built
NAME = "shoppulse-analytics"
APP_SECRET = f"{NAME}/rds/app"
TIMEOUT = 900  # two cores shared with other runs: a converge can take minutes
BUILD_PLAY = "Build the network, the credentials, the database, the proxy and their monitoring"
# The same address plan, moved to another block.
OTHER_BLOCK = ("-e", "vpc_cidr=10.1.0.0/16", "-e", json.dumps({
    "vpc_public_subnet_cidrs": ["10.1.0.0/24", "10.1.1.0/24"],
    "vpc_private_subnet_cidrs": ["10.1.2.0/24", "10.1.3.0/24"],
    "vpc_isolated_subnet_cidrs": ["10.1.4.0/24", "10.1.5.0/24"],
}))


@pytest.fixture(name="environment", scope="module")
def fixture_environment(converged_environment_at):
    """A local environment that site.yml has built, every layer."""
    with converged_environment_at(PORT, PG_PORT) as env:
        yield env


def ec2():
    return boto3.client("ec2", region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{PORT}",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.mark.parametrize(
    "tags, mode, reads",
    [
        ("rds", (), "shoppulse.analytics.vpc : Find the VPC by its Name tag, whatever its block, and read what it holds"),
        ("schema", (), "shoppulse.analytics.rds_proxy : Read the proxy with its targets"),
        # The proxy layer reads the database from AWS here; that it changes nothing when it runs for real is the
        # whole second run's (tests/roles/test_rds_role.py; molecule's idempotence): the same tasks, given the same facts.
        ("rds_proxy,schema", ("--check", "--diff"), "shoppulse.analytics.rds : Read the database instance and its security group"),
    ],
    ids=["rds", "schema", "rds_proxy,schema --check --diff"],
)
def test_a_layer_alone_reads_the_layers_before_it_from_aws_and_changes_nothing(environment, run_playbook, tags, mode, reads):
    result = run_playbook("site.yml", "--tags", tags, *mode, port=PORT, env=environment, timeout=TIMEOUT)
    assert ok(result)["changed"] == 0, changed_tasks(result)
    assert f"TASK [{reads}]" in result.stdout, result.stdout[-3000:]
    assert "DEPRECATION WARNING" not in result.stdout + result.stderr  # the layers' reads use no deprecated return


def test_another_vpc_cidr_stops_before_the_lock_naming_both_blocks(environment, run_playbook):
    (vpc,) = ec2().describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [NAME]}])["Vpcs"]

    result = run_playbook("site.yml", *OTHER_BLOCK, port=PORT, env=environment, timeout=TIMEOUT)
    play, msg = refused(result)

    assert play == BUILD_PLAY and "rollout lock" not in result.stdout, result.stdout[-3000:]
    assert msg.startswith(f"vpc_cidr: the VPC {NAME} ({vpc['VpcId']}) has block 10.0.0.0/16, this run asks for 10.1.0.0/16;"), msg
    after = ec2()
    assert [v["VpcId"] for v in after.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [NAME]}])["Vpcs"]] == [vpc["VpcId"]]
    assert {nat["VpcId"] for nat in after.describe_nat_gateways()["NatGateways"]} == {vpc["VpcId"]}
    assert len(after.describe_addresses()["Addresses"]) == 1


def test_a_lost_application_secret_is_previewed_then_made_again_and_rotated_once_the_role_takes_its_password(
        environment, run_playbook):
    secrets = boto3.client("secretsmanager", region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{PORT}",
                           aws_access_key_id="testing", aws_secret_access_key="testing")
    secrets.delete_secret(SecretId=APP_SECRET, ForceDeleteWithoutRecovery=True)

    preview = run_playbook("site.yml", "--tags", "secrets,schema", "--check", port=PORT, env=environment, timeout=TIMEOUT)

    ok(preview)
    assert changed_tasks(preview) == [
        "shoppulse.analytics.secrets : Ensure the secret holds the credentials, key, description, tags and rotation, keeping its password"]
    assert ("the application secret does not exist yet, so the application role was not tried; once it is created, the role "
            "shoppulse_app would log in with its password and get its tenant-bound access in shoppulse") in " ".join(preview.stdout.split())
    assert [secret["Name"] for secret in secrets.list_secrets()["SecretList"]] == [f"{NAME}/rds/master"]

    # The rotation function exists: rotation turned on with the proxy's address would start before the role has the
    # secret's password, and never finish; a regression fails at the wait's timeout, set below the default 900 s.
    run = run_playbook("site.yml", "-e", "rotation_function_wait_timeout=300", port=PORT, env=environment, timeout=TIMEOUT)

    ok(run)
    output = run.stdout
    role_takes_it = output.index("TASK [shoppulse.analytics.schema : Ensure the application role exists and logs in with its secret's password]")
    assert role_takes_it < output.index("TASK [Rotate the application secret with the function every secrets_rotation_days]")
    described = secrets.describe_secret(SecretId=APP_SECRET)
    assert described["RotationEnabled"] and "LastRotatedDate" in described
    stages = described["VersionIdsToStages"]
    assert [stage for labels in stages.values() for stage in labels].count("AWSPREVIOUS") == 1, "rotated once"
    assert all("AWSPENDING" not in labels or "AWSCURRENT" in labels for labels in stages.values()), "no rotation left half-done"
    value = json.loads(secrets.get_secret_value(SecretId=APP_SECRET)["SecretString"])
    psycopg2.connect(host="127.0.0.1", port=PG_PORT, user=value["username"], password=value["password"], dbname=value["dbname"],
                     sslmode="require", connect_timeout=10).close()


def test_a_layer_alone_on_an_empty_account_names_the_layers_never_built(emulator_at, run_playbook):
    with emulator_at(EMPTY_PORT):
        play, msg = refused(run_playbook("site.yml", "--tags", "rds_proxy", port=EMPTY_PORT, timeout=TIMEOUT))

    assert play == BUILD_PLAY
    assert msg == ("rds_proxy layer: the vpc, secrets and rds layers have not been built in this environment; "
                   "run site.yml for them first")
