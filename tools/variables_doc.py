"""Generate docs/variables.md: every variable an inventory can set, its default, and each environment's value.

Sources: roles/*/meta/argument_specs.yml (every entry point: type, choices, which entry points take it),
roles/*/defaults/main.yml (the default and its one-line comment), docs/globals.yml (the shoppulse_* settings)
and inventories/*/ (the values each environment sets).

    python -m tools.variables_doc           # print the document
    python -m tools.variables_doc --write   # rewrite docs/variables.md (make variables-doc)

A defaults/main.yml variable without an argument spec, or an inventory variable that nothing declares (a typo
Ansible would silently ignore), is an error.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

CHECKOUT = Path(__file__).resolve().parent.parent
DOC = CHECKOUT / "docs" / "variables.md"
GLOBALS = CHECKOUT / "docs" / "globals.yml"
ROLES = CHECKOUT / "roles"
INVENTORIES = CHECKOUT / "inventories"
SITE = CHECKOUT / "site.yml"
# Column order of the per-environment tables; other inventories follow in name order.
ENVIRONMENTS = ("local", "dev", "staging", "prod")
# Lists of choices longer than this are left to the description (CloudWatch's 22 retention values).
MAX_CHOICES = 8
MARKUP = re.compile(r"\b([BCIOV])\(([^()]*)\)")


class VariablesDocError(RuntimeError):
    """The sources disagree: a variable is set or defaulted that nothing documents."""


@dataclass
class Variable:
    """One variable: its spec, rendered default, defaults/main.yml comment and the entry points that take it."""

    name: str
    spec: dict
    default_text: str
    comment: str = ""
    entry_points: list[str] = field(default_factory=list)

    @property
    def description(self) -> str:
        text = self.comment or self.spec.get("description", "")
        return " ".join(text) if isinstance(text, list) else text


@dataclass
class Section:
    """One heading of the document: the globals, or a role."""

    title: str
    intro: str
    variables: dict[str, Variable]
    show_entry_points: bool = False


def literal(value) -> str:
    """A value as YAML shows it; a string is quoted only where YAML would read a number, boolean or null."""
    if isinstance(value, str):
        try:
            read = yaml.safe_load(value)
        except yaml.YAMLError:
            read = value
        return json.dumps(value) if read is None or isinstance(read, (bool, int, float)) else value
    if value is None or isinstance(value, (bool, int, float)):
        return json.dumps(value)
    return yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=10**6).strip()


def code(text: str) -> str:
    return "`" + text.replace("|", "\\|") + "`"


def cell(text: str) -> str:
    """Ansible doc markup to Markdown, kept on one table line."""
    text = MARKUP.sub(lambda m: {"B": f"**{m[2]}**", "I": f"*{m[2]}*"}.get(m[1], f"`{m[2]}`"), text)
    return " ".join(text.split()).replace("|", "\\|")


def type_text(spec: dict) -> str:
    text = spec.get("type", "str")
    if "elements" in spec:
        text += f" of {spec['elements']}"
    choices = spec.get("choices")
    if choices and len(choices) <= MAX_CHOICES:
        text += ": " + ", ".join(code(literal(choice)) for choice in choices)
    return text


def default_cell(spec: dict, defaults: dict, name: str) -> str:
    if name in defaults:
        return code(literal(defaults[name]))
    if "default" in spec:
        return code(literal(spec["default"]))
    return "required" if spec.get("required") else "unset"


def defaults_comments(path: Path) -> dict[str, str]:
    """The comment lines right above each top-level variable of a defaults file, joined."""
    comments, pending = {}, []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            pending.append(line.lstrip("#").strip())
            continue
        match = re.match(r"^([A-Za-z_]\w*):", line)
        if match:
            comments[match[1]] = " ".join(pending)
        if not line.startswith(" "):
            pending = []
    return comments


def load_yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None


def role_section(role: Path) -> Section:
    specs = load_yaml(role / "meta" / "argument_specs.yml")["argument_specs"]
    defaults_path = role / "defaults" / "main.yml"
    defaults = load_yaml(defaults_path) or {}
    comments = defaults_comments(defaults_path) if defaults_path.is_file() else {}
    variables: dict[str, Variable] = {}
    entry_points = sorted(specs, key=lambda name: (name != "main", name))
    for entry_point in entry_points:
        for name, spec in (specs[entry_point].get("options") or {}).items():
            variable = variables.setdefault(name, Variable(name, spec, default_cell(spec, defaults, name), comments.get(name, "")))
            variable.entry_points.append(entry_point)
    undeclared = sorted(set(defaults) - set(variables))
    if undeclared:
        raise VariablesDocError(f"roles/{role.name}/defaults/main.yml: {', '.join(undeclared)} "
                                f"not declared in {role.name}/meta/argument_specs.yml")
    intro = "\n".join(f"- {code(name if name == 'main' else 'tasks_from: ' + name)}: "
                      f"{cell(specs[name].get('short_description', ''))}" for name in entry_points)
    return Section(f"`{role.name}`", intro, variables, len(entry_points) > 1)


def globals_section() -> Section:
    options = load_yaml(GLOBALS)["options"]
    variables = {name: Variable(name, spec, default_cell(spec, {}, name)) for name, spec in options.items()}
    return Section("Global settings", f"Shared by every layer; declared in {code('docs/globals.yml')}.", variables)


def role_order() -> list[Path]:
    """The roles in the order site.yml applies them, then any other role by name."""
    roles = {path.parent.parent.name: path.parent.parent for path in ROLES.glob("*/meta/argument_specs.yml")}
    named = re.findall(r"shoppulse\.analytics\.(\w+)", SITE.read_text(encoding="utf-8"))
    applied = [name for name in dict.fromkeys(named) if name in roles]
    return [roles[name] for name in applied + sorted(set(roles) - set(applied))]


def environments() -> list[str]:
    found = sorted(path.name for path in INVENTORIES.iterdir() if (path / "hosts.yml").is_file())
    return [env for env in ENVIRONMENTS if env in found] + [env for env in found if env not in ENVIRONMENTS]


def _inventory_vars(node, values: dict) -> None:
    """Collect the vars of a hosts.yml group tree: the group's, its hosts', its children's."""
    if not isinstance(node, dict):
        return
    values.update(node.get("vars") or {})
    for host_vars in (node.get("hosts") or {}).values():
        values.update(host_vars or {})
    for child in (node.get("children") or {}).values():
        _inventory_vars(child, values)


