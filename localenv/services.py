"""Start, stop and describe the local services: the AWS API emulator and PostgreSQL 15.

Settings come from the environment so that the Makefile, molecule and a shell agree:

    SHOPPULSE_LOCAL_STATE     state folder (default: <checkout>/.local)
    SHOPPULSE_EMULATOR_HOST   emulator address (default 127.0.0.1)
    SHOPPULSE_EMULATOR_PORT   emulator port (default 4566)
    SHOPPULSE_PG_PORT         PostgreSQL port (default 55432), on 127.0.0.1
    SHOPPULSE_ARTIFACTS_DIR   the artifacts folder a snapshot keeps (default: <checkout>/artifacts/local)

`snapshot FOLDER` saves the running environment in a new folder and `up FOLDER` starts from one (see ``snapshot``).

The emulator process inherits the environment, so the realism settings reach it too (checked here before it
starts): SHOPPULSE_EMULATOR_LATENCY_SCALE, _LATENCY_PROFILE and _LATENCY_HOLD_READS (localenv/latency.py), SHOPPULSE_EMULATOR_THROTTLE_RATE,
_THROTTLE_SEED, _THROTTLE_SERVICES and SHOPPULSE_EMULATOR_FAIL_ONCE (localenv/faults.py); docs/emulator-realism.md.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
PG_PACKAGE = "postgresql-15"
PG_MAJOR = "15"
STATE_VARIABLE = "SHOPPULSE_EMULATOR_STATE"  # localenv/state.py's VARIABLE (not imported here: it imports moto)


class ServiceError(RuntimeError):
    """A local service could not be brought to the state asked for."""


@dataclass(frozen=True)
class Settings:
    state: Path
    emulator_host: str
    emulator_port: int
    pg_port: int

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(
            state=Path(os.environ.get("SHOPPULSE_LOCAL_STATE", CHECKOUT / ".local")).resolve(),
            emulator_host=os.environ.get("SHOPPULSE_EMULATOR_HOST", "127.0.0.1"),
            emulator_port=int(os.environ.get("SHOPPULSE_EMULATOR_PORT", "4566")),
            pg_port=int(os.environ.get("SHOPPULSE_PG_PORT", "55432")),
        )

    @property
    def pgdata(self) -> Path:
        return self.state / "pgdata"

    @property
    def pgsocket(self) -> Path:
        """The folder of the server's unix socket: the target of ``<state>/pgsocket`` once the server is set up, else
        where pg_init puts it (socket_folder)."""
        link = self.state / "pgsocket"
        if link.is_symlink():
            return Path(os.readlink(link))
        return link if link.is_dir() else socket_folder(self.state)


# A unix socket's path is at most 107 bytes (sun_path), and PostgreSQL's is <folder>/.s.PGSQL.<port>: a folder inside
# a deep state folder passes it, so the socket lives in a short folder of its own, named after the state folder.
def socket_folder(state: Path) -> Path:
    """A short folder private to ``state`` for the server's socket: in $XDG_RUNTIME_DIR (the user's own) when there is
    one, else in /tmp (root runs the server as another user, who cannot enter root's runtime folder)."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    base = Path(runtime) if runtime and os.geteuid() != 0 and Path(runtime).is_dir() else Path("/tmp")
    return base / f"shoppulse-pg-{hashlib.sha256(str(state).encode()).hexdigest()[:16]}"


def make_socket_folder(cfg: "Settings", user: pwd.struct_passwd | None) -> None:
    """Create the socket folder 0700 for the server's user and link it as ``<state>/pgsocket``; refuse a folder of that
    name someone else made (/tmp is shared, the name predictable)."""
    folder = socket_folder(cfg.state)
    owner = os.geteuid() if user is None else user.pw_uid
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        pass
    found = folder.lstat()
    if not stat.S_ISDIR(found.st_mode) or found.st_uid not in (os.geteuid(), owner) or stat.S_IMODE(found.st_mode) & 0o077:
        raise ServiceError(f"{folder} (the PostgreSQL socket folder of {cfg.state}) exists but is not a folder private to "
                           "this user: remove it and run again")
    if user is not None:
        os.chown(folder, user.pw_uid, user.pw_gid)
    link = cfg.state / "pgsocket"
    link.unlink(missing_ok=True)
    link.symlink_to(folder)


def remove_socket_folder(cfg: "Settings") -> None:
    """Remove the socket folder once the server is stopped (the link goes with the state folder)."""
    folder = cfg.pgsocket
    if (cfg.state / "pgsocket").is_symlink() and folder.is_dir():
        shutil.rmtree(folder, ignore_errors=True)


def port_open(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def poll_until(done: Callable[[], bool], timeout: float, step: float = 0.1) -> bool:
    """Ask ``done`` every ``step`` seconds until it says yes or ``timeout`` seconds have passed; whether it said yes."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() >= deadline:
            return False
        time.sleep(step)
    return True


def wait_for_port_closed(host: str, port: int, timeout: float = 30.0) -> None:
    """Wait until nothing answers on ``port`` any more (a server that has just stopped may still hold it for a moment),
    so that the next start does not take it for another process's; at most ``timeout`` seconds."""
    poll_until(lambda: not port_open(host, port), timeout)


def wait_for_port(host: str, port: int, what: str, timeout: float = 60.0, process: subprocess.Popen | None = None) -> None:
    def opened() -> bool:
        if port_open(host, port):
            return True
        if process is not None and process.poll() is not None:
            raise ServiceError(f"{what} exited (status {process.returncode}) before it opened {host}:{port}")
        return False

    if not poll_until(opened, timeout, step=0.2):
        raise ServiceError(f"{what} did not open {host}:{port} within {timeout:.0f}s")


def read_pid(pidfile: Path) -> int | None:
    try:
        pid = int(pidfile.read_text(encoding="utf-8").split()[0])
        os.kill(pid, 0)
        return pid
    except (FileNotFoundError, ValueError, IndexError, ProcessLookupError):
        return None


# --- the emulator ---------------------------------------------------------------------------------


def realism() -> str | None:
    """The realism settings the environment asks of the emulator in words, None when all are off (the default);
    ServiceError, naming the variable, when one is unusable."""
    from localenv import faults, latency  # pylint: disable=import-outside-toplevel  # only when the emulator starts

    try:
        timing, injected = latency.from_env(), faults.from_env()
    except (latency.LatencyError, faults.FaultsError) as exc:
        raise ServiceError(str(exc)) from exc
    return f"{timing.describe()}; {injected.describe()}" if timing.active or injected.active else None


def emulator_up(cfg: Settings, state_file: Path | None = None) -> str:
    """Start the emulator (from the state saved in ``state_file`` when given: localenv/state.py)."""
    pidfile = cfg.state / "emulator.pid"
    if read_pid(pidfile) and port_open(cfg.emulator_host, cfg.emulator_port):
        return f"emulator already up on {cfg.emulator_host}:{cfg.emulator_port}"
    settings = realism()
    if port_open(cfg.emulator_host, cfg.emulator_port):
        raise ServiceError(
            f"{cfg.emulator_host}:{cfg.emulator_port} is taken by another process: "
            "stop it or set SHOPPULSE_EMULATOR_PORT"
        )
    cfg.state.mkdir(parents=True, exist_ok=True)
    log = open(cfg.state / "emulator.log", "ab")  # pylint: disable=consider-using-with  # handed to the child
    proc = subprocess.Popen(  # pylint: disable=consider-using-with  # a daemon that outlives this call
        [sys.executable, "-m", "localenv.emulator", "--host", cfg.emulator_host, "--port", str(cfg.emulator_port)],
        cwd=CHECKOUT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        # The emulator judges proxy target health against this PostgreSQL (localenv/standin_db.py), whatever the
        # caller's own environment says.
        env={**os.environ, "PYTHONPATH": str(CHECKOUT), "SHOPPULSE_LOCAL_STATE": str(cfg.state),
             "SHOPPULSE_PG_PORT": str(cfg.pg_port), **({STATE_VARIABLE: str(state_file)} if state_file else {})},
    )
    pidfile.write_text(f"{proc.pid}\n", encoding="utf-8")
    try:
        wait_for_port(cfg.emulator_host, cfg.emulator_port, "the AWS API emulator", process=proc)
    except ServiceError as exc:
        tail = log_tail(cfg.state / "emulator.log")
        said = next((line for line in reversed(tail) if "error:" in line), "" if proc.poll() is None else tail[-1])
        raise ServiceError(f"{said.strip() or exc}; see {cfg.state / 'emulator.log'}") from exc
    said = f"emulator up on http://{cfg.emulator_host}:{cfg.emulator_port} (pid {proc.pid})"
    return f"{said}; {settings}" if settings else said


def reaped(pid: int) -> bool:
    """Whether ``pid`` is a child of this process that has exited (collected here, so that it does not linger as a
    zombie that ``os.kill(pid, 0)`` still finds); False for another process's child."""
    try:
        return os.waitpid(pid, os.WNOHANG)[0] == pid
    except ChildProcessError:
        return False


def stop_pid(pidfile: Path, timeout: float = 15.0) -> bool:
    pid = read_pid(pidfile)
    if pid is None:
        pidfile.unlink(missing_ok=True)
        return False
    os.kill(pid, signal.SIGTERM)
    poll_until(lambda: reaped(pid) or not read_pid(pidfile), timeout)
    if read_pid(pidfile):
        os.kill(pid, signal.SIGKILL)
    pidfile.unlink(missing_ok=True)
    return True


# --- PostgreSQL -----------------------------------------------------------------------------------


def pg_bindir() -> Path:
    """The PostgreSQL 15 server's bin folder, from PATH or ``pg_config --bindir``."""
    candidates = []
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False)
        if out.returncode == 0 and out.stdout.strip():
            candidates.append(Path(out.stdout.strip()))
    candidates.append(Path(f"/usr/lib/postgresql/{PG_MAJOR}/bin"))
    for folder in candidates:
        pg_ctl = folder / "pg_ctl"
        if (folder / "postgres").exists() and pg_ctl.exists():
            version = subprocess.run([str(pg_ctl), "--version"], capture_output=True, text=True, check=False).stdout
            if f"PostgreSQL) {PG_MAJOR}." in version:
                return folder
    raise ServiceError(
        f"PostgreSQL {PG_MAJOR} server binaries (initdb, pg_ctl, postgres) not found on PATH or by pg_config: "
        f"install the Debian package {PG_PACKAGE} (apt-get install {PG_PACKAGE}), or run `make system-deps` as root"
    )


def server_user() -> pwd.struct_passwd | None:
    """PostgreSQL refuses to run as root: as root, run it as the ``postgres`` system user."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres")
    except KeyError as exc:
        raise ServiceError(f"running as root needs the 'postgres' system user, which {PG_PACKAGE} creates") from exc


def run_as(user: pwd.struct_passwd | None, argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    if user is not None:
        argv = ["runuser", "-u", user.pw_name, "--", *argv]
    return subprocess.run(argv, capture_output=True, text=True, check=False, **kwargs)


def grant_search(path: Path, user: pwd.struct_passwd) -> list[Path]:
    """Let ``user`` traverse (not list) every folder above ``path``; return the folders changed."""
    changed = []
    for folder in reversed(path.parents):
        mode = folder.stat().st_mode
        if run_as(user, ["test", "-x", str(folder)]).returncode != 0:
            os.chmod(folder, mode | stat.S_IXOTH)
            changed.append(folder)
    return changed


def make_certificate(cfg: Settings) -> None:
    crt, key = cfg.pgdata / "server.crt", cfg.pgdata / "server.key"
    result = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3650", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", str(key), "-out", str(crt)],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise ServiceError(f"openssl could not make the server certificate: {result.stderr.strip()}")
    os.chmod(key, 0o600)


SERVER_CONF = """
# ShopPulse local stand-in for RDS: loopback only, TLS on (as rds.force_ssl = 1 requires).
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{socket}'
ssl = on
ssl_cert_file = 'server.crt'
ssl_key_file = 'server.key'
password_encryption = 'scram-sha-256'
max_connections = 100
shared_buffers = 64MB
fsync = off
"""

# TCP only with TLS (no plain `host` line, so non-TLS logins are refused); the socket, reachable only by
# root and the server's user, is how the harness bootstraps the admin role from the emulated secret.
HBA_CONF = """local   all   all                  trust
hostssl all   all   127.0.0.1/32   scram-sha-256
"""


def pg_init(cfg: Settings, bindir: Path, user: pwd.struct_passwd | None) -> None:
    cfg.state.mkdir(parents=True, exist_ok=True)
    if user is not None:
        for folder in grant_search(cfg.state, user):
            print(f"note: granted search (o+x) on {folder} so the '{user.pw_name}' user can reach {cfg.pgdata}")
    cfg.pgdata.mkdir(mode=0o700)
    make_socket_folder(cfg, user)
    if user is not None:
        os.chown(cfg.pgdata, user.pw_uid, user.pw_gid)
    result = run_as(user, [str(bindir / "initdb"), "-D", str(cfg.pgdata), "-U", "postgres", "-E", "UTF8",
                           "--auth-local=trust", "--auth-host=scram-sha-256", "--no-instructions",
                           # English server messages: the emulator's stand-in check reads the login refusal's text.
                           "--lc-messages=C"])
    if result.returncode != 0:
        raise ServiceError(f"initdb failed: {result.stderr.strip() or result.stdout.strip()}")
    make_certificate(cfg)
    with open(cfg.pgdata / "postgresql.conf", "a", encoding="utf-8") as conf:
        conf.write(SERVER_CONF.format(port=cfg.pg_port, socket=cfg.pgsocket))
    (cfg.pgdata / "pg_hba.conf").write_text(HBA_CONF, encoding="utf-8")
    if user is not None:
        for name in ("server.crt", "server.key", "pg_hba.conf"):
            os.chown(cfg.pgdata / name, user.pw_uid, user.pw_gid)


def log_tail(path: Path, lines: int = 15) -> list[str]:
    """The last lines of a log, indented; a line saying so when there is none."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return ["  (no log written)"]
    return [f"  {line}" for line in text.splitlines()[-lines:]] or ["  (empty)"]


# pg_ctl status: 0 when a server runs on the data folder, 3 when none does.
PG_RUNNING, PG_NOT_RUNNING = 0, 3


def postgres_status(cfg: Settings, bindir: Path, user: pwd.struct_passwd | None) -> int:
    """``pg_ctl status`` on ``cfg``'s data folder: PG_RUNNING, PG_NOT_RUNNING, or another code of pg_ctl's (PG_NOT_RUNNING
    where the folder does not exist)."""
    if not cfg.pgdata.exists():
        return PG_NOT_RUNNING
    return run_as(user, [str(bindir / "pg_ctl"), "status", "-D", str(cfg.pgdata)]).returncode


def postgres_up(cfg: Settings) -> str:
    bindir = pg_bindir()
    user = server_user()
    if postgres_status(cfg, bindir, user) == PG_RUNNING:
        return f"postgresql already up on 127.0.0.1:{cfg.pg_port}"
    if port_open("127.0.0.1", cfg.pg_port):
        raise ServiceError(f"127.0.0.1:{cfg.pg_port} is taken by another process: stop it or set SHOPPULSE_PG_PORT")
    if not (cfg.pgdata / "PG_VERSION").exists():
        shutil.rmtree(cfg.pgdata, ignore_errors=True)  # a half-made folder from an interrupted init
        pg_init(cfg, bindir, user)
    result = run_as(user, [str(bindir / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(cfg.pgdata),
                           "-l", str(cfg.pgdata / "server.log")])
    if result.returncode != 0:
        said = " ".join((result.stderr.strip() or result.stdout.strip()).split())
        log = cfg.pgdata / "server.log"
        raise ServiceError("\n".join([f"pg_ctl start failed ({said}); the end of {log}:", *log_tail(log)]))
    wait_for_port("127.0.0.1", cfg.pg_port, "PostgreSQL")
    return f"postgresql {PG_MAJOR} up on 127.0.0.1:{cfg.pg_port} (TLS on; admin socket {cfg.pgsocket})"


def postgres_down(cfg: Settings) -> bool:
    if not (cfg.pgdata / "PG_VERSION").exists():
        return False
    bindir = pg_bindir()
    user = server_user()
    result = run_as(user, [str(bindir / "pg_ctl"), "stop", "-w", "-m", "fast", "-D", str(cfg.pgdata)])
    # With no server on the data folder, its socket folder is no one's.
    if result.returncode == 0 or postgres_status(cfg, bindir, user) == PG_NOT_RUNNING:
        remove_socket_folder(cfg)
    if result.returncode == 0:
        wait_for_port_closed("127.0.0.1", cfg.pg_port)
    return result.returncode == 0


# --- commands -------------------------------------------------------------------------------------


def up(cfg: Settings, snapshot: Path | None = None, artifacts: Path | None = None) -> list[str]:
    """Start both services; from a snapshot (see ``snapshot``) when one is given, its artifacts put in ``artifacts``."""
    if snapshot is None:
        return [emulator_up(cfg), postgres_up(cfg)]
    said = restore(cfg, Path(snapshot), artifacts)
    return [emulator_up(cfg, Path(snapshot) / SNAPSHOT_EMULATOR), postgres_up(cfg), said]


# --- snapshots ------------------------------------------------------------------------------------
# A snapshot folder holds the emulator's state (localenv/state.py), a copy of the state folder (PostgreSQL's data
# folder, its TLS files) taken with the server stopped, and a copy of the artifacts folder (outputs.json...). Neither
# port is in it: a restored environment runs on the ports of the settings it is restored with.

SNAPSHOT_EMULATOR = "emulator.state"
SNAPSHOT_STATE = "state"
SNAPSHOT_ARTIFACTS = "artifacts"
# What a copy of the state folder leaves out: the running processes' own files, remade when they start.
NOT_SNAPSHOT = ("emulator.pid", "emulator.log", "pgsocket", "postmaster.pid", "postmaster.opts", "server.log")


def save_emulator_state(cfg: Settings, path: Path) -> str:
    """Ask the running emulator to write its state to ``path``."""
    import urllib.error  # pylint: disable=import-outside-toplevel
    import urllib.request  # pylint: disable=import-outside-toplevel

    url = f"http://{cfg.emulator_host}:{cfg.emulator_port}/_localenv/state"
    request = urllib.request.Request(url, data=str(path).encode("utf-8"), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=120) as answer:  # nosec B310  # the local emulator's own URL
            return answer.read().decode("utf-8").strip()
    except urllib.error.HTTPError as exc:
        raise ServiceError(f"the emulator did not save its state: {exc.read().decode('utf-8').strip()}") from exc
    except OSError as exc:
        raise ServiceError(f"no emulator answers at {cfg.emulator_host}:{cfg.emulator_port} ({exc})") from exc


def snapshot(cfg: Settings, folder: Path, artifacts: Path | None = None) -> list[str]:
    """Save the running environment to ``folder`` (which must not exist): the emulator's state, then the state folder
    with PostgreSQL stopped for a consistent copy (started again afterwards), and ``artifacts`` when given."""
    folder = Path(folder)
    if folder.exists():
        raise ServiceError(f"snapshot folder {folder} exists already: give a new one")
    if not (cfg.pgdata / "PG_VERSION").exists():
        raise ServiceError(f"no PostgreSQL data folder in {cfg.state}: start the environment first")
    folder.mkdir(parents=True, mode=0o700)
    said = [save_emulator_state(cfg, folder / SNAPSHOT_EMULATOR)]
    postgres_down(cfg)
    if postgres_status(cfg, pg_bindir(), server_user()) == PG_RUNNING:  # a running server's copy would not be consistent
        raise ServiceError(f"PostgreSQL did not stop on {cfg.pgdata}, so no snapshot was taken: see its server.log")
    try:
        shutil.copytree(cfg.state, folder / SNAPSHOT_STATE, symlinks=True, ignore=shutil.ignore_patterns(*NOT_SNAPSHOT))
    finally:
        make_socket_folder(cfg, server_user())  # postgres_down removed it
        postgres_up(cfg)
    if artifacts is not None and Path(artifacts).is_dir():
        shutil.copytree(artifacts, folder / SNAPSHOT_ARTIFACTS, symlinks=True)
    said.append(f"snapshot of {cfg.state} saved in {folder}")
    return said


def restore(cfg: Settings, folder: Path, artifacts: Path | None = None) -> str:
    """Put the snapshot in ``folder`` in place as ``cfg``'s state folder (which must not hold a data folder yet), with
    PostgreSQL set to ``cfg``'s port, and its artifacts in ``artifacts`` when given."""
    for needed in (SNAPSHOT_EMULATOR, f"{SNAPSHOT_STATE}/pgdata/PG_VERSION"):
        if not (folder / needed).exists():
            raise ServiceError(f"{folder} is not a snapshot of the local environment: it has no {needed}")
    if cfg.pgdata.exists():
        raise ServiceError(f"{cfg.state} holds an environment already: run `python -m localenv down` first")
    user = server_user()
    cfg.state.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(folder / SNAPSHOT_STATE, cfg.state, symlinks=True, dirs_exist_ok=True)
    if user is not None:
        for folder_changed in grant_search(cfg.state, user):
            print(f"note: granted search (o+x) on {folder_changed} so the '{user.pw_name}' user can reach {cfg.pgdata}")
        for path in [cfg.pgdata, *cfg.pgdata.rglob("*")]:
            os.lchown(path, user.pw_uid, user.pw_gid)
    make_socket_folder(cfg, user)
    # The server's own port and socket folder are the last settings of postgresql.conf (pg_init appends them).
    conf = cfg.pgdata / "postgresql.conf"
    conf.write_text(conf.read_text(encoding="utf-8") + f"port = {cfg.pg_port}\nunix_socket_directories = '{cfg.pgsocket}'\n",
                    encoding="utf-8")
    if artifacts is not None and (folder / SNAPSHOT_ARTIFACTS).is_dir():
        shutil.copytree(folder / SNAPSHOT_ARTIFACTS, artifacts, symlinks=True, dirs_exist_ok=True)
    return f"restored from the snapshot {folder}"


def down(cfg: Settings) -> list[str]:
    said = []
    if stop_pid(cfg.state / "emulator.pid"):
        said.append("emulator stopped")
    if postgres_down(cfg):
        said.append("postgresql stopped")
    if cfg.state.exists():
        shutil.rmtree(cfg.state)
        said.append(f"removed {cfg.state}")
    return said or ["nothing was running"]


def status(cfg: Settings) -> list[str]:
    emulator = "up" if port_open(cfg.emulator_host, cfg.emulator_port) else "down"
    postgres = "up" if port_open("127.0.0.1", cfg.pg_port) else "down"
    return [f"emulator {cfg.emulator_host}:{cfg.emulator_port} {emulator}", f"postgresql 127.0.0.1:{cfg.pg_port} {postgres}"]


COMMANDS = {"up": up, "down": down, "status": status, "snapshot": snapshot}
USAGE = "usage: python -m localenv {up [SNAPSHOT_FOLDER]|down|status|snapshot SNAPSHOT_FOLDER}"


def artifacts_folder() -> Path:
    """The artifacts folder site.yml writes for inventories/local (SHOPPULSE_ARTIFACTS_DIR moves it)."""
    return Path(os.environ.get("SHOPPULSE_ARTIFACTS_DIR", CHECKOUT / "artifacts" / "local")).resolve()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    command, operands = (args[0], args[1:]) if args else ("", [])
    fewest, most = {"up": (0, 1), "snapshot": (1, 1)}.get(command, (0, 0))
    if command not in COMMANDS or not fewest <= len(operands) <= most:
        print(USAGE, file=sys.stderr)
        return 2
    extra = {}
    if operands:  # the snapshot folder: the one `up` starts from, or the one `snapshot` writes
        extra = {"snapshot" if command == "up" else "folder": Path(operands[0]).resolve(), "artifacts": artifacts_folder()}
    try:
        for line in COMMANDS[args[0]](Settings.from_env(), **extra):
            print(line)
    except ServiceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
