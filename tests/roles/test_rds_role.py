"""The database layer's acceptance: site.yml run as an operator runs it, the result read back from the emulator.

Bad inputs run against a closed port (any AWS call would fail otherwise than the validation message). The rest
shares one local environment (emulator + PostgreSQL) and one converge; the tests run in file order:
converge, runs that must change nothing, then the scaling steps (deferred class, storage 120, refused shrink).
"""

import concurrent.futures
import hashlib
import json
import re
import textwrap
from pathlib import Path

import boto3
import pytest
import yaml

from tests.roles.playbook_output import changed_tasks, ok, recap

PORT, PG_PORT = 4651, 55451
EMPTY_PORT = 4652  # a fresh emulator for --check on an account where nothing exists yet
NAME = "shoppulse-analytics"
INSTANCE = NAME
SECRET = f"{NAME}/rds/master"
VALIDATION_PLAY = "Validate the inputs of every layer before changing anything"
BUILD_PLAY = "Build the network, the credentials, the database and the proxy"
INSTANCE_TASK = "shoppulse.analytics.rds : Ensure the PostgreSQL instance runs with the declared settings"
# The layers a database change needs: a layer takes the outputs of the layers before it.
DB_LAYERS = ("--tags", "vpc,secrets,rds")
SITE_TIMEOUT = 600
LOCK_WAIT = ("-e", "rollout_lock_wait_timeout=900", "-e", "rollout_lock_wait_delay=2")
PLAN_TASK = "shoppulse.analytics.rds : Show the instance settings before and after this run"


# --- reading ansible-playbook's output ----------------------------------------------------------------


def failures(result) -> list[tuple[str, str]]:
    """(play, msg) of each failed task: the play it ran in and its message as ansible reported it."""
    found = []
    for match in re.finditer(r"^fatal: \[localhost\]: FAILED! => *\n((?:[ \t]+.*(?:\n|$))+)", result.stdout, re.MULTILINE):
        play = re.findall(r"^PLAY \[(.*)\] \*+$", result.stdout[:match.start()], re.MULTILINE)[-1]
        found.append((play, yaml.safe_load(textwrap.dedent(match.group(1)))["msg"]))
    return found


def refused(result) -> tuple[str, str]:
    """The one failure of a refused run, which changed nothing."""
    counts = recap(result)
    assert result.returncode != 0 and counts["failed"] == 1 and counts["changed"] == 0, result.stdout[-4000:]
    found = failures(result)
    assert len(found) == 1, result.stdout[-4000:]
    play, msg = found[0]
    assert "\n" not in msg, msg
    return play, msg


# --- the emulator ------------------------------------------------------------------------------------


