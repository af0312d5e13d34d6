"""playbooks/rotate_credentials.yml on a private local environment, without a rotation function (the playbook's own
four steps), then with one that does nothing and one that does not exist. Read back from the emulator (boto3) and the
local PostgreSQL server standing in for RDS (psycopg2).

The environment is the run's converged snapshot (tests/converged.py), whose secrets rotate with the collection's
function (inventories/local), restored for the module; every run here says secrets_rotation_function=false, as an
operator's inventory would. The first, the layers up to the schema, turns that rotation off: the secrets are then
rotated by the playbook's own steps. The tests then run in order on that environment: a rotation, one of the
application secret (rotate_secret=app), an interrupted rotation resumed, check mode, and site.yml again, which must
change nothing - the schema play's local stand-in, which sets the master password from the secret, must not set the
old password back.
"""

import concurrent.futures
import io
import json
import urllib.request
import zipfile

import boto3
import psycopg2
import pytest

from tests.roles.conftest import ansible_playbook
from tests.roles.playbook_output import changed_tasks, ok, recap, task_statuses

PORT, PG_PORT = 4712, 25511
SECRET = "shoppulse-analytics/rds/master"
APP_SECRET = "shoppulse-analytics/rds/app"
PLAYBOOK = "playbooks/rotate_credentials.yml"
LAYERS = "vpc,secrets,rds,rds_proxy,schema"  # the schema play needs the proxy's outputs
RESUMED = "the AWSPENDING password was in force already (set by the run that stopped)"
NO_FUNCTION = ("-e", "secrets_rotation_function=false")  # every run's: rotation is the playbook's, or a test's function
SECRETS_TASK = "shoppulse.analytics.secrets : Ensure the secret holds the credentials, key, description, tags and rotation, keeping its password"


@pytest.fixture(name="env", scope="module")
def fixture_env(converged_environment_at):
    with converged_environment_at(PORT, PG_PORT) as env:
        off = run(env, "site.yml", "--tags", LAYERS, timeout=600)
        # The one change: both secrets stop rotating with the collection's function.
        assert ok(off)["changed"] == 2 and task_statuses(off, SECRETS_TASK) == ["changed", "changed"], changed_tasks(off)
        secretsmanager = aws("secretsmanager")
        found = {name: secretsmanager.describe_secret(SecretId=name) for name in (SECRET, APP_SECRET)}
        assert {name: secret.get("RotationEnabled", False) for name, secret in found.items()} == dict.fromkeys(found, False)
        yield env


@pytest.fixture(name="sm", scope="module")
def fixture_sm(env):  # pylint: disable=unused-argument  # the emulator runs while env does
    return aws("secretsmanager")


def run(env, playbook, *args, timeout=300):
    return ansible_playbook(playbook, *NO_FUNCTION, *args, port=PORT, env=env, timeout=timeout)


def labels(sm):
    return {version: sorted(stages) for version, stages in sm.describe_secret(SecretId=SECRET)["VersionIdsToStages"].items() if stages}


def credentials(sm, stage="AWSCURRENT", secret=SECRET):
    return json.loads(sm.get_secret_value(SecretId=secret, VersionStage=stage)["SecretString"])


def holder(sm, stage):
    return next((version for version, stages in labels(sm).items() if stage in stages), None)


def logs_in(username, password):
    try:
        psycopg2.connect(host="127.0.0.1", port=PG_PORT, user=username, password=password, dbname="postgres",
                         sslmode="require", connect_timeout=5).close()
    except psycopg2.OperationalError as error:
        assert "password authentication failed" in str(error), error
        return False
    return True


def test_rotation_makes_a_new_password_current_in_the_secret_and_the_database_and_prints_neither(env, sm):
    old = credentials(sm)
    old_version = holder(sm, "AWSCURRENT")

    result = run(env, PLAYBOOK, "-vvv")

    ok(result)
    new = credentials(sm)
    assert new["password"] != old["password"] and len(new["password"]) == 32
    assert {k: v for k, v in new.items() if k != "password"} == {k: v for k, v in old.items() if k != "password"}
    assert credentials(sm, "AWSPREVIOUS")["password"] == old["password"]
    assert labels(sm) == {old_version: ["AWSPREVIOUS"], holder(sm, "AWSCURRENT"): ["AWSCURRENT"]}, "no AWSPENDING is left"
    assert logs_in(new["username"], new["password"]) and not logs_in(old["username"], old["password"])
    output = result.stdout + result.stderr
    assert old["password"] not in output and new["password"] not in output
    # The playbook's own steps, though the secret still names the function its rotation was turned off from:
    # RotateSecret with that function would have turned automatic rotation back on.
    assert not sm.describe_secret(SecretId=SECRET).get("RotationEnabled")


def test_rotate_secret_app_rotates_the_application_role_only(env, sm):
    master, old = credentials(sm), credentials(sm, secret=APP_SECRET)
    assert logs_in(old["username"], old["password"]), "the schema layer created the application role with its secret's password"

    result = run(env, PLAYBOOK, "-vvv", "-e", "rotate_secret=app")

    ok(result)
    new = credentials(sm, secret=APP_SECRET)
    assert new["password"] != old["password"] and len(new["password"]) == 32
    assert {k: v for k, v in new.items() if k != "password"} == {k: v for k, v in old.items() if k != "password"}
    assert credentials(sm, "AWSPREVIOUS", secret=APP_SECRET)["password"] == old["password"]
    assert logs_in(new["username"], new["password"]) and not logs_in(old["username"], old["password"])
    assert credentials(sm) == master and logs_in(master["username"], master["password"]), "the master secret is untouched"
    output = result.stdout + result.stderr
    assert old["password"] not in output and new["password"] not in output and master["password"] not in output


