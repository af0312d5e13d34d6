"""iam_service_role: a service's role and its inline policy made the declared ones in one call (create, no-op, the same
policy written another way, a changed trust policy, description, tags and policy, others' tags kept or purged, check
mode, diff), on moto with the fidelity layer."""

import json

import pytest

from ansible_collections.shoppulse.analytics.plugins.modules import iam_service_role as module

from .conftest import ModuleExit, emulated_client

NAME = "shoppulse-analytics-flow-logs"
TRUST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                                                 "Action": "sts:AssumeRole"}]}
GROUP = "arn:aws:logs:us-east-1:123456789012:log-group:/shoppulse/flow-logs"
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                                                  "Resource": [GROUP, f"{GROUP}:log-stream:*"]}]}
BASE = {"name": NAME, "description": "Delivers flow logs", "assume_role_policy_document": TRUST,
        "policy_name": "deliver-flow-logs", "policy_document": POLICY, "tags": {"project": "shoppulse"}}


@pytest.fixture(name="iam")
def fixture_iam():
    yield from emulated_client("iam")


def held(iam) -> tuple:
    role = iam.get_role(RoleName=NAME)["Role"]
    return (role["AssumeRolePolicyDocument"], role.get("Description"), {tag["Key"]: tag["Value"] for tag in role.get("Tags", [])},
            iam.get_role_policy(RoleName=NAME, PolicyName="deliver-flow-logs")["PolicyDocument"])


def test_creates_the_role_and_its_policy_then_changes_nothing(run_module, iam):
    created = run_module(module.main, BASE)
    # The same policy as IAM reads it: statements' values reordered, a one-element list as a single value.
    reordered = {**POLICY, "Statement": [{**POLICY["Statement"][0], "Action": ["logs:PutLogEvents", "logs:CreateLogStream"],
                                          "Resource": [f"{GROUP}:log-stream:*", GROUP]}]}
    trust = {**TRUST, "Statement": [{**TRUST["Statement"][0], "Action": ["sts:AssumeRole"]}]}
    again = run_module(module.main, {**BASE, "assume_role_policy_document": trust, "policy_document": reordered})

    assert created["changed"] and created["created"] and created["policy_changed"]
    assert created["iam_role"]["arn"] == f"arn:aws:iam::123456789012:role/{NAME}"
    assert not again["changed"] and not again["created"] and again["iam_role"] == created["iam_role"]
    assert held(iam) == (TRUST, "Delivers flow logs", {"project": "shoppulse"}, POLICY)


def test_writes_only_what_differs_keeping_or_purging_others_tags(run_module, iam):
    run_module(module.main, BASE)
    iam.tag_role(RoleName=NAME, Tags=[{"Key": "owner", "Value": "ops"}])
    iam.put_role_policy(RoleName=NAME, PolicyName="added-by-hand", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:DescribeLogGroups", "Resource": "*"}]}))
    trust = {**TRUST, "Statement": [{**TRUST["Statement"][0], "Principal": {"Service": "lambda.amazonaws.com"}}]}
    policy = {**POLICY, "Statement": [{**POLICY["Statement"][0], "Action": ["logs:PutLogEvents"]}]}

    kept = run_module(module.main, {**BASE, "assume_role_policy_document": trust, "description": "Runs a function",
                                    "policy_document": policy, "tags": {"project": "other"}, "purge_tags": False}, diff=True)
    purged = run_module(module.main, {**BASE, "assume_role_policy_document": trust, "description": "Runs a function",
                                      "policy_document": policy, "tags": {"project": "other"}}, diff=True)

    assert kept["changed"] and kept["policy_changed"] and not kept["created"]
    assert kept["diff"]["before"] == {"assume_role_policy_document": TRUST, "description": "Delivers flow logs",
                                      "tags": {"project": "shoppulse", "owner": "ops"}, "policy": POLICY}
    assert kept["diff"]["after"] == {"assume_role_policy_document": trust, "description": "Runs a function",
                                     "tags": {"project": "other", "owner": "ops"}, "policy": policy}
    assert purged["changed"] and not purged["policy_changed"] and purged["diff"] == {
        "before": {"tags": {"project": "other", "owner": "ops"}}, "after": {"tags": {"project": "other"}}}
    assert held(iam) == (trust, "Runs a function", {"project": "other"}, policy)
    assert sorted(iam.list_role_policies(RoleName=NAME)["PolicyNames"]) == ["added-by-hand", "deliver-flow-logs"]


def test_without_a_policy_document_the_policy_is_left_alone(run_module, iam):
    created = run_module(module.main, {**BASE, "policy_document": None})

    assert created["changed"] and created["created"] and not created["policy_changed"]
    assert iam.list_role_policies(RoleName=NAME)["PolicyNames"] == []


def test_check_mode_reports_the_role_and_its_policy_and_creates_nothing(run_module, iam):
    planned = run_module(module.main, BASE, check_mode=True, diff=True)
    run_module(module.main, BASE)
    policy = {**POLICY, "Statement": [{**POLICY["Statement"][0], "Action": ["logs:PutLogEvents"]}]}
    previewed = run_module(module.main, {**BASE, "policy_document": policy}, check_mode=True)

    assert planned["changed"] and planned["created"] and planned["policy_changed"] and planned["iam_role"] == {}
    assert planned["diff"]["before"] == {"role": None, "policy": None}
    assert planned["diff"]["after"]["policy"] == POLICY
    assert previewed["changed"] and previewed["policy_changed"] and "diff" not in previewed
    assert held(iam)[3] == POLICY


def test_absent_deletes_the_role_after_its_policies_and_profiles_then_changes_nothing(run_module, iam):
    run_module(module.main, BASE)
    managed = iam.create_policy(PolicyName="read-only", PolicyDocument=json.dumps(POLICY))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=NAME, PolicyArn=managed)
    iam.put_role_policy(RoleName=NAME, PolicyName="another", PolicyDocument=json.dumps(POLICY))
    iam.create_instance_profile(InstanceProfileName="profile")
    iam.add_role_to_instance_profile(InstanceProfileName="profile", RoleName=NAME)
    absent = {"name": NAME, "state": "absent"}

    previewed = run_module(module.main, absent, check_mode=True, diff=True)
    assert previewed["changed"] and previewed["deleted"] and held(iam)[3] == POLICY
    assert previewed["diff"] == {"before": {"role": {"name": NAME, "inline_policies": ["another", "deliver-flow-logs"],
                                                     "managed_policies": [managed], "instance_profiles": ["profile"]}},
                                 "after": {"role": None}}
    deleted = run_module(module.main, absent)
    again = run_module(module.main, absent)

    assert deleted["changed"] and deleted["deleted"] and deleted["iam_role"]["role_name"] == NAME
    assert not again["changed"] and not again["deleted"] and again["iam_role"] == {}
    assert [role["RoleName"] for role in iam.list_roles()["Roles"]] == []
    # Detached and removed from, not deleted: the managed policy and the profile are not the role's.
    assert iam.get_policy(PolicyArn=managed)["Policy"]["AttachmentCount"] == 0
    assert iam.get_instance_profile(InstanceProfileName="profile")["InstanceProfile"]["Roles"] == []


def test_present_needs_a_trust_policy(run_module, iam):
    with pytest.raises(ModuleExit) as refused:
        run_module(module.main, {"name": NAME})
    assert "assume_role_policy_document" in refused.value.result["msg"]
    assert iam.list_roles()["Roles"] == []
