"""module_cache: the module payloads kept between runs, in a folder named by what could feed them - a payload never
outlives a change to its sources, a short-named (ansible.legacy) module is never kept - and a real run's payloads
found again by the next run."""

import base64
import io
import marshal
import os
import pickle
import subprocess
import sys
import time
import zipfile
import zipimport
from pathlib import Path

from ansible_collections.shoppulse.analytics.plugins.callback import module_cache

from tests.roles.conftest import CHECKOUT

PING = "- hosts: localhost\n  gather_facts: false\n  tasks:\n    - ansible.builtin.ping:\n"


def collection(root: Path, name: str, manifest: bool) -> Path:
    """A collection under ``root/ansible_collections``: installed (a MANIFEST.json) or a source checkout."""
    folder = root / "ansible_collections" / "acme" / name
    (folder / "plugins" / "module_utils").mkdir(parents=True)
    (folder / "plugins" / "module_utils" / "common.py").write_text("VALUE = 1\n", encoding="utf-8")
    if manifest:
        (folder / "MANIFEST.json").write_text('{"collection_info": {"version": "1.0.0"}}', encoding="utf-8")
    return folder


def touch_later(path: Path, text: str) -> None:
    """Rewrite ``path`` with a modification time certainly after the one it had."""
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 10**9, before + 10**9))


def test_a_source_change_is_a_new_fingerprint_an_installed_collection_changes_with_its_manifest(tmp_path):
    source, installed = collection(tmp_path, "source", manifest=False), collection(tmp_path, "installed", manifest=True)
    first = module_cache.fingerprint([str(tmp_path)])
    assert module_cache.fingerprint([str(tmp_path)]) == first

    touch_later(source / "plugins" / "module_utils" / "common.py", "VALUE = 2\n")
    second = module_cache.fingerprint([str(tmp_path)])
    assert second != first

    # An installed collection's files change with its manifest, which every install rewrites.
    touch_later(installed / "plugins" / "module_utils" / "common.py", "VALUE = 2\n")
    assert module_cache.fingerprint([str(tmp_path)]) == second
    touch_later(installed / "MANIFEST.json", '{"collection_info": {"version": "1.0.1"}}')
    assert module_cache.fingerprint([str(tmp_path)]) not in (first, second)


def test_only_payloads_named_by_full_name_are_kept_and_linked_into_the_next_run(tmp_path):
    run_cache, store, next_run = tmp_path / "run", tmp_path / "store", tmp_path / "next"
    run_cache.mkdir()
    store.mkdir()
    names = {"kept": ["ansible_collections.acme.source.plugins.modules.thing-ZIP_DEFLATED-none", "ansible.modules.ping-ZIP_DEFLATED-none"],
             "not kept": ["ansible.legacy.ping-ZIP_DEFLATED-none", "ansible.modules.ping-ZIP_DEFLATED-none.lock",
                          "ansible.modules.stat-ZIP_DEFLATED-none-part"]}
    for name in names["kept"] + names["not kept"]:
        (run_cache / name).write_bytes(b"payload " + name.encode())

    module_cache.keep_new(str(run_cache), str(store))
    module_cache.link_into(str(store), str(next_run))

    assert sorted(os.listdir(store)) == sorted(names["kept"])
    assert sorted(os.listdir(next_run)) == sorted(names["kept"])
    assert all((next_run / name).is_symlink() and (next_run / name).read_bytes() == b"payload " + name.encode()
               for name in names["kept"])
    # A payload kept already is not written again; one the run found linked is not copied onto itself.
    (run_cache / names["kept"][0]).write_bytes(b"built again")
    module_cache.keep_new(str(run_cache), str(store))
    module_cache.keep_new(str(next_run), str(store))
    assert (store / names["kept"][0]).read_bytes() == b"payload " + names["kept"][0].encode()