def test_an_interrupted_rotation_is_finished_by_the_next_run_without_lockout(env, sm):
    current = credentials(sm)
    previous_version = holder(sm, "AWSCURRENT")
    # A run stopped after setSecret: AWSPENDING staged and set on the database, AWSCURRENT no longer accepted.
    pending = {**current, "password": "Resumed-" + "x" * 24}
    token = sm.put_secret_value(SecretId=SECRET, SecretString=json.dumps(pending), VersionStages=["AWSPENDING"])["VersionId"]
    with psycopg2.connect(host="127.0.0.1", port=PG_PORT, user=current["username"], password=current["password"],
                          dbname="postgres", sslmode="require") as connection, connection.cursor() as cursor:
        cursor.execute("ALTER ROLE CURRENT_USER PASSWORD %s", (pending["password"],))
    connection.close()
    assert not logs_in(current["username"], current["password"])

    result = run(env, PLAYBOOK, "-vvv")

    ok(result)
    assert RESUMED in " ".join(result.stdout.split()), "AWSCURRENT was refused: the run finds AWSPENDING in force"
    assert labels(sm) == {previous_version: ["AWSPREVIOUS"], token: ["AWSCURRENT"]}, "the staged version is current, not a new one"
    assert credentials(sm)["password"] == pending["password"]
    assert logs_in(current["username"], pending["password"]) and not logs_in(current["username"], current["password"])
    output = result.stdout + result.stderr
    assert pending["password"] not in output and current["password"] not in output


def test_check_mode_and_site_yml_after_rotation_change_nothing(env, sm):
    before = labels(sm)
    current = credentials(sm)

    with concurrent.futures.ThreadPoolExecutor(2) as pool:  # both only read: they run at once
        preview = pool.submit(run, env, PLAYBOOK, "--check")
        site = pool.submit(run, env, "site.yml", "--tags", LAYERS, timeout=600)
        preview, site = preview.result(), site.result()

    assert ok(preview)["changed"] == 0 and "would get a new password as AWSPENDING" in preview.stdout
    assert ok(site)["changed"] == 0, changed_tasks(site)
    assert labels(sm) == before
    assert logs_in(current["username"], current["password"]), "site.yml set another password on the database"


def test_bad_input_fails_in_one_line_before_any_change(env, sm):
    before = labels(sm)

    result = run(env, PLAYBOOK, "-e", "rotate_wait_timeout=soon")

    assert result.returncode != 0 and recap(result)["failed"] == 1
    assert "rotate_wait_timeout: 'soon' is not a number of seconds (at least 1)" in result.stdout
    assert labels(sm) == before


def aws(service):
    return boto3.client(service, region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{PORT}",
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def create_idle_function() -> str:
    """A rotation function in the emulator that records its invocations and does nothing (moto's Lambda without Docker)."""
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}/moto-api/config", method="POST",
                                     data=json.dumps({"lambda": {"use_docker": False}}).encode())
    urllib.request.urlopen(request, timeout=10).close()  # pylint: disable=consider-using-with
    role = aws("iam").create_role(RoleName="rotation", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("rotate.py", "def handler(event, context):\n    return None\n")
    return aws("lambda").create_function(FunctionName="rotate", Runtime="python3.12", Role=role, Handler="rotate.handler",
                                         Code={"ZipFile": code.getvalue()})["FunctionArn"]


def finish_as_the_function(sm, version, value):
    """createSecret and finishSecret of a rotation function, with the credentials unchanged."""
    sm.put_secret_value(SecretId=SECRET, ClientRequestToken=version, SecretString=json.dumps(value), VersionStages=["AWSPENDING"])
    sm.update_secret_version_stage(SecretId=SECRET, VersionStage="AWSCURRENT", MoveToVersionId=version,
                                   RemoveFromVersionId=holder(sm, "AWSCURRENT"))


def test_a_rotation_function_is_waited_for_a_line_per_poll_and_a_missing_one_stops_the_run_at_once(env, sm):
    current = credentials(sm)
    function = create_idle_function()
    configured = sm.rotate_secret(SecretId=SECRET, RotationLambdaARN=function, RotationRules={"AutomaticallyAfterDays": 30})
    finish_as_the_function(sm, configured["VersionId"], current)

    idle = run(env, PLAYBOOK, "-e", "rotate_wait_timeout=3", "-e", "rotate_wait_delay=1")

    assert idle.returncode != 0 and recap(idle)["failed"] == 1
    pending = holder(sm, "AWSPENDING")
    polls = idle.stdout.count(f"FAILED - RETRYING: [localhost]: Wait until the rotation function has finished, a line per poll: version {pending}")
    assert polls == 3, idle.stdout[-3000:]
    assert f"to version {pending} did not finish within 3 s; last labels:" in idle.stdout and f"{pending}: AWSPENDING" in idle.stdout
    finish_as_the_function(sm, pending, current)  # the function's work, done late

    aws("lambda").delete_function(FunctionName=function)
    before = labels(sm)
    for args in ((), ("--check",)):
        missing = run(env, PLAYBOOK, *args)

        assert missing.returncode != 0 and recap(missing)["failed"] == 1
        assert f"name: the rotation function {function} of the secret " in missing.stdout and "does not exist" in missing.stdout
        assert "RETRYING" not in missing.stdout, "nothing is waited for"
        assert labels(sm) == before, "no rotation was started"
