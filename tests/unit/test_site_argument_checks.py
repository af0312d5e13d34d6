"""site.yml checks each role's arguments once: an entry point with ``rolespec_validate: false`` takes only what an
earlier checked entry point of its role took (the same spec), what its task sets, or what the role's defaults take
from the layers' own outputs."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

CHECKOUT = Path(__file__).resolve().parents[2]
ROLE_TASKS = ("ansible.builtin.import_role", "ansible.builtin.include_role")
PREFIX = "shoppulse.analytics."


def argument_spec(role: str, entry_point: str) -> dict[str, dict]:
    """The options of ``role``'s ``entry_point``, each without its description ({} where it has no spec)."""
    specs = yaml.safe_load((CHECKOUT / "roles" / role / "meta" / "argument_specs.yml").read_text())["argument_specs"]
    options = specs.get(entry_point, {}).get("options", {})
    return {name: {key: value for key, value in option.items() if key != "description"} for name, option in options.items()}


def from_outputs(role: str) -> set[str]:
    """The role's variables whose defaults come from what a layer published (``<layer>_outputs``)."""
    defaults = yaml.safe_load((CHECKOUT / "roles" / role / "defaults" / "main.yml").read_text()) or {}
    return {name for name, value in defaults.items() if isinstance(value, str) and "_outputs" in value}


def role_tasks(plays: list[dict], base: Path):
    """(role, entry point, whether ansible checks its arguments, the variables set around it) for every role a play's
    tasks import or include, in the order they run; imported playbooks followed."""
    for play in plays:
        if "ansible.builtin.import_playbook" in play:
            imported = base / play["ansible.builtin.import_playbook"]
            yield from role_tasks(yaml.safe_load(imported.read_text()), base)
            continue
        yield from in_tasks(play.get("tasks", []), set(play.get("vars", {})))


def in_tasks(tasks: list[dict], around: set[str]):
    for task in tasks:
        given = around | set(task.get("vars", {}))
        for section in ("block", "rescue", "always"):
            yield from in_tasks(task.get(section, []), given)
        for action in ROLE_TASKS:
            if action in task:
                args = task[action]
                yield (args["name"].removeprefix(PREFIX), args.get("tasks_from", "main"),
                       args.get("rolespec_validate", True), given)


def unchecked_arguments(plays: list[dict], base: Path) -> list[str]:
    """Every option an entry point skips the check of that no earlier check covers, as ``role entry point: option``."""
    checked: dict[str, dict[str, dict]] = {}
    problems = []
    for role, entry_point, validated, given in role_tasks(plays, base):
        spec = argument_spec(role, entry_point)
        if validated:
            checked.setdefault(role, {}).update(spec)
            continue
        covered = checked.get(role, {})
        problems += [f"{role} {entry_point}: {name}" for name, option in spec.items()
                     if covered.get(name) != option and name not in given and name not in from_outputs(role)]
    return problems


def site() -> list[dict]:
    return yaml.safe_load((CHECKOUT / "site.yml").read_text())


def test_every_entry_point_that_skips_its_check_takes_only_checked_arguments():
    plays = site()
    skipped = [task for task in role_tasks(plays, CHECKOUT) if not task[2]]
    assert len(skipped) >= 10, skipped
    assert not unchecked_arguments(plays, CHECKOUT)


def test_an_entry_point_whose_arguments_no_earlier_check_covered_is_named():
    plays = copy.deepcopy(site())
    main = next(play for play in plays if play.get("name", "").startswith("Build the network"))
    start = next(task for task in main["tasks"][-1]["block"]
                 if task.get("ansible.builtin.include_role", {}).get("tasks_from") == "start"
                 and task["ansible.builtin.include_role"]["name"] == PREFIX + "rds")
    start["ansible.builtin.include_role"]["rolespec_validate"] = False
    problems = unchecked_arguments(plays, CHECKOUT)
    assert "rds start: rds_allocated_storage" in problems
    assert "rds settle: rds_allocated_storage" in problems
