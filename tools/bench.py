"""Benchmark a rollout on a fresh local environment whose resources take time (make bench, on demand).

With the emulator's latency profile at a stated scale, it times a full site.yml rollout, a no-op re-run and a play of
as many ``ansible.builtin.ping`` tasks as the re-run executed (Ansible's own floor), then compares them with what the
profile makes unavoidable: its critical path, the longest chain of waits that truly depend on each other. The no-op and
the ping play are run BENCH_REPEAT times, one after the other in turn, and the fastest of each counts: on a shared
machine, load only ever adds time, so the fastest run is the nearest to the work itself (every run is recorded).

    python -m tools.bench      # make bench

    BENCH_SCALE          factor applied to the latency profile (default 0.1: the DB instance takes a minute)
    BENCH_EMULATOR_PORT  the bench emulator's port (default 4591)
    BENCH_PG_PORT        the bench PostgreSQL's port (default 55491)
    BENCH_KEEP=1         leave the bench environment up afterwards
    BENCH_REPEAT         how many times the no-op and the ping play run (default 3, 1-10)

The environment lives in .local-bench/ and everything written goes to artifacts/bench/ (the playbook's outputs.json
to artifacts/bench/outputs/), so `make local`'s state and artifacts are left alone. SHOPPULSE_EMULATOR_LATENCY_PROFILE
names another profile, as it does for the emulator. Results: artifacts/bench/results.json and a table, with

    rollout_ratio         = rollout_s / (critical_path_s + noop_s)   target <= 1.10
    noop_ratio            = noop_s / ping_floor_s                    target <= 2.0
    noop_ping_equivalents = noop_s / ping_task_s                     target <= 60
                            (ping_task_s = ping_floor_s / tasks: one ping task's time, in the same run)

A missed target is reported (MISS), not an error; a failed run, or a re-run that changes or fails anything, is.
After a run the figures go into README.md, between the markers of BEGIN and END; ``python -m tools.bench --readme``
writes them again from artifacts/bench/results.json without running anything.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml
from ansible.release import __version__ as ANSIBLE_VERSION

from localenv import latency
from localenv.services import port_open
from tools import variables_doc

CHECKOUT = Path(__file__).resolve().parent.parent
STATE = CHECKOUT / ".local-bench"
BENCH_DIR = CHECKOUT / "artifacts" / "bench"
OUTPUTS = BENCH_DIR / "outputs"
RESULTS = BENCH_DIR / "results.json"
PING = BENCH_DIR / "ping.yml"
INVENTORY = "inventories/local"
SITE = "site.yml"
RETENTION = "rds_backup_retention_days"
TARGETS = {"rollout_ratio": 1.10, "noop_ratio": 2.0, "noop_ping_equivalents": 60.0}
README = CHECKOUT / "README.md"
# The README's figures are this tool's output: the block between these lines is rewritten after each run, and the
# results it was written from travel in the first line, so that a figure typed by hand is caught (tests/operations).
BEGIN = "<!-- bench figures: written by `python -m tools.bench`, do not edit. Results: "
END = "<!-- end of bench figures -->"


class BenchError(RuntimeError):
    """The bench cannot run or its runs are unusable; the message says why (and names the variable or the log)."""


@dataclass(frozen=True)
class Wait:
    """A transition the rollout waits for, and the waits that must be over before it can start."""

    resource: str
    transition: str
    needs: tuple[str, ...] = ()


# The waits of a rollout from nothing, and only the dependencies AWS imposes (not the order site.yml happens to run
# them in): the critical path is what no reordering of the playbook can beat.
WAITS = {
    # Only the private subnets' default routes wait on the NAT gateway, and routes are not waited for.
    "nat_gateway": Wait("nat_gateway", "create"),
    # Needs the subnet group, the security group, the parameter group and the secret's password: none is a wait.
    "db_instance": Wait("db_instance", "create"),
    # Needs the secret, the IAM role and the subnets (and a security group, which exists at once), not the instance:
    # CreateDBProxy names no instance, its target is registered separately.
    "db_proxy": Wait("db_proxy", "create"),
    # RegisterDBProxyTargets is refused while the proxy is not available (InvalidDBProxyStateFault) and while the
    # instance is not available (InvalidDBInstanceState): both must be over.
    "db_proxy_target": Wait("db_proxy_target", "register", needs=("db_instance", "db_proxy")),
}


@dataclass(frozen=True)
class Settings:
    scale: float
    emulator_port: int
    pg_port: int
    keep: bool
    repeat: int = 3

    @classmethod
    def from_env(cls, environ: dict[str, str]) -> "Settings":
        return cls(
            scale=_scale(environ.get("BENCH_SCALE", "").strip() or "0.1"),
            emulator_port=_port(environ, "BENCH_EMULATOR_PORT", 4591),
            pg_port=_port(environ, "BENCH_PG_PORT", 55491),
            keep=environ.get("BENCH_KEEP", "").strip().lower() in ("1", "true", "yes"),
            repeat=_repeat(environ.get("BENCH_REPEAT", "").strip() or "3"),
        )


def _repeat(raw: str) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= 10:
        raise BenchError(f"BENCH_REPEAT: {raw!r} is not a number of runs from 1 to 10")
    return int(raw)


def _scale(raw: str) -> float:
    try:
        return latency.parse_scale(raw, "BENCH_SCALE")
    except latency.LatencyError as exc:
        raise BenchError(str(exc)) from exc


def _port(environ: dict[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip() or str(default)
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise BenchError(f"{name}: {raw!r} is not a TCP port")
    return int(raw)


@dataclass(frozen=True)
class Figures:
    """What the bench measured (seconds) and what the profile makes unavoidable, at one scale."""

    scale: float
    critical_path_s: float
    sum_of_waits_s: float
    rollout_s: float
    noop_s: float
    ping_floor_s: float
    tasks: int

    @property
    def ping_task_s(self) -> float:
        """One ping task's time: the ping floor's play ran as many pings as the no-op ran tasks."""
        return self.ping_floor_s / self.tasks

    @property
    def noop_ping_equivalents(self) -> float:
        """How many ping tasks the no-op re-run costs, both measured in the same run."""
        return self.noop_s / self.ping_task_s

    @property
    def rollout_ratio(self) -> float:
        return self.rollout_s / (self.critical_path_s + self.noop_s)

    @property
    def noop_ratio(self) -> float:
        return self.noop_s / self.ping_floor_s

    def results(self) -> dict:
        return {
            "scale": self.scale,
            "rollout_s": round(self.rollout_s, 1),
            "critical_path_s": round(self.critical_path_s, 1),
            "sum_of_waits_s": round(self.sum_of_waits_s, 1),
            "noop_s": round(self.noop_s, 1),
            "ping_floor_s": round(self.ping_floor_s, 1),
            "tasks": self.tasks,
            "ping_task_s": round(self.ping_task_s, 3),
            "rollout_ratio": round(self.rollout_ratio, 2),
            "noop_ratio": round(self.noop_ratio, 2),
            "noop_ping_equivalents": round(self.noop_ping_equivalents, 1),
        }


@dataclass(frozen=True)
class Run:
    returncode: int
    seconds: float
    output: str
    log: Path


# --- the waits ------------------------------------------------------------------------------------


def backup_retention_days() -> int:
    """The local inventory's rds_backup_retention_days, else the rds role's default: above 0, a new instance is
    backing-up (its first automated backup) before it is available."""
    defaults = variables_doc.load_yaml(variables_doc.ROLES / "rds" / "defaults" / "main.yml") or {}
    value = variables_doc.inventory_values("local").get(RETENTION, defaults.get(RETENTION))
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise BenchError(f"{INVENTORY}: {RETENTION} is {value!r}, not a number of days the bench can read") from exc


def wait_seconds(timing: latency.Latency, retention_days: int) -> dict[str, float]:
    """Each wait's scaled seconds; backing-up (the instance's only optional state) only when backups are kept."""
    skip = frozenset() if retention_days > 0 else frozenset({"backing-up"})
    return {
        name: sum(seconds for _state, seconds in timing.phases(wait.resource, wait.transition, skip))
        for name, wait in WAITS.items()
    }


def critical_path(seconds: dict[str, float], waits: dict[str, Wait] | None = None) -> float:
    """The longest chain of dependent waits: each wait ends its own seconds after the last of those it needs."""
    waits = WAITS if waits is None else waits
    ends: dict[str, float] = {}

    def end(name: str) -> float:
        if name not in ends:
            ends[name] = seconds[name] + max((end(need) for need in waits[name].needs), default=0.0)
        return ends[name]

    return max((end(name) for name in waits), default=0.0)


# --- the recap ------------------------------------------------------------------------------------

RECAP_LINE = re.compile(r"^(?P<host>\S+)\s+:\s+(?P<counts>(?:[a-z]+=\d+\s*)+)$")
# Ansible counts every task result once, as ok, failed, unreachable, skipped or rescued; changed and ignored results
# are counted in ok as well (ansible/plugins/strategy/__init__.py), so adding them would count those tasks twice.
RESULT_COUNTS = ("ok", "failed", "unreachable", "skipped", "rescued")
# A re-run that changes nothing has none of these: rescued and ignored results are failures a block or ignore_errors
# caught, failures all the same.
NOT_NOOP_COUNTS = ("changed", "failed", "unreachable", "rescued", "ignored")


def parse_recap(text: str, source: str = "the output") -> dict[str, dict[str, int]]:
    """The counts of the last PLAY RECAP, per host."""
    _before, found, recap = text.rpartition("PLAY RECAP")
    if not found:
        raise BenchError(f"{source}: no PLAY RECAP")
    hosts = {}
    for line in recap.splitlines()[1:]:
        match = RECAP_LINE.match(line.strip())
        if match:
            hosts[match["host"]] = {key: int(value) for key, value in re.findall(r"([a-z]+)=(\d+)", match["counts"])}
    if not hosts:
        raise BenchError(f"{source}: the PLAY RECAP lists no host")
    return hosts


def total(recap: dict[str, dict[str, int]], key: str) -> int:
    return sum(counts.get(key, 0) for counts in recap.values())


def task_count(recap: dict[str, dict[str, int]]) -> int:
    """The task results of a run, summed over its hosts (see RESULT_COUNTS)."""
    return sum(total(recap, key) for key in RESULT_COUNTS)


def noop_problems(recap: dict[str, dict[str, int]], returncode: int) -> list[str]:
    """Why a re-run is not a clean no-op; [] when it is."""
    problems = [f"exit code {returncode}"] if returncode else []
    return problems + [f"{key}={total(recap, key)}" for key in NOT_NOOP_COUNTS if total(recap, key)]


def failure_excerpt(text: str, lines: int = 12) -> str:
    """The first failed task of a log: from its TASK line (at most ``lines`` above) to ``lines`` past the failure;
    the log's end when no task failed."""
    log = text.splitlines()
    failed = next((index for index, line in enumerate(log) if line.startswith(("fatal:", "failed:"))), None)
    if failed is None:
        return "\n".join(log[-lines:])
    first = max(failed - lines, 0)
    task = next((index for index in range(failed, first - 1, -1) if log[index].startswith("TASK [")), first)
    return "\n".join(log[task:failed + lines]).strip()


