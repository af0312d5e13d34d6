"""tools/bench.py (make bench): its figures from recaps and profiles, its settings and its generated ping play.

No emulator: the bench itself runs on demand only. The recaps below are ansible-core 2.19's, copied from real runs
(less the trailing spaces Ansible pads each recap line with, put back where a test needs them).
"""

import json
import socket
import subprocess
import sys

import pytest
import yaml

from localenv import latency
from tools import bench

# Two hosts, each with one ok, one changed, one skipped (127.0.0.1 ran it), one ignored failure and one rescued
# failure followed by its rescue task: six task results per host.
TWO_HOSTS = """
PLAY RECAP *********************************************************************
127.0.0.1                  : ok=5    changed=2    unreachable=0    failed=0    skipped=0    rescued=1    ignored=1
localhost                  : ok=4    changed=2    unreachable=0    failed=0    skipped=1    rescued=1    ignored=1
[WARNING]: A duplicate localhost-like entry was found (127.0.0.1). First found localhost was localhost
"""

FAILED = """
PLAY [F] ***********************************************************************

TASK [Changes] *****************************************************************
changed: [localhost]

TASK [Fails] *******************************************************************
[ERROR]: Task failed: Action failed: broken
Origin: /tmp/bench-helper/fail.yml:7:7

5     - name: Changes
6       ansible.builtin.command: "true"
7     - name: Fails
        ^ column 7

fatal: [localhost]: FAILED! =>
    changed: false
    msg: broken

PLAY RECAP *********************************************************************
localhost                  : ok=1    changed=1    unreachable=0    failed=1    skipped=0    rescued=0    ignored=0
"""

CLEAN = """
PLAY RECAP *********************************************************************
localhost                  : ok=3    changed=0    unreachable=0    failed=0    skipped=2    rescued=0    ignored=0
"""


def test_the_recap_is_read_per_host():
    padded = TWO_HOSTS.replace("ignored=1\n", "ignored=1   \n")
    assert bench.parse_recap(padded) == {
        "127.0.0.1": {"ok": 5, "changed": 2, "unreachable": 0, "failed": 0, "skipped": 0, "rescued": 1, "ignored": 1},
        "localhost": {"ok": 4, "changed": 2, "unreachable": 0, "failed": 0, "skipped": 1, "rescued": 1, "ignored": 1},
    }


def test_only_the_last_recap_counts_and_a_log_without_one_is_refused():
    assert bench.parse_recap(TWO_HOSTS + CLEAN) == bench.parse_recap(CLEAN)
    with pytest.raises(bench.BenchError, match=r"^noop\.log: no PLAY RECAP$"):
        bench.parse_recap("PLAY [F] ****\n", "noop.log")


def test_each_task_result_is_counted_once():
    # ok already holds the changed and ignored results: ok+changed+skipped+failed+rescued+ignored would say 18.
    assert bench.task_count(bench.parse_recap(TWO_HOSTS)) == 12
    assert bench.task_count(bench.parse_recap(FAILED)) == 2


def test_a_rerun_that_changes_or_fails_anything_is_not_a_noop():
    assert not bench.noop_problems(bench.parse_recap(CLEAN), 0)
    assert bench.noop_problems(bench.parse_recap(FAILED), 2) == ["exit code 2", "changed=1", "failed=1"]
    assert bench.noop_problems(bench.parse_recap(TWO_HOSTS), 0) == ["changed=4", "rescued=2", "ignored=2"]


def test_a_failed_rollout_is_shown_from_its_task_to_its_message():
    excerpt = bench.failure_excerpt(FAILED)
    assert excerpt.startswith("TASK [Fails]")
    assert "msg: broken" in excerpt
    assert "TASK [Changes]" not in excerpt


