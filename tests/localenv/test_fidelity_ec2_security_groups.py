"""The EC2 security group entries answer as the EC2 API reference says."""

import boto3
import pytest
from moto import mock_aws

from localenv import fidelity

POSTGRES_RULE = {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432}


@pytest.fixture(name="group")
def fixture_group():
    fidelity.apply_all()
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        yield ec2, ec2.create_security_group(GroupName="g", Description="g", VpcId=vpc)["GroupId"]


# ec2-security-group-rule-any-protocol

def test_a_rule_for_another_protocol_covers_all_ports(group):
    ec2, group_id = group
    ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[{"IpProtocol": "47", "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])
    ec2.authorize_security_group_egress(GroupId=group_id, IpPermissions=[
        {"IpProtocol": "50", "FromPort": 1, "ToPort": 2, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])
    described = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
    assert [(p["IpProtocol"], p.get("FromPort"), p.get("ToPort")) for p in described["IpPermissions"]] == [("47", None, None)]
    assert ("50", None, None) in [(p["IpProtocol"], p.get("FromPort"), p.get("ToPort")) for p in described["IpPermissionsEgress"]]


def test_tcp_rules_keep_their_ports(group):
    ec2, group_id = group
    ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[{**POSTGRES_RULE, "IpRanges": [{"CidrIp": "10.1.0.0/16"}]}])
    permission = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]["IpPermissions"][0]
    assert (permission["IpProtocol"], permission["FromPort"], permission["ToPort"]) == ("tcp", 5432, 5432)


# ec2-update-security-group-rule-descriptions-return

def test_updating_rule_descriptions_returns_true(group):
    ec2, group_id = group
    ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[{**POSTGRES_RULE, "IpRanges": [{"CidrIp": "10.1.0.0/16"}]}])
    ec2.authorize_security_group_egress(GroupId=group_id, IpPermissions=[{**POSTGRES_RULE, "IpRanges": [{"CidrIp": "10.2.0.0/16"}]}])
    described = [{**POSTGRES_RULE, "IpRanges": [{"CidrIp": cidr, "Description": "database"}]} for cidr in ("10.1.0.0/16", "10.2.0.0/16")]
    assert ec2.update_security_group_rule_descriptions_ingress(GroupId=group_id, IpPermissions=[described[0]])["Return"] is True
    assert ec2.update_security_group_rule_descriptions_egress(GroupId=group_id, IpPermissions=[described[1]])["Return"] is True
    permission = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]["IpPermissions"][0]
    assert permission["IpRanges"] == [{"CidrIp": "10.1.0.0/16", "Description": "database"}]


# ec2-security-group-rule-identity

def test_a_rule_from_a_group_is_the_same_rule_whatever_its_description(group):
    ec2, group_id = group
    pair = {**POSTGRES_RULE, "UserIdGroupPairs": [{"GroupId": group_id, "Description": "members"}]}
    ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[pair])

    with pytest.raises(ec2.exceptions.ClientError, match="InvalidPermission.Duplicate"):
        ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[
            {**POSTGRES_RULE, "UserIdGroupPairs": [{"GroupId": group_id, "Description": "another"}]}])
    ec2.update_security_group_rule_descriptions_ingress(GroupId=group_id, IpPermissions=[
        {**POSTGRES_RULE, "UserIdGroupPairs": [{"GroupId": group_id, "Description": "the proxy and the functions"}]}])
    pairs = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]["IpPermissions"][0]["UserIdGroupPairs"]
    assert [(p["GroupId"], p["Description"]) for p in pairs] == [(group_id, "the proxy and the functions")]

    ec2.revoke_security_group_ingress(GroupId=group_id, IpPermissions=[{**POSTGRES_RULE, "UserIdGroupPairs": [{"GroupId": group_id}]}])
    assert ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]["IpPermissions"] == []