# --- the floor ------------------------------------------------------------------------------------


def ping_playbook(tasks: int) -> str:
    """A play of ``tasks`` pings on the local inventory's host, without facts: what those tasks cost Ansible alone."""
    play = {
        "name": f"Ansible's floor for {tasks} tasks",
        "hosts": "localhost",
        "gather_facts": False,
        "tasks": [{"name": f"Ping {number}", "ansible.builtin.ping": {}} for number in range(1, tasks + 1)],
    }
    header = "# Generated by tools/bench.py: as many tasks as the no-op re-run of site.yml executed.\n"
    return header + yaml.safe_dump([play], sort_keys=False)


# --- the report -----------------------------------------------------------------------------------


def verdict(value: float, target: float) -> str:
    if value <= target:
        return f"PASS ({target - value:.2f} under)"
    return f"MISS by {value - target:.2f} ({value / target - 1:.0%} over)"


def table(results: dict) -> str:
    rows = [("figure", "value", "target", "verdict")]
    for key, value in results.items():
        if key in TARGETS:
            rows.append((key, f"{value:.2f}", f"<= {TARGETS[key]:.2f}", verdict(value, TARGETS[key])))
        else:
            rows.append((key, f"{value} s" if key.endswith("_s") else str(value), "", ""))
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows)