def inventory_values(env: str) -> dict:
    """Every variable an inventory sets (host, group and group_vars), connection settings (ansible_*) left out."""
    folder = INVENTORIES / env
    values: dict = {}
    for group in (load_yaml(folder / "hosts.yml") or {}).values():
        _inventory_vars(group, values)
    for path in sorted((folder / "group_vars").rglob("*.yml")):
        values.update(load_yaml(path) or {})
    return {name: value for name, value in values.items() if not name.startswith("ansible_")}


def variable_table(section: Section) -> list[str]:
    columns = ["variable", "type", "default"] + (["entry points"] if section.show_entry_points else []) + ["description"]
    rows = ["| " + " | ".join(columns) + " |", "|" + " --- |" * len(columns)]
    for variable in section.variables.values():
        cells = [code(variable.name), type_text(variable.spec), variable.default_text]
        if section.show_entry_points:
            cells.append(", ".join(variable.entry_points))
        rows.append("| " + " | ".join([*cells, cell(variable.description)]) + " |")
    return rows


def environment_table(section: Section, values: dict[str, dict]) -> list[str]:
    names = [name for name in section.variables if any(name in env_values for env_values in values.values())]
    if not names:
        return []
    rows = ["", "Set per environment (blank: the default):", "",
            "| variable | default | " + " | ".join(values) + " |", "|" + " --- |" * (len(values) + 2)]
    for name in names:
        cells = [code(literal(env_values[name])) if name in env_values else "" for env_values in values.values()]
        rows.append(f"| {code(name)} | {section.variables[name].default_text} | " + " | ".join(cells) + " |")
    return rows


def render() -> str:
    sections = [globals_section(), *(role_section(role) for role in role_order())]
    values = {env: inventory_values(env) for env in environments()}
    declared = {name for section in sections for name in section.variables}
    for env, env_values in values.items():
        unknown = sorted(set(env_values) - declared)
        if unknown:
            raise VariablesDocError(f"inventories/{env}: {', '.join(unknown)} is no role's variable nor in docs/globals.yml")
    lines = [
        "# Variables",
        "",
        "<!-- Generated by `make variables-doc` from roles/*/meta/argument_specs.yml, roles/*/defaults/main.yml,",
        "     docs/globals.yml and inventories/*/: edit those, not this file. A unit test fails when it is out of date. -->",
        "",
        "Every variable an inventory can set, with its default, and the value each environment sets in",
        "`inventories/<env>/` (`group_vars/all.yml`). `ansible-doc -t role shoppulse.analytics.<role>` renders a role's",
        "argument spec; `site.yml` passes the wiring between layers (subnet ids, secret ARN, endpoints) itself.",
    ]
    for section in sections:
        lines += ["", f"## {section.title}", "", section.intro, "", *variable_table(section), *environment_table(section, values)]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        text = render()
    except VariablesDocError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if "--write" in args:
        DOC.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
