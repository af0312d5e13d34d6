"""The proxy layer's acceptance: tests/playbooks/rds_proxy_role.yml on an emulator of its own, read back with boto3.

Every in-place change (the proxy's idle timeout and debug logging, its pool, the tags of the proxy, its role and its
log group) is made by one run and then the same vars again, and put back through the API; the removal runs last.
"""

import json

import boto3
import pytest

from tests.roles.playbook_output import changed_tasks, ok

PORT = 4653
PLAYBOOK = "tests/playbooks/rds_proxy_role.yml"
NAME = "shoppulse-analytics"
PROXY = f"{NAME}-proxy"
ROLE = f"{PROXY}-role"
LOG_GROUP = f"/aws/rds/proxy/{PROXY}"
# The proxy task runs twice: for the proxy itself (created, not waited for), then for its pool and target.
PROXY_TASK = "shoppulse.analytics.rds_proxy : Ensure the proxy pools connections to the instance over TLS with SECRETS auth: the proxy"
POOL_TASK = "shoppulse.analytics.rds_proxy : Ensure the proxy pools connections to the instance over TLS with SECRETS auth: its pool and target"
TAGGING_TASKS = {
    PROXY_TASK,
    "shoppulse.analytics.rds_proxy : Ensure the proxy's IAM role exists, trusted by RDS only, reading only its auth list's secrets",
    "shoppulse.analytics.rds_proxy : Ensure the proxy's log group exists with its retention",
}
# inventories/local's shoppulse_tags, which rds_proxy_tags defaults to, plus one.
NEW_TAGS = {"environment": "local", "project": "shoppulse-analytics", "managed-by": "ansible", "cost-center": "analytics"}


@pytest.fixture(name="aws", scope="module")
def fixture_aws(emulator_at):
    """A client factory for the module's own emulator."""
    with emulator_at(PORT) as endpoint_url:
        yield lambda service: boto3.client(service, region_name="us-east-1", endpoint_url=endpoint_url,
                                           aws_access_key_id="testing", aws_secret_access_key="testing")


@pytest.fixture(name="proxy_role", scope="module")
def fixture_proxy_role(aws, run_playbook):  # pylint: disable=unused-argument  # the emulator must be up
    """``proxy_role(*args)``: the test playbook (inputs, then the rds_proxy role) against the module's emulator."""

    def run(*args: str):
        return run_playbook(PLAYBOOK, *args, port=PORT, timeout=300)

    return run


@pytest.fixture(name="built", scope="module")
def fixture_built(proxy_role):
    result = proxy_role()
    ok(result)
    return result


def settings(aws) -> dict:
    """What the role manages on the proxy, as the emulator reports it."""
    rds = aws("rds")
    proxy = rds.describe_db_proxies(DBProxyName=PROXY)["DBProxies"][0]
    pool = rds.describe_db_proxy_target_groups(DBProxyName=PROXY)["TargetGroups"][0]["ConnectionPoolConfig"]
    return {
        "idle_client_timeout": proxy["IdleClientTimeout"],
        "debug_logging": proxy["DebugLogging"],
        "require_tls": proxy["RequireTLS"],
        "max_connections_percent": pool["MaxConnectionsPercent"],
        "max_idle_connections_percent": pool["MaxIdleConnectionsPercent"],
        "connection_borrow_timeout": pool["ConnectionBorrowTimeout"],
        "proxy_tags": {tag["Key"]: tag["Value"] for tag in rds.list_tags_for_resource(ResourceName=proxy["DBProxyArn"])["TagList"]},
        "role_tags": {tag["Key"]: tag["Value"] for tag in aws("iam").list_role_tags(RoleName=ROLE)["Tags"]},
        "log_group_tags": aws("logs").list_tags_log_group(logGroupName=LOG_GROUP)["tags"],
    }


