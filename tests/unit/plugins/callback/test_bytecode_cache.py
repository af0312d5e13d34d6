"""bytecode_cache: a collection's Python file is compiled once and its code loaded by every later process, with the same
result and its own file name in a traceback; an edited file is compiled anew, an unreadable kept file is compiled again,
and a file that fails to compile is never kept. Each import is an interpreter of its own, as each task's worker is."""

import json
import subprocess
import sys

from ansible_collections.shoppulse.analytics.plugins.callback import bytecode_cache

from tests.roles.conftest import CHECKOUT

# Imports each module of the collection ``acme.tools`` with the store in place, and says what was compiled from source.
IMPORT = r"""
import builtins, importlib, json, sys, traceback
from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder
_AnsibleCollectionFinder(paths=sys.argv[2].split(":"))._install()
from ansible_collections.shoppulse.analytics.plugins.callback import bytecode_cache
from ansible_collections.shoppulse.analytics.plugins.callback.template_cache import CodeStore

compiled = []
python_compile = builtins.compile
def counting(source, filename, *args, **kwargs):
    compiled.append(filename)
    return python_compile(source, filename, *args, **kwargs)
builtins.compile = counting
installed = bytecode_cache.install(CodeStore(sys.argv[1]))

results = []
for name in json.loads(sys.argv[3]):
    try:
        results.append(importlib.import_module(f"ansible_collections.acme.tools.plugins.module_utils.{name}").answer())
    except Exception as e:
        where = getattr(e, "filename", None) or traceback.extract_tb(e.__traceback__)[-1].filename
        results.append(f"{type(e).__name__}: {where.rsplit('/', 1)[-1]}")
print(json.dumps({"installed": installed, "results": results,
                  "compiled": [name.rsplit("/", 1)[-1] for name in compiled if "acme" in name]}))
"""

SOURCES = {"forty_two.py": "def answer():\n    return 42\n",
           "raises.py": "def answer():\n    raise ValueError('from the kept code')\n"}


def collection(tmp_path, sources=None):
    utils = tmp_path / "collections" / "ansible_collections" / "acme" / "tools" / "plugins" / "module_utils"
    utils.mkdir(parents=True, exist_ok=True)
    for name, text in (sources or SOURCES).items():
        (utils / name).write_text(text, encoding="utf-8")
    return tmp_path / "collections"


def run(tmp_path, names=("forty_two", "raises")) -> dict:
    store = tmp_path / "store"
    store.mkdir(exist_ok=True)
    paths = f"{tmp_path / 'collections'}:{CHECKOUT / '.ansible' / 'collections'}"
    result = subprocess.run([sys.executable, "-c", IMPORT, str(store), paths, json.dumps(names)],
                            capture_output=True, text=True, check=True, timeout=120)
    return json.loads(result.stdout.splitlines()[-1])


EXPECTED = [42, "ValueError: raises.py"]


def test_a_file_is_compiled_once_and_every_later_process_loads_its_code(tmp_path):
    collection(tmp_path)
    first = run(tmp_path)
    assert first["installed"] and first["results"] == EXPECTED
    assert sorted(first["compiled"]) == ["forty_two.py", "raises.py"]

    again = run(tmp_path)
    assert again == {"installed": True, "results": EXPECTED, "compiled": []}


def test_an_edited_file_is_compiled_anew_and_an_unreadable_kept_file_again(tmp_path):
    collection(tmp_path)
    run(tmp_path)
    collection(tmp_path, {"forty_two.py": "def answer():\n    return 43\n"})
    edited = run(tmp_path)
    assert edited["results"] == [43, EXPECTED[1]] and edited["compiled"] == ["forty_two.py"]

    for kept in (tmp_path / "store").iterdir():
        kept.write_bytes(b"\x00not code")
    assert run(tmp_path)["results"] == [43, EXPECTED[1]]
    assert run(tmp_path)["compiled"] == []


def test_a_file_that_does_not_compile_is_never_kept_and_fails_each_time(tmp_path):
    collection(tmp_path, {"broken.py": "def answer(:\n"})
    assert [run(tmp_path, ["broken"])["results"] for attempt in (1, 2)] == [["SyntaxError: broken.py"]] * 2
    assert not list((tmp_path / "store").iterdir())


def test_an_edit_under_a_source_collections_plugins_is_a_new_store(tmp_path):
    paths = [str(collection(tmp_path))]
    first = bytecode_cache.fingerprint(paths, bytecode_cache.STORE_FORMAT, bytecode_cache.SOURCE_FOLDERS)
    collection(tmp_path, {"forty_two.py": "def answer():\n    return 4200\n"})
    assert bytecode_cache.fingerprint(paths, bytecode_cache.STORE_FORMAT, bytecode_cache.SOURCE_FOLDERS) != first
