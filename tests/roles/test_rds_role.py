"""The database layer's acceptance: site.yml run as an operator runs it, the result read back from the emulator.

The rules about values are the rds filters' (tests/unit/plugins/filter/test_rds.py); here one bad value shows that
the validation play stops site.yml before any AWS call (against a closed port, where any call would fail otherwise),
and one run shows numbers given as text on the command line pass it. The rest runs on the shared converged
environment (tests/environment.py, converged by two -vvv rollouts racing for the lock); the tests run in file order:
runs that must change nothing, then the scaling steps (deferred class, storage 120, refused shrink). The check-mode
run on an empty account, the settings read back and the outputs are molecule's (check, side_effect, verify).
"""

import concurrent.futures
import hashlib
import json
import re
import textwrap

import pytest
import yaml

from tests.environment import ALARM_PREFIX, LOCK_WAIT, PREVIEW_CLASS
from tests.roles.playbook_output import changed_tasks, ok, recap, task_statuses

VALIDATION_PLAY = "Validate the inputs of every layer before changing anything"
BUILD_PLAY = "Build the network, the credentials, the database, the proxy and their monitoring"
INSTANCE_TASK = "shoppulse.analytics.rds : Ensure the PostgreSQL instance runs with the declared settings"
# The layers a database change needs: a layer takes the outputs of the layers before it.
DB_LAYERS = ("--tags", "vpc,secrets,rds")
STORAGE_ALARM = f"{ALARM_PREFIX}free-storage"
PLAN_TASK = "shoppulse.analytics.rds : Show the instance settings before and after this run"
# What else a class change moves: the alarms whose thresholds follow the class, and the dashboard that shows them.
FOLLOWING_TASKS = ["shoppulse.analytics.monitoring : Ensure exactly the declared alarms exist with their thresholds and the topic as their action",
                   "shoppulse.analytics.monitoring : Ensure the dashboard shows every watched metric and the alarms"]


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


# --- the shared environment ------------------------------------------------------------------------------


def instance(shared) -> dict:
    return shared.client("rds").describe_db_instances(DBInstanceIdentifier=shared.instance_identifier)["DBInstances"][0]


def secret(shared) -> dict:
    """The master secret's value (the secret outputs.json names)."""
    return shared.client("secretsmanager").get_secret_value(SecretId=shared.outputs["DatabaseSecretArn"])


def secret_state(shared) -> tuple[str, str]:
    """The secret's AWSCURRENT version id and a digest of its password (the password itself is never kept)."""
    value = secret(shared)
    return value["VersionId"], hashlib.sha256(json.loads(value["SecretString"])["password"].encode()).hexdigest()


# --- bad inputs: the validation play, before any AWS call ----------------------------------------------


def test_a_bad_value_stops_site_yml_before_any_aws_call_naming_the_variable(run_site):
    # Each rule and its message: tests/unit/plugins/filter/test_rds.py::test_a_bad_setting_is_named.
    result = run_site("rds_instance_class=t3.medium")
    play, msg = refused(result)
    assert play == VALIDATION_PLAY
    assert msg.startswith("rds_instance_class: 't3.medium' is not a DB instance class"), msg
    assert "EndpointConnectionError" not in result.stdout and "Could not connect" not in result.stdout


def test_valid_numbers_given_on_the_command_line_pass_validation(run_site):
    # -e gives text; the filter reads it as numbers (test_rds.py::test_numbers_given_as_text_on_the_command_line_are_numbers).
    # Past the validation play, the first AWS call meets the closed port: that failure must come from the next play.
    # One attempt, not inventories/local's ten: botocore would retry the refused connection with backoff for 20 s.
    result = run_site("rds_allocated_storage=120", "rds_performance_insights_retention_days=31",
                      "rds_backup_retention_days=7", "rds_port=5433", '{"shoppulse_aws_config": {"retries": {"max_attempts": 1}}}')
    assert result.returncode != 0
    found = failures(result)
    assert found and VALIDATION_PLAY not in [failure[0] for failure in found], found


# --- the shared environment: runs that change nothing, then the scaling steps ---------------------------


@pytest.fixture(name="converged", scope="module")
def fixture_converged(shared_environment):
    """The shared environment's rollout, and its secret as the rollout left it."""
    ok(shared_environment.converge)
    return {"first": shared_environment.converge, "secret": secret_state(shared_environment)}


@pytest.fixture(name="site", scope="module")
def fixture_site(shared_environment):
    """``site(*args)``: ansible-playbook site.yml on the shared environment."""
    return shared_environment.site


