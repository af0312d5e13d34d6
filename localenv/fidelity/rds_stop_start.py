"""Stopping and starting a DB instance: the states AWS passes it through, and what its proxy target reports meanwhile.

moto stops and starts an instance at once and keeps its proxy target `AVAILABLE`. With a latency scale above 0 the
instance is `stopping` before `stopped` and `starting` before `available`, timed by the latency profile
(``db_instance.stop`` and ``db_instance.start``); at any scale a target whose instance is stopping, stopped or starting
is `UNAVAILABLE`, as the proxy cannot reach it.
"""

from __future__ import annotations

from typing import Any

from localenv.fidelity import entry
from localenv.fidelity.lifecycle import RDS_API, begin
from localenv.fidelity.rds import _hook, _models

# The instance states in which nothing answers on the instance's endpoint.
DOWN_STATES = ("stopping", "stopped", "starting")


@entry(
    key="rds-db-instance-stop-start",
    api="StopDBInstance, StartDBInstance, DescribeDBInstances",
    moto="a stopped instance is `stopped` at once, a started one `available` at once",
    aws="a stopped instance is `stopping`, then `stopped`; a started one is `starting`, then `available`; timed by the "
    "latency profile, instant at scale 0",
    reference=f"{RDS_API}/API_StopDBInstance.html",
    after_others=True,
)
def db_instance_stop_start() -> None:
    # The status is already timed (rds-db-instance-lifecycle, applied first): moto's own assignment of the settled
    # state, then a timeline for the passage.
    def stopped(_response: Any, _prepared: Any, result: Any) -> None:
        begin(result.result["DBInstance"], "db_instance", "stop")

    def started(_response: Any, _prepared: Any, result: Any) -> None:
        begin(result.result["DBInstance"], "db_instance", "start")

    _hook("stop_db_instance", after=stopped)
    _hook("start_db_instance", after=started)


@entry(
    key="rds-db-proxy-target-instance-down",
    api="DescribeDBProxyTargets",
    moto="a target stays `AVAILABLE` while its instance is stopping, stopped or starting",
    aws="the proxy cannot reach a stopping, stopped or starting instance: its target is `UNAVAILABLE` (reason "
    "`UNREACHABLE`), then `AVAILABLE` again once the instance is",
    reference=f"{RDS_API}/API_TargetHealth.html",
    after_others=True,
)
def db_proxy_target_instance_down() -> None:
    # Wraps the health rds-db-proxy-target-health gives (its key sorts first among the after_others entries).
    models = _models()
    judged = models.DBProxyTarget.target_health

    def health(self: Any) -> dict[str, str]:
        instance = self.backend.databases.get(self.rds_resource_id)
        if instance is not None and instance.status in DOWN_STATES:
            return {"State": "UNAVAILABLE", "Reason": "UNREACHABLE",
                    "Description": f"DB instance {instance.db_instance_identifier} is {instance.status}."}
        return judged.fget(self)

    models.DBProxyTarget.target_health = property(health)
