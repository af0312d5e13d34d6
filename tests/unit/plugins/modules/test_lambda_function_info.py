"""lambda_function_info: one function's configuration and tags by name, or that it does not exist, on moto; and the
filter that compares that read with what amazon.aws.lambda would change."""

import importlib
import io
import json
import zipfile
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from ansible_collections.shoppulse.analytics.plugins.filter.functions import lambda_function_as_declared
from ansible_collections.shoppulse.analytics.plugins.module_utils.lambda_package import code_sha256
from ansible_collections.shoppulse.analytics.plugins.modules import lambda_function_info as module

NAME = "shoppulse-analytics-secret-rotation"
lambda_module = importlib.import_module("ansible_collections.amazon.aws.plugins.modules.lambda")  # a keyword as a name


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


def package(tmp_path, body: str) -> str:
    path = tmp_path / f"{abs(hash(body))}.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("handler.py", body)
    return str(path)


def test_the_function_filter_finds_as_declared_exactly_what_amazon_aws_lambda_would_leave(run_module, functions, tmp_path):
    """lambda_function_as_declared on this module's read, against amazon.aws.lambda's own verdict (check mode), for
    the options the lambda_function role passes: converged, then after each drift the module mends."""
    ec2 = boto3.client("ec2", region_name="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{index}.0/24")["Subnet"]["SubnetId"] for index in (1, 2)]
    group = ec2.create_security_group(GroupName="db", Description="db", VpcId=vpc)["GroupId"]
    role = boto3.client("iam", region_name="us-east-1").create_role(RoleName=f"{NAME}-role", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    zip_file = package(tmp_path, "def handler(event, context):\n    return 1\n")
    options = {"name": NAME, "description": "Rotates", "runtime": "python3.12", "handler": "handler.handler", "role": role,
               "zip_file": zip_file, "timeout": 30, "memory_size": 256, "environment_variables": {"HOST": "db", "PORT": "5432"},
               "vpc_subnet_ids": subnets, "vpc_security_group_ids": [group], "tags": {"project": "shoppulse"}}

    def declared(given: dict) -> dict:
        return {"name": given["name"], "role": given["role"], "handler": given["handler"], "description": given["description"],
                "timeout": given["timeout"], "memory_size": given["memory_size"], "runtime": given["runtime"],
                "environment": given["environment_variables"], "subnet_ids": given["vpc_subnet_ids"],
                "security_group_ids": given["vpc_security_group_ids"], "tags": given["tags"],
                "code_sha256": code_sha256(Path(given["zip_file"]).read_bytes())}

    def agrees(given: dict) -> bool:
        verdict = lambda_function_as_declared(run_module(module.main, {"name": NAME})["function"], declared(given))
        assert verdict is not run_module(lambda_module.main, given, check_mode=True)["changed"], given
        return verdict

    assert not agrees(options)  # missing
    run_module(lambda_module.main, options)
    assert agrees(options)
    assert agrees({**options, "vpc_subnet_ids": subnets[::-1], "timeout": "30"})  # any order; a number as text
    drifts = {"description": "Another", "handler": "other.handler", "timeout": 60, "memory_size": 512, "runtime": "python3.11",
              "environment_variables": {"HOST": "db", "PORT": "5433"}, "vpc_subnet_ids": subnets[:1],
              "tags": {"project": "other"}, "zip_file": package(tmp_path, "def handler(event, context):\n    return 2\n")}
    for key, value in drifts.items():
        assert not agrees({**options, key: value}), key
    functions.tag_resource(Resource=functions.get_function(FunctionName=NAME)["Configuration"]["FunctionArn"], Tags={"owner": "x"})
    assert not agrees(options)  # purged
    assert not lambda_function_as_declared(run_module(module.main, {"name": NAME})["function"], {**declared(options), "name": "other"})
