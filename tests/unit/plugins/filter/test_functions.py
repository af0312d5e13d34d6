"""The functions filter compares a resource policy statement as amazon.aws.lambda_policy does."""

from ansible_collections.shoppulse.analytics.plugins.filter.functions import FilterModule
from ansible_collections.shoppulse.analytics.plugins.filter.functions import lambda_permission_as_declared as allowed

ACCOUNT = "123456789012"
DECLARED = ("secretsmanager-rotation", "lambda:InvokeFunction", "secretsmanager.amazonaws.com", ACCOUNT)
STATEMENT = {"Sid": "secretsmanager-rotation", "Effect": "Allow", "Principal": {"Service": "secretsmanager.amazonaws.com"},
             "Action": "lambda:InvokeFunction", "Resource": f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:rotate",
             "Condition": {"StringEquals": {"AWS:SourceAccount": ACCOUNT}}}


def test_the_statement_as_declared_is_found():
    assert allowed({"policy": [{"Sid": "other", "Action": "lambda:GetFunction"}, STATEMENT]}, *DECLARED)
    assert allowed({"policy": [STATEMENT]}, *DECLARED[:3], int(ACCOUNT)), "an account given as a number"


def test_a_missing_or_different_statement_is_not():
    assert not allowed(None, *DECLARED) and not allowed({}, *DECLARED) and not allowed({"policy": []}, *DECLARED)
    assert not allowed({"policy": [{**STATEMENT, "Sid": "other"}]}, *DECLARED)
    assert not allowed({"policy": [{**STATEMENT, "Action": "lambda:*"}]}, *DECLARED)
    assert not allowed({"policy": [{**STATEMENT, "Principal": {"Service": "events.amazonaws.com"}}]}, *DECLARED)
    assert not allowed({"policy": [{**STATEMENT, "Condition": {}}]}, *DECLARED), "no source account"
    assert not allowed({"policy": [STATEMENT]}, *DECLARED[:3], "210987654321")
    assert not allowed({"policy": [STATEMENT]}, *DECLARED, source_arn="arn:aws:secretsmanager:us-east-1:1:secret:x")
    token = {**STATEMENT, "Condition": {"StringEquals": {"AWS:SourceAccount": ACCOUNT, "lambda:EventSourceToken": "t"}}}
    assert not allowed({"policy": [token]}, *DECLARED)


def test_the_filter_is_exported():
    assert set(FilterModule().filters()) == {"lambda_permission_as_declared", "lambda_function_as_declared"}
