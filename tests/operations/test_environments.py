"""The AWS environments' inventories, dev, staging and prod: each parses, differs from the others where
environments really differ, and passes the validation play; prod, the one that differs most from inventories/local
(protected, a NAT gateway per zone, a non-burstable class), previews (`site.yml --check --diff`) on an empty account
without changing it. The preview's mechanics are the same for every inventory: the instance plan shows the declared
settings (prod's values here, local's in molecule's check), the NAT gateways follow vpc_nat_gateway_per_az (one per
zone here, one in local's), and the schema play ends before it reaches the runner.

The runs go at once against one private emulator. The inventories have no endpoint: the runs point every AWS call
there with -e (and AWS_ENDPOINT_URL, with dummy keys, so that nothing can reach AWS).
"""

import concurrent.futures
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.account import held
from tests.roles.conftest import CHECKOUT, ansible_playbook, fixture_emulator_at  # noqa: F401  pylint: disable=unused-import
from tests.roles.playbook_output import changed_tasks, ok

PORT = 4681
ENVIRONMENTS = ("dev", "staging", "prod")
PREVIEWED = "prod"
VALIDATION_PLAY = "PLAY [Validate the inputs of every layer before changing anything]"
SEED_CLASS = "db.t3.medium"
# Values CloudWatch Logs accepts as a retention (PutRetentionPolicy).
LOG_RETENTIONS = {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
LOG_RETENTION_VARS = ("vpc_flow_log_retention_days", "rds_log_retention_days", "rds_proxy_log_retention_days")
INSTANCE_PLAN_TASK = "shoppulse.analytics.rds : Show the instance settings before and after this run"
NAT_TASK = "shoppulse.analytics.vpc : Ensure the NAT gateway exists with its tags in "


def ansible_inventory(env: str) -> dict:
    argv = [str(Path(sys.executable).parent / "ansible-inventory"), "-i", f"inventories/{env}", "--list"]
    result = subprocess.run(argv, cwd=CHECKOUT, env={**os.environ, "ANSIBLE_CONFIG": str(CHECKOUT / "ansible.cfg")},
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
    return json.loads(result.stdout)


def hosts(inventory: dict, group: str) -> list[str]:
    return inventory.get(group, {}).get("hosts", [])


def instance_plan(result) -> dict:
    """The instance settings the preview shows after the run (the task's diff, JSON)."""
    after = re.search(rf"^TASK \[{re.escape(INSTANCE_PLAN_TASK)}\].*?^\+\+\+ after\n@@[^\n]*\n-[^\n]*\n(.*?)^(?!\+)",
                      result.stdout, re.MULTILINE | re.DOTALL)
    assert after, f"no instance plan in the output: {result.stdout[-3000:]}"
    return json.loads("".join(line[1:] for line in after.group(1).splitlines(keepends=True)))


@pytest.fixture(name="inventories", scope="module")
def fixture_inventories():
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        return dict(zip(("local", *ENVIRONMENTS), pool.map(ansible_inventory, ("local", *ENVIRONMENTS))))


@pytest.fixture(name="settings", scope="module")
def fixture_settings(inventories):
    """Each AWS environment's variables, as the controller (aws_control's localhost) sees them."""
    return {env: inventories[env]["_meta"]["hostvars"]["localhost"] for env in ENVIRONMENTS}


@pytest.fixture(name="previews", scope="module")
def fixture_previews(emulator_at, tmp_path_factory):
    """At once, on one empty emulator: ``site.yml --check --diff`` of prod, and the validation play of the others
    (``--check --tags always``: the validation play and the check-mode read of the rollout lock); what it held before
    and after."""
    artifacts = tmp_path_factory.mktemp("artifacts")
    with emulator_at(PORT) as endpoint_url:
        before = held(PORT)
        aws = [arg for var in (f"shoppulse_aws_endpoint_url={endpoint_url}", "shoppulse_aws_access_key=testing",
                               "shoppulse_aws_secret_key=testing") for arg in ("-e", var)]
        with concurrent.futures.ThreadPoolExecutor(len(ENVIRONMENTS)) as pool:
            runs = {env: pool.submit(ansible_playbook, "site.yml", "--check", *(("--diff",) if env == PREVIEWED else ("--tags", "always")),
                                     *aws, port=PORT, inventory=env, timeout=900,
                                     env={"AWS_ENDPOINT_URL": endpoint_url, "AWS_ACCESS_KEY_ID": "testing",
                                          "AWS_SECRET_ACCESS_KEY": "testing", "SHOPPULSE_ARTIFACTS_DIR": str(artifacts / env)})
                    for env in ENVIRONMENTS}
            results = {env: run.result() for env, run in runs.items()}
        return {"results": results, "before": before, "after": held(PORT), "artifacts": artifacts}


# --- the inventories -----------------------------------------------------------------------------------


# The shoppulse_aws_* globals an AWS inventory sets; the others (endpoint, keys) exist for the emulator only.
AWS_SETTINGS = ("shoppulse_aws_region", "shoppulse_aws_config")


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_inventory_runs_aws_calls_here_and_the_schema_inside_the_vpc(inventories, env):
    inventory = inventories[env]
    assert hosts(inventory, "aws_control") == ["localhost"]
    assert inventory["_meta"]["hostvars"]["localhost"]["ansible_connection"] == "shoppulse.analytics.controller"
    runners = hosts(inventory, "schema_runner")
    assert len(runners) == 1 and runners[0] != "localhost", runners
    assert "ansible_host" in inventory["_meta"]["hostvars"][runners[0]]
    assert not hosts(inventory, "local_rds_standin")
    for host, hostvars in inventory["_meta"]["hostvars"].items():
        emulator = sorted(name for name in hostvars if name.startswith("shoppulse_aws_") and name not in AWS_SETTINGS)
        assert not emulator, f"{env}/{host}: {emulator} would bypass the AWS credential chain"
        assert hostvars["shoppulse_aws_config"] == {"retries": {"mode": "standard", "max_attempts": 10}}, host


def test_every_environment_has_names_of_its_own(inventories, settings):
    for env, hostvars in settings.items():
        assert hostvars["shoppulse_environment"] == env
        assert hostvars["shoppulse_name"].endswith(f"-{env}"), hostvars["shoppulse_name"]
    names = [inventories[env]["_meta"]["hostvars"]["localhost"]["shoppulse_name"] for env in ("local", *ENVIRONMENTS)]
    assert len(set(names)) == len(names), names


def test_only_prod_is_protected_and_zone_redundant(settings):
    assert {env: (s["rds_deletion_protection"], s["vpc_nat_gateway_per_az"]) for env, s in settings.items()} == {
        "dev": (False, False), "staging": (False, False), "prod": (True, True)}


def test_prod_runs_a_larger_non_burstable_class_and_dev_the_seeds(settings):
    assert settings["dev"]["rds_instance_class"] == SEED_CLASS
    assert not settings["prod"]["rds_instance_class"].startswith("db.t"), settings["prod"]["rds_instance_class"]


def test_each_environment_keeps_its_instance_name(settings):
    # The default (and local) instance has the seed's name, shoppulse-analytics; a named environment keeps its suffix,
    # so that nothing it deploys (instance, log groups, subnet, parameter and security groups) is renamed.
    assert {env: s.get("rds_instance_identifier") for env, s in settings.items()} == {
        env: f"{s['shoppulse_name']}-db" for env, s in settings.items()}


def test_seed_requirements_kept_where_no_environment_needs_otherwise(settings):
    assert not any(s["rds_multi_az"] for s in settings.values())  # the seed: Multi-AZ off
    assert all(s["rds_backup_retention_days"] == 0 for s in settings.values())  # the seed: backups disabled


@pytest.mark.parametrize("variable", LOG_RETENTION_VARS)
def test_log_retention_is_valid_and_grows_toward_prod(settings, variable):
    days = [settings[env][variable] for env in ENVIRONMENTS]
    assert set(days) <= LOG_RETENTIONS, days
    assert days == sorted(days) and days[0] < days[-1], days


def test_performance_insights_free_tier_outside_prod(settings):
    days = {env: s["rds_performance_insights_retention_days"] for env, s in settings.items()}
    assert days["dev"] == days["staging"] == 7, days
    assert days["prod"] == 731 or (days["prod"] % 31 == 0 and 31 <= days["prod"] <= 713), days


# --- the previews ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_validation_play_accepts_the_environment(previews, env):
    result = previews["results"][env]
    assert ok(result)["failed"] == 0 and VALIDATION_PLAY in result.stdout


def test_the_preview_plans_the_environment(previews, settings):
    result, wanted = previews["results"][PREVIEWED], settings[PREVIEWED]
    assert ok(result)["changed"] > 0  # what it would create
    plan = instance_plan(result)
    assert {key: plan[key] for key in ("instance_class", "deletion_protection", "multi_az", "backup_retention_period",
                                       "performance_insights_retention_period")} == {
        "instance_class": wanted["rds_instance_class"], "deletion_protection": wanted["rds_deletion_protection"],
        "multi_az": wanted["rds_multi_az"], "backup_retention_period": wanted["rds_backup_retention_days"],
        "performance_insights_retention_period": wanted["rds_performance_insights_retention_days"]}
    assert plan["subnet_group"] == f"{wanted['shoppulse_name']}-db-subnets"
    nat_gateways = [task for task in changed_tasks(result) if task.startswith(NAT_TASK)]
    assert wanted["vpc_nat_gateway_per_az"] and len(nat_gateways) == 2, nat_gateways


def test_the_preview_ends_the_schema_layer_before_reaching_the_runner(previews):
    result = previews["results"][PREVIEWED]
    assert "PLAY [Build the schema layer]" in result.stdout
    assert "TASK [shoppulse.analytics.schema" not in result.stdout
    assert "UNREACHABLE" not in result.stdout


def test_previews_change_nothing(previews):
    assert previews["after"] == previews["before"]
    assert not any(previews["artifacts"].iterdir()), "a preview wrote outputs.json"
