"""ec2_vpc_flow_log and its _info companion: every branch that talks to EC2, on moto and a Stubber."""

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry, RetryingBotoClientWrapper

from ansible_collections.shoppulse.analytics.plugins.modules import ec2_vpc_flow_log, ec2_vpc_flow_log_info

from .conftest import ModuleExit

ROLE = "arn:aws:iam::123456789012:role/flow-logs"


@pytest.fixture(name="ec2")
def fixture_ec2():
    with mock_aws():
        client = boto3.client("ec2", region_name="us-east-1")
        boto3.client("logs", region_name="us-east-1").create_log_group(logGroupName="flows")
        yield client


@pytest.fixture(name="vpc_id")
def fixture_vpc_id(ec2):
    return ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]


def args(vpc_id, **extra):
    return {"resource_id": vpc_id, "log_group_name": "flows", "deliver_logs_permission_arn": ROLE, **extra}


def test_creates_then_keeps(run_module, ec2, vpc_id):
    created = run_module(ec2_vpc_flow_log.main, args(vpc_id, tags={"Name": "fl"}))
    assert created["changed"] and created["flow_log"]["traffic_type"] == "ALL"
    assert created["flow_log"]["tags"] == {"Name": "fl"}
    again = run_module(ec2_vpc_flow_log.main, args(vpc_id, tags={"Name": "fl"}))
    assert not again["changed"] and again["flow_log"]["flow_log_id"] == created["flow_log"]["flow_log_id"]
    assert len(ec2.describe_flow_logs()["FlowLogs"]) == 1


def test_check_mode_creates_nothing_and_diffs(run_module, ec2, vpc_id):
    result = run_module(ec2_vpc_flow_log.main, args(vpc_id), check_mode=True, diff=True)
    assert result["changed"] and result["diff"]["before"] == {} and result["diff"]["after"]["resource_id"] == vpc_id
    assert ec2.describe_flow_logs()["FlowLogs"] == []


def test_updates_tags_in_place(run_module, ec2, vpc_id):
    first = run_module(ec2_vpc_flow_log.main, args(vpc_id, tags={"a": "1", "b": "2"}))
    predicted = run_module(ec2_vpc_flow_log.main, args(vpc_id, tags={"a": "9"}), check_mode=True)
    assert predicted["changed"]
    assert {t["Key"]: t["Value"] for t in ec2.describe_flow_logs()["FlowLogs"][0]["Tags"]} == {"a": "1", "b": "2"}
    updated = run_module(ec2_vpc_flow_log.main, args(vpc_id, tags={"a": "9"}))
    assert updated["changed"] and updated["flow_log"]["tags"] == {"a": "9"}
    assert updated["flow_log"]["flow_log_id"] == first["flow_log"]["flow_log_id"]
    kept = run_module(ec2_vpc_flow_log.main, args(vpc_id, tags={"c": "3"}, purge_tags=False))
    assert kept["flow_log"]["tags"] == {"a": "9", "c": "3"}


def test_refuses_an_immutable_change_without_replace(run_module, ec2, vpc_id):
    run_module(ec2_vpc_flow_log.main, args(vpc_id))
    with pytest.raises(ModuleExit) as refused:
        run_module(ec2_vpc_flow_log.main, args(vpc_id, traffic_type="REJECT"))
    assert "cannot be modified in place (traffic_type is 'ALL', asked for 'REJECT')" in refused.value.result["msg"]
    assert ec2.describe_flow_logs()["FlowLogs"][0]["TrafficType"] == "ALL"


def test_replaces_when_told(run_module, ec2, vpc_id):
    old = run_module(ec2_vpc_flow_log.main, args(vpc_id))["flow_log"]["flow_log_id"]
    predicted = run_module(ec2_vpc_flow_log.main, args(vpc_id, traffic_type="REJECT", replace=True), check_mode=True)
    assert predicted["changed"] and predicted["replaced_flow_log_id"] == old
    assert [f["FlowLogId"] for f in ec2.describe_flow_logs()["FlowLogs"]] == [old]
    replaced = run_module(ec2_vpc_flow_log.main, args(vpc_id, traffic_type="REJECT", replace=True))
    assert replaced["replaced_flow_log_id"] == old
    remaining = ec2.describe_flow_logs()["FlowLogs"]
    assert [(f["FlowLogId"], f["TrafficType"]) for f in remaining] == [(replaced["flow_log"]["flow_log_id"], "REJECT")]


def test_deletes_and_then_reports_nothing_to_do(run_module, ec2, vpc_id):
    created = run_module(ec2_vpc_flow_log.main, args(vpc_id))["flow_log"]["flow_log_id"]
    predicted = run_module(ec2_vpc_flow_log.main, {"state": "absent", "flow_log_id": created}, check_mode=True)
    assert predicted["changed"] and len(ec2.describe_flow_logs()["FlowLogs"]) == 1
    deleted = run_module(ec2_vpc_flow_log.main, args(vpc_id, state="absent"))
    assert deleted["changed"] and ec2.describe_flow_logs()["FlowLogs"] == []
    assert not run_module(ec2_vpc_flow_log.main, {"state": "absent", "flow_log_id": created})["changed"]