@pytest.fixture(name="unchanged", scope="module")
def fixture_unchanged(converged, site, shared_environment):
    """Runs that must change nothing, at once on the converged environment: a second run (-vvv), the preview of a new
    instance class (tests/environment.py, read by the monitoring layer's tests too), and a class change without
    rds_apply_immediately. The preview is also the preview of the environment as it is: every task but the four a class
    follows lists nothing (test_check_diff_previews_a_new_class_and_changes_nothing)."""
    assert converged["first"].returncode == 0, "the rollout failed: see test_one_run_applies_and_the_other_stops_naming_it"
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        runs = {
            # Two applies at once: each waits for the other's rollout lock.
            "again": pool.submit(site, "-vvv", *LOCK_WAIT),
            "preview": pool.submit(lambda: shared_environment.class_change_preview().result),
            "refused": pool.submit(site, *DB_LAYERS, "-e", "rds_instance_class=db.t3.large", *LOCK_WAIT),
        }
        results = {name: run.result() for name, run in runs.items()}
    return {**results, "secret": secret_state(shared_environment), "instance": instance(shared_environment)}


def test_second_run_changes_nothing_and_keeps_the_secret(converged, unchanged):
    assert ok(unchanged["again"])["changed"] == 0, changed_tasks(unchanged["again"])
    # Nothing an operator would have to read past on every run: no module the run calls is deprecated in its use.
    assert "DEPRECATION WARNING" not in unchanged["again"].stdout + unchanged["again"].stderr
    same_secret = unchanged["secret"] == converged["secret"]
    assert same_secret, "the secret has a new version or a new password"


def test_second_run_skips_each_module_whose_work_a_read_shows_done(converged, unchanged):
    """The network layer reads the VPC once (with its flow logs' group and role), the database layer the instance and
    its log groups, the proxy layer its role and log group and its first call the proxy, the run the rotation function
    (with its role and log group) before the secrets layer, the schema layer logs in as the application role; a second
    run runs none of the modules those reads show nothing for. The rollout ran each (so the names are right);
    the second run shows none run (ansible.cfg hides skipped tasks)."""
    for name in ("shoppulse.analytics.vpc : Ensure one subnet per tier and zone",
                 "shoppulse.analytics.vpc : Ensure the internet gateway is attached to the VPC",
                 "shoppulse.analytics.vpc : Ensure the route tables send each tier's traffic where it may go, and nowhere else",
                 "shoppulse.analytics.vpc : Ensure the VPC flow log delivers the chosen traffic into the group",
                 "shoppulse.analytics.vpc : Ensure the flow log group exists with its retention",
                 "shoppulse.analytics.vpc : Ensure the flow-log delivery role exists, trusted by the flow-log service only, "
                 "and may write to the flow log group only",
                 "shoppulse.analytics.lambda_function : Ensure the function's log group exists with its retention",
                 "shoppulse.analytics.lambda_function : Ensure the function's IAM role exists, trusted by Lambda only, with exactly the permissions it needs",
                 "shoppulse.analytics.lambda_function : Ensure the function runs the package in the VPC with its environment",
                 "shoppulse.analytics.rds : Ensure the PostgreSQL instance runs with the declared settings",
                 "shoppulse.analytics.rds : Ensure a log group with retention exists for each exported log",
                 "shoppulse.analytics.rds_proxy : Ensure the proxy's IAM role exists, trusted by RDS only, reading only its auth list's secrets",
                 "shoppulse.analytics.rds_proxy : Ensure the proxy's log group exists with its retention",
                 "shoppulse.analytics.rds_proxy : Ensure the proxy pools connections to the instance over TLS with SECRETS auth: its pool and target",
                 "shoppulse.analytics.schema : Ensure the application role exists and logs in with its secret's password",
                 "Let Secrets Manager invoke the rotation function for this account's secrets"):
        assert task_statuses(converged["first"], name) == ["changed"], name
        assert set(task_statuses(unchanged["again"], name)) <= {"skipping"}, name


def test_each_layers_inputs_are_checked_once_per_run(converged, unchanged):
    """site.yml's validation play checks the network, database and proxy inputs; the layers' entry points and the cost
    preview, which call the same files again, skip them (ansible.cfg hides skipped tasks)."""
    for name in ("shoppulse.analytics.vpc : Refuse network settings AWS would reject, an address plan that overlaps, or a wait that cannot poll",
                 "shoppulse.analytics.rds : Refuse database settings RDS would reject",
                 "shoppulse.analytics.rds_proxy : Refuse a proxy name or proxy inputs the RDS API would reject"):
        for run in (converged["first"], unchanged["again"]):
            assert task_statuses(run, name) == ["ok"], name