# The README's rows: what each figure is, in the order of Figures.results().
README_ROWS = {
    "rollout_s": "`rollout_s` (full `site.yml` on an empty account)",
    "critical_path_s": "`critical_path_s` (instance ∥ proxy, then target)",
    "sum_of_waits_s": "`sum_of_waits_s` (every wait one after another)",
    "noop_s": "`noop_s` (second run, `changed=0`)",
    "ping_floor_s": "`ping_floor_s` (as many `ping` tasks as the no-op ran)",
    "tasks": "`tasks` (task results of the no-op)",
    "ping_task_s": "`ping_task_s` = ping floor ÷ tasks (one `ping` task)",
    "rollout_ratio": "`rollout_ratio` = rollout ÷ (critical path + no-op)",
    "noop_ratio": "`noop_ratio` = no-op ÷ ping floor",
    "noop_ping_equivalents": "`noop_ping_equivalents` = no-op ÷ one ping task",
}
# Recorded with the figures, not shown as rows.
CONTEXT_KEYS = ("scale", "ansible_version", "cpus", "repeat", "noop_runs_s", "ping_floor_runs_s")


def readme_block(results: dict) -> str:
    """The README's figures, from a results.json: the markers, a line saying where they come from, and the table."""
    missing = sorted((set(README_ROWS) | set(CONTEXT_KEYS)) - set(results))
    if missing:
        raise BenchError(f"the results lack {', '.join(missing)}: run `make bench` again")
    runs = ", ".join(f"{seconds} s" for seconds in results["noop_runs_s"])
    pings = ", ".join(f"{seconds} s" for seconds in results["ping_floor_runs_s"])
    lines = [BEGIN + json.dumps(results, sort_keys=True) + " -->",
             f"Latest figures (scale {results['scale']}, {results['cpus']} CPUs; ansible-core "
             f"{results['ansible_version']}; the fastest of {results['repeat']} no-op runs ({runs}) and of as many "
             f"ping plays ({pings})):", "", "| figure | value | target |", "| --- | --- | --- |"]
    for key, label in README_ROWS.items():
        value = results[key]
        if key in TARGETS:
            lines.append(f"| {label} | {value:.2f} | ≤ {TARGETS[key]:g} ({'met' if value <= TARGETS[key] else 'missed'}) |")
        else:
            lines.append(f"| {label} | {value} s | |" if key.endswith("_s") else f"| {label} | {value} | |")
    return "\n".join([*lines, END])