def test_the_critical_path_chains_only_true_dependencies():
    timing = latency.uniform(10, scale=0.5)
    seconds = bench.wait_seconds(timing, retention_days=0)
    assert seconds == {"nat_gateway": 5, "db_instance": 5, "db_proxy": 5, "db_proxy_target": 5}
    assert bench.critical_path(seconds) == 10  # the instance or the proxy, then the target
    assert sum(seconds.values()) == 20
    with_backups = bench.wait_seconds(timing, retention_days=7)
    assert with_backups["db_instance"] == 10  # creating, then backing-up
    assert bench.critical_path(with_backups) == 15


@pytest.mark.parametrize("resource, seconds, critical", [
    ("nat_gateway", 1000, 100),  # not 100 + the target's 12: nothing timed waits on the NAT gateway
    ("db_instance", 1500, 162),  # the target waits for the instance...
    ("db_proxy", 1200, 132),  # ... and for the proxy
])
def test_the_longest_chain_follows_the_slowest_wait(tmp_path, resource, seconds, critical):
    profile = yaml.safe_load(latency.DEFAULT_PROFILE.read_text(encoding="utf-8"))
    profile[resource]["create"]["creating" if resource != "nat_gateway" else "pending"]["seconds"] = seconds
    path = tmp_path / "profile.yml"
    path.write_text(yaml.safe_dump(profile, sort_keys=False), encoding="utf-8")
    waits = bench.wait_seconds(latency.Latency(scale=0.1, seconds=latency.load_profile(path)), retention_days=0)
    assert bench.critical_path(waits) == pytest.approx(critical)


def test_the_default_profile_at_a_tenth():
    seconds = bench.wait_seconds(latency.from_env({latency.SCALE_VARIABLE: "0.1"}), bench.backup_retention_days())
    assert bench.critical_path(seconds) == pytest.approx(72.0)  # max(60, 60, 7.5) + 12
    assert sum(seconds.values()) == pytest.approx(139.5)  # 7.5 + 60 + 60 + 12


def test_the_backup_retention_is_the_inventory_s_else_the_role_default(monkeypatch):
    assert bench.backup_retention_days() == 0  # the rds role's default: the local inventory does not set it
    monkeypatch.setattr(bench.variables_doc, "inventory_values", lambda env: {bench.RETENTION: 7})
    assert bench.backup_retention_days() == 7
    monkeypatch.setattr(bench.variables_doc, "inventory_values", lambda env: {bench.RETENTION: "{{ days }}"})
    with pytest.raises(bench.BenchError, match=r"rds_backup_retention_days is '\{\{ days \}\}'"):
        bench.backup_retention_days()


def test_the_results_have_the_issue_s_keys_rounded():
    figures = bench.Figures(scale=0.1, critical_path_s=72.0, sum_of_waits_s=139.54, rollout_s=96.123, noop_s=8.0,
                            ping_floor_s=4.96, tasks=40)
    assert figures.results() == {
        "scale": 0.1,
        "rollout_s": 96.1,
        "critical_path_s": 72.0,
        "sum_of_waits_s": 139.5,
        "noop_s": 8.0,
        "ping_floor_s": 5.0,
        "tasks": 40,
        "ping_task_s": 0.124,  # 4.96 / 40
        "rollout_ratio": 1.2,  # 96.123 / (72 + 8)
        "noop_ratio": 1.61,  # 8 / 4.96
        "noop_ping_equivalents": 64.5,  # 8 / 0.124
    }
    json.dumps(figures.results())


def test_the_no_op_in_pings_is_the_no_op_over_one_ping_of_the_same_run():
    # The issue's figures: a 35.1 s no-op of 165 tasks beside 165 pings in 37.9 s is about 153 pings.
    figures = bench.Figures(scale=0.1, critical_path_s=72.0, sum_of_waits_s=139.5, rollout_s=106.6, noop_s=35.1,
                            ping_floor_s=37.9, tasks=165)
    assert figures.noop_ping_equivalents == pytest.approx(152.8, abs=0.05)
    assert figures.noop_ping_equivalents == pytest.approx(figures.noop_ratio * figures.tasks)
    assert bench.TARGETS["noop_ping_equivalents"] == 60