def put_back(aws, before: dict) -> None:
    """Restore what a test changed, through the API, and check that it is as it was."""
    rds = aws("rds")
    rds.modify_db_proxy(DBProxyName=PROXY, IdleClientTimeout=before["idle_client_timeout"],
                        DebugLogging=before["debug_logging"], RequireTLS=before["require_tls"])
    rds.modify_db_proxy_target_group(TargetGroupName="default", DBProxyName=PROXY, ConnectionPoolConfig={
        "MaxConnectionsPercent": before["max_connections_percent"],
        "MaxIdleConnectionsPercent": before["max_idle_connections_percent"],
        "ConnectionBorrowTimeout": before["connection_borrow_timeout"]})
    now = settings(aws)
    arn = rds.describe_db_proxies(DBProxyName=PROXY)["DBProxies"][0]["DBProxyArn"]
    if set(now["proxy_tags"]) - set(before["proxy_tags"]):
        rds.remove_tags_from_resource(ResourceName=arn, TagKeys=sorted(set(now["proxy_tags"]) - set(before["proxy_tags"])))
    rds.add_tags_to_resource(ResourceName=arn, Tags=[{"Key": k, "Value": v} for k, v in before["proxy_tags"].items()])
    if set(now["role_tags"]) - set(before["role_tags"]):
        aws("iam").untag_role(RoleName=ROLE, TagKeys=sorted(set(now["role_tags"]) - set(before["role_tags"])))
    if set(now["log_group_tags"]) - set(before["log_group_tags"]):
        aws("logs").untag_log_group(logGroupName=LOG_GROUP, tags=sorted(set(now["log_group_tags"]) - set(before["log_group_tags"])))
    assert settings(aws) == before


def change_twice(aws, proxy_role, *args: str) -> dict:
    """Run with ``args`` twice, note the settings before and after each run, then put the settings back."""
    before = settings(aws)
    try:
        first = proxy_role(*args)
        after_first = settings(aws)
        again = proxy_role(*args)
        after_again = settings(aws)
    finally:
        put_back(aws, before)
    return {"before": before, "first": first, "after_first": after_first, "again": again, "after_again": after_again}


# Each setting the role changes in place, and what the emulator then reports.
CHANGES = {
    "rds_proxy_idle_client_timeout": (900, {"idle_client_timeout": 900}),
    "rds_proxy_max_connections_percent": (90, {"max_connections_percent": 90}),
    "rds_proxy_max_idle_connections_percent": (40, {"max_idle_connections_percent": 40}),
    "rds_proxy_debug_logging": (True, {"debug_logging": True}),
}


@pytest.fixture(name="change", scope="module")
def fixture_change(aws, built, proxy_role):  # pylint: disable=unused-argument
    """Every in-place change at once (the settings and new tags), run twice, then put back."""
    extra = {name: value for name, (value, _reported) in CHANGES.items()}
    return change_twice(aws, proxy_role, "-e", json.dumps({**extra, "rds_proxy_tags": NEW_TAGS}))


def test_settings_change_in_place_then_stay(change):
    expected = {key: value for _value, reported in CHANGES.values() for key, value in reported.items()}
    untouched = {key: value for key, value in change["after_first"].items() if not key.endswith("_tags")}
    assert untouched == {**{k: v for k, v in change["before"].items() if not k.endswith("_tags")}, **expected}
    # The proxy's settings by the proxy's task, the pool's by the pool's: nothing is replaced.
    assert POOL_TASK in changed_tasks(change["first"]) and PROXY_TASK in changed_tasks(change["first"])
    assert ok(change["again"])["changed"] == 0, changed_tasks(change["again"])
    assert change["after_again"] == change["after_first"]


def test_new_tags_retag_the_proxy_its_role_and_its_log_group(change):
    ok(change["first"])
    assert sorted(changed_tasks(change["first"])) == sorted(TAGGING_TASKS | {POOL_TASK})
    assert change["after_first"]["proxy_tags"] == {**NEW_TAGS, "Name": PROXY}
    assert change["after_first"]["role_tags"] == {**change["before"]["role_tags"], **NEW_TAGS}
    assert change["after_first"]["log_group_tags"] == {**change["before"]["log_group_tags"], **NEW_TAGS}


def test_absent_removes_the_proxy_and_its_role(aws, built, proxy_role):  # pylint: disable=unused-argument
    # Last in the file: nothing after it needs the proxy, and the emulator goes with the module.
    rds, iam = aws("rds"), aws("iam")
    gone = proxy_role("-e", "rds_proxy_state=absent")
    assert ok(gone)["changed"] >= 1
    with pytest.raises(rds.exceptions.DBProxyNotFoundFault):
        rds.describe_db_proxies(DBProxyName=PROXY)
    with pytest.raises(iam.exceptions.NoSuchEntityException):
        iam.get_role(RoleName=ROLE)
    # The log group stays, its retention ages the events out (README).
    assert aws("logs").describe_log_groups(logGroupNamePrefix=LOG_GROUP)["logGroups"][0]["logGroupName"] == LOG_GROUP
    assert set(changed_tasks(gone)) == {"shoppulse.analytics.rds_proxy : Ensure the proxy is deleted",
                                        "shoppulse.analytics.rds_proxy : Ensure the proxy's IAM role is deleted with its inline policy"}

    again = proxy_role("-e", "rds_proxy_state=absent")
    assert ok(again)["changed"] == 0, changed_tasks(again)