def test_folders_unused_for_keep_days_are_removed_the_current_one_never(tmp_path):
    for name in ("current", "recent", "old"):
        (tmp_path / name).mkdir()
    old = time.time() - 8 * 86400
    os.utime(tmp_path / "old", (old, old))
    os.utime(tmp_path / "current", (old, old))

    module_cache.prune(str(tmp_path), "current", keep_days=7)

    assert sorted(os.listdir(tmp_path)) == ["current", "recent"]


def test_a_kept_payload_carries_bytecode_beside_each_source_and_anything_else_is_kept_as_built():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as payload:
        payload.writestr("ansible/__init__.py", "")
        payload.writestr("ansible/module_utils/thing.py", "VALUE = 6 * 7\n")
        payload.writestr("ansible/module_utils/data.json", "{}")
    compiled = zipfile.ZipFile(io.BytesIO(module_cache.with_bytecode(archive.getvalue())))
    assert sorted(compiled.namelist()) == ["ansible/__init__.py", "ansible/__init__.pyc", "ansible/module_utils/data.json",
                                           "ansible/module_utils/thing.py", "ansible/module_utils/thing.pyc"]
    pyc = compiled.read("ansible/module_utils/thing.pyc")
    namespace = {}
    exec(marshal.loads(pyc[16:]), namespace)  # pylint: disable=exec-used  # the header is 16 bytes; the code is the source's
    assert namespace["VALUE"] == 42

    assert module_cache.compiled_payload(b"not a payload") == b"not a payload"


def test_zipimport_takes_the_bytecode_without_reading_the_source_again(tmp_path):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as payload:
        payload.writestr("thing.py", "VALUE = 42\n")
    compiled = zipfile.ZipFile(io.BytesIO(module_cache.with_bytecode(archive.getvalue())))
    # The same bytecode beside a source that now says otherwise: the value shows which of the two was imported.
    edited = tmp_path / "edited.zip"
    with zipfile.ZipFile(edited, "w") as payload:
        payload.writestr("thing.py", "VALUE = 0\n")
        payload.writestr("thing.pyc", compiled.read("thing.pyc"))
    namespace = {}
    exec(zipimport.zipimporter(str(edited)).get_code("thing"), namespace)  # pylint: disable=exec-used
    assert namespace["VALUE"] == 42


def test_a_run_keeps_its_payloads_and_the_next_run_uses_them(tmp_path):
    playbook = tmp_path / "ping.yml"
    playbook.write_text(PING, encoding="utf-8")
    env = {**os.environ, "ANSIBLE_CONFIG": str(CHECKOUT / "ansible.cfg"), "SHOPPULSE_MODULE_CACHE_DIR": str(tmp_path / "cache"),
           "ANSIBLE_NOCOLOR": "1"}
    argv = [str(Path(sys.executable).parent / "ansible-playbook"), "-e", f"ansible_python_interpreter={sys.executable}", str(playbook)]

    first = subprocess.run(argv, cwd=CHECKOUT, env=env, capture_output=True, text=True, timeout=120, check=False)
    [store] = (tmp_path / "cache").iterdir()
    second = subprocess.run(argv, cwd=CHECKOUT, env={**env, "ANSIBLE_DEBUG": "1"}, capture_output=True, text=True, timeout=120,
                            check=False)

    assert first.returncode == second.returncode == 0, first.stdout[-2000:] + second.stdout[-2000:]
    assert [path.name for path in store.iterdir()] == ["ansible.modules.ping-ZIP_DEFLATED-none"]
    assert "ANSIBALLZ: using cached module" in second.stdout + second.stderr
    assert "ANSIBALLZ: Creating module" not in second.stdout + second.stderr
    # The payload the second run used carries basic.py's bytecode beside it.
    kept = pickle.loads((store / "ansible.modules.ping-ZIP_DEFLATED-none").read_bytes())
    assert "ansible/module_utils/basic.pyc" in zipfile.ZipFile(io.BytesIO(base64.b64decode(kept.zip_data))).namelist()