def client(service: str, port: int):
    return boto3.client(service, region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{port}",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def instance(port: int = PORT) -> dict:
    return client("rds", port).describe_db_instances(DBInstanceIdentifier=INSTANCE)["DBInstances"][0]


def secret_state(port: int = PORT) -> tuple[str, str]:
    """The secret's AWSCURRENT version id and a digest of its password (the password itself is never kept)."""
    value = client("secretsmanager", port).get_secret_value(SecretId=SECRET)
    return value["VersionId"], hashlib.sha256(json.loads(value["SecretString"])["password"].encode()).hexdigest()


def built(port: int) -> dict[str, list[str]]:
    """What the layers build, as the emulator lists it."""
    ec2, rds = client("ec2", port), client("rds", port)
    return {
        "vpcs": [vpc["VpcId"] for vpc in ec2.describe_vpcs(Filters=[{"Name": "tag:project", "Values": [NAME]}])["Vpcs"]],
        "db_instances": [db["DBInstanceIdentifier"] for db in rds.describe_db_instances()["DBInstances"]],
        "secrets": [secret["Name"] for secret in client("secretsmanager", port).list_secrets()["SecretList"]],
        "proxies": [proxy["DBProxyName"] for proxy in rds.describe_db_proxies()["DBProxies"]],
        "iam_roles": [role["RoleName"] for role in client("iam", port).list_roles()["Roles"]],
        "log_groups": [group["logGroupName"] for group in client("logs", port).describe_log_groups()["logGroups"]],
    }


# --- bad inputs: the validation play, before any AWS call ----------------------------------------------


@pytest.mark.parametrize(
    "extra_var, expected",
    [
        ("rds_instance_class=t3.medium", "rds_instance_class: 't3.medium' is not a DB instance class"),
        ("rds_allocated_storage=10", "rds_allocated_storage: "),
        ("rds_allocated_storage=70000", "rds_allocated_storage: "),
        ("rds_engine_version=16.1", "rds_engine_version: '16.1' is not a PostgreSQL 15 version"),
        ('{"rds_log_exports": ["audit"]}', "rds_log_exports: audit is not a log PostgreSQL exports"),
        ("rds_performance_insights_retention_days=30", "rds_performance_insights_retention_days: "),
    ],
)
def test_bad_input_fails_first_naming_the_variable(run_site, extra_var, expected):
    result = run_site(extra_var)
    play, msg = refused(result)
    assert play == VALIDATION_PLAY
    assert msg.startswith(expected), msg
    assert "EndpointConnectionError" not in result.stdout and "Could not connect" not in result.stdout


@pytest.mark.parametrize("extra_var", ["rds_allocated_storage=120", "rds_performance_insights_retention_days=31",
                                       "rds_backup_retention_days=7", "rds_port=5433"])
def test_valid_numbers_given_on_the_command_line_pass_validation(run_site, extra_var):
    # Past the validation play, the first AWS call meets the closed port: that failure must come from the next play.
    result = run_site(extra_var)
    assert result.returncode != 0
    found = failures(result)
    assert found and VALIDATION_PLAY not in [failure[0] for failure in found], found


# --- one local environment, one converge --------------------------------------------------------------


@pytest.fixture(name="environment", scope="module")
def fixture_environment(local_environment_at):
    with local_environment_at(PORT, PG_PORT) as env:
        yield env


@pytest.fixture(name="site", scope="module")
def fixture_site(run_playbook, environment):
    """``site(*args)``: ansible-playbook site.yml on the shared environment."""

    def run(*args: str):
        return run_playbook("site.yml", *args, port=PORT, env=environment, timeout=SITE_TIMEOUT)

    return run


@pytest.fixture(name="converged", scope="module")
def fixture_converged(site, run_playbook, emulator_at, tmp_path_factory):
    """The first run of site.yml with -vvv; at the same time, --check --diff on a fresh emulator (own port)."""
    artifacts = tmp_path_factory.mktemp("check-artifacts") / "outputs"
    with emulator_at(EMPTY_PORT), concurrent.futures.ThreadPoolExecutor(2) as pool:
        check = pool.submit(run_playbook, "site.yml", "--check", "--diff", port=EMPTY_PORT,
                            env={"SHOPPULSE_ARTIFACTS_DIR": str(artifacts)}, timeout=SITE_TIMEOUT)
        first = pool.submit(site, "-vvv")
        check_result = check.result()
        left = built(EMPTY_PORT)
        first_result = first.result()
    return {"first": first_result, "secret": secret_state(), "check": check_result, "check_left": left,
            "check_artifacts": artifacts}


@pytest.fixture(name="unchanged", scope="module")
def fixture_unchanged(converged, site):
    """Runs that must change nothing, at once on the converged environment: a second run (-vvv), a preview of the
    environment as it is, a preview of a new instance class, and that class without rds_apply_immediately."""
    assert converged["first"].returncode == 0, "the converge failed: see test_converge_builds_the_database"
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        runs = {
            # Two applies at once: each waits for the other's rollout lock.
            "again": pool.submit(site, "-vvv", *LOCK_WAIT),
            "preview_same": pool.submit(site, "--check", "--diff"),
            "preview": pool.submit(site, *DB_LAYERS, "--check", "--diff", "-e", "rds_instance_class=db.t3.large"),
            "refused": pool.submit(site, *DB_LAYERS, "-e", "rds_instance_class=db.t3.large", *LOCK_WAIT),
        }
        results = {name: run.result() for name, run in runs.items()}
    return {**results, "secret": secret_state(), "instance": instance()}


def test_check_on_an_empty_emulator_creates_nothing(converged):
    result = converged["check"]
    assert ok(result)["changed"] >= 1  # what it would create
    assert converged["check_left"] == {"vpcs": [], "db_instances": [], "secrets": [], "proxies": [], "iam_roles": [],
                                       "log_groups": []}
    assert not converged["check_artifacts"].exists()


def test_converge_builds_the_database(converged, environment):
    ok(converged["first"])
    db = instance()
    assert (db["DBInstanceClass"], db["AllocatedStorage"], db["StorageType"], db["EngineVersion"]) == ("db.t3.medium", 100, "gp3", "15.4")
    assert not db.get("PendingModifiedValues")
    outputs = json.loads((Path(environment["SHOPPULSE_ARTIFACTS_DIR"]) / "outputs.json").read_text(encoding="utf-8"))
    assert outputs["DatabaseEndpoint"] == db["Endpoint"]["Address"]


def test_second_run_changes_nothing_and_keeps_the_secret(converged, unchanged):
    assert ok(unchanged["again"])["changed"] == 0, changed_tasks(unchanged["again"])
    same_secret = unchanged["secret"] == converged["secret"]
    assert same_secret, "the secret has a new version or a new password"


def test_verbose_runs_never_print_the_password(converged, unchanged, environment):
    value = client("secretsmanager", PORT).get_secret_value(SecretId=SECRET)["SecretString"]
    password = json.loads(value)["password"]
    outputs = (Path(environment["SHOPPULSE_ARTIFACTS_DIR"]) / "outputs.json").read_text(encoding="utf-8")
    for name, result in (("first run", converged["first"]), ("second run", unchanged["again"])):
        assert "<localhost> EXEC" in result.stdout, f"the {name} was not verbose"
        leaked = password in result.stdout + result.stderr
        assert not leaked, f"the {name} printed the password"
    leaked = password in outputs
    assert not leaked, "outputs.json holds the password"
    assert "censored" in converged["first"].stdout  # -vvv showed results, hidden where the password passes


@pytest.mark.parametrize("layers", ["vpc", "vpc,secrets,rds"])
def test_the_layers_up_to_one_by_their_tags(unchanged, site, layers):
    assert unchanged["instance"]["DBInstanceClass"] == "db.t3.medium"  # still the converged environment
    assert ok(site("--tags", layers))["changed"] == 0


def test_check_diff_on_the_converged_environment_lists_nothing(unchanged):
    result = unchanged["preview_same"]
    assert ok(result)["changed"] == 0, changed_tasks(result)


def test_check_diff_previews_a_new_class_and_changes_nothing(unchanged):
    result = unchanged["preview"]
    # The plan shows the settings before and after; the instance is the one resource that would change.
    assert ok(result)["changed"] == 2 and changed_tasks(result) == [PLAN_TASK, INSTANCE_TASK], changed_tasks(result)
    assert '-    "instance_class": "db.t3.medium"' in result.stdout, result.stdout[-4000:]
    assert '+    "instance_class": "db.t3.large"' in result.stdout
    assert unchanged["instance"]["DBInstanceClass"] == "db.t3.medium"
    assert not unchanged["instance"].get("PendingModifiedValues")


def test_new_class_without_apply_immediately_is_refused(unchanged):
    play, msg = refused(unchanged["refused"])
    assert play == BUILD_PLAY  # it compares with the instance as it is
    assert msg.startswith("rds_apply_immediately: instance_class would change"), msg
    assert unchanged["instance"]["DBInstanceClass"] == "db.t3.medium"
    assert not unchanged["instance"].get("PendingModifiedValues")


def test_new_class_deferred_to_the_maintenance_window(unchanged, site):
    args = (*DB_LAYERS, "-e", "rds_instance_class=db.t3.large", "-e", "rds_apply_immediately=false")
    result = site(*args)
    assert ok(result)["changed"] == 1 and changed_tasks(result) == [INSTANCE_TASK]
    db = instance()
    assert db["DBInstanceClass"] == "db.t3.medium"
    assert db["PendingModifiedValues"] == {"DBInstanceClass": "db.t3.large"}

    again = site(*args)
    assert ok(again)["changed"] == 0, changed_tasks(again)
    assert instance()["PendingModifiedValues"] == {"DBInstanceClass": "db.t3.large"}


def test_storage_grows_at_once(unchanged, site):
    # JSON keeps 120 a number: `-e rds_allocated_storage=120` is refused (test_valid_numbers_given_on_the_command_line...).
    result = site(*DB_LAYERS, "-e", "rds_apply_immediately=true", "-e", '{"rds_allocated_storage": 120}')
    assert ok(result)["changed"] == 1 and changed_tasks(result) == [INSTANCE_TASK]
    db = instance()
    assert db["AllocatedStorage"] == 120
    # The declared class (the default) is applied with it, replacing the one left pending.
    assert db["DBInstanceClass"] == "db.t3.medium" and not db.get("PendingModifiedValues")


def test_storage_never_shrinks(unchanged, site):
    assert instance()["AllocatedStorage"] == 120, "needs test_storage_grows_at_once first"
    play, msg = refused(site(*DB_LAYERS, "-e", '{"rds_allocated_storage": 100}'))
    assert play == BUILD_PLAY
    assert msg.startswith("rds_allocated_storage: 100 GB is below the instance's 120 GB"), msg
    assert instance()["AllocatedStorage"] == 120
