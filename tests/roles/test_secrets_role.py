"""The secrets role against a private emulator: the password is generated once, kept and never printed."""

import json
import string
import textwrap

import boto3
import pytest
import yaml

from tests.roles.playbook_output import ok, recap

PORT = 4621
PLAYBOOK = "tests/playbooks/secrets_role.yml"
# CDK's rds.Credentials.fromGeneratedSecret default excludeCharacters.
EXCLUDED = set(" %+~`#$&*()|[]{}:;<>?!'/@\"\\")


@pytest.fixture(name="secretsmanager", scope="module")
def fixture_secretsmanager(emulator_at):
    with emulator_at(PORT) as endpoint_url:
        yield boto3.client("secretsmanager", region_name="us-east-1", endpoint_url=endpoint_url,
                           aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture(name="role", scope="module")
def fixture_role(run_playbook):
    """Run the test playbook for one secret; ``attach=(host, port)`` runs the attach entry point as well."""

    def run(name: str, *args: str, attach: tuple[str, int] | None = None):
        if attach:
            args = (*args, "-e", f"secrets_test_attach_host={attach[0]}", "-e", f"secrets_test_attach_port={attach[1]}")
        # Each master secret of the module with an application secret of its own beside it.
        return run_playbook(PLAYBOOK, "-e", f"secrets_name={name}", "-e", f"secrets_app_name={name}-app", *args, port=PORT)

    return run


def read(secretsmanager, name: str) -> tuple[str, dict]:
    """The AWSCURRENT version id and the parsed value of the secret."""
    value = secretsmanager.get_secret_value(SecretId=name)
    return value["VersionId"], json.loads(value["SecretString"])


def absent(secretsmanager, name: str) -> bool:
    try:
        secretsmanager.describe_secret(SecretId=name)
    except secretsmanager.exceptions.ResourceNotFoundException:
        return True
    return False


@pytest.fixture(name="created", scope="module")
def fixture_created(secretsmanager, role):
    """One first run of the main entry point, with a non-default password length."""
    result = role("shoppulse-test/created", "-e", "secrets_password_length=40")
    version, value = read(secretsmanager, "shoppulse-test/created")
    return {"result": result, "version": version, "value": value}


def test_check_mode_on_an_empty_emulator_creates_nothing(secretsmanager, role):
    assert secretsmanager.list_secrets()["SecretList"] == []
    result = role("shoppulse-test/checked", "--check", "--diff", attach=("db.example.internal", 5432))
    assert ok(result)["changed"] >= 1  # the creation it would make
    assert secretsmanager.list_secrets()["SecretList"] == []
    assert "secret:shoppulse-test/checked-known-after-apply" in result.stdout  # the outputs' placeholder ARN


def test_first_run_creates_the_secret_with_a_generated_password(secretsmanager, created):
    result, value = created["result"], created["value"]
    assert ok(result)["changed"] == 2  # the master secret and the application secret
    assert sorted(value) == ["dbname", "engine", "password", "username"]
    assert value["engine"] == "postgres" and value["username"] == "shoppulse_admin" and value["dbname"] == "shoppulse"
    password = value["password"]
    assert len(password) == 40
    assert not EXCLUDED & set(password), "a character CDK's default set excludes"
    assert set(password) <= set(string.ascii_letters + string.digits + string.punctuation)
    # The outputs carry the real ARN: nothing in the role's no_log tasks masks it.
    assert secretsmanager.describe_secret(SecretId="shoppulse-test/created")["ARN"] in result.stdout


def test_first_run_creates_the_application_secret_with_its_own_password(secretsmanager, created):
    """The functions' secret: the master's keys, the application role, a password of its own, never printed."""
    _version, value = read(secretsmanager, "shoppulse-test/created-app")
    assert sorted(value) == ["dbname", "engine", "password", "username"]
    assert (value["username"], value["engine"], value["dbname"]) == ("shoppulse_app", "postgres", "shoppulse")
    assert len(value["password"]) == 40 and value["password"] != created["value"]["password"]
    assert value["password"] not in created["result"].stdout and created["value"]["password"] not in created["result"].stdout


@pytest.mark.parametrize(("extra", "message"), [
    ("secrets_app_name=shoppulse-test/refused", "secrets_app_name: 'shoppulse-test/refused' is the master secret's name"),
    ("secrets_app_username=shoppulse_admin", "secrets_app_username: 'shoppulse_admin' is the master user"),
])
def test_an_application_secret_that_is_the_master_s_is_refused(secretsmanager, run_playbook, extra, message):
    result = run_playbook(PLAYBOOK, "-e", "secrets_name=shoppulse-test/refused", "-e", extra, port=PORT)
    assert result.returncode != 0 and message in result.stdout, result.stdout[-2000:]
    assert absent(secretsmanager, "shoppulse-test/refused")


def test_second_run_changes_nothing(secretsmanager, created, role):
    assert ok(role("shoppulse-test/created", "-e", "secrets_password_length=40"))["changed"] == 0
    assert read(secretsmanager, "shoppulse-test/created") == (created["version"], created["value"])


def test_attach_fills_host_and_port_once_keeping_the_password(secretsmanager, role):
    name = "shoppulse-test/attached"
    ok(role(name))
    version, before = read(secretsmanager, name)

    assert ok(role(name, attach=("db.example.internal", 5433)))["changed"] == 1
    attached_version, after = read(secretsmanager, name)
    assert attached_version != version
    assert after == {**before, "host": "db.example.internal", "port": 5433}

    assert ok(role(name, attach=("db.example.internal", 5433)))["changed"] == 0
    assert read(secretsmanager, name) == (attached_version, after)


def test_verbose_runs_never_print_the_password(secretsmanager, role):
    name = "shoppulse-test/verbose"
    first = role(name, "-vvv", "--diff", attach=("db.example.internal", 5432))  # create, read back, attach
    ok(first)
    again = role(name, "-vvv", "--diff", "--check", attach=("db.example.internal", 5432))  # read and compare
    ok(again)
    value = secretsmanager.get_secret_value(SecretId=name)["SecretString"]
    password = json.loads(value)["password"]
    for result in (first, again):
        output = result.stdout + result.stderr
        assert password not in output and value not in output
    # -vvv showed the module's results and its arguments, the drawn password masked as a no_log option.
    assert "changed_keys:" in first.stdout and "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in first.stdout


@pytest.mark.parametrize(
    "assignment, expected",
    [
        ("secrets_password_length=4", "secrets_password_length: 4 is outside 8-128 (RDS for PostgreSQL master passwords)"),
        ("secrets_username=1bad", "secrets_username: '1bad' must be 1 to 63 letters, digits or underscores and start with a letter"),
    ],
)
def test_bad_input_fails_first_naming_the_variable(secretsmanager, role, assignment, expected):
    name = "shoppulse-test/refused"
    result = role(name, "-e", assignment)
    counts = recap(result)
    assert result.returncode != 0 and counts["failed"] == 1 and counts["changed"] == 0
    failures = result.stdout.split("FAILED! =>")[1:]
    assert len(failures) == 1, result.stdout[-3000:]
    failure = yaml.safe_load(textwrap.dedent(failures[0].split("\n\n", 1)[0]))
    assert failure["msg"] == expected, result.stdout[-3000:]
    assert absent(secretsmanager, name)
