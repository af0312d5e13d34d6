"""ec2_vpc_security_group: a VPC security group made the declared one in one call (create, no-op, drift put back
without cutting a declared rule, check mode, diff, refused rules, a description EC2 cannot change), on moto with the
fidelity layer, with the rules the database layer declares; rds_security_group_as_declared agrees with it."""

import json

import pytest

from ansible_collections.shoppulse.analytics.plugins.filter.rds import rds_ingress_rule
from ansible_collections.shoppulse.analytics.plugins.filter.rds_layer import rds_security_group_as_declared
from ansible_collections.shoppulse.analytics.plugins.module_utils.rds_layer import read_security_group
from ansible_collections.shoppulse.analytics.plugins.modules import ec2_vpc_security_group as module

from .conftest import ModuleExit

NAME = "shoppulse-analytics-sg"
DESCRIPTION = "ShopPulse database - members of this group and declared sources only"
SELF_RULE = {"proto": "tcp", "ports": [5432], "group_name": NAME, "rule_desc": "PostgreSQL from members of this group (proxy, functions)"}
RULES = [SELF_RULE, rds_ingress_rule({"source": "10.20.0.0/16", "description": "the office VPN"}, 5432)]
TAGS = {"Name": NAME, "project": "shoppulse"}


@pytest.fixture(name="args")
def fixture_args(ec2):
    vpc_id = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    return {"name": NAME, "description": DESCRIPTION, "vpc_id": vpc_id, "rules": RULES, "tags": TAGS}


def ingress(ec2, group_id):
    """(port, source, description) of each ingress source of the group."""
    permissions = ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]["IpPermissions"]
    return sorted((p["FromPort"], s.get("CidrIp") or s.get("GroupId"), s.get("Description"))
                  for p in permissions for s in p.get("IpRanges", []) + p.get("UserIdGroupPairs", []))


def as_declared(ec2, args):
    return rds_security_group_as_declared(read_security_group(ec2, NAME, args["vpc_id"]), NAME, DESCRIPTION, RULES, TAGS)


def test_creates_the_group_with_its_rules_and_tags_then_changes_nothing(run_module, ec2, args):
    created = run_module(module.main, args)
    again = run_module(module.main, args)

    assert created["changed"] and not again["changed"]
    group_id = created["group_id"]
    assert again["group_id"] == group_id and again["tags"] == TAGS and again["vpc_id"] == args["vpc_id"]
    assert ingress(ec2, group_id) == [(5432, "10.20.0.0/16", "PostgreSQL from the office VPN"),
                                      (5432, group_id, "PostgreSQL from members of this group (proxy, functions)")]
    # EC2's own egress rule (all traffic out) is left as EC2 gives it.
    assert [p["ip_protocol"] for p in created["ip_permissions_egress"]] == ["-1"]
    assert as_declared(ec2, args)


def test_check_mode_creates_nothing_and_shows_the_group_to_be(run_module, ec2, args):
    preview = run_module(module.main, args, check_mode=True, diff=True)

    assert preview["changed"] and preview["group_id"] == ""
    assert ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [NAME]}])["SecurityGroups"] == []
    assert preview["diff"] == {"before": {}, "after": {"description": DESCRIPTION, "tags": TAGS, "rules": [
        "tcp 5432 from 10.20.0.0/16 (PostgreSQL from the office VPN)",
        "tcp 5432 from sg-known-after-apply (PostgreSQL from members of this group (proxy, functions))"]}}


def test_puts_back_drift_changing_a_description_in_place_and_purging_what_is_not_declared(run_module, ec2, args):
    group_id = run_module(module.main, args)["group_id"]
    ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "by hand"}]}])
    ec2.update_security_group_rule_descriptions_ingress(GroupId=group_id, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": [{"CidrIp": "10.20.0.0/16", "Description": "edited"}]}])
    ec2.create_tags(Resources=[group_id], Tags=[{"Key": "owner", "Value": "someone"}, {"Key": "project", "Value": "other"}])
    assert not as_declared(ec2, args)

    preview = run_module(module.main, args, check_mode=True, diff=True)
    assert preview["changed"] and "tcp 22 from 0.0.0.0/0 (by hand)" in preview["diff"]["before"]["rules"]
    assert ingress(ec2, group_id)[0] == (22, "0.0.0.0/0", "by hand")  # check mode changed nothing
    put_back = run_module(module.main, args)

    assert put_back["changed"] and put_back["group_id"] == group_id and put_back["tags"] == TAGS
    assert ingress(ec2, group_id) == [(5432, "10.20.0.0/16", "PostgreSQL from the office VPN"),
                                      (5432, group_id, "PostgreSQL from members of this group (proxy, functions)")]
    assert as_declared(ec2, args) and not run_module(module.main, args)["changed"]


def test_a_changed_description_only_never_revokes_the_rule(run_module, ec2, args, monkeypatch):
    group_id = run_module(module.main, args)["group_id"]
    calls = []
    real = module.apply

    def spy(module_, client, group_id_, plan, tags):
        calls.append({key: len(rules) for key, rules in plan.items()})
        return real(module_, client, group_id_, plan, tags)

    monkeypatch.setattr(module, "apply", spy)
    renamed = [{**SELF_RULE, "rule_desc": "PostgreSQL from the proxy and the functions"}, RULES[1]]
    run_module(module.main, {**args, "rules": renamed})

    assert calls == [{"describe": 1, "revoke": 0, "authorize": 0}]
    assert (5432, group_id, "PostgreSQL from the proxy and the functions") in ingress(ec2, group_id)


def test_bad_rules_fail_in_one_message_before_any_change(run_module, ec2, args):
    rules = [{"ports": [5432], "cidr_ip": "10.0.0.0/8", "group_id": "sg-0123456789abcdef0"},
             {"ports": [5432], "group_name": "another-group"}]
    with pytest.raises(ModuleExit) as failed:
        run_module(module.main, {**args, "rules": rules})

    assert failed.value.result["msg"] == (
        "rules[0]: exactly one of cidr_ip, group_id, group_name is required, got 2; rules[1].group_name: only the group"
        f" itself ({NAME}) can be named, not another-group; give another group by group_id")
    assert ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [NAME]}])["SecurityGroups"] == []


def test_a_description_ec2_cannot_change_is_kept_with_a_warning(run_module, ec2, args):
    group_id = ec2.create_security_group(GroupName=NAME, Description="made by hand", VpcId=args["vpc_id"])["GroupId"]
    converged = run_module(module.main, args)

    assert converged["changed"] and converged["group_id"] == group_id and converged["description"] == "made by hand"
    assert "EC2 cannot change a group's description" in json.dumps(converged["warnings"])
    assert len(ingress(ec2, group_id)) == 2 and converged["tags"] == TAGS
