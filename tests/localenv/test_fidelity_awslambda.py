"""Invoke runs a Python function's handler, and RotateSecret its rotation steps, as the Lambda and Secrets Manager
references describe; the calls go over HTTP to the emulator (emulator.start_server) on port 4783."""

import base64
import io
import json
import socket
import time
import zipfile

import boto3
import pytest

from localenv import faults, standin_db
from localenv.fidelity import awslambda
from tests.localenv.in_process import in_process_emulator

PORT = 4783
WAIT = 120  # seconds at most for work the emulator does after answering (Event, rotation); polled, not slept

HANDLER = """
import json, os, socket, time
import boto3

def handler(event, context):
    print("event", json.dumps(event))
    if event.get("raise"):
        raise ValueError(event["raise"])
    if event.get("sleep"):
        time.sleep(event["sleep"])
    if event.get("resolve"):
        return socket.getaddrinfo(event["resolve"], 5432, proto=socket.IPPROTO_TCP)[0][4]
    if event.get("import"):
        __import__(event["import"])
    return {"variable": os.environ.get("GREETING"), "memory": context.memory_limit_in_mb,
            "name": context.function_name, "remaining_ms": context.get_remaining_time_in_millis(),
            "secrets": [secret["Name"] for secret in boto3.client("secretsmanager").list_secrets()["SecretList"]]}
"""

FINISHING = """
import boto3

def handler(event, context):
    sm, secret, token = boto3.client("secretsmanager"), event["SecretId"], event["ClientRequestToken"]
    print("step", event["Step"], token)
    stages = sm.describe_secret(SecretId=secret)["VersionIdsToStages"]
    current = next(version for version, labels in stages.items() if "AWSCURRENT" in labels)
    if event["Step"] == "createSecret" and current != token:
        sm.put_secret_value(SecretId=secret, ClientRequestToken=token, SecretString="next", VersionStages=["AWSPENDING"])
    if event["Step"] == "finishSecret" and current != token:
        sm.update_secret_version_stage(SecretId=secret, VersionStage="AWSCURRENT", MoveToVersionId=token,
                                       RemoveFromVersionId=current)
"""

# Module state outlives an invocation where Lambda reuses the execution environment.
COUNTING = """
import time

INVOCATIONS = []

def handler(event, context):
    INVOCATIONS.append(context.aws_request_id)
    if event.get("sleep"):
        time.sleep(event["sleep"])
    return {"invocations": len(INVOCATIONS), "stream": context.log_stream_name}
"""

ROTATION = """
def handler(event, context):
    print("step", event["Step"], event["SecretId"], event["ClientRequestToken"])
    if event["Step"] == "setSecret":
        raise RuntimeError("the database refused the change")
"""


@pytest.fixture(name="aws", scope="module")
def fixture_aws():
    with in_process_emulator(PORT, faults.from_env({})) as endpoint:
        kwargs = {"region_name": "us-east-1", "endpoint_url": endpoint, "aws_access_key_id": "testing",
                  "aws_secret_access_key": "testing"}
        yield lambda service: boto3.client(service, **kwargs)


def package(source: str) -> bytes:
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("app.py", source)
    return code.getvalue()


