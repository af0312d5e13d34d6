"""Each module with a state runs exactly one of its two branches: the branch that returns without exiting does not fall
through into the other."""

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.shoppulse.analytics.plugins.modules import ec2_vpc_flow_log, rds_proxy, rds_proxy_endpoint, rollout_lock, scheduler_schedule

from .conftest import AWS

ROLE = "arn:aws:iam::123456789012:role/r"

# module, arguments valid for both states, what its read returns (name: value), and its present and absent branches
# (names on the module, or Class.method).
CASES = {
    "rds_proxy": (rds_proxy, {"name": "p"}, {"ProxyManager.read": None}, ("ProxyManager.present", "ProxyManager.absent")),
    "rds_proxy_endpoint": (rds_proxy_endpoint, {"name": "e", "db_proxy_name": "p"}, {"read": (None, {})}, ("ensure_present", "ensure_absent")),
    "ec2_vpc_flow_log": (ec2_vpc_flow_log, {"resource_id": "vpc-1", "log_group_name": "g", "deliver_logs_permission_arn": ROLE},
                         {"find_flow_log": None}, ("ensure_present", "ensure_absent")),
    "scheduler_schedule": (scheduler_schedule, {"name": "s", "schedule_expression": "cron(0 20 * * ? *)", "target": {"arn": "a", "role_arn": ROLE}},
                           {"read": None}, ("ensure_present", "ensure_absent")),
    "rollout_lock": (rollout_lock, {"name": "/shoppulse/lock", "token": "t"}, {}, ("acquire", "release")),
}


def replace(monkeypatch, module, dotted, value):
    owner, _dot, attribute = dotted.rpartition(".")
    monkeypatch.setattr(getattr(module, owner) if owner else module, attribute, value)


@pytest.mark.parametrize("state", ["present", "absent"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_one_branch_runs_per_state(monkeypatch, name, state):
    module, args, reads, branches = CASES[name]
    ran = []
    monkeypatch.setattr(module.AnsibleAWSModule, "client", lambda self, *a, **k: None)
    for reader, found in reads.items():
        replace(monkeypatch, module, reader, lambda *a, _found=found, **k: _found)
    for branch in branches:
        # Stand-ins return instead of exiting, so a fall-through into the other branch shows.
        replace(monkeypatch, module, branch, lambda *a, _branch=branch, **k: ran.append(_branch))
    with patch_module_args({**AWS, **args, "state": state}):
        module.main()
    assert ran == [branches[0 if state == "present" else 1]]
