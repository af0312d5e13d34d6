"""The database layer's read (rds_layer_info) and the filters that skip a module where it shows nothing to do: on moto,
a filter calls a read "as declared" exactly when the amazon.aws module, given the same options, then reports no
change - converged, and after each kind of drift the module mends."""

from __future__ import annotations

import boto3
import pytest
from ansible_collections.amazon.aws.plugins.modules import (
    cloudwatchlogs_log_group, ec2_security_group, ec2_security_group_info, rds_instance_param_group, rds_subnet_group)
from moto import mock_aws

from ansible_collections.shoppulse.analytics.plugins.filter.rds_layer import (
    rds_parameter_group_as_declared, rds_security_group_as_declared, rds_subnet_group_as_declared)
from ansible_collections.shoppulse.analytics.plugins.modules import rds_layer_info
from localenv import fidelity

from .conftest import ModuleExit

NAME = "shoppulse-analytics-db"
TAGS = {"project": "shoppulse", "Name": NAME}
LOG_GROUP = "/aws/rds/instance/shoppulse-analytics/postgresql"
PARAMETERS = {"rds.force_ssl": 1, "log_connections": True, "log_min_duration_statement": 1000}


@pytest.fixture(name="aws")
def fixture_aws(monkeypatch):
    monkeypatch.setattr(ec2_security_group, "sleep", lambda seconds: None)  # its waits for AWS to propagate a new group
    fidelity.apply_all()
    with mock_aws():
        ec2 = boto3.client("ec2", region_name="us-east-1")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{n}.0/24", AvailabilityZone=f"us-east-1{zone}")["Subnet"]["SubnetId"]
                   for n, zone in ((1, "a"), (2, "b"), (3, "c"))]
        yield {"ec2": ec2, "rds": boto3.client("rds", region_name="us-east-1"), "vpc": vpc, "subnets": subnets}


def read(run_module, aws, kind: str | None = None) -> dict:
    """The whole layer, or only the instance and ``kind`` (security_group, subnet_group or parameter_group)."""
    options = {"security_group": {"security_group_name": NAME, "vpc_id": aws["vpc"]}, "subnet_group": {"subnet_group_name": NAME},
               "parameter_group": {"parameter_group_name": NAME, "parameter_names": list(PARAMETERS)}}
    asked = {option: value for name, kind_options in options.items() if kind in (None, name) for option, value in kind_options.items()}
    return run_module(rds_layer_info.main, {"db_instance_identifier": "shoppulse-analytics", **asked,
                                            **({} if kind else {"log_group_names": [LOG_GROUP]})})


def group_options(aws, **changes) -> dict:
    """ec2_security_group's options as roles/rds/tasks/network.yml gives them: the group itself and a CIDR."""
    rules = [{"proto": "tcp", "ports": ["5432"], "group_name": NAME, "rule_desc": "PostgreSQL from members of this group"},
             {"proto": "tcp", "ports": [5432], "cidr_ip": "10.1.0.0/16", "rule_desc": "PostgreSQL from VPN"}]
    return {"name": NAME, "description": "ShopPulse database", "vpc_id": aws["vpc"], "rules": rules, "purge_rules": True,
            "tags": TAGS, "purge_tags": True, **changes}


def group_agrees(run_module, aws, options: dict) -> bool:
    verdict = rds_security_group_as_declared(read(run_module, aws, "security_group")["security_group"], options["name"], options["description"],
                                             options["rules"], options["tags"])
    assert verdict is not run_module(ec2_security_group.main, options, check_mode=True)["changed"]
    return verdict


def subnet_options(aws, **changes) -> dict:
    return {"name": NAME, "description": "ShopPulse database - isolated subnets", "subnets": aws["subnets"][:2], "tags": TAGS,
            "purge_tags": True, "state": "present", **changes}


