"""rds_db_parameters_info: a parameter group's values and their source, on moto (with the fidelity layer) and a Stubber."""

import boto3
import pytest
from moto import mock_aws

from ansible_collections.shoppulse.analytics.plugins.modules import rds_db_parameters_info
from localenv import fidelity

from .conftest import ModuleExit

GROUP = "shoppulse-analytics-postgres15"


@pytest.fixture(name="rds")
def fixture_rds():
    fidelity.apply_all()
    with mock_aws():
        rds = boto3.client("rds", region_name="us-east-1")
        rds.create_db_parameter_group(DBParameterGroupName=GROUP, DBParameterGroupFamily="postgres15", Description="test")
        rds.modify_db_parameter_group(DBParameterGroupName=GROUP, Parameters=[
            {"ParameterName": "log_connections", "ParameterValue": "1", "ApplyMethod": "immediate"},
            {"ParameterName": "rds.force_ssl", "ParameterValue": "0", "ApplyMethod": "pending-reboot"}])
        yield rds


def test_a_missing_group_does_not_exist(run_module, rds):  # pylint: disable=unused-argument  # moto must be up
    result = run_module(rds_db_parameters_info.main, {"name": "nothing-here"})
    assert not result["changed"] and not result["exists"] and result["parameters"] == {}


def test_reads_the_named_parameters_with_their_source(run_module, rds):  # pylint: disable=unused-argument
    result = run_module(rds_db_parameters_info.main, {"name": GROUP, "names": ["rds.force_ssl", "log_connections"]}, check_mode=True)
    assert result["exists"] and not result["changed"]
    assert set(result["parameters"]) == {"rds.force_ssl", "log_connections"}
    assert result["parameters"]["rds.force_ssl"]["value"] == "0" and result["parameters"]["rds.force_ssl"]["source"] == "user"
    assert result["parameters"]["rds.force_ssl"]["data_type"] == "boolean"


def test_reads_every_parameter_or_those_of_one_source(run_module, rds):
    everything = run_module(rds_db_parameters_info.main, {"name": GROUP})["parameters"]
    listed = rds.get_paginator("describe_db_parameters").paginate(DBParameterGroupName=GROUP).build_full_result()["Parameters"]
    assert len(listed) > 100  # more than one page: the module reads them all
    assert set(everything) == {parameter["ParameterName"] for parameter in listed}
    assert everything["log_min_duration_statement"]["source"] != "user"
    mine = run_module(rds_db_parameters_info.main, {"name": GROUP, "source": "user"})["parameters"]
    assert set(mine) == {"rds.force_ssl", "log_connections"}


@pytest.fixture(name="stubbed")
def fixture_stubbed(stub_client):
    return stub_client(rds_db_parameters_info, "rds")


def test_reads_across_pages(run_module, stubbed):
    stubbed.add_response("describe_db_parameters", {"Parameters": [{"ParameterName": "a", "ParameterValue": "1"}], "Marker": "m1"},
                         {"DBParameterGroupName": GROUP})
    stubbed.add_response("describe_db_parameters", {"Parameters": [{"ParameterName": "rds.force_ssl", "ParameterValue": "1"}]},
                         {"DBParameterGroupName": GROUP, "Marker": "m1"})
    result = run_module(rds_db_parameters_info.main, {"name": GROUP, "names": ["rds.force_ssl"]})
    assert result["parameters"] == {"rds.force_ssl": {"value": "1", "source": None, "apply_type": None, "apply_method": None,
                                                      "data_type": None, "allowed_values": None, "is_modifiable": None}}


def test_an_api_error_names_the_group(run_module, stubbed):
    stubbed.add_client_error("describe_db_parameters", "AccessDenied", "not allowed")
    with pytest.raises(ModuleExit, match=f"Could not read the parameters of the DB parameter group {GROUP}.*not allowed"):
        run_module(rds_db_parameters_info.main, {"name": GROUP})
