"""The action group ``shoppulse.analytics.aws`` (meta/runtime.yml) names every AWS module the collection's tasks run,
and only those: one ``module_defaults`` entry of it gives each its region, endpoint and credentials, and a module left
out would run without them (against AWS's own endpoint rather than the local emulator's)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

CHECKOUT = Path(__file__).resolve().parents[2]
OTHER_AWS_MODULE = re.compile(r"^(amazon|community)\.aws\.\w+$")


def group() -> list[str]:
    runtime = yaml.safe_load((CHECKOUT / "meta" / "runtime.yml").read_text(encoding="utf-8"))
    return runtime["action_groups"]["aws"]


def actions(node) -> set[str]:
    """The amazon.aws and community.aws modules a YAML document runs: the keys that name one, wherever a task is."""
    if isinstance(node, dict):
        found = {key for key in node if isinstance(key, str) and OTHER_AWS_MODULE.match(key)}
        return found.union(*(actions(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(actions(item) for item in node))
    return set()


def tracked_yaml() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "*.yml", "*.yaml"], cwd=CHECKOUT, capture_output=True, text=True,
                            check=True).stdout.split()
    return [CHECKOUT / name for name in listed]


def test_the_group_names_exactly_the_other_collections_modules_the_tasks_run():
    run = {}
    for path in tracked_yaml():
        for module in actions(list(yaml.safe_load_all(path.read_text(encoding="utf-8")))):
            run.setdefault(module, path.relative_to(CHECKOUT).as_posix())
    listed = {entry for entry in group() if isinstance(entry, str) and "." in entry}
    missing = {module: where for module, where in run.items() if module not in listed}
    assert missing == {}, "add these to meta/runtime.yml"
    assert listed - set(run) == set(), "no task runs these any more: take them out of meta/runtime.yml"
    assert len(run) > 20  # the walk finds the tasks (site.yml's layers run some thirty such modules)


def test_the_group_names_every_aws_module_of_the_collection():
    aws_modules = {path.stem for path in (CHECKOUT / "plugins" / "modules").glob("*.py")
                   if "AnsibleAWSModule" in path.read_text(encoding="utf-8")}
    assert aws_modules
    assert aws_modules - set(group()) == set()


def test_the_group_extends_no_other_group():
    """Extending amazon.aws.aws and community.aws.aws made every play that loads the group resolve some 700 actions."""
    assert all(isinstance(entry, str) for entry in group())
