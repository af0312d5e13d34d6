"""The IAM entry: AWS managed policies exist and can be attached."""

import json

import boto3
from moto import mock_aws

from localenv import fidelity

LAMBDA_VPC = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"


# iam-aws-managed-policies

def test_aws_managed_policies_exist_and_attach():
    fidelity.apply_all()
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        assert iam.get_policy(PolicyArn=LAMBDA_VPC)["Policy"]["PolicyName"] == "AWSLambdaVPCAccessExecutionRole"
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                                         "Action": "sts:AssumeRole"}]}
        iam.create_role(RoleName="fn", AssumeRolePolicyDocument=json.dumps(trust))
        iam.attach_role_policy(RoleName="fn", PolicyArn=LAMBDA_VPC)
        attached = iam.list_attached_role_policies(RoleName="fn")["AttachedPolicies"]
    assert [policy["PolicyArn"] for policy in attached] == [LAMBDA_VPC]
