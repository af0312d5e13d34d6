"""The proxy layer's acceptance: tests/playbooks/rds_proxy_role.yml on an emulator of its own, read back with boto3.

Each change runs twice (the change, then the same vars again) and is then put back through the API, so that the
tests do not depend on their order; the removal test builds the proxy again at its end.
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
    "shoppulse.analytics.rds_proxy : Ensure the proxy's IAM role exists, trusted by RDS only",
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


@pytest.mark.parametrize(
    "args, expected, task",
    [
        (["-e", "rds_proxy_idle_client_timeout=900"], {"idle_client_timeout": 900}, PROXY_TASK),
        (["-e", "rds_proxy_max_connections_percent=90", "-e", "rds_proxy_max_idle_connections_percent=40"],
         {"max_connections_percent": 90, "max_idle_connections_percent": 40}, POOL_TASK),
        (["-e", "rds_proxy_debug_logging=true"], {"debug_logging": True}, PROXY_TASK),
    ],
    ids=["idle-client-timeout", "pool", "debug-logging"],
)
def test_a_setting_changes_in_place_then_stays(aws, built, proxy_role, args, expected, task):  # pylint: disable=unused-argument
    run = change_twice(aws, proxy_role, *args)
    assert ok(run["first"])["changed"] == 1 and changed_tasks(run["first"]) == [task]
    assert run["after_first"] == {**run["before"], **expected}
    assert ok(run["again"])["changed"] == 0, changed_tasks(run["again"])
    assert run["after_again"] == run["after_first"]


@pytest.fixture(name="tag_change", scope="module")
def fixture_tag_change(aws, built, proxy_role):  # pylint: disable=unused-argument
    return change_twice(aws, proxy_role, "-e", json.dumps({"rds_proxy_tags": NEW_TAGS}))


def test_new_tags_are_applied_in_place_then_stay(tag_change):
    run = tag_change
    ok(run["first"])
    assert PROXY_TASK in changed_tasks(run["first"]) and set(changed_tasks(run["first"])) <= TAGGING_TASKS
    assert run["after_first"]["proxy_tags"] == {**NEW_TAGS, "Name": PROXY}
    untouched = {key: value for key, value in run["after_first"].items() if not key.endswith("_tags")}
    assert untouched == {key: value for key, value in run["before"].items() if not key.endswith("_tags")}
    assert ok(run["again"])["changed"] == 0, changed_tasks(run["again"])
    assert run["after_again"] == run["after_first"]


def test_new_tags_retag_the_proxy_its_role_and_its_log_group(tag_change):
    assert sorted(changed_tasks(tag_change["first"])) == sorted(TAGGING_TASKS)


@pytest.fixture(name="rebuilt_after")
def fixture_rebuilt_after(aws, built, proxy_role):  # pylint: disable=unused-argument
    """Build the proxy again after the test, whatever it left."""
    yield
    ok(proxy_role())
    assert aws("rds").describe_db_proxies(DBProxyName=PROXY)["DBProxies"][0]["Status"] == "available"


def test_absent_removes_the_proxy_and_its_role(aws, proxy_role, rebuilt_after):  # pylint: disable=unused-argument
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
