"""docs/variables.md is generated from the roles, docs/globals.yml and the inventories, and kept current."""

import shutil

import pytest

from tools import variables_doc


def test_variables_md_is_current():
    text = variables_doc.DOC.read_text(encoding="utf-8")
    assert variables_doc.render() == text, "docs/variables.md is out of date: run `make variables-doc`"


def test_every_role_variable_and_environment_is_listed():
    text = variables_doc.render()
    for role in variables_doc.role_order():
        for name in variables_doc.load_yaml(role / "defaults" / "main.yml") or {}:
            assert f"| `{name}` |" in text, name
    assert "| variable | default | local | dev | staging | prod |" in text


@pytest.fixture(name="copy")
def fixture_copy(tmp_path, monkeypatch):
    """Point the generator at a copy of the roles and inventories, to break them."""
    for folder in ("roles", "inventories"):
        shutil.copytree(variables_doc.CHECKOUT / folder, tmp_path / folder)
    monkeypatch.setattr(variables_doc, "ROLES", tmp_path / "roles")
    monkeypatch.setattr(variables_doc, "INVENTORIES", tmp_path / "inventories")
    return tmp_path


def test_an_inventory_variable_nothing_declares_is_refused(copy):
    with (copy / "inventories" / "prod" / "group_vars" / "all.yml").open("a", encoding="utf-8") as stream:
        stream.write("rds_instance_clas: db.r6g.xlarge\n")
    with pytest.raises(variables_doc.VariablesDocError, match=r"^inventories/prod: rds_instance_clas is no role's variable"):
        variables_doc.render()


def test_a_default_without_an_argument_spec_is_refused(copy):
    with (copy / "roles" / "vpc" / "defaults" / "main.yml").open("a", encoding="utf-8") as stream:
        stream.write("# Undeclared.\nvpc_undeclared: 1\n")
    with pytest.raises(variables_doc.VariablesDocError, match="vpc_undeclared not declared in vpc/meta/argument_specs.yml"):
        variables_doc.render()
