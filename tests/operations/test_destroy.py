"""playbooks/destroy.yml on two private emulators at once, read back with boto3.

The whole environment (the run's converged snapshot: every layer site.yml builds) is refused without confirmation;
with an instance restored into it by restore.yml and another restored into its subnet group with boto3, as the seed's
CLI procedure restores, it is refused, naming the second, before any change; once that one is gone it is destroyed
after final snapshots, the restored instance included, the platform's two functions (test-db-connection deployed as
the lambda_function role leaves it) with their roles and log groups too, down to what the account held before
site.yml; destroyed again, it changes nothing and leaves alone a test-db-connection another environment tagged as its
own. Meanwhile, on the second emulator, a partly built one - no proxy layer, its NAT gateway gone but its elastic IP
left, the instance under deletion protection as in prod - is refused until the run says to turn the protection off,
previewed in check mode, then destroyed without a final snapshot and with the secret deleted at once.
"""

import concurrent.futures
import io
import json
import re
import zipfile

import pytest

from tests import converged
from tests.account import before, client, held
from tests.roles.conftest import CLOSED_PORT, ansible_playbook, fixture_emulator_at  # noqa: F401  pylint: disable=unused-import
from tests.roles.playbook_output import changed_tasks, ok, recap

FULL_PORT, FULL_PG_PORT, PARTIAL_PORT = 4691, 25491, 4692
PLAYBOOK = "playbooks/destroy.yml"
INSTANCE = "shoppulse-analytics"
SECRET = "shoppulse-analytics/rds/master"
CONFIRM = ("-e", "destroy_confirm=local")
LOCK_KIND = "ssm:Parameters"  # the rollout lock: every run gives it back, so no converged environment holds one
# What the partly built environment does not have: no proxy, its NAT gateway deleted, no monitoring layer, no function.
PARTIAL_KINDS = {"ec2:NatGateways", "rds:DBProxies", "sns:Topics", "cloudwatch:MetricAlarms", "cloudwatch:DashboardEntries",
                 "rds:EventSubscriptionsList", "lambda:Functions", LOCK_KIND}
RESTORED = "shoppulse-restored"  # restored by restore.yml: the collection's, deleted with the environment
BY_HAND = "restored-by-hand"  # restored with boto3 into the environment's subnet group: not the collection's


def snapshots(port: int) -> dict[str, str]:
    return {snapshot["DBSnapshotIdentifier"]: snapshot["Status"]
            for snapshot in client(port, "rds").describe_db_snapshots()["DBSnapshots"]}


def destroy(port: int, *args: str):
    """The playbook with JSON results, so that a failure's message reads as it was written."""
    return ansible_playbook(PLAYBOOK, *args, port=port, timeout=900, env={"ANSIBLE_CALLBACK_RESULT_FORMAT": "json"})


def failure(result) -> str:
    """The message of the run's one failed task."""
    assert result.returncode != 0 and recap(result)["failed"] == 1, result.stdout[-3000:]
    return json.loads(re.search(r"^fatal: \[localhost\]: FAILED! => (\{.*\})$", result.stdout, re.MULTILINE).group(1))["msg"]


def converge(port: int, layers: str, *args: str) -> None:
    ok(ansible_playbook("site.yml", "--tags", layers, *args, port=port, timeout=900))


def restore_twice(port: int) -> None:
    """A snapshot of the environment's instance restored by restore.yml, and again with boto3 into the environment's
    subnet group, with the snapshot's settings and no security group named, as the seed's CLI procedure does."""
    rds = client(port, "rds")
    own = rds.describe_db_instances()["DBInstances"][0]
    rds.create_db_snapshot(DBInstanceIdentifier=own["DBInstanceIdentifier"], DBSnapshotIdentifier="before-restore")
    rds.get_waiter("db_snapshot_available").wait(DBSnapshotIdentifier="before-restore", WaiterConfig={"Delay": 2})
    ok(ansible_playbook("playbooks/restore.yml", "-e", "restore_snapshot=before-restore", "-e", f"restore_instance_identifier={RESTORED}",
                        port=port, timeout=900))
    rds.restore_db_instance_from_db_snapshot(DBInstanceIdentifier=BY_HAND, DBSnapshotIdentifier="before-restore",
                                             DBSubnetGroupName=own["DBSubnetGroup"]["DBSubnetGroupName"])


def deploy_function(port: int, name: str, environment: str) -> None:
    """A function as the lambda_function role leaves one: its role, its log group, the function tagged with its
    environment."""
    role = client(port, "iam").create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    client(port, "logs").create_log_group(logGroupName=f"/aws/lambda/{name}")
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return None\n")
    client(port, "lambda").create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="handler.handler",
                                           Code={"ZipFile": code.getvalue()}, Tags={"environment": environment})


