"""lambda_function_info: one function's configuration and tags by name, or that it does not exist, on moto."""

import io
import json
import zipfile

import boto3
import pytest
from moto import mock_aws

from ansible_collections.shoppulse.analytics.plugins.modules import lambda_function_info as module

NAME = "shoppulse-analytics-secret-rotation"


@pytest.fixture(name="functions")
def fixture_functions():
    with mock_aws():
        yield boto3.client("lambda", region_name="us-east-1")


def deploy(functions, name: str) -> str:
    role = boto3.client("iam", region_name="us-east-1").create_role(RoleName=f"{name}-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return None\n")
    return functions.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="handler.handler",
                                     Code={"ZipFile": code.getvalue()}, Tags={"environment": "local"},
                                     Environment={"Variables": {"KEPT": "out of the result"}})["FunctionArn"]


def test_a_missing_function_does_not_exist(run_module, functions):
    deploy(functions, "another-function")
    result = run_module(module.main, {"name": NAME})
    assert (result["changed"], result["exists"], result["function"]) == (False, False, {})


def test_reads_the_function_by_name_with_its_tags_never_its_environment(run_module, functions):
    arn = deploy(functions, NAME)
    deploy(functions, "another-function")
    result = run_module(module.main, {"name": NAME}, check_mode=True)
    function = result["function"]

    assert result["exists"] and not result["changed"]
    assert function["arn"] == arn and function["arn"].endswith(f":function:{NAME}")
    assert (function["name"], function["runtime"], function["tags"]) == (NAME, "python3.12", {"environment": "local"})
    assert function["role"].endswith(f":role/{NAME}-role") and function["code_sha256"]
    assert "out of the result" not in json.dumps(result)


def test_reads_the_statements_of_its_resource_policy(run_module, functions):
    arn = deploy(functions, NAME)
    assert run_module(module.main, {"name": NAME})["function"]["policy"] == []

    functions.add_permission(FunctionName=NAME, StatementId="secretsmanager-rotation", Action="lambda:InvokeFunction",
                             Principal="secretsmanager.amazonaws.com", SourceAccount="123456789012")
    [statement] = run_module(module.main, {"name": NAME})["function"]["policy"]

    assert statement["Sid"] == "secretsmanager-rotation" and statement["Resource"].startswith(arn)
    assert statement["Condition"] == {"StringEquals": {"AWS:SourceAccount": "123456789012"}}