def readme_results(text: str) -> tuple[dict, str]:
    """The results a README's block was written from, and the block itself."""
    start = text.find(BEGIN)
    end = text.find(END, start)
    if start < 0 or end < 0:
        raise BenchError(f"README.md: no bench figures between {BEGIN!r}... and {END!r}")
    first_line = text[start:text.index("\n", start)]
    results = json.loads(first_line[len(BEGIN):].removesuffix(" -->"))
    return results, text[start:end + len(END)]


def write_readme(results: dict, path: Path = README) -> None:
    """Replace the README's block of figures with the one these results give."""
    text = path.read_text(encoding="utf-8")
    _old, block = readme_results(text)
    path.write_text(text.replace(block, readme_block(results)), encoding="utf-8")


# --- the runs -------------------------------------------------------------------------------------


def bench_env(settings: Settings, environ: dict[str, str]) -> dict[str, str]:
    """The environment of every command the bench runs."""
    # A shell set up for `make local` or a test must not steer the bench (ports, state, artifacts, faults); only the
    # profile is taken from it, as the emulator would.
    inherited = {key: value for key, value in environ.items()
                 if not key.startswith("SHOPPULSE_") or key == latency.PROFILE_VARIABLE}
    return {
        **inherited,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{environ.get('PATH', '')}",
        "PYTHONPATH": str(CHECKOUT),
        "ANSIBLE_CONFIG": str(CHECKOUT / "ansible.cfg"),
        # The logs' PLAY RECAP is parsed: plain text from the default callback.
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_STDOUT_CALLBACK": "default",
        "SHOPPULSE_EMULATOR_PORT": str(settings.emulator_port),
        "SHOPPULSE_PG_PORT": str(settings.pg_port),
        "SHOPPULSE_LOCAL_STATE": str(STATE),
        "SHOPPULSE_ARTIFACTS_DIR": str(OUTPUTS),
        latency.SCALE_VARIABLE: str(settings.scale),
    }