def subnet_agrees(run_module, aws, options: dict) -> bool:
    verdict = rds_subnet_group_as_declared(read(run_module, aws, "subnet_group")["subnet_group"], options["name"], options["description"],
                                           options["subnets"], options["tags"])
    assert verdict is not run_module(rds_subnet_group.main, options, check_mode=True)["changed"]
    return verdict


def parameter_options(**changes) -> dict:
    return {"name": NAME, "engine": "postgres15", "description": "ShopPulse PostgreSQL 15", "params": PARAMETERS, "tags": TAGS,
            "purge_tags": True, "state": "present", **changes}


def parameters_agree(run_module, aws, options: dict) -> bool:
    """As the others, with the module run for real, then run again as declared: in check mode it reports no change for
    a parameter it would set (it sets them only outside check mode, and says changed only when it does)."""
    verdict = rds_parameter_group_as_declared(read(run_module, aws, "parameter_group")["parameter_group"], options["engine"], options["params"],
                                              options["tags"])
    assert verdict is not run_module(rds_instance_param_group.main, options)["changed"]
    run_module(rds_instance_param_group.main, parameter_options())
    return verdict


def test_the_security_group_is_as_declared_exactly_when_the_module_would_change_nothing(run_module, aws):
    options = group_options(aws)
    assert read(run_module, aws, "security_group")["security_group"] == {}
    assert not group_agrees(run_module, aws, options)  # missing
    group_id = run_module(ec2_security_group.main, options)["group_id"]
    assert group_agrees(run_module, aws, options)
    found = read(run_module, aws, "security_group")["security_group"]
    assert (found["group_id"], found["tags"], found["vpc_id"]) == (group_id, TAGS, aws["vpc"])
    for changes in ({"tags": {**TAGS, "project": "other"}},
                    {"rules": options["rules"][:1]},  # a rule to revoke
                    {"rules": [*options["rules"], {"proto": "tcp", "ports": [5432], "group_id": group_id, "rule_desc": "other"}]},
                    {"rules": [{**options["rules"][0], "rule_desc": "another description"}, options["rules"][1]]},
                    {"rules": [options["rules"][0], {**options["rules"][1], "ports": [5433]}]}):
        assert not group_agrees(run_module, aws, {**options, **changes}), changes
    aws["ec2"].create_tags(Resources=[group_id], Tags=[{"Key": "owner", "Value": "someone"}])
    assert not group_agrees(run_module, aws, options)  # purged
    run_module(ec2_security_group.main, options)
    aws["ec2"].authorize_security_group_ingress(GroupId=group_id, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    assert not group_agrees(run_module, aws, options)  # a rule added behind the run's back
    run_module(ec2_security_group.main, options)
    assert group_agrees(run_module, aws, options)
    # Egress rules are not declared, so the module leaves them alone: one more changes nothing.
    aws["ec2"].authorize_security_group_egress(GroupId=group_id, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}])
    assert group_agrees(run_module, aws, options)
    assert not rds_security_group_as_declared(found, "another-group", options["description"], options["rules"], TAGS)


def test_without_a_vpc_the_group_is_the_one_of_its_name_as_ec2_security_group_info_finds_it(run_module, aws):
    """roles/rds/tasks/discover.yml: an operations playbook reads the group before, or without, the network."""
    group_id = run_module(ec2_security_group.main, group_options(aws))["group_id"]
    found = run_module(rds_layer_info.main, {"db_instance_identifier": "shoppulse-analytics", "security_group_name": NAME})
    listed = run_module(ec2_security_group_info.main, {"filters": {"group-name": NAME}})["security_groups"]
    assert found["security_group"]["group_id"] == listed[0]["group_id"] == group_id
    assert found["security_group"]["ip_permissions"] == listed[0]["ip_permissions"]
    assert run_module(rds_layer_info.main, {"db_instance_identifier": "x", "security_group_name": "other"})["security_group"] == {}


