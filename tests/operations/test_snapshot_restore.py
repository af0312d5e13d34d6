"""playbooks/snapshot.yml and playbooks/restore.yml on a private emulator, read back with boto3.

One environment, the run's converged snapshot, given deletion protection and 31 days of Performance Insights (the
settings every run here passes the rds layer): a restore left to its own defaults would differ there. The master password is rotated
after the snapshot, so the restored instance starts with a password the secret no longer holds. The tests run in file
order: bad inputs refused meanwhile, the snapshot previewed, taken and taken again; refusals
that need the environment and the restore's preview; the restore with the proxy re-pointed, its second run, and
site.yml's next run once the inventory names the restored instance.
"""

import concurrent.futures
import json
import re

import boto3
import pytest

from tests.roles.conftest import CLOSED_PORT, ansible_playbook
from tests.roles.playbook_output import changed_tasks, ok, recap

PORT, PG_PORT = 4701, 25701
NAME = "shoppulse-analytics"
INSTANCE = NAME
RESTORED = "shoppulse-restored-db"
SNAPSHOT = "before-the-migration"
PROXY = f"{NAME}-proxy"
SECRET = f"{NAME}/rds/master"
STRANGER = "someone-elses-db"  # an instance this environment did not restore
# The environment's settings, on every run: restore.yml reads the same inventory as site.yml.
# (A proxy target the database refuses would otherwise be waited for 20 minutes.)
SETTINGS = ("-e", "rds_deletion_protection=true", "-e", "rds_performance_insights_retention_days=31", "-e", "rds_proxy_wait_timeout=300")
# The inventory once the restored instance is the environment's, as restore.yml prints it.
FOLLOW_UP = ("-e", f"rds_instance_identifier={RESTORED}", "-e", f"rds_security_group_name={INSTANCE}-sg",
             "-e", f"rds_subnet_group_name={INSTANCE}-subnets", "-e", f"rds_parameter_group_name={INSTANCE}-postgres15")
RESTORE = ("-e", f"restore_snapshot={SNAPSHOT}", "-e", f"restore_instance_identifier={RESTORED}", "-e", "restore_repoint_proxy=true")
# DescribeDBInstances fields a restore must carry over: (name, how to read it from the instance).
COMPARED = {
    "class": lambda db: db["DBInstanceClass"],
    "engine": lambda db: (db["Engine"], db["EngineVersion"], db["AutoMinorVersionUpgrade"]),
    "storage": lambda db: (db["AllocatedStorage"], db["StorageType"], db.get("Iops"), db.get("StorageThroughput")),
    "encryption": lambda db: (db["StorageEncrypted"], db["KmsKeyId"]),
    "performance insights": lambda db: (db["PerformanceInsightsEnabled"], db.get("PerformanceInsightsRetentionPeriod"),
                                        db.get("PerformanceInsightsKMSKeyId")),
    "log exports": lambda db: sorted(db.get("EnabledCloudwatchLogsExports", [])),
    "subnet group": lambda db: db["DBSubnetGroup"]["DBSubnetGroupName"],
    "parameter group": lambda db: [(group["DBParameterGroupName"], group["ParameterApplyStatus"]) for group in db["DBParameterGroups"]],
    "security groups": lambda db: sorted(group["VpcSecurityGroupId"] for group in db["VpcSecurityGroups"]),
    "public access": lambda db: db["PubliclyAccessible"],
    "port": lambda db: db["Endpoint"]["Port"],
    "deletion protection": lambda db: db["DeletionProtection"],
    "copy tags to snapshot": lambda db: db["CopyTagsToSnapshot"],
    "availability": lambda db: (db["MultiAZ"], db["BackupRetentionPeriod"]),
    "database": lambda db: (db["DBName"], db["MasterUsername"]),
}


