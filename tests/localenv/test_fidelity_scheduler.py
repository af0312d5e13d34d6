"""The EventBridge Scheduler entries: a schedule in a missing group is ResourceNotFoundException; an update without
State leaves the schedule ENABLED."""

import boto3
import pytest
from moto import mock_aws

from localenv import fidelity

TARGET = {"Arn": "arn:aws:scheduler:::aws-sdk:rds:stopDBInstance", "RoleArn": "arn:aws:iam::123456789012:role/stop",
          "Input": '{"DbInstanceIdentifier": "db1"}'}


@pytest.fixture(name="scheduler")
def fixture_scheduler():
    fidelity.apply_all()
    with mock_aws():
        yield boto3.client("scheduler", region_name="us-east-1")


def test_a_schedule_in_a_group_that_does_not_exist_is_not_found(scheduler):
    with pytest.raises(scheduler.exceptions.ResourceNotFoundException, match="Schedule group nightly does not exist"):
        scheduler.create_schedule(Name="stop", GroupName="nightly", ScheduleExpression="cron(0 20 * * ? *)",
                                  FlexibleTimeWindow={"Mode": "OFF"}, Target=TARGET)
    scheduler.create_schedule_group(Name="nightly")
    scheduler.create_schedule(Name="stop", GroupName="nightly", ScheduleExpression="cron(0 20 * * ? *)",
                              FlexibleTimeWindow={"Mode": "OFF"}, Target=TARGET)
    assert scheduler.get_schedule(Name="stop", GroupName="nightly")["GroupName"] == "nightly"


def test_an_update_without_state_leaves_the_schedule_enabled(scheduler):
    scheduler.create_schedule(Name="stop", ScheduleExpression="cron(0 20 * * ? *)", FlexibleTimeWindow={"Mode": "OFF"},
                              Target=TARGET, State="DISABLED")
    scheduler.update_schedule(Name="stop", ScheduleExpression="cron(0 21 * * ? *)", FlexibleTimeWindow={"Mode": "OFF"}, Target=TARGET)
    assert scheduler.get_schedule(Name="stop")["State"] == "ENABLED"
    scheduler.update_schedule(Name="stop", ScheduleExpression="cron(0 21 * * ? *)", FlexibleTimeWindow={"Mode": "OFF"},
                              Target=TARGET, State="DISABLED")
    assert scheduler.get_schedule(Name="stop")["State"] == "DISABLED"