def test_the_subnet_group_is_as_declared_exactly_when_the_module_would_change_nothing(run_module, aws):
    options = subnet_options(aws)
    assert read(run_module, aws, "subnet_group")["subnet_group"] == {}
    assert not subnet_agrees(run_module, aws, options)  # missing
    run_module(rds_subnet_group.main, options)
    assert subnet_agrees(run_module, aws, options)
    assert subnet_agrees(run_module, aws, {**options, "subnets": list(reversed(options["subnets"]))})  # order aside
    for changes in ({"subnets": aws["subnets"]}, {"description": "another"}, {"tags": {**TAGS, "project": "other"}}):
        assert not subnet_agrees(run_module, aws, {**options, **changes}), changes
    assert subnet_agrees(run_module, aws, {**options, "tags": None})  # tags left alone
    assert not rds_subnet_group_as_declared(read(run_module, aws, "subnet_group")["subnet_group"], "other", options["description"],
                                            options["subnets"], TAGS)


def test_the_parameter_group_is_as_declared_exactly_when_the_module_would_change_nothing(run_module, aws):
    options = parameter_options()
    assert read(run_module, aws, "parameter_group")["parameter_group"] == {}
    assert not parameters_agree(run_module, aws, options)  # missing
    run_module(rds_instance_param_group.main, options)
    assert parameters_agree(run_module, aws, options)
    found = read(run_module, aws, "parameter_group")["parameter_group"]
    assert found["parameters"]["rds.force_ssl"]["value"] == "1" and set(found["parameters"]) == set(PARAMETERS)
    # The module's conversions: a boolean as "1", and text for a boolean parameter, hold the same value.
    assert parameters_agree(run_module, aws, {**options, "params": {**PARAMETERS, "rds.force_ssl": True, "log_connections": "on"}})
    for changes in ({"params": {**PARAMETERS, "log_min_duration_statement": 500}}, {"tags": {**TAGS, "project": "other"}}):
        assert not parameters_agree(run_module, aws, {**options, **changes}), changes
    aws["rds"].add_tags_to_resource(ResourceName=found["db_parameter_group_arn"], Tags=[{"Key": "owner", "Value": "someone"}])
    assert not parameters_agree(run_module, aws, options)  # purged
    # A parameter the family does not have: never as declared, so the module runs and reports it.
    assert not rds_parameter_group_as_declared(found, "postgres15", {**PARAMETERS, "no_such_parameter": 1}, TAGS)
    assert not rds_parameter_group_as_declared(found, "postgres14", PARAMETERS, None)


def test_the_read_returns_the_instance_and_the_log_groups_as_their_modules_do(run_module, aws):
    found = read(run_module, aws)
    assert not found["changed"] and found["instances"] == [] and found["log_groups"] == {LOG_GROUP: {}}
    run_module(cloudwatchlogs_log_group.main, {"log_group_name": LOG_GROUP, "retention": 30})
    aws["rds"].create_db_instance(DBInstanceIdentifier="shoppulse-analytics", Engine="postgres", DBInstanceClass="db.t4g.micro",
                                  AllocatedStorage=20, MasterUsername="admin", MasterUserPassword="password-1",
                                  Tags=[{"Key": "project", "Value": "shoppulse"}])
    found = read(run_module, aws)
    assert found["log_groups"][LOG_GROUP]["retention_in_days"] == 30
    (instance,) = found["instances"]
    assert (instance["db_instance_identifier"], instance["tags"]) == ("shoppulse-analytics", {"project": "shoppulse"})
    assert "security_group" not in run_module(rds_layer_info.main, {"db_instance_identifier": "shoppulse-analytics"})


def test_the_read_names_what_it_could_not_read(run_module, stub_client):
    stub_client(rds_layer_info, "rds").add_client_error("describe_db_instances", service_error_code="AccessDenied")
    with pytest.raises(ModuleExit) as failed:
        run_module(rds_layer_info.main, {"db_instance_identifier": "shoppulse-analytics"})
    assert failed.value.result["msg"].startswith("db_instance_identifier: could not read the database layer of shoppulse-analytics")