def client(service: str):
    return boto3.client(service, region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{PORT}",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def run(playbook: str, *args: str, port=PORT, env: dict | None = None):
    """The playbook with JSON results, so that a failure's message reads as it was written (``env``: the environment's)."""
    return ansible_playbook(playbook, *args, port=port, timeout=900, env={**(env or {}), "ANSIBLE_CALLBACK_RESULT_FORMAT": "json"})


def refused(result) -> str:
    """The one-line message of a run that failed once and changed nothing."""
    counts = recap(result)
    assert result.returncode != 0 and counts["failed"] == 1 and counts["changed"] == 0, result.stdout[-3000:]
    message = json.loads(re.search(r"^fatal: \[localhost\]: FAILED! => (\{.*\})$", result.stdout, re.MULTILINE).group(1))["msg"]
    assert "\n" not in message, message
    return message


def printed(result, task: str) -> str:
    """The msg the named debug task printed (a list is joined line by line)."""
    body = result.stdout.split(f"TASK [{task}]", 1)[1]
    msg = json.JSONDecoder().raw_decode(body.split("ok: [localhost] => ", 1)[1])[0]["msg"]
    return "\n".join(msg) if isinstance(msg, list) else msg


def instance(identifier: str) -> dict:
    return client("rds").describe_db_instances(DBInstanceIdentifier=identifier)["DBInstances"][0]


def tags(resource: dict) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in resource["TagList"]}


def held() -> dict:
    """What the runs here may change, as the emulator lists it."""
    rds, secret = client("rds"), client("secretsmanager").get_secret_value(SecretId=SECRET)
    rotation = client("secretsmanager").describe_secret(SecretId=SECRET)
    return {
        "instances": sorted(db["DBInstanceIdentifier"] for db in rds.describe_db_instances()["DBInstances"]),
        "snapshots": sorted(snapshot["DBSnapshotIdentifier"] for snapshot in rds.describe_db_snapshots(SnapshotType="manual")["DBSnapshots"]),
        "security groups": sorted(group["GroupId"] for group in client("ec2").describe_security_groups()["SecurityGroups"]),
        "subnet groups": sorted(group["DBSubnetGroupName"] for group in rds.describe_db_subnet_groups()["DBSubnetGroups"]),
        "parameter groups": sorted(group["DBParameterGroupName"] for group in rds.describe_db_parameter_groups()["DBParameterGroups"]),
        "proxy targets": sorted(target["RdsResourceId"] for target in rds.describe_db_proxy_targets(DBProxyName=PROXY)["Targets"]),
        "secret version": secret["VersionId"],
        "secret host": json.loads(secret["SecretString"]).get("host"),
        # The collection's rotation function rotates the converged environment's secret: writing the host keeps it.
        "secret rotation": (rotation.get("RotationEnabled"), rotation.get("RotationLambdaARN")),
    }


def rotate_master_password() -> None:
    """What a rotation does: a new password on the instance and in the secret (the snapshot keeps the old one)."""
    secrets = client("secretsmanager")
    value = json.loads(secrets.get_secret_value(SecretId=SECRET)["SecretString"])
    value["password"] = "rotated-after-the-snapshot-0123456789"
    client("rds").modify_db_instance(DBInstanceIdentifier=INSTANCE, MasterUserPassword=value["password"], ApplyImmediately=True)
    secrets.put_secret_value(SecretId=SECRET, SecretString=json.dumps(value))


# Refused on the closed port: these must fail before any AWS call. Each rule is the playbooks' filters'
# (rds_identifier_errors in tests/unit/plugins/filter/test_rds.py, restore_settings_errors in
# tests/unit/plugins/filter/test_operations.py); one run per playbook shows the check stops it.
INPUT_REFUSALS = {
    "snapshot name": (("playbooks/snapshot.yml", "-e", "snapshot_name=nightly--1"),
                      "snapshot_name: 'nightly--1' must be 1-255 letters, digits or single hyphens, starting with a letter and not ending with a hyphen"),
    "the environment's own": (("playbooks/restore.yml", "-e", f"restore_snapshot={SNAPSHOT}", "-e", f"restore_instance_identifier={INSTANCE.upper()}"),
                              f"restore_instance_identifier: {INSTANCE.upper()} is the environment's instance (rds_instance_identifier)"),
}


