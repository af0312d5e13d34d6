"""shoppulse.analytics.controller: one playbook of a probe module, run over ansible.builtin.local and over the controller
connection. Every result is the same both ways - a change, check mode, a masked no_log value, a warning, a failure, an
exception, an exit with a message - but where the module ran: a new process under ansible.builtin.local, the task's
worker (a child of ansible-playbook itself) under the controller connection, but for a task with an ``environment``,
which runs as a process there too. The module's changes to the process (environment, folder, umask) are gone for the
next loop item, which runs in the same worker."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from tests.roles.conftest import CHECKOUT

PROBE = textwrap.dedent('''\
    #!/usr/bin/python
    from __future__ import annotations

    import os
    import signal
    import sys

    from ansible.module_utils.basic import AnsibleModule


    def main():
        module = AnsibleModule(argument_spec=dict(
            disturb=dict(type="bool", default=False), secret=dict(type="str", no_log=True),
            end=dict(type="str", default="exit", choices=["exit", "fail", "raise", "sys_exit", "wait"]),
            marks=dict(type="path")), supports_check_mode=True)
        if module.params["end"] == "wait":  # until interrupted, then its own cleanup, as a process's on Ctrl-C
            open(os.path.join(module.params["marks"], "started"), "w").close()
            try:
                signal.pause()
            finally:
                open(os.path.join(module.params["marks"], "cleaned up"), "w").close()
        umask = os.umask(0)
        os.umask(umask)
        seen = dict(ppid=os.getppid(), cwd=os.getcwd(), umask=umask, marker=os.environ.get("PROBE_MARKER"),
                    term=str(signal.getsignal(signal.SIGTERM)), secret_length=len(module.params["secret"] or ""))
        if module.params["disturb"]:
            os.environ["PROBE_MARKER"] = "left by the module"
            os.chdir("/")
            os.umask(0o077)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
        module.warn("a warning of the probe")
        end = module.params["end"]
        if end == "fail":
            module.fail_json(msg="the probe failed", **seen)
        if end == "raise":
            raise RuntimeError("the probe raised")
        if end == "sys_exit":
            sys.exit("the probe exited")
        module.exit_json(changed=not module.check_mode, **seen)


    if __name__ == "__main__":
        main()
    ''')

PLAYBOOK = textwrap.dedent('''\
    - hosts: localhost
      gather_facts: false
      vars:
        ansible_python_interpreter: "{{ ansible_playbook_python }}"
        ansible_controller_in_worker_collections: [probe.probe]
      tasks:
        - {probe.probe.probe: {secret: s3cr3t}, register: plain}
        - {probe.probe.probe: {}, check_mode: true, register: checked}
        - {probe.probe.probe: {disturb: "{{ item }}"}, loop: [true, false], register: looped}
        - {probe.probe.probe: {}, environment: {PROBE_MARKER: from the task}, register: with_environment}
        - {probe.probe.probe: {end: fail}, ignore_errors: true, register: failed}
        - {probe.probe.probe: {end: raise}, ignore_errors: true, register: raised}
        - {probe.probe.probe: {end: sys_exit}, ignore_errors: true, register: exited}
        - ansible.builtin.copy:
            dest: "{{ playbook_dir }}/results-{{ ansible_connection }}.json"
            content: "{{ dict(plain=plain, checked=checked, looped=looped.results, with_environment=with_environment,
                              failed=failed, raised=raised, exited=exited) | to_json }}"
    ''')
RUNS = ("ansible.builtin.local", "shoppulse.analytics.controller")
PIPELINED = "shoppulse.analytics.controller pipelined"  # the module on the interpreter's standard input, not a file


@pytest.fixture(name="runs", scope="module")
def fixture_runs(tmp_path_factory):
    """Each connection's run: the pid of its ansible-playbook, its results, its output, its folder and environment."""
    root = tmp_path_factory.mktemp("controller-connection")
    module = root / "collections" / "ansible_collections" / "probe" / "probe" / "plugins" / "modules" / "probe.py"
    module.parent.mkdir(parents=True)
    module.write_text(PROBE, encoding="utf-8")
    (root / "site.yml").write_text(PLAYBOOK, encoding="utf-8")
    env = {**os.environ, "ANSIBLE_CONFIG": str(CHECKOUT / "ansible.cfg"), "ANSIBLE_NOCOLOR": "1",
           "ANSIBLE_COLLECTIONS_PATH": f"{root / 'collections'}{os.pathsep}{CHECKOUT / '.ansible' / 'collections'}",
           "ANSIBLE_LOCAL_TEMP": str(root / "local_tmp"),
           # The probe collection is a new one in each run: its stores stay in the test's folder.
           **{f"SHOPPULSE_{cache.upper()}_DIR": str(root / cache) for cache in ("module_cache", "template_cache", "bytecode_cache")}}
    env.pop("PROBE_MARKER", None)
    runs = {}
    for connection in (*RUNS, PIPELINED):
        argv = [str(os.path.join(os.path.dirname(sys.executable), "ansible-playbook")), "-i", "localhost,", "site.yml", "-vvv",
                "-e", f"ansible_connection={connection.split()[0]}"]
        with subprocess.Popen(argv, cwd=root, env={**env, "ANSIBLE_PIPELINING": str(connection == PIPELINED)},
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as run:
            output = run.communicate(timeout=300)[0]
        assert run.returncode == 0, output[-3000:]
        runs[connection] = (run.pid, json.loads((root / f"results-{connection.split()[0]}.json").read_text(encoding="utf-8")), output,
                            root, env)
    return runs


def where(result: dict, controller: int) -> str:
    return "worker" if result["ppid"] == controller else "process"


def test_a_listed_collections_module_runs_in_the_worker_unless_the_task_has_an_environment(runs):
    for connection, expected in (("ansible.builtin.local", "process"), ("shoppulse.analytics.controller", "worker"),
                                 (PIPELINED, "worker")):
        controller, results = runs[connection][:2]
        ran = [results[name] for name in ("plain", "checked")] + results["looped"] + [results["failed"]]
        assert {where(result, controller) for result in ran} == {expected}, connection
        assert where(results["with_environment"], controller) == "process", connection
        assert results["with_environment"]["marker"] == "from the task"


def test_every_result_is_the_same_as_the_process_gives(runs):
    def comparable(value):
        if isinstance(value, dict):
            # Where it ran: its parent process, and the SIGTERM handler it finds (the worker's own, which ends the
            # worker and what runs in it).
            return {key: comparable(item) for key, item in value.items() if key not in ("ppid", "term")}
        if isinstance(value, list):
            return [comparable(item) for item in value]
        return value

    local, controller, pipelined = (comparable(runs[connection][1]) for connection in (*RUNS, PIPELINED))
    assert controller == local and pipelined == local
    results = runs[RUNS[1]][1]
    assert results["plain"]["changed"] is True and results["checked"]["changed"] is False
    assert results["plain"]["secret_length"] == 6
    assert results["plain"]["warnings"] == ["a warning of the probe"]
    assert results["failed"]["msg"] == "the probe failed" and results["failed"]["failed"] is True
    assert results["raised"]["msg"] == "Task failed: Module failed: the probe raised" and results["raised"]["failed"] is True
    assert results["exited"]["rc"] == 1 and results["exited"]["module_stderr"] == "the probe exited\n"


def test_what_the_module_changed_is_gone_for_the_next_item_in_the_same_worker(runs):
    controller, results = runs[RUNS[1]][:2]
    disturbing, after = results["looped"]
    assert where(disturbing, controller) == where(after, controller) == "worker"
    for seen in ("marker", "cwd", "umask", "term"):
        assert after[seen] == disturbing[seen], seen
    assert after["marker"] is None and after["umask"] == 0o022 and "WorkerProcess._term" in after["term"]


@pytest.mark.parametrize("connection", RUNS)
def test_ctrl_c_ends_the_module_as_its_process_ends_with_its_cleanup_and_its_payload_removed(runs, connection, tmp_path):
    root = runs[connection][3]
    marks, temporary = tmp_path / "marks", tmp_path / "tmp"
    marks.mkdir()
    temporary.mkdir()
    play = root / f"wait-{connection}.yml"
    play.write_text(PLAYBOOK.split("  tasks:")[0] + f"  tasks:\n    - probe.probe.probe: {{end: wait, marks: {marks}}}\n",
                    encoding="utf-8")
    argv = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,", play.name,
            "-e", f"ansible_connection={connection}"]
    with subprocess.Popen(argv, cwd=root, env={**runs[connection][4], "TMPDIR": str(temporary)}, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, start_new_session=True) as run:
        while not (marks / "started").exists() and run.poll() is None:
            time.sleep(0.1)
        os.killpg(run.pid, signal.SIGINT)  # an operator's Ctrl-C
        output = run.communicate(timeout=120)[0]
    assert run.returncode != 0 and (marks / "cleaned up").exists(), output[-3000:]
    # Neither the payload nor the run's own temporary folder (the controller connection's payloads) is left.
    assert not list(temporary.glob("ansible_*_payload_*")), list(temporary.iterdir())
    assert not list((root / "local_tmp").iterdir())


def test_the_secret_is_never_in_the_output_at_the_highest_verbosity(runs):
    for output in (run[2] for run in runs.values()):
        assert "s3cr3t" not in output and "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in output
    assert "(in the task's worker)" in runs[RUNS[1]][2] and "(in the task's worker)" not in runs[RUNS[0]][2]
