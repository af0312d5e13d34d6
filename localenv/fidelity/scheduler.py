"""EventBridge Scheduler: a schedule in a group that does not exist, and an update that leaves its state out, answered
as the EventBridge Scheduler API reference says."""

from __future__ import annotations

import functools

from localenv.fidelity import entry


@entry(
    key="scheduler-create-schedule-group-not-found",
    api="CreateSchedule",
    moto="a schedule in a schedule group that does not exist is an HTTP 500 (a `KeyError` on the group), which clients retry",
    aws="the request references a resource which does not exist: `ResourceNotFoundException` (HTTP 404)",
    reference="https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html",
)
def create_schedule_group_not_found() -> None:
    from moto.scheduler.models import EventBridgeSchedulerBackend  # pylint: disable=import-outside-toplevel  # patched before serving

    original = EventBridgeSchedulerBackend.create_schedule

    @functools.wraps(original)
    def create_schedule(self, *args, **kwargs):
        self.get_schedule_group(kwargs.get("group_name"))  # ResourceNotFoundException for a group that does not exist
        return original(self, *args, **kwargs)

    EventBridgeSchedulerBackend.create_schedule = create_schedule


@entry(
    key="scheduler-update-schedule-state-default",
    api="UpdateSchedule, GetSchedule",
    moto="an update without `State` leaves the schedule's state null",
    aws="an update uses every value of the request and sets an optional field it leaves out to its default: a schedule "
    "updated without `State` is `ENABLED`, as one created without it",
    reference="https://docs.aws.amazon.com/scheduler/latest/APIReference/API_UpdateSchedule.html",
)
def update_schedule_state_default() -> None:
    from moto.scheduler.models import Schedule  # pylint: disable=import-outside-toplevel  # patched before serving

    original = Schedule.update

    @functools.wraps(original)
    def update(self, *args, **kwargs):
        original(self, *args, **kwargs)
        self.state = self.state or "ENABLED"

    Schedule.update = update