@pytest.fixture(name="function", scope="module")
def fixture_function(aws):
    role = aws("iam").create_role(RoleName="function", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    aws("lambda").create_function(FunctionName="probe", Runtime="python3.12", Role=role, Handler="app.handler",
                                  Code={"ZipFile": package(HANDLER)}, Timeout=2, MemorySize=512,
                                  Environment={"Variables": {"GREETING": "hello"}})
    return "probe"


def invoke(aws, function, event, **kwargs):
    answer = aws("lambda").invoke(FunctionName=function, Payload=json.dumps(event).encode(), **kwargs)
    return answer, json.loads(answer["Payload"].read() or "null")


def log_lines(aws, group):
    logs = aws("logs")
    try:
        streams = logs.describe_log_streams(logGroupName=group)["logStreams"]
    except logs.exceptions.ResourceNotFoundException:  # the first invocation has not finished yet
        return []
    return [[event["message"] for event in logs.get_log_events(logGroupName=group, logStreamName=stream["logStreamName"])["events"]]
            for stream in streams]


def wait_for_log(aws, group, text):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        found = [lines for lines in log_lines(aws, group) if any(text in line for line in lines)]
        if found:
            return found[0]
        time.sleep(0.5)
    raise AssertionError(f"no log stream of {group} says {text!r} within {WAIT} s")


def test_request_response_returns_the_handlers_result_with_its_environment(aws, function):
    # A secret of this test's own: what the function lists shows which emulator its calls reach (the in-process
    # backends may hold other modules' secrets).
    aws("secretsmanager").create_secret(Name="probe-marker", SecretString="x")
    answer, payload = invoke(aws, function, {"hello": 1}, LogType="Tail")

    assert answer["StatusCode"] == 200 and "FunctionError" not in answer
    assert payload["variable"] == "hello" and payload["name"] == "probe" and payload["memory"] == "512"
    assert 0 < payload["remaining_ms"] <= 2000, "the context counts down from the function's timeout"
    assert "probe-marker" in payload["secrets"], "the function's AWS calls reach the emulator"
    tail = base64.b64decode(answer["LogResult"]).decode().splitlines()
    assert tail[0].startswith("START RequestId: ") and tail[1] == 'event {"hello": 1}'
    assert tail[-2].startswith("END RequestId: ") and tail[-1].startswith("REPORT RequestId: ")
    assert "\tMemory Size: 512 MB\t" in tail[-1]


def test_output_goes_to_the_functions_log_group(aws, function):
    invoke(aws, function, {"logged": "here"})

    lines = wait_for_log(aws, "/aws/lambda/probe", '"logged": "here"')
    assert lines[0].startswith("START ") and lines[-1].startswith("REPORT ")


def test_an_exception_is_a_function_error_with_its_message_and_type(aws, function):
    answer, payload = invoke(aws, function, {"raise": "no such tenant"})

    assert answer["StatusCode"] == 200 and answer["FunctionError"] == "Unhandled"
    assert payload["errorMessage"] == "no such tenant" and payload["errorType"] == "ValueError"
    assert any("app.py" in frame for frame in payload["stackTrace"])


def test_a_function_that_runs_past_its_timeout_is_stopped(aws, function):
    answer, payload = invoke(aws, function, {"sleep": 30})

    assert answer["FunctionError"] == "Unhandled" and payload["errorType"] == "Sandbox.Timedout"
    assert payload["errorMessage"].endswith("Task timed out after 2.00 seconds")


def test_the_package_sees_only_the_runtimes_packages(aws, function):
    answer, payload = invoke(aws, function, {"import": "pg8000"})

    assert answer["FunctionError"] == "Unhandled" and payload["errorType"] == "ModuleNotFoundError", \
        "a driver the package does not bundle is not found, as in Lambda"


def test_a_missing_handler_is_reported_as_the_runtime_does(aws):
    role = aws("iam").get_role(RoleName="function")["Role"]["Arn"]
    aws("lambda").create_function(FunctionName="nohandler", Runtime="python3.12", Role=role, Handler="app.missing",
                                  Code={"ZipFile": package(HANDLER)})

    answer, payload = invoke(aws, "nohandler", {})

    assert answer["FunctionError"] == "Unhandled" and payload["errorType"] == "Runtime.HandlerNotFound"


def test_an_event_invocation_is_accepted_at_once_and_runs_after(aws, function):
    answer = invoke(aws, function, {"queued": True}, InvocationType="Event")[0]

    assert answer["StatusCode"] == 202
    wait_for_log(aws, "/aws/lambda/probe", '"queued": true')


def test_rds_host_names_resolve_to_the_local_database_inside_the_function(aws, function, tmp_path):
    instance = aws("rds").create_db_instance(DBInstanceIdentifier="db", Engine="postgres", DBInstanceClass="db.t3.micro",
                                             AllocatedStorage=20, MasterUsername="u", MasterUserPassword="p" * 12)
    address = instance["DBInstance"]["Endpoint"]["Address"]
    cfg = standin_db.services.Settings(state=tmp_path, emulator_host="127.0.0.1", emulator_port=PORT, pg_port=25999)
    previous = standin_db.configure(cfg)
    try:
        local = invoke(aws, function, {"resolve": address})[1]
        other = invoke(aws, function, {"resolve": "localhost"})[1]
    finally:
        standin_db.configure(previous)

    assert local == ["127.0.0.1", 25999], "the instance's name leads to the local PostgreSQL server's address and port"
    assert other[1] == 5432 and other[0] in {info[4][0] for info in socket.getaddrinfo("localhost", 5432)}


def report(answer) -> str:
    return base64.b64decode(answer["LogResult"]).decode().splitlines()[-1]


def test_an_execution_environment_is_reused_until_the_function_changes_or_times_out(aws):
    role = aws("iam").get_role(RoleName="function")["Role"]["Arn"]
    aws("lambda").create_function(FunctionName="counting", Runtime="python3.12", Role=role, Handler="app.handler",
                                  Code={"ZipFile": package(COUNTING)}, Timeout=1)
    cold, first = invoke(aws, "counting", {}, LogType="Tail")
    warm, second = invoke(aws, "counting", {}, LogType="Tail")
    assert [first["invocations"], second["invocations"]] == [1, 2], "the second invocation ran where the first did"
    assert first["stream"] == second["stream"], "one environment writes one log stream"
    assert "\tInit Duration: " in report(cold), "a cold start runs the init"
    assert "Init Duration" not in report(warm)

    aws("lambda").update_function_configuration(FunctionName="counting", Environment={"Variables": {"V": "2"}})
    updated = invoke(aws, "counting", {})[1]
    assert updated["invocations"] == 1, "a new configuration runs in a new environment"
    assert updated["stream"] != first["stream"]

    timed_out = invoke(aws, "counting", {"sleep": 5})[1]
    after = invoke(aws, "counting", {})[1]
    assert timed_out["errorType"] == "Sandbox.Timedout"
    assert after["invocations"] == 1, "Lambda resets the environment of a function that timed out"
    streams = aws("logs").describe_log_streams(logGroupName="/aws/lambda/counting")["logStreams"]
    assert {stream["logStreamName"] for stream in streams} == {first["stream"], updated["stream"], after["stream"]}


class Idle:
    """An idle execution environment as the pool sees one: its configuration's key, since when it is idle, whether it
    was stopped."""

    def __init__(self, key: str, idle_since: float) -> None:
        self.key, self.idle_since, self.stopped = key, idle_since, False

    def alive(self) -> bool:
        return not self.stopped

    def stop(self) -> None:
        self.stopped = True


def test_environments_of_an_earlier_configuration_or_idle_too_long_are_stopped_as_an_invocation_starts():
    pool, now = awslambda.ExecutionEnvironments(), time.monotonic()
    current, earlier = Idle("second", now), Idle("first", now)
    other, forgotten = Idle("other", now), Idle("other", now - pool.IDLE_LIMIT - 1)
    pool.idle = {"function": [earlier, current], "another": [other, forgotten]}

    assert pool.take("function", "second", {}) is current
    assert [earlier.stopped, forgotten.stopped, other.stopped, current.stopped] == [True, True, False, False]
    assert pool.idle == {"function": [], "another": [other]}


def test_rotate_secret_runs_the_steps_in_order_until_one_fails(aws):
    role = aws("iam").get_role(RoleName="function")["Role"]["Arn"]
    arn = aws("lambda").create_function(FunctionName="rotator", Runtime="python3.12", Role=role, Handler="app.handler",
                                        Code={"ZipFile": package(ROTATION)})["FunctionArn"]
    sm = aws("secretsmanager")
    current = sm.create_secret(Name="db", SecretString="{}")["VersionId"]

    token = sm.rotate_secret(SecretId="db", RotationLambdaARN=arn, RotationRules={"AutomaticallyAfterDays": 30})["VersionId"]

    wait_for_log(aws, "/aws/lambda/rotator", "the database refused the change")
    steps = sorted((line.split()[1], line) for lines in log_lines(aws, "/aws/lambda/rotator") for line in lines
                   if line.startswith("step "))
    assert [step for step, line in steps] == ["createSecret", "setSecret"], "the steps after the one that failed do not run"
    assert all(line.endswith(f"db {token}") for step, line in steps)
    stages = sm.describe_secret(SecretId="db")["VersionIdsToStages"]
    assert stages[current] == ["AWSCURRENT"] and stages[token] == ["AWSPENDING"], "the failed attempt leaves AWSPENDING"


def test_a_secret_rotates_again_when_its_next_rotation_date_comes(aws):
    from moto.secretsmanager.models import secretsmanager_backends  # pylint: disable=import-outside-toplevel

    role = aws("iam").get_role(RoleName="function")["Role"]["Arn"]
    arn = aws("lambda").create_function(FunctionName="scheduled", Runtime="python3.12", Role=role, Handler="app.handler",
                                        Code={"ZipFile": package(FINISHING)})["FunctionArn"]
    sm = aws("secretsmanager")
    sm.create_secret(Name="scheduled", SecretString="first")
    first = sm.rotate_secret(SecretId="scheduled", RotationLambdaARN=arn, RotationRules={"AutomaticallyAfterDays": 7})["VersionId"]
    wait_for_log(aws, "/aws/lambda/scheduled", f"step finishSecret {first}")
    model = secretsmanager_backends["123456789012"]["us-east-1"].secrets["scheduled"]

    assert awslambda.rotate_due(model.next_rotation_date - 1) == [], "not due before its date"
    due = model.next_rotation_date + 1
    assert awslambda.rotate_due(due) == [model.arn]

    second = next(version for version, labels in sm.describe_secret(SecretId="scheduled")["VersionIdsToStages"].items()
                  if "AWSPENDING" in labels and version != first)
    wait_for_log(aws, "/aws/lambda/scheduled", f"step finishSecret {second}")
    assert model.next_rotation_date == int(due) + 7 * 86400, "the next rotation is AutomaticallyAfterDays later"