RESULTS = {"scale": 0.1, "rollout_s": 96.1, "critical_path_s": 72.0, "sum_of_waits_s": 139.5, "noop_s": 8.0,
           "ping_floor_s": 5.0, "tasks": 40, "ping_task_s": 0.124, "rollout_ratio": 1.2, "noop_ratio": 1.61,
           "noop_ping_equivalents": 64.5, "ansible_version": "2.19.4", "cpus": 2, "repeat": 2, "noop_runs_s": [8.0, 9.1],
           "ping_floor_runs_s": [5.3, 5.0]}


def test_the_readme_block_is_written_from_the_results_and_read_back(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\n{bench.BEGIN}{{}} -->\ntyped by hand\n{bench.END}\n\n## Next\n", encoding="utf-8")
    bench.write_readme(RESULTS, readme)
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# Title\n\n" + bench.BEGIN) and text.endswith(bench.END + "\n\n## Next\n")
    assert "typed by hand" not in text
    results, block = bench.readme_results(text)
    assert results == RESULTS
    lines = block.splitlines()
    assert lines[1] == ("Latest figures (scale 0.1, 2 CPUs; ansible-core 2.19.4; the fastest of 2 no-op runs (8.0 s, 9.1 s) "
                        "and of as many ping plays (5.3 s, 5.0 s)):")
    assert "| `noop_ping_equivalents` = no-op ÷ one ping task | 64.50 | ≤ 60 (missed) |" in lines
    assert "| `rollout_ratio` = rollout ÷ (critical path + no-op) | 1.20 | ≤ 1.1 (missed) |" in lines
    assert "| `noop_ratio` = no-op ÷ ping floor | 1.61 | ≤ 2 (met) |" in lines
    assert "| `ping_task_s` = ping floor ÷ tasks (one `ping` task) | 0.124 s | |" in lines
    bench.write_readme(RESULTS, readme)  # a second write leaves it as it is
    assert readme.read_text(encoding="utf-8") == text


def test_results_without_a_figure_or_a_readme_without_markers_are_refused(tmp_path):
    with pytest.raises(bench.BenchError, match=r"^the results lack cpus, noop_ping_equivalents: run `make bench` again$"):
        bench.readme_block({key: value for key, value in RESULTS.items() if key not in ("cpus", "noop_ping_equivalents")})
    readme = tmp_path / "README.md"
    readme.write_text("# Title\n", encoding="utf-8")
    with pytest.raises(bench.BenchError, match=r"^README\.md: no bench figures between"):
        bench.write_readme(RESULTS, readme)


def test_the_readme_s_figures_are_the_tool_s_output_with_every_figure():
    # Each row comes from the results recorded in the block's first line: a figure edited by hand, a row missing
    # or a figure the tool does not know makes the block differ from what the tool writes.
    results, block = bench.readme_results(bench.README.read_text(encoding="utf-8"))
    figures = bench.Figures(results["scale"], results["critical_path_s"], results["sum_of_waits_s"],
                            results["rollout_s"], results["noop_s"], results["ping_floor_s"], results["tasks"])
    assert set(results) == set(figures.results()) | set(bench.CONTEXT_KEYS)
    assert block == bench.readme_block(results)
    assert set(bench.README_ROWS) == set(figures.results()) - {"scale"}
    for ratio in bench.TARGETS:  # the ratios agree with the seconds they come from
        assert results[ratio] == pytest.approx(figures.results()[ratio], rel=0.02), ratio


def test_the_table_says_pass_or_miss_and_by_how_much():
    assert bench.verdict(1.2, 1.1) == "MISS by 0.10 (9% over)"
    assert bench.verdict(1.5, 2.0) == "PASS (0.50 under)"
    lines = bench.table({"scale": 0.1, "rollout_s": 96.1, "rollout_ratio": 1.2, "noop_ratio": 1.61,
                         "noop_ping_equivalents": 64.5}).splitlines()
    assert lines[0].split() == ["figure", "value", "target", "verdict"]
    assert lines[2].split() == ["rollout_s", "96.1", "s"]
    assert lines[3].split() == ["rollout_ratio", "1.20", "<=", "1.10", "MISS", "by", "0.10", "(9%", "over)"]
    assert lines[4].split() == ["noop_ratio", "1.61", "<=", "2.00", "PASS", "(0.39", "under)"]
    assert lines[5].split() == ["noop_ping_equivalents", "64.50", "<=", "60.00", "MISS", "by", "4.50", "(7%", "over)"]


def test_the_ping_play_has_as_many_pings_on_localhost_without_facts(tmp_path):
    text = bench.ping_playbook(3)
    [play] = yaml.safe_load(text)
    assert play["hosts"] == "localhost"
    assert play["gather_facts"] is False
    assert [task["name"] for task in play["tasks"]] == ["Ping 1", "Ping 2", "Ping 3"]
    assert all(task["ansible.builtin.ping"] == {} for task in play["tasks"])
    path = tmp_path / "ping.yml"
    path.write_text(text, encoding="utf-8")
    check = subprocess.run([str(bench.Path(sys.executable).parent / "ansible-playbook"), "-i", bench.INVENTORY,
                            "--syntax-check", str(path)], cwd=bench.CHECKOUT, capture_output=True, text=True,
                           check=False)
    assert check.returncode == 0, check.stdout + check.stderr


def test_the_timed_ping_play_follows_an_untimed_one_that_leaves_its_payload_cached(monkeypatch, tmp_path):
    runs = []

    def run_playbook(name, playbook, env):  # pylint: disable=unused-argument
        tasks = (tmp_path / "ping.yml").read_text(encoding="utf-8").count("ansible.builtin.ping") if "ping" in name else 0
        runs.append((name, playbook, tasks))
        recap = "PLAY RECAP ***\nlocalhost : ok=3 changed=0 unreachable=0 failed=0 skipped=1 rescued=0 ignored=0\n"
        return bench.Run(0, 1.0, recap, tmp_path / f"{name}.log")

    monkeypatch.setattr(bench, "PING", tmp_path / "ping.yml")
    monkeypatch.setattr(bench, "CHECKOUT", tmp_path)
    monkeypatch.setattr(bench, "run_playbook", run_playbook)
    tasks = bench.measure({})[-1]

    assert tasks == 4
    assert [(name, count) for name, _playbook, count in runs] == [("rollout", 0), ("noop", 0), ("ping-warmup", 1), ("ping", 4)]

    runs.clear()
    _rollout, noops, pings, _tasks = bench.measure({}, repeat=3)
    assert [name for name, _playbook, _count in runs] == ["rollout", "noop", "ping-warmup", "ping", "noop-2", "ping-2", "noop-3", "ping-3"]
    assert (len(noops), len(pings)) == (3, 3)


def test_a_re_run_of_another_task_count_is_refused(monkeypatch, tmp_path):
    recaps = iter(["ok=3 changed=0", "ok=3 changed=0", "ok=1 changed=0", "ok=4 changed=0", "ok=2 changed=0"])

    def run_playbook(name, playbook, env):  # pylint: disable=unused-argument
        counts = next(recaps)
        return bench.Run(0, 1.0, f"PLAY RECAP ***\nlocalhost : {counts} unreachable=0 failed=0 skipped=0\n", tmp_path / f"{name}.log")

    monkeypatch.setattr(bench, "PING", tmp_path / "ping.yml")
    monkeypatch.setattr(bench, "CHECKOUT", tmp_path)
    monkeypatch.setattr(bench, "run_playbook", run_playbook)
    with pytest.raises(bench.BenchError, match=r"^no-op re-run 2 executed 2 tasks, the first 3"):
        bench.measure({}, repeat=2)


def test_the_fastest_no_op_and_ping_play_count_and_every_run_is_recorded(tmp_path):
    def run(seconds):
        return bench.Run(0, seconds, "", tmp_path / "x.log")

    results = bench.results_of(0.1, {"db_instance": 60.0, "db_proxy": 12.0, "db_proxy_target": 12.0, "nat_gateway": 10.0},
                               run(100.0), [run(41.04), run(37.6), run(39.6)], [run(50.0), run(48.1), run(52.4)], 200)

    assert (results["noop_s"], results["ping_floor_s"], results["repeat"]) == (37.6, 48.1, 3)
    assert (results["noop_runs_s"], results["ping_floor_runs_s"]) == ([41.0, 37.6, 39.6], [50.0, 48.1, 52.4])
    assert results["noop_ping_equivalents"] == round(37.6 / (48.1 / 200), 1)


def test_settings_default_to_the_bench_s_own_and_name_a_bad_variable():
    assert bench.Settings.from_env({}) == bench.Settings(scale=0.1, emulator_port=4591, pg_port=55491, keep=False)
    assert bench.Settings.from_env({"BENCH_SCALE": "1", "BENCH_KEEP": "1"}).keep
    with pytest.raises(bench.BenchError, match=r"^BENCH_SCALE: '-1' is not a scale factor"):
        bench.Settings.from_env({"BENCH_SCALE": "-1"})
    with pytest.raises(bench.BenchError, match=r"^BENCH_PG_PORT: '70000' is not a TCP port$"):
        bench.Settings.from_env({"BENCH_PG_PORT": "70000"})
    assert bench.Settings.from_env({}).repeat == 3 and bench.Settings.from_env({"BENCH_REPEAT": "1"}).repeat == 1
    with pytest.raises(bench.BenchError, match=r"^BENCH_REPEAT: '0' is not a number of runs from 1 to 10$"):
        bench.Settings.from_env({"BENCH_REPEAT": "0"})


def test_the_runs_get_the_bench_s_ports_state_and_scale_and_only_the_profile_from_the_shell(tmp_path):
    settings = bench.Settings(scale=0.25, emulator_port=4591, pg_port=55491, keep=False)
    shell = {"SHOPPULSE_EMULATOR_PORT": "4566", "SHOPPULSE_EMULATOR_FAIL_ONCE": "rds:CreateDBProxy",
             latency.PROFILE_VARIABLE: str(tmp_path / "p.yml"), "HOME": "/home/x"}
    env = bench.bench_env(settings, shell)
    assert env["SHOPPULSE_EMULATOR_PORT"] == "4591"
    assert env["SHOPPULSE_PG_PORT"] == "55491"
    assert env["SHOPPULSE_LOCAL_STATE"] == str(bench.STATE)
    assert env["SHOPPULSE_ARTIFACTS_DIR"] == str(bench.CHECKOUT / "artifacts" / "bench" / "outputs")
    assert env[latency.SCALE_VARIABLE] == "0.25"
    assert env[latency.PROFILE_VARIABLE] == str(tmp_path / "p.yml")
    assert "SHOPPULSE_EMULATOR_FAIL_ONCE" not in env
    assert env["HOME"] == "/home/x"


def test_a_taken_port_is_refused_naming_its_variable():
    # A bound socket that does not listen is a free port to the check; one that listens is taken.
    with socket.socket() as free, socket.socket() as taken:
        free.bind(("127.0.0.1", 0))
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        free_port, taken_port = free.getsockname()[1], taken.getsockname()[1]
        bench.check_ports(bench.Settings(scale=0.1, emulator_port=free_port, pg_port=free_port, keep=False))
        refusal = rf"^port {taken_port} is taken by another process: stop it or set BENCH_PG_PORT$"
        with pytest.raises(bench.BenchError, match=refusal):
            bench.check_ports(bench.Settings(scale=0.1, emulator_port=free_port, pg_port=taken_port, keep=False))