@pytest.fixture(name="environment", scope="module")
def fixture_environment(converged_environment_at):
    """The converged environment, its instance given the settings; the input refusals run meanwhile. Yields their
    results, the state built and ansible-playbook's environment."""
    with converged_environment_at(PORT, PG_PORT) as env, concurrent.futures.ThreadPoolExecutor(4) as pool:
        refusals = {case: pool.submit(run, *args, port=CLOSED_PORT) for case, (args, _message) in INPUT_REFUSALS.items()}
        # What the rds layer sets with SETTINGS (its modify path is tests/roles/test_rds_role.py's), set directly.
        client("rds").modify_db_instance(DBInstanceIdentifier=INSTANCE, DeletionProtection=True, EnablePerformanceInsights=True,
                                         PerformanceInsightsRetentionPeriod=31, ApplyImmediately=True)
        client("rds").get_waiter("db_instance_available").wait(DBInstanceIdentifier=INSTANCE, WaiterConfig={"Delay": 1})
        yield {"refusals": {case: future.result() for case, future in refusals.items()}, "built": held(), "env": env}


@pytest.fixture(name="env", scope="module")
def fixture_env(environment):
    return environment["env"]


@pytest.fixture(name="snapshots", scope="module")
def fixture_snapshots(environment, env):
    """snapshot.yml previewed with the default name, taken with a name, then taken again."""
    seen = {"preview": run("playbooks/snapshot.yml", *SETTINGS, "--check", env=env)}
    seen["after_preview"] = held()
    seen["taken"] = run("playbooks/snapshot.yml", *SETTINGS, "-e", f"snapshot_name={SNAPSHOT}", env=env)
    seen["snapshot"] = client("rds").describe_db_snapshots(DBSnapshotIdentifier=SNAPSHOT)["DBSnapshots"][0]
    seen["before"] = environment["built"]
    rotate_master_password()
    return seen


@pytest.fixture(name="checks", scope="module")
def fixture_checks(snapshots, env):  # pylint: disable=unused-argument  # the snapshot must exist
    """Read-only runs, at once: the snapshot taken again, the refusals that need the environment, the restore's preview."""
    rds = client("rds")
    rds.create_db_instance(DBInstanceIdentifier=STRANGER, Engine="postgres", EngineVersion="15.4", DBInstanceClass="db.t3.micro",
                           AllocatedStorage=20, MasterUsername="someone", MasterUserPassword="someone-password")
    rds.create_db_snapshot(DBSnapshotIdentifier=f"{STRANGER}-nightly", DBInstanceIdentifier=STRANGER)
    before = held()
    runs = {
        "again": ("playbooks/snapshot.yml", *SETTINGS, "-e", f"snapshot_name={SNAPSHOT}"),
        "other instance's snapshot": ("playbooks/snapshot.yml", *SETTINGS, "-e", f"snapshot_name={STRANGER}-nightly"),
        "missing snapshot": ("playbooks/restore.yml", *SETTINGS, *RESTORE, "-e", "restore_snapshot=never-taken"),
        "taken name": ("playbooks/restore.yml", *SETTINGS, *RESTORE, "-e", f"restore_instance_identifier={STRANGER}"),
        "preview": ("playbooks/restore.yml", *SETTINGS, *RESTORE, "--check"),
    }
    with concurrent.futures.ThreadPoolExecutor(len(runs)) as pool:
        futures = {case: pool.submit(run, *args, env=env) for case, args in runs.items()}
        seen = {case: future.result() for case, future in futures.items()}
    return {**seen, "before": before, "after": held()}


@pytest.fixture(name="restores", scope="module")
def fixture_restores(checks, env):
    """The restore with the proxy re-pointed, its second run, then site.yml with the inventory naming the restored instance."""
    seen = {"before": checks["after"], "restored": run("playbooks/restore.yml", *SETTINGS, *RESTORE, env=env)}
    seen["after"] = held()
    seen["again"] = run("playbooks/restore.yml", *SETTINGS, *RESTORE, env=env)
    seen["after_again"] = held()
    # With --diff, whose instance plan reads the settings given as text on the command line as the instance's values.
    seen["site"] = ansible_playbook("site.yml", "--tags", "vpc,secrets,rds,rds_proxy", *SETTINGS, *FOLLOW_UP, "--diff", port=PORT,
                                    env=env, timeout=900)
    seen["after_site"] = held()
    return seen


@pytest.mark.parametrize("case", INPUT_REFUSALS)
def test_bad_inputs_are_refused_before_any_aws_call(environment, case):
    assert refused(environment["refusals"][case]).startswith(INPUT_REFUSALS[case][1])