def test_verbose_runs_never_print_either_password(converged, unchanged, shared_environment):
    """Neither the master password nor the application role's (its own secret, created and set in the database by
    the first run) is printed, at -vvv."""
    app_secret = shared_environment.client("secretsmanager").get_secret_value(SecretId=shared_environment.outputs["DatabaseAppSecretArn"])
    passwords = {"master": json.loads(secret(shared_environment)["SecretString"])["password"],
                 "application": json.loads(app_secret["SecretString"])["password"]}
    outputs = shared_environment.outputs_path.read_text(encoding="utf-8")
    loser = next(result for owner, result in shared_environment.rollout.items() if owner != shared_environment.winner)
    for name, result in (("first run", converged["first"]), ("second run", unchanged["again"]), ("stopped run", loser)):
        assert "task path: " in result.stdout, f"the {name} was not verbose"  # -vv and more name each task's file
        for which, password in passwords.items():
            leaked = password in result.stdout + result.stderr
            assert not leaked, f"the {name} printed the {which} password"
    for which, password in passwords.items():
        leaked = password in outputs
        assert not leaked, f"outputs.json holds the {which} password"
    assert "censored" in converged["first"].stdout  # -vvv showed results, hidden where the password passes


def test_check_diff_previews_a_new_class_and_changes_nothing(unchanged):
    result = unchanged["preview"]
    # The plan shows the settings before and after; the instance is the one resource of its layer that would change,
    # with the alarms that follow its class (which thresholds: tests/roles/test_monitoring_role.py). Every other task of
    # every layer lists nothing on the converged environment in check mode, and these four nothing in the second run.
    assert changed_tasks(result) == [PLAN_TASK, INSTANCE_TASK, *FOLLOWING_TASKS], changed_tasks(result)
    assert ok(result)["changed"] == 4
    assert '-    "instance_class": "db.t3.medium"' in result.stdout, result.stdout[-4000:]
    assert f'+    "instance_class": "{PREVIEW_CLASS}"' in result.stdout
    # The cost layer's lines (their arithmetic: tests/unit/plugins/filter/test_cost.py), from the pinned price list:
    # db.r6g.large at $0.225 an hour, and three alarms fewer (the burst balances a non-burstable class has none of).
    assert f"DB instance {PREVIEW_CLASS}, Single-AZ, 730 h: $52.56 -> $164.25" in result.stdout
    assert "CloudWatch alarms: $1.50 -> $1.20" in result.stdout
    assert "Monthly cost: $129.14 -> $240.53 (+$111.39)" in result.stdout
    assert unchanged["instance"]["DBInstanceClass"] == "db.t3.medium"
    assert not unchanged["instance"].get("PendingModifiedValues")


def test_new_class_without_apply_immediately_is_refused(unchanged):
    play, msg = refused(unchanged["refused"])
    assert play == BUILD_PLAY  # it compares with the instance as it is
    assert msg.startswith("rds_apply_immediately: instance_class would change"), msg
    assert unchanged["instance"]["DBInstanceClass"] == "db.t3.medium"
    assert not unchanged["instance"].get("PendingModifiedValues")


def test_new_class_deferred_to_the_maintenance_window(unchanged, site, shared_environment):
    args = (*DB_LAYERS, "-e", "rds_instance_class=db.t3.large", "-e", "rds_apply_immediately=false")
    result = site(*args)
    assert ok(result)["changed"] == 1 and changed_tasks(result) == [INSTANCE_TASK]
    db = instance(shared_environment)
    assert db["DBInstanceClass"] == "db.t3.medium"
    assert db["PendingModifiedValues"] == {"DBInstanceClass": "db.t3.large"}

    # The layers up to the database, run again by their tags, change nothing else either.
    again = site(*args)
    assert ok(again)["changed"] == 0, changed_tasks(again)
    assert instance(shared_environment)["PendingModifiedValues"] == {"DBInstanceClass": "db.t3.large"}


def test_storage_grows_at_once_and_its_alarm_follows(unchanged, site, shared_environment):
    # With the monitoring layer, which reads the storage: the environment stays converged for the later modules.
    result = site("--tags", "vpc,secrets,rds,monitoring", "-e", "rds_apply_immediately=true", "-e", '{"rds_allocated_storage": 120}')
    assert ok(result)["changed"] > 1 and changed_tasks(result)[0] == INSTANCE_TASK, changed_tasks(result)
    db = instance(shared_environment)
    assert db["AllocatedStorage"] == 120
    # The declared class (the default) is applied with it, replacing the one left pending.
    assert db["DBInstanceClass"] == "db.t3.medium" and not db.get("PendingModifiedValues")
    [alarm] = shared_environment.client("cloudwatch").describe_alarms(AlarmNames=[STORAGE_ALARM])["MetricAlarms"]
    assert alarm["Threshold"] == 12 * 2**30  # 10 % of 120 GiB
    shared_environment.inventory["rds_allocated_storage"] = 120


def test_storage_never_shrinks(unchanged, site, shared_environment):
    assert instance(shared_environment)["AllocatedStorage"] == 120, "needs test_storage_grows_at_once_and_its_alarm_follows first"
    play, msg = refused(site(*DB_LAYERS, "-e", '{"rds_allocated_storage": 100}'))
    assert play == BUILD_PLAY
    assert msg.startswith("rds_allocated_storage: 100 GB is below the instance's 120 GB"), msg
    assert instance(shared_environment)["AllocatedStorage"] == 120
