"""Every filter the collection exports has its documentation file, and every role its README."""

import importlib
import pathlib

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
FILTER_FILES = sorted((ROOT / "plugins" / "filter").glob("*.py"))


def exported_filters():
    for path in FILTER_FILES:
        module = importlib.import_module(f"ansible_collections.shoppulse.analytics.plugins.filter.{path.stem}")
        yield from module.FilterModule().filters()


@pytest.mark.parametrize("name", sorted(exported_filters()))
def test_each_filter_has_its_documentation(name):
    path = ROOT / "plugins" / "filter" / f"{name}.yml"
    assert path.is_file(), f"{path.relative_to(ROOT)} is missing"
    documented = yaml.safe_load(path.read_text())
    assert documented["DOCUMENTATION"]["name"] == name
    assert documented["EXAMPLES"] and documented["RETURN"]["_value"]["description"]


@pytest.mark.parametrize("role", sorted(p.name for p in (ROOT / "roles").iterdir() if p.is_dir()))
def test_each_role_has_a_readme(role):
    assert (ROOT / "roles" / role / "README.md").is_file(), f"roles/{role}/README.md is missing"