def test_the_snapshot_preview_takes_nothing_and_names_the_default(snapshots):
    counts = ok(snapshots["preview"])
    assert counts["changed"] == 1 and snapshots["after_preview"] == snapshots["before"]
    message = printed(snapshots["preview"], "Print the snapshot")
    assert re.fullmatch(rf"{INSTANCE}-\d{{8}}-\d{{6}} would be taken of {INSTANCE}", message), message


def test_the_snapshot_is_taken_tagged_and_available(snapshots):
    assert ok(snapshots["taken"])["changed"] == 1
    snapshot = snapshots["snapshot"]
    assert (snapshot["DBInstanceIdentifier"], snapshot["Status"], snapshot["SnapshotType"]) == (INSTANCE, "available", "manual")
    assert tags(snapshot) == {"environment": "local", "project": NAME, "managed-by": "ansible"}
    message = printed(snapshots["taken"], "Print the snapshot")
    assert message.startswith(f"{SNAPSHOT} ({snapshot['DBSnapshotArn']}) of {INSTANCE} is available"), message


def test_taking_the_named_snapshot_again_changes_nothing(checks):
    assert ok(checks["again"])["changed"] == 0


def test_refusals_that_read_the_environment_change_nothing(checks):
    assert refused(checks["other instance's snapshot"]).startswith(
        f"snapshot_name: {STRANGER}-nightly is a snapshot of {STRANGER}, not of {INSTANCE}")
    assert refused(checks["missing snapshot"]) == "restore_snapshot: no DB snapshot never-taken in us-east-1"
    assert refused(checks["taken name"]).startswith(
        f"restore_instance_identifier: {STRANGER} is an instance that was not restored from {SNAPSHOT}")
    assert checks["after"] == checks["before"]


def test_the_restore_preview_restores_nothing(checks):
    counts = ok(checks["preview"])
    assert counts["changed"] > 0 and checks["after"] == checks["before"]
    assert printed(checks["preview"], "Print the restored instance and what makes it the environment's").startswith(
        f"{RESTORED} would be restored from {SNAPSHOT}")


def test_the_restored_instance_has_the_environments_settings(restores):
    ok(restores["restored"])
    original, restored = instance(INSTANCE), instance(RESTORED)
    differing = {name: (read(original), read(restored)) for name, read in COMPARED.items() if read(original) != read(restored)}
    assert not differing
    assert restored["DeletionProtection"] and restored["PerformanceInsightsRetentionPeriod"] == 31  # the inventory's, not defaults
    assert tags(restored) == {**tags(original), "Name": RESTORED, "shoppulse:restored-from": SNAPSHOT}
    groups = client("logs").describe_log_groups(logGroupNamePrefix=f"/aws/rds/instance/{RESTORED}/")["logGroups"]
    assert {(group["logGroupName"].rsplit("/", 1)[1], group.get("retentionInDays")) for group in groups} == {("postgresql", 30), ("upgrade", 30)}


def test_the_restore_moves_the_proxy_and_the_secret_and_nothing_else(restores):
    before, after = restores["before"], restores["after"]
    assert after["proxy targets"] == [RESTORED] and before["proxy targets"] == [INSTANCE]
    # The restored instance was given the secret's password: the proxy logs in (AUTH_FAILURE otherwise).
    targets = client("rds").describe_db_proxy_targets(DBProxyName=PROXY)["Targets"]
    assert [target["TargetHealth"] for target in targets] == [{"State": "AVAILABLE"}]
    assert after["secret host"] == instance(RESTORED)["Endpoint"]["Address"]
    assert after["instances"] == sorted(before["instances"] + [RESTORED])
    unchanged = ("snapshots", "security groups", "subnet groups", "parameter groups", "secret rotation")
    assert {key: after[key] for key in unchanged} == {key: before[key] for key in unchanged}
    message = printed(restores["restored"], "Print the restored instance and what makes it the environment's")
    assert f"rds_instance_identifier: {RESTORED}, rds_security_group_name: {INSTANCE}-sg," in message, message


def test_a_second_restore_changes_nothing(restores):
    assert ok(restores["again"])["changed"] == 0, changed_tasks(restores["again"])
    assert restores["after_again"] == restores["after"]


def test_site_yml_then_keeps_the_restored_instance_as_it_is(restores):
    assert ok(restores["site"])["changed"] == 0, changed_tasks(restores["site"])
    assert restores["after_site"] == restores["after"]
