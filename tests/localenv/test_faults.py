"""Injected throttling and one-off faults answer as each service does, and botocore's retries recognise them.

The calls go over HTTP to moto's server with the fault middleware in front (emulator.start_server), on port 4672.
"""

import contextlib
import io
import json
from pathlib import Path

import boto3
import botocore.session
import pytest
from botocore import retryhandler
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.retries import standard

from localenv import faults
from tests.localenv.in_process import in_process_emulator

PORT = 4672
CHECKOUT = Path(__file__).resolve().parents[2]
SESSION = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")

# One cheap read per service: what the tests call through the middleware.
READS = {
    "ec2": ("DescribeVpcs", lambda client: client.describe_vpcs()),
    "rds": ("DescribeDBInstances", lambda client: client.describe_db_instances()),
    "iam": ("ListRoles", lambda client: client.list_roles()),
    "secretsmanager": ("ListSecrets", lambda client: client.list_secrets()),
    "logs": ("DescribeLogGroups", lambda client: client.describe_log_groups()),
    "ssm": ("DescribeParameters", lambda client: client.describe_parameters()),
}
NO_RETRIES = Config(retries={"total_max_attempts": 1})


@pytest.fixture(name="serve")
def fixture_serve():
    """serve(Faults) -> a client factory for the emulator on PORT with those faults, on an empty account; stopped after
    the test."""
    with contextlib.ExitStack() as running:

        def serve(injected):
            endpoint = running.enter_context(in_process_emulator(PORT, injected))
            return lambda service, config=None: SESSION.client(service, endpoint_url=endpoint, config=config)

        yield serve


@pytest.fixture(name="no_backoff")
def fixture_no_backoff(monkeypatch):
    """botocore retries without sleeping between attempts (the retry decisions are what is tested)."""
    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)
    monkeypatch.setattr(retryhandler, "delay_exponential", lambda base, growth_factor, attempts: 0)


def outcome(call, client):
    try:
        call(client)
        return "ok"
    except ClientError as exc:
        return exc.response["Error"]["Code"], exc.response["ResponseMetadata"]["HTTPStatusCode"]


# --- the answers match the services and botocore ------------------------------------------------------------------


@pytest.mark.parametrize("service", sorted(faults.SERVICES))
def test_each_answer_is_one_the_service_models_and_botocore_retries(service):
    spec = faults.SERVICES[service]
    model = botocore.session.get_session().get_service_model(service)
    assert spec.protocol == model.metadata["protocol"]
    assert spec.throttle.code in standard.ThrottledRetryableChecker._THROTTLED_ERROR_CODES  # pylint: disable=protected-access
    rules = botocore.session.get_session().get_component("data_loader").load_data("_retry")
    legacy = rules["retry"]
    policies = {**legacy["__default__"]["policies"], **legacy.get(service, {}).get("__default__", {}).get("policies", {})}
    conditions = [rules["definitions"][p["$ref"]] if "$ref" in p else p for p in policies.values()]
    responses = [c["applies_when"].get("response", {}) for c in conditions]
    assert {"service_error_code": spec.throttle.code, "http_status_code": spec.throttle.status} in responses
    assert spec.fault.status == 500 and {"http_status_code": 500} in responses
    if service not in ("ec2", "rds"):  # those two list it among their common errors; the others model it
        assert spec.fault.code in {shape.metadata.get("error", {}).get("code", shape.name) for shape in model.error_shapes}


# --- throttling ----------------------------------------------------------------------------------------------------


def test_the_same_seed_throttles_the_same_calls():
    calls = [("rds", "DescribeDBInstances"), ("ec2", "DescribeVpcs")] * 50

    def throttled(seed):
        middleware = faults.Middleware(None, faults.Faults(throttle_rate=0.2, seed=seed), log=lambda line: None)
        return [index for index, call in enumerate(calls) if middleware.choose(*call)]

    assert throttled(7) == throttled(7)
    assert throttled(7) != throttled(8)
    assert 5 < len(throttled(7)) < 40


def test_a_fifth_of_calls_are_throttled_with_each_service_s_code_and_status(serve):
    client_for = serve(faults.Faults(throttle_rate=0.2, seed=3))
    for service, (_operation, call) in READS.items():
        client = client_for(service, NO_RETRIES)
        seen = [outcome(call, client) for _attempt in range(20)]
        spec = faults.SERVICES[service].throttle
        assert set(seen) == {"ok", (spec.code, spec.status)}, service
        assert seen.count((spec.code, spec.status)) <= 10, service


@pytest.mark.parametrize("mode", ["standard", "legacy"])
def test_with_retries_every_throttled_call_succeeds(serve, no_backoff, mode):  # pylint: disable=unused-argument
    client_for = serve(faults.Faults(throttle_rate=0.2, seed=5))
    for service, (_operation, call) in READS.items():
        client = client_for(service, Config(retries={"mode": mode, "total_max_attempts": 10}))
        assert [outcome(call, client) for _attempt in range(15)] == ["ok"] * 15, service


def test_throttling_is_limited_to_the_services_named(serve):
    client_for = serve(faults.Faults(throttle_rate=1.0, throttle_services=frozenset({"rds"})))
    assert outcome(READS["rds"][1], client_for("rds", NO_RETRIES)) == ("Throttling", 400)
    assert outcome(READS["ec2"][1], client_for("ec2", NO_RETRIES)) == "ok"


# --- fail once -----------------------------------------------------------------------------------------------------


def test_a_named_operation_fails_once_with_the_service_s_internal_error(serve):
    client_for = serve(faults.Faults(fail_once=tuple((service, operation) for service, (operation, _call) in READS.items())))
    for service, (_operation, call) in READS.items():
        client = client_for(service, NO_RETRIES)
        fault = faults.SERVICES[service].fault
        assert [outcome(call, client) for _attempt in range(3)] == [(fault.code, 500), "ok", "ok"], service