def delete_by_hand(port: int) -> None:
    rds = client(port, "rds")
    rds.delete_db_instance(DBInstanceIdentifier=BY_HAND, SkipFinalSnapshot=True)
    rds.get_waiter("db_instance_deleted").wait(DBInstanceIdentifier=BY_HAND, WaiterConfig={"Delay": 2})


def full_scenario(port: int, empty: dict) -> dict:
    """The converged environment, ``empty`` what its account held before site.yml: refusals, destroy, destroy again -
    and what the emulator held after each."""
    seen = {"empty": empty}
    deploy_function(port, "test-db-connection", "local")  # as playbooks/check_connectivity.yml leaves it
    seen["built"] = held(port)
    seen["unconfirmed"] = destroy(port)
    seen["after_refusals"] = held(port)
    restore_twice(port)
    seen["restored"] = held(port)
    seen["foreign"] = destroy(port, *CONFIRM)
    seen["after_foreign"] = held(port)
    delete_by_hand(port)
    seen["destroyed"] = destroy(port, *CONFIRM)
    seen["after"], seen["snapshots"] = held(port), snapshots(port)
    seen["secret"] = client(port, "secretsmanager").describe_secret(SecretId=SECRET)
    deploy_function(port, "test-db-connection", "staging")
    seen["again"] = destroy(port, *CONFIRM)
    seen["after_again"], seen["snapshots_again"] = held(port), snapshots(port)
    return seen


def partial_scenario(port: int) -> dict:
    """No proxy layer, a NAT gateway deleted behind the run's back (its address stays), deletion protection on."""
    seen = {"empty": held(port)}
    converge(port, "vpc,secrets,rds", "-e", "rds_deletion_protection=true")
    ec2 = client(port, "ec2")
    for gateway in ec2.describe_nat_gateways()["NatGateways"]:
        ec2.delete_nat_gateway(NatGatewayId=gateway["NatGatewayId"])
    seen["built"] = held(port)
    seen["protected"] = destroy(port, *CONFIRM, "-e", "destroy_skip_final_snapshot=true")
    seen["after_protected"] = held(port)
    told = (*CONFIRM, "-e", "destroy_skip_final_snapshot=true", "-e", "destroy_disable_deletion_protection=true",
            "-e", "destroy_secret_recovery_days=0")
    seen["preview"] = destroy(port, *told, "--check")
    seen["after_preview"] = held(port)
    seen["destroyed"] = destroy(port, *told)
    seen["after"], seen["snapshots"] = held(port), snapshots(port)
    seen["secrets"] = client(port, "secretsmanager").list_secrets(IncludePlannedDeletion=True)["SecretList"]
    return seen


@pytest.fixture(name="runs", scope="module")
def fixture_runs(emulator_at, tmp_path_factory):
    """Both scenarios at once, each on its own emulator: the partial one while the run's converged snapshot is built."""
    def full() -> dict:
        snapshot = converged.converged_snapshot(tmp_path_factory.getbasetemp())
        with converged.converged_environment(snapshot, tmp_path_factory.mktemp("destroy-full"), FULL_PORT, FULL_PG_PORT):
            return full_scenario(FULL_PORT, before(snapshot))

    with emulator_at(PARTIAL_PORT), concurrent.futures.ThreadPoolExecutor(2) as pool:
        whole, partial = pool.submit(full), pool.submit(partial_scenario, PARTIAL_PORT)
        return {"full": whole.result(), "partial": partial.result()}


@pytest.fixture(name="full", scope="module")
def fixture_full(runs):
    return runs["full"]


@pytest.fixture(name="partial", scope="module")
def fixture_partial(runs):
    return runs["partial"]


def test_the_environments_build_every_kind_the_teardown_deletes(full, partial):
    assert [kind for kind in full["built"] if full["built"][kind] == full["empty"][kind]] == [LOCK_KIND]
    assert {kind for kind in partial["built"] if partial["built"][kind] == partial["empty"][kind]} == PARTIAL_KINDS
    assert len(partial["built"]["ec2:Addresses"]) == len(partial["empty"]["ec2:Addresses"]) + 1  # the gateway's address


def test_without_confirmation_nothing_changes_and_one_line_says_what_to_pass(full):
    """The confirmation's rules are the destroy_settings_errors filter's (tests/unit/plugins/filter/test_operations.py)."""
    assert failure(full["unconfirmed"]) == "destroy_confirm: pass -e destroy_confirm=local to destroy the environment local"
    assert recap(full["unconfirmed"])["changed"] == 0
    assert full["after_refusals"] == full["built"]