def test_present_without_a_destination_fails_clearly(run_module, ec2, vpc_id):
    with pytest.raises(ModuleExit, match="state is present but all of the following are missing: resource_id"):
        run_module(ec2_vpc_flow_log.main, {"flow_log_id": "fl-0123456789abcdef0"})
    with pytest.raises(ModuleExit, match="log_group_name and deliver_logs_permission_arn are required"):
        run_module(ec2_vpc_flow_log.main, {"resource_id": vpc_id})
    with pytest.raises(ModuleExit, match="log_destination is required"):
        run_module(ec2_vpc_flow_log.main, {"resource_id": vpc_id, "log_destination_type": "s3"})


def test_info_lists_by_filter(run_module, ec2, vpc_id):
    created = run_module(ec2_vpc_flow_log.main, args(vpc_id, tags={"Name": "fl"}))["flow_log"]["flow_log_id"]
    other = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    run_module(ec2_vpc_flow_log.main, args(other))
    listed = run_module(ec2_vpc_flow_log_info.main, {"filters": {"resource-id": vpc_id}})["flow_logs"]
    assert [(f["flow_log_id"], f["tags"]) for f in listed] == [(created, {"Name": "fl"})]
    assert len(run_module(ec2_vpc_flow_log_info.main, {})["flow_logs"]) == 2


# --- API errors, through a Stubber: each call that fails names what was attempted -----------------


@pytest.fixture(name="stubbed")
def fixture_stubbed(monkeypatch):
    client = boto3.client("ec2", region_name="us-east-1")
    stubber = Stubber(client)
    # The module's own client wrapper, so that aws_retry=True is accepted as it is against AWS.
    wrapped = RetryingBotoClientWrapper(client, AWSRetry.jittered_backoff(retries=1))
    monkeypatch.setattr(ec2_vpc_flow_log.AnsibleAWSModule, "client", lambda self, *a, **k: wrapped)
    with stubber:
        yield stubber


def test_describe_error_is_reported(run_module, stubbed):
    stubbed.add_client_error("describe_flow_logs", "UnauthorizedOperation", "not allowed")
    with pytest.raises(ModuleExit) as failed:
        run_module(ec2_vpc_flow_log.main, args("vpc-1"))
    assert "Could not describe flow logs" in failed.value.result["msg"] and "UnauthorizedOperation" in failed.value.result["msg"]


def test_create_error_is_reported(run_module, stubbed):
    stubbed.add_response("describe_flow_logs", {"FlowLogs": []})
    stubbed.add_client_error("create_flow_logs", "InvalidParameter", "bad role")
    with pytest.raises(ModuleExit) as failed:
        run_module(ec2_vpc_flow_log.main, args("vpc-1"))
    assert "Could not create a flow log on vpc-1" in failed.value.result["msg"] and "bad role" in failed.value.result["msg"]


def test_unsuccessful_create_is_reported(run_module, stubbed):
    stubbed.add_response("describe_flow_logs", {"FlowLogs": []})
    stubbed.add_response("create_flow_logs", {"FlowLogIds": [], "Unsuccessful": [
        {"ResourceId": "vpc-1", "Error": {"Code": "InvalidVpcID.NotFound", "Message": "no such VPC"}}]})
    with pytest.raises(ModuleExit, match="InvalidVpcID.NotFound: no such VPC"):
        run_module(ec2_vpc_flow_log.main, args("vpc-1"))


EXISTING = {"FlowLogId": "fl-1", "ResourceId": "vpc-1", "LogDestinationType": "cloud-watch-logs", "LogGroupName": "flows",
            "TrafficType": "ALL", "DeliverLogsPermissionArn": ROLE, "Tags": []}


def test_delete_error_is_reported(run_module, stubbed):
    stubbed.add_response("describe_flow_logs", {"FlowLogs": [EXISTING]})
    stubbed.add_client_error("delete_flow_logs", "UnauthorizedOperation", "not allowed")
    with pytest.raises(ModuleExit, match="Could not delete flow log fl-1.*not allowed"):
        run_module(ec2_vpc_flow_log.main, {"state": "absent", "flow_log_id": "fl-1"})


def test_tag_error_is_reported(run_module, stubbed):
    stubbed.add_response("describe_flow_logs", {"FlowLogs": [EXISTING]})
    stubbed.add_client_error("create_tags", "UnauthorizedOperation", "not allowed")
    with pytest.raises(ModuleExit, match="Could not update the tags of flow log fl-1.*not allowed"):
        run_module(ec2_vpc_flow_log.main, args("vpc-1", tags={"a": "b"}))


def test_two_matching_flow_logs_ask_for_an_id(run_module, stubbed):
    same = {"ResourceId": "vpc-1", "LogDestinationType": "cloud-watch-logs", "LogGroupName": "flows"}
    stubbed.add_response("describe_flow_logs", {"FlowLogs": [{**same, "FlowLogId": "fl-1"}, {**same, "FlowLogId": "fl-2"}]})
    with pytest.raises(ModuleExit, match="2 flow logs on vpc-1 deliver to the same destination"):
        run_module(ec2_vpc_flow_log.main, args("vpc-1"))


def test_info_error_is_reported(run_module, stubbed):
    stubbed.add_client_error("describe_flow_logs", "UnauthorizedOperation", "not allowed")
    with pytest.raises(ModuleExit, match="Could not describe flow logs.*not allowed"):
        run_module(ec2_vpc_flow_log_info.main, {})