def test_a_named_operation_fails_once_with_an_error_it_documents_which_is_not_retried(serve, no_backoff):  # pylint: disable=unused-argument
    client_for = serve(faults.Faults(fail_once=(("rds", "DescribeDBInstances", "DBInstanceNotFound"),)))
    client = client_for("rds")
    with pytest.raises(ClientError) as failed:
        client.describe_db_instances()
    assert failed.value.response["Error"]["Code"] == "DBInstanceNotFound"
    assert failed.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert failed.value.response["ResponseMetadata"]["RetryAttempts"] == 0
    assert failed.value.response["Error"]["Message"] == "DBInstanceIdentifier doesn't refer to an existing DB instance."
    assert client.describe_db_instances()["DBInstances"] == []


def test_the_documented_error_keeps_the_model_s_status_and_text():
    answer = faults.documented_error("rds", "CreateDBProxy", "DBProxyQuotaExceededFault")
    assert answer.status == 400 and answer.message.startswith("Your Amazon Web Services account already has the maximum")
    assert faults.documented_error("rds", "CreateDBProxy", "NoSuchThing") is None


def test_a_fault_once_is_absorbed_by_botocore_s_default_retries(serve, no_backoff):  # pylint: disable=unused-argument
    client_for = serve(faults.Faults(fail_once=(("secretsmanager", "CreateSecret"), ("rds", "DescribeDBInstances"))))
    created = client_for("secretsmanager").create_secret(Name="once", SecretString=json.dumps({"a": 1}))
    assert created["Name"] == "once"
    assert client_for("secretsmanager").list_secrets()["SecretList"][0]["Name"] == "once"  # created once, not twice
    assert client_for("rds").describe_db_instances()["DBInstances"] == []


# --- settings ------------------------------------------------------------------------------------------------------


def test_settings_default_to_nothing_injected():
    assert faults.from_env({}) == faults.Faults()
    assert not faults.Faults().active and faults.Faults().describe() == "no injected faults"


def test_settings_are_read_from_the_environment():
    injected = faults.from_env({faults.THROTTLE_RATE: "0.25", faults.THROTTLE_SEED: "42", faults.THROTTLE_SERVICES: "rds, ec2",
                                faults.FAIL_ONCE: "rds:CreateDBProxy:InvalidSubnet,ec2:CreateNatGateway"})
    assert injected == faults.Faults(0.25, 42, frozenset({"rds", "ec2"}),
                                     (("rds", "CreateDBProxy", "InvalidSubnet"), ("ec2", "CreateNatGateway")))
    assert injected.describe() == ("throttling 25% of ec2, rds calls (seed 42); "
                                   "failing once: rds:CreateDBProxy:InvalidSubnet, ec2:CreateNatGateway")


@pytest.mark.parametrize(("variable", "value", "message"), [
    (faults.THROTTLE_RATE, "1.5", "'1.5' is not a fraction between 0 and 1"),
    (faults.THROTTLE_RATE, "often", "'often' is not a fraction between 0 and 1"),
    (faults.THROTTLE_SEED, "abc", "'abc' is not an integer"),
    (faults.THROTTLE_SERVICES, "rds,s3", "'s3' is not a service the emulator can fault"),
    (faults.FAIL_ONCE, "rds", "'rds' is not service:Operation"),
    (faults.FAIL_ONCE, "rds:CreateDBProxy:Oops", "rds:CreateDBProxy does not document the error 'Oops'"),
    (faults.FAIL_ONCE, "rds:CreateDBProxi", "rds has no operation 'CreateDBProxi'"),
    (faults.FAIL_ONCE, "lambda:Invoke", "'lambda' is not a service the emulator can fault"),
])
def test_a_bad_setting_names_its_variable(variable, value, message):
    with pytest.raises(faults.FaultsError) as failed:
        faults.from_env({variable: value})
    assert str(failed.value).startswith(f"{variable}: ") and message in str(failed.value)


def test_calls_are_told_apart_by_credential_scope_and_target_or_action():
    scope = "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/{}/aws4_request, SignedHeaders=host, Signature=x"
    body = b"Action=DescribeDBInstances&Version=2014-10-31"
    query = {"HTTP_AUTHORIZATION": scope.format("rds"), "CONTENT_TYPE": "application/x-www-form-urlencoded; charset=utf-8",
             "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body)}
    assert faults.identify(query) == ("rds", "DescribeDBInstances")
    assert query["wsgi.input"].read() == body  # left for moto
    assert faults.identify({"HTTP_AUTHORIZATION": scope.format("logs"), "HTTP_X_AMZ_TARGET": "Logs_20140328.DescribeLogGroups"}) \
        == ("logs", "DescribeLogGroups")
    assert faults.identify({"HTTP_AUTHORIZATION": scope.format("s3"), "QUERY_STRING": "Action=ListBuckets"}) is None
    assert faults.identify({"PATH_INFO": "/moto-api/"}) is None


@pytest.mark.parametrize("doc", [CHECKOUT / "localenv" / "FIDELITY.md", CHECKOUT / "docs" / "emulator-realism.md"], ids=lambda p: p.name)
def test_the_docs_list_each_answer_as_given(doc):
    rows = {line.split("|")[1].strip(): line for line in doc.read_text(encoding="utf-8").splitlines() if line.startswith("| ")}
    for service, spec in faults.SERVICES.items():
        for answer in (spec.throttle, spec.fault):
            assert f"`{answer.code}`, " in rows[service] and str(answer.status) in rows[service], (doc.name, service)
