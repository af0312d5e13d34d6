"""jinja_preload: once the controller has loaded the Jinja and connection plugins, ansible-core's loader resolves a
collection's filter or connection without importing anything or reading any documentation (what each forked worker
otherwise does for itself); a plugin file that fails to load is named and left to the workers. Each case runs in an
interpreter of its own, whose modules no other test has loaded."""

import configparser
import gc
import json
import subprocess
import sys
from pathlib import Path

import yaml

from ansible_collections.shoppulse.analytics.plugins.callback import jinja_preload

from tests.roles.conftest import CHECKOUT

# Resolves the plugin ``sys.argv[4]`` of the type ``sys.argv[3]`` as a worker does (a filter for its templating, a
# connection for its task), and says what that imported and how many plugin documentations it read.
RESOLVE = """
import json, sys
from ansible.plugins import loader
loader.init_plugin_loader(sys.argv[1].split(":"))
from ansible_collections.shoppulse.analytics.plugins.callback import jinja_preload
failed = jinja_preload.preload(json.loads(sys.argv[2])) if sys.argv[2] != "none" else None
documentations, load = [], loader.yaml.load
loader.yaml.load = lambda *args, **kwargs: documentations.append(1) or load(*args, **kwargs)
before = set(sys.modules)
if sys.argv[3] == "filter":
    plugin = loader.filter_loader.get(sys.argv[4])
else:
    plugin = loader.connection_loader.get(sys.argv[4], class_only=True)
print(json.dumps({"failed": failed, "found": plugin is not None, "documentations": len(documentations),
                  "imported": sorted(name for name in set(sys.modules) - before if name.startswith("ansible_collections."))}))
"""


def resolve(name: str, collections, *paths: Path, plugin_type: str = "filter") -> dict:
    search = ":".join(str(path) for path in (*paths, CHECKOUT / ".ansible" / "collections"))
    result = subprocess.run([sys.executable, "-c", RESOLVE, search, json.dumps(collections) if collections is not None else "none",
                             plugin_type, name], capture_output=True, text=True, check=True, timeout=120)
    return json.loads(result.stdout.splitlines()[-1])


def test_once_preloaded_a_collection_filter_resolves_without_importing_anything():
    cold = resolve("shoppulse.analytics.rds_settings_errors", None)
    assert cold["found"]
    # Without the preload, the loader imports every filter file of the collection, the one it needs or not.
    filters = {f"ansible_collections.shoppulse.analytics.plugins.filter.{path.stem}"
               for path in (CHECKOUT / "plugins" / "filter").glob("*.py")}
    assert filters <= set(cold["imported"])

    warm = resolve("shoppulse.analytics.rds_settings_errors", ["shoppulse.analytics"])
    assert warm == {"failed": [], "found": True, "documentations": 0, "imported": []}


def test_once_preloaded_the_collections_connection_is_neither_imported_nor_its_documentation_read_again():
    """The connection's options are declared in its documentation, which ansible-core's loader parses as it first
    loads the plugin: in each worker of a task that connects, unless the controller has."""
    cold = resolve("shoppulse.analytics.controller", None, plugin_type="connection")
    assert cold["found"] and cold["documentations"] >= 1  # its own, and the fragments it extends
    assert "ansible_collections.shoppulse.analytics.plugins.connection.controller" in cold["imported"]

    warm = resolve("shoppulse.analytics.controller", ["shoppulse.analytics"], plugin_type="connection")
    assert warm == {"failed": [], "found": True, "documentations": 0, "imported": []}


def test_a_plugin_file_that_fails_to_load_is_named_and_the_others_are_loaded(tmp_path):
    filters = tmp_path / "ansible_collections" / "acme" / "broken" / "plugins" / "filter"
    filters.mkdir(parents=True)
    (filters / "bad.py").write_text("import module_that_is_not_installed\n", encoding="utf-8")
    (filters / "good.py").write_text(
        "class FilterModule:\n    def filters(self):\n        return {'twice': lambda value: value * 2}\n", encoding="utf-8")

    warm = resolve("acme.broken.twice", ["acme.broken", "acme.missing"], tmp_path)
    assert warm["failed"] == ["ansible_collections.acme.broken.plugins.filter.bad"]
    assert warm["found"]
    assert "ansible_collections.acme.broken.plugins.filter.good" not in warm["imported"]


def test_each_play_task_and_handler_starts_with_the_controllers_objects_out_of_the_collectors_reach():
    callback = jinja_preload.CallbackModule()
    starts = {"play": lambda: callback.v2_playbook_on_play_start(None),
              "task": lambda: callback.v2_playbook_on_task_start(None, False),
              "handler": lambda: callback.v2_playbook_on_handler_task_start(None)}
    frozen = {}
    try:
        for kind, start in starts.items():
            gc.unfreeze()
            start()
            frozen[kind] = gc.get_freeze_count()
    finally:
        gc.unfreeze()
    assert all(frozen.values()), frozen


def test_molecule_enables_the_callbacks_ansible_cfg_enables():
    """Molecule writes an ansible.cfg of its own from its config_options: they name the same callbacks."""
    parser = configparser.ConfigParser()
    parser.read(CHECKOUT / "ansible.cfg", encoding="utf-8")
    molecule = yaml.safe_load((CHECKOUT / "molecule" / "default" / "molecule.yml").read_text(encoding="utf-8"))

    def names(value: str) -> list[str]:
        return [name.strip() for name in value.split(",")]

    assert "shoppulse.analytics.jinja_preload" in names(parser["defaults"]["callbacks_enabled"])
    assert names(molecule["provisioner"]["config_options"]["defaults"]["callbacks_enabled"]) == names(
        parser["defaults"]["callbacks_enabled"])