def test_check_mode_names_what_it_would_delete_and_deletes_nothing(partial):
    preview = partial["preview"]
    assert ok(preview)["changed"] > 0
    assert "local: would delete" in preview.stdout and f"instance {INSTANCE}, with no final snapshot" in preview.stdout
    assert {"shoppulse.analytics.rds : Ensure the instance's deletion protection is off",
            "shoppulse.analytics.rds : Ensure the instance is deleted, after a final snapshot unless skipped",
            "shoppulse.analytics.secrets : Ensure the master and application secrets are deleted or scheduled for deletion",
            "shoppulse.analytics.vpc : Ensure the NAT gateways' elastic IPs are released",
            "shoppulse.analytics.vpc : Ensure the VPC is deleted"} <= set(changed_tasks(preview))
    assert partial["after_preview"] == partial["built"]


def test_destroy_leaves_nothing_of_the_environment(full):
    ok(full["destroyed"])
    assert full["after"] == full["empty"]


def test_instances_the_collection_did_not_make_stop_the_run_before_any_change(full):
    assert full["restored"]["rds:DBInstances"] == sorted([INSTANCE, RESTORED, BY_HAND])
    message = failure(full["foreign"])
    assert message.startswith(f"local: not destroyed, nothing deleted: DB instance {BY_HAND} (subnet group {INSTANCE}-subnets, "), message
    assert RESTORED not in message and "not made by this collection" in message
    assert recap(full["foreign"])["changed"] == 0
    assert full["after_foreign"] == full["restored"]


def test_destroy_deletes_the_restored_instance_with_its_log_groups(full):
    assert f"instances restored for the environment {RESTORED}" in full["destroyed"].stdout
    assert {f"/aws/rds/instance/{RESTORED}/postgresql", f"/aws/rds/instance/{RESTORED}/upgrade"} <= set(full["restored"]["logs:logGroups"])
    assert full["after"]["rds:DBInstances"] == full["after"]["logs:logGroups"] == []


def test_destroy_keeps_a_final_snapshot_and_a_recoverable_secret(full):
    taken = [name for name, status in full["snapshots"].items() if status == "available" and "-final-" in name]
    assert len(taken) == 2, full["snapshots"]
    assert re.fullmatch(rf"{INSTANCE}-final-\d{{8}}-\d{{6}}", taken[0]) and re.fullmatch(rf"{RESTORED}-final-\d{{8}}-\d{{6}}", taken[1])
    assert f"final snapshot {taken[0]}; final snapshots of the restored instances {taken[1]}" in full["destroyed"].stdout
    assert "DeletedDate" in full["secret"]  # scheduled for deletion, restorable for the recovery window


def test_a_second_destroy_changes_nothing_and_takes_no_snapshot(full):
    assert ok(full["again"])["changed"] == 0, changed_tasks(full["again"])
    assert "test-db-connection: left alone, it belongs to the environment staging" in full["again"].stdout
    staging = {"lambda:Functions": ["test-db-connection"], "iam:Roles": ["test-db-connection-role"],
               "logs:logGroups": ["/aws/lambda/test-db-connection"]}
    assert full["after_again"] == {kind: sorted(found + staging.get(kind, [])) for kind, found in full["empty"].items()}
    assert full["snapshots_again"] == full["snapshots"]


def test_deletion_protection_stops_the_run_before_any_change(partial):
    assert failure(partial["protected"]) == (
        f"destroy_disable_deletion_protection: the instance {INSTANCE} has deletion protection on; "
        "pass -e destroy_disable_deletion_protection=true to turn it off and delete the instance")
    assert recap(partial["protected"])["changed"] == 0
    assert partial["after_protected"] == partial["built"]


def test_a_partly_built_environment_is_destroyed_whole_without_a_snapshot(partial):
    ok(partial["destroyed"])
    assert partial["after"] == partial["empty"]  # the NAT gateway's orphaned address included
    assert partial["snapshots"] == {}
    assert "this run took no final snapshot" in partial["destroyed"].stdout
    assert [secret["Name"] for secret in partial["secrets"]] == []  # deleted at once, without recovery


def test_a_bad_setting_stops_the_run_before_any_aws_call():
    """Each setting's rule is the destroy_settings_errors filter's (tests/unit/plugins/filter/test_operations.py); this run
    shows the filter stops the playbook at its first task."""
    result = destroy(CLOSED_PORT, *CONFIRM, "-e", "destroy_secret_recovery_days=3")  # nothing listens there: an AWS call would fail
    assert failure(result) == "destroy_secret_recovery_days: '3' must be 0 (delete at once, without recovery) or 7 to 30 days"
    assert recap(result)["ok"] == 0
