"""execution-environment.yml: `ansible-builder create` makes a build context with what an AWX job needs, pinned as the
checkout pins it, and the step that installs this collection in the image installs a collection Ansible can load."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.roles.conftest import CHECKOUT

BIN = Path(sys.executable).parent


def pins() -> dict[str, str]:
    """requirements.txt's pins, by lower-case package name."""
    lines = (CHECKOUT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    return {name.lower(): version for name, version in (line.split("==") for line in lines if "==" in line)}


@pytest.fixture(name="context", scope="module")
def fixture_context(tmp_path_factory):
    context = tmp_path_factory.mktemp("ee") / "context"
    created = subprocess.run([str(BIN / "ansible-builder"), "create", "--file", str(CHECKOUT / "execution-environment.yml"),
                              "--context", str(context), "--output-filename", "Containerfile"],
                             cwd=CHECKOUT, capture_output=True, text=True, timeout=120, check=False)
    assert created.returncode == 0, created.stdout + created.stderr
    return context


def test_the_image_runs_the_pinned_ansible_on_python_3_11(context):
    containerfile = (context / "Containerfile").read_text(encoding="utf-8")
    assert 'ARG EE_BASE_IMAGE="quay.io/centos/centos:stream9"' in containerfile
    assert 'ARG PYCMD="/usr/bin/python3.11"' in containerfile
    assert f'ARG ANSIBLE_INSTALL_REFS="ansible-core=={pins()["ansible-core"]} ansible-runner==' in containerfile
    # What AWX looks for in an execution environment: the label, runner's entrypoint, a non-root user.
    assert "LABEL ansible-execution-environment=true" in containerfile
    assert 'ENTRYPOINT ["/opt/builder/bin/entrypoint", "dumb-init"]' in containerfile
    assert re.search(r"^USER 1000$", containerfile, re.MULTILINE)


def test_python_and_system_dependencies_are_the_checkouts(context):
    wanted = (context / "_build" / "requirements.txt").read_text(encoding="utf-8").split()
    assert wanted == [f"{name}=={pins()[name]}" for name in ("boto3", "botocore", "psycopg2-binary")]
    assert "openssh-clients [platform:rpm]" in (context / "_build" / "bindep.txt").read_text(encoding="utf-8")


def test_collections_are_requirements_yml_and_cover_galaxy_yml(context):
    installed = yaml.safe_load((context / "_build" / "requirements.yml").read_text(encoding="utf-8"))["collections"]
    assert installed == yaml.safe_load((CHECKOUT / "requirements.yml").read_text(encoding="utf-8"))["collections"]
    dependencies = yaml.safe_load((CHECKOUT / "galaxy.yml").read_text(encoding="utf-8"))["dependencies"]
    assert set(dependencies) <= {c["name"] for c in installed}


def test_the_collection_step_installs_this_collection(context, tmp_path):
    """Run the Containerfile's own install step against the context, as the galaxy stage runs it under /build."""
    containerfile = (context / "Containerfile").read_text(encoding="utf-8")
    step = next(line for line in containerfile.splitlines() if line.startswith("RUN ansible-galaxy collection build /build/collection"))
    collections = tmp_path / "collections"
    command = (step.removeprefix("RUN ").replace("/build/", f"{context}/_build/")
               .replace("/usr/share/ansible/collections", str(collections)).replace("/tmp/shoppulse-collection", str(tmp_path / "built")))
    # Only the collections of the image: neither the checkout's ansible.cfg nor its link to itself.
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
           "ANSIBLE_COLLECTIONS_PATH": str(collections)}
    installed = subprocess.run(command, shell=True, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    root = collections / "ansible_collections" / "shoppulse" / "analytics"
    version = yaml.safe_load((CHECKOUT / "galaxy.yml").read_text(encoding="utf-8"))["version"]
    assert f'"version": "{version}"' in (root / "MANIFEST.json").read_text(encoding="utf-8")
    # The schema role reads the migrations beside the roles (role_path/../../sql); unlock.yml's role is there.
    assert sorted(p.name for p in (root / "sql" / "migrations").iterdir()) == sorted(p.name for p in (CHECKOUT / "sql" / "migrations").iterdir())
    assert (root / "roles" / "rollout_lock" / "meta" / "argument_specs.yml").is_file()

    site_packages = next(Path(p) for p in sys.path if p.endswith("site-packages") and (Path(p) / "ansible_collections").is_dir())
    doc = subprocess.run([str(BIN / "ansible-doc"), "--json", "shoppulse.analytics.rollout_lock"], cwd=tmp_path, capture_output=True, text=True,
                         env={**env, "ANSIBLE_COLLECTIONS_PATH": f"{collections}{os.pathsep}{site_packages}"}, timeout=120, check=False)
    assert doc.returncode == 0, doc.stderr
    assert str(root) in doc.stdout