def check_ports(settings: Settings) -> None:
    for name, port in (("BENCH_EMULATOR_PORT", settings.emulator_port), ("BENCH_PG_PORT", settings.pg_port)):
        if port_open("127.0.0.1", port):
            raise BenchError(f"port {port} is taken by another process: stop it or set {name}")


def localenv(command: str, env: dict[str, str]) -> bool:
    argv = [sys.executable, "-m", "localenv", command]
    return subprocess.run(argv, cwd=CHECKOUT, env=env, check=False).returncode == 0


def run_playbook(name: str, playbook: str, env: dict[str, str]) -> Run:
    """Run one playbook on the local inventory, its output to artifacts/bench/<name>.log, and time it."""
    log = BENCH_DIR / f"{name}.log"
    argv = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", INVENTORY, playbook]
    with log.open("w", encoding="utf-8") as stream:
        start = time.monotonic()
        returncode = subprocess.run(argv, cwd=CHECKOUT, env=env, stdout=stream, stderr=subprocess.STDOUT,
                                    check=False).returncode
        seconds = time.monotonic() - start
    return Run(returncode, seconds, log.read_text(encoding="utf-8"), log)


def noop_run(name: str, env: dict[str, str]) -> tuple[Run, int]:
    """One no-op re-run, checked; and the number of tasks it executed."""
    noop = run_playbook(name, SITE, env)
    recap = parse_recap(noop.output, str(noop.log))
    problems = noop_problems(recap, noop.returncode)
    if problems:
        raise BenchError(f"the re-run is not a clean no-op ({', '.join(problems)}); see {noop.log}")
    tasks = task_count(recap)
    print(f"no-op re-run: {noop.seconds:.1f} s, {tasks} tasks ({noop.log.relative_to(CHECKOUT)})", flush=True)
    return noop, tasks


def ping_run(name: str, env: dict[str, str]) -> Run:
    ping = run_playbook(name, str(PING.relative_to(CHECKOUT)), env)
    if ping.returncode:
        raise BenchError(f"the ping floor failed (exit {ping.returncode}); see {ping.log}")
    print(f"ping floor: {ping.seconds:.1f} s ({ping.log.relative_to(CHECKOUT)})", flush=True)
    return ping


def measure(env: dict[str, str], repeat: int = 1) -> tuple[Run, list[Run], list[Run], int]:
    """The rollout, then ``repeat`` no-op re-runs and ping floors in turn, checked; and the number of tasks a re-run
    executed (the ping play runs as many pings; a re-run that executes another number is refused)."""
    rollout = run_playbook("rollout", SITE, env)
    if rollout.returncode:
        raise BenchError(f"the rollout failed (exit {rollout.returncode}); see {rollout.log}:\n"
                         f"{failure_excerpt(rollout.output)}")
    print(f"rollout: {rollout.seconds:.1f} s ({rollout.log.relative_to(CHECKOUT)})", flush=True)
    noop, tasks = noop_run("noop", env)
    # The rollout left the no-op's payloads packed and compiled in the module cache (module_cache): one untimed ping
    # leaves the ping's there too, so that both are timed as a run that follows another runs them.
    PING.write_text(ping_playbook(1), encoding="utf-8")
    if run_playbook("ping-warmup", str(PING.relative_to(CHECKOUT)), env).returncode:
        raise BenchError(f"the ping warm-up failed; see {BENCH_DIR / 'ping-warmup.log'}")
    PING.write_text(ping_playbook(tasks), encoding="utf-8")
    noops, pings = [noop], [ping_run("ping", env)]
    for index in range(2, repeat + 1):
        again, again_tasks = noop_run(f"noop-{index}", env)
        if again_tasks != tasks:
            raise BenchError(f"no-op re-run {index} executed {again_tasks} tasks, the first {tasks}; see {again.log}")
        noops.append(again)
        pings.append(ping_run(f"ping-{index}", env))
    return rollout, noops, pings, tasks


def bench(settings: Settings, env: dict[str, str]) -> dict:
    """Run the bench on a fresh environment and return its results."""
    try:
        timing = latency.from_env(env)
    except latency.LatencyError as exc:
        raise BenchError(str(exc)) from exc
    seconds = wait_seconds(timing, backup_retention_days())
    print(f"bench: {timing.describe()}; emulator port {settings.emulator_port}, PostgreSQL port {settings.pg_port}, "
          f"state {STATE.relative_to(CHECKOUT)}", flush=True)
    # Fresh: a bench environment kept from an earlier run goes first, so that only another process holds the ports.
    if not localenv("down", env):
        raise BenchError("python -m localenv down failed on the bench state")
    check_ports(settings)
    shutil.rmtree(BENCH_DIR, ignore_errors=True)
    BENCH_DIR.mkdir(parents=True)
    try:
        if not localenv("up", env):
            raise BenchError("python -m localenv up failed")
        rollout, noops, pings, tasks = measure(env, settings.repeat)
    finally:
        if settings.keep:
            print(f"kept: SHOPPULSE_EMULATOR_PORT={settings.emulator_port} SHOPPULSE_PG_PORT={settings.pg_port} "
                  f"SHOPPULSE_LOCAL_STATE={STATE} python -m localenv down   # to stop it")
        else:
            localenv("down", env)
    return results_of(settings.scale, seconds, rollout, noops, pings, tasks)


def results_of(scale: float, seconds: dict[str, float], rollout: Run, noops: list[Run], pings: list[Run], tasks: int) -> dict:
    """The figures of one bench: the fastest no-op and ping play count, and every run is recorded."""
    figures = Figures(scale, critical_path(seconds), sum(seconds.values()),
                      rollout.seconds, min(run.seconds for run in noops), min(run.seconds for run in pings), tasks)
    return {**figures.results(), "ansible_version": ANSIBLE_VERSION, "cpus": os.cpu_count(), "repeat": len(noops),
            "noop_runs_s": [round(run.seconds, 1) for run in noops], "ping_floor_runs_s": [round(run.seconds, 1) for run in pings]}


def main(argv: list[str] | None = None, environ: dict[str, str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--readme", action="store_true",
                        help=f"only write the README's figures from {RESULTS.relative_to(CHECKOUT)}, run nothing")
    args = parser.parse_args(argv)
    environ = dict(os.environ if environ is None else environ)
    try:
        if args.readme:
            if not RESULTS.is_file():
                raise BenchError(f"{RESULTS.relative_to(CHECKOUT)} does not exist: run `make bench` first")
            write_readme(json.loads(RESULTS.read_text(encoding="utf-8")))
            print(f"README.md: figures written from {RESULTS.relative_to(CHECKOUT)}")
            return 0
        settings = Settings.from_env(environ)
        results = bench(settings, bench_env(settings, environ))
        RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(table(results))
        print(f"results: {RESULTS.relative_to(CHECKOUT)}")
        write_readme(results)
        print("README.md: figures written")
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
