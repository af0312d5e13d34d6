"""Lambda: Invoke runs a Python function's handler, as the Lambda API reference describes; Secrets Manager runs a secret's
rotation function on RotateSecret.

moto runs a function only in a container engine, which the local environment does not need; here the handler of a Python
(zip) function runs in a subprocess of the emulator (``localenv/lambda_bootstrap.py``) with the function's environment
variables and timeout, the runtime's own packages (boto3 and what it needs) and nothing else of this checkout, its AWS
calls going to the emulator. As Lambda reuses an execution environment
(https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html), that process serves the function's next
invocations too, one at a time: its module is imported once (the init phase, reported as ``Init Duration`` on the cold
start's REPORT line) and what it keeps between invocations (clients, connections) is kept. A new code or configuration,
a timeout or a failed init starts a new one, and one left idle for ten minutes is stopped. The memory setting reaches
the context and the REPORT line, beside the peak the process used; it is not enforced, as this interpreter's peak is not
the Lambda runtime's. Its output is written to ``/aws/lambda/<name>`` with the START, END and REPORT lines Lambda
writes. Inside the function the host names of the emulated RDS instances, proxies and proxy endpoints resolve to the
local PostgreSQL stand-in (as the VPC's DNS resolves them to the instance and the proxy); the function's code is
unchanged.
"""

from __future__ import annotations

import base64
import functools
import json
import math
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass
from datetime import datetime, timezone
from io import BytesIO
from pathlib import Path
from typing import Any

from localenv.fidelity import entry

API = "https://docs.aws.amazon.com/lambda/latest/api"
BOOTSTRAP = Path(__file__).resolve().parent.parent / "lambda_bootstrap.py"
# What the Lambda Python runtimes carry besides the standard library: the SDK and what it imports.
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six.py")
INIT_LIMIT = 10  # seconds: Lambda's limit on a function's initialisation (imports), beside the function's timeout
LOG_TAIL = 4096  # bytes of the log returned with LogType=Tail
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_SESSION_TOKEN": "testing"}

_endpoint: dict[str, str | None] = {"url": None}
_schedule = {"kept": False}  # whether the emulator keeps the secrets' rotation schedules (the entry below)
_local = threading.local()


def serve_at(url: str) -> None:
    """The emulator's own address, where the functions' AWS calls go (set by the emulator when it starts serving);
    from then on the secrets' rotation schedules are kept (one thread for the process)."""
    first = _endpoint["url"] is None
    _endpoint["url"] = url
    if first and _schedule["kept"]:
        threading.Thread(target=_keep_schedules, daemon=True, name="rotation-schedules").start()


@functools.lru_cache(maxsize=1)
def _work() -> Path:
    """A folder of this process for unpacked packages and the runtime's packages, removed when it exits."""
    import atexit  # pylint: disable=import-outside-toplevel

    folder = Path(tempfile.mkdtemp(prefix="shoppulse-lambda-"))
    atexit.register(shutil.rmtree, folder, True)
    packages = folder / "runtime"
    packages.mkdir()
    site = Path(__import__("boto3").__file__).resolve().parent.parent
    for name in RUNTIME_PACKAGES:
        (packages / name).symlink_to(site / name)
    return folder


def _task_root(function: Any) -> Path:
    """The function's package unpacked once per code hash, as the task root (LAMBDA_TASK_ROOT) the handler runs in."""
    root = _work() / "code" / base64.b16encode(base64.b64decode(function.code_sha_256)).decode()[:32]
    if not root.is_dir():
        partial = root.with_suffix(f".{uuid.uuid4().hex}")
        with zipfile.ZipFile(BytesIO(function.code_bytes)) as archive:
            archive.extractall(partial)
        try:
            partial.rename(root)
        except OSError:  # another invocation unpacked it first
            shutil.rmtree(partial, ignore_errors=True)
    return root


def _local_hosts(function: Any) -> dict[str, list[Any]]:
    """The emulated RDS host names of the function's account and region, each mapped to the local PostgreSQL server."""
    from moto.rds.models import rds_backends  # pylint: disable=import-outside-toplevel

    from localenv import standin_db  # pylint: disable=import-outside-toplevel
    from localenv.fidelity.rds_proxy import _endpoints  # pylint: disable=import-outside-toplevel

    cfg = standin_db.settings()
    if cfg is None:
        return {}
    backend = rds_backends[function.account_id][function.region]
    names = [instance.address for instance in backend.databases.values()]
    names += [proxy.endpoint for proxy in backend.db_proxies.values()]
    names += [endpoint.endpoint for endpoint in _endpoints(backend).values()]
    return {name.lower(): ["127.0.0.1", cfg.pg_port] for name in names if name}


@dataclass
class Invocation:
    """What one invocation gave: the payload Lambda returns, the FunctionError header's value, and the log."""

    payload: bytes
    function_error: str | None
    log: str


def _environment(function: Any, root: Path) -> dict[str, str]:
    """The function's variables, then the runtime's reserved ones (Lambda refuses functions that set those)."""
    env = {str(key): str(value) for key, value in (function.environment_vars or {}).items()}
    env.update(CREDENTIALS)
    env.update({
        "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "en_US.UTF-8", "TZ": ":UTC", "PYTHONDONTWRITEBYTECODE": "1",
        "LAMBDA_TASK_ROOT": str(root), "_HANDLER": function.handler, "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.run_time}",
        "AWS_REGION": function.region, "AWS_DEFAULT_REGION": function.region,
        "AWS_LAMBDA_FUNCTION_NAME": function.function_name, "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_size), "AWS_LAMBDA_FUNCTION_TIMEOUT": str(function.timeout),
        "AWS_LAMBDA_LOG_GROUP_NAME": function.logs_group_name,
        "_SHOPPULSE_RUNTIME_PACKAGES": str(_work() / "runtime"),
    })
    if _endpoint["url"]:
        env["AWS_ENDPOINT_URL"] = _endpoint["url"]
    return env


def _failure(error_type: str, message: str) -> dict[str, Any]:
    return {"errorMessage": message, "errorType": error_type}


class ExecutionEnvironment:
    """One runtime process (localenv/lambda_bootstrap.py) of a function's configuration, reused for one invocation at a
    time as Lambda reuses an execution environment, with the log stream it writes to."""

    def __init__(self, key: str, env: dict[str, str]) -> None:
        now = datetime.now(timezone.utc)
        self.key = key
        self.stream = f"{now:%Y/%m/%d}/[$LATEST]{uuid.uuid4().hex}"
        self.idle_since = time.monotonic()
        # pylint: disable-next=consider-using-with  # the process lives across invocations
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-I", "-S", str(BOOTSTRAP)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, cwd=env["LAMBDA_TASK_ROOT"],
            env={**env, "AWS_LAMBDA_LOG_STREAM_NAME": self.stream}, start_new_session=True)

    def alive(self) -> bool:
        return self.process.poll() is None

    def invoke(self, request: dict[str, Any], limit: float) -> tuple[dict[str, Any] | None, str]:
        """Send one invocation; its result (None when the runtime did not answer within ``limit`` seconds or ended)
        and the function's output."""
        with tempfile.NamedTemporaryFile(dir=_work(), suffix=".log", delete=False) as handle:
            output = Path(handle.name)
        try:
            try:
                self.process.stdin.write((json.dumps({**request, "output": str(output)}) + "\n").encode())
                self.process.stdin.flush()
                answered = select.select([self.process.stdout], [], [], limit)[0]
                answer = self.process.stdout.readline() if answered else b""
            except OSError:  # the runtime had ended
                answer = b""
            try:
                result = json.loads(answer) if answer else None
            except ValueError:
                result = None
            return result, output.read_text(encoding="utf-8", errors="replace")
        finally:
            output.unlink(missing_ok=True)

    def stop(self) -> None:
        if self.alive():
            self.process.kill()
        self.process.stdin.close()
        self.process.stdout.close()
        self.process.wait()


class ExecutionEnvironments:
    """The idle execution environments of each function, as Lambda keeps them for the next invocations: one is taken
    for an invocation, or a new one started when none of the function's current configuration is idle. As an
    invocation starts, the function's environments of an earlier code or configuration are stopped, and any function's
    idle for IDLE_LIMIT seconds."""

    IDLE_LIMIT = 600.0  # Lambda keeps an idle environment "for some time", undocumented: this emulator's choice

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.idle: dict[str, list[ExecutionEnvironment]] = {}

    def take(self, arn: str, key: str, env: dict[str, str]) -> ExecutionEnvironment:
        stale, now = [], time.monotonic()
        with self.lock:
            for function_arn, environments in self.idle.items():
                kept = []
                for environment in environments:
                    current = function_arn != arn or environment.key == key
                    fresh = current and now - environment.idle_since < self.IDLE_LIMIT and environment.alive()
                    (kept if fresh else stale).append(environment)
                self.idle[function_arn] = kept
            taken = self.idle.get(arn, []).pop() if self.idle.get(arn) else None
        for environment in stale:
            environment.stop()
        return taken or ExecutionEnvironment(key, env)

    def give_back(self, arn: str, environment: ExecutionEnvironment, reset: bool) -> None:
        """Keep ``environment`` for the function's next invocation, unless Lambda would ``reset`` it (its invocation
        timed out or its init failed: the runtime ends) or it has ended."""
        if reset or not environment.alive():
            environment.stop()
            return
        environment.idle_since = time.monotonic()
        with self.lock:
            self.idle.setdefault(arn, []).append(environment)

    def stop_all(self) -> None:
        with self.lock:
            every = [environment for environments in self.idle.values() for environment in environments]
            self.idle.clear()
        for environment in every:
            environment.stop()


@functools.lru_cache(maxsize=1)
def _environments() -> ExecutionEnvironments:
    """This process's execution environments, stopped when it exits."""
    import atexit  # pylint: disable=import-outside-toplevel

    environments = ExecutionEnvironments()
    atexit.register(environments.stop_all)
    return environments


def run(function: Any, event: str) -> Invocation:
    """Invoke the function once, in an execution environment of its current code and configuration, and write its log
    to that environment's stream, as Lambda does."""
    request_id = str(uuid.uuid4())
    env = _environment(function, _task_root(function))
    # A function deleted and created again, or updated, is a new configuration: its environments are new.
    key = json.dumps([function.code_sha_256, str(function.last_modified), env], sort_keys=True)
    environments = _environments()
    environment = environments.take(function.function_arn, key, env)
    started = time.monotonic()
    request = {"event": event, "request_id": request_id, "function_arn": function.function_arn,
               "hosts": _local_hosts(function)}
    result, output = environment.invoke(request, limit=INIT_LIMIT + float(function.timeout) + 5)
    duration = (result or {}).get("duration_ms", (time.monotonic() - started) * 1000)
    used = math.ceil((result or {}).get("max_memory_kib", 0) / 1024)
    lines = [f"START RequestId: {request_id} Version: $LATEST", *output.splitlines()]
    if result is None or result.get("timed_out"):
        note = f"Task timed out after {float(function.timeout):.2f} seconds"
        lines.append(f"{datetime.now(timezone.utc):%Y-%m-%dT%H:%M:%S.%f}"[:-3] + f"Z {request_id} {note}")
        error = _failure("Sandbox.Timedout", f"RequestId: {request_id} Error: {note}")
    else:
        error = None if result["ok"] else result["error"]
    init = f"\tInit Duration: {result['init_ms']:.2f} ms" if result and "init_ms" in result else ""
    lines += [f"END RequestId: {request_id}",
              f"REPORT RequestId: {request_id}\tDuration: {duration:.2f} ms\tBilled Duration: {math.ceil(duration)} ms\t"
              f"Memory Size: {function.memory_size} MB\tMax Memory Used: {used} MB{init}"]
    log = "\n".join(lines) + "\n"
    _write_log(function, environment, lines)
    environments.give_back(function.function_arn, environment,
                           reset=result is None or bool(result.get("timed_out") or result.get("reset")))
    if error is not None:
        return Invocation(json.dumps(error).encode(), "Unhandled", log)
    return Invocation(result["payload"].encode(), None, log)


def _write_log(function: Any, environment: ExecutionEnvironment, lines: list[str]) -> None:
    backend = function.logs_backend
    backend.ensure_log_group(function.logs_group_name)
    if environment.stream not in backend.groups[function.logs_group_name].streams:  # new, or its group deleted since
        backend.create_log_stream(function.logs_group_name, environment.stream)
    stamp = int(time.time() * 1000)
    backend.put_log_events(function.logs_group_name, environment.stream,
                           [{"timestamp": stamp, "message": line} for line in lines])


def _header(headers: Any, name: str) -> str | None:
    return next((value for key, value in (headers or {}).items() if key.lower() == name), None)


@entry(
    key="lambda-invoke-runs-python-handler",
    api="Invoke",
    moto="runs a function only in a Docker container: without a container engine `Invoke` answers \"error running "
    "docker\" as the function's result, for every invocation type, and writes nothing the function printed",
    aws="`RequestResponse` runs the handler and returns its result, or `X-Amz-Function-Error` with an `errorMessage`/"
    "`errorType` payload; `Event` queues the invocation and returns 202 at once; `DryRun` only checks (204); the "
    "function runs with its environment variables, timeout and memory, and its output goes to `/aws/lambda/<name>` "
    "between START and END lines and a REPORT line (the last 4 KB returned with `LogType` `Tail`); an execution "
    "environment serves the function's later invocations, one at a time, with what its code kept and its one log "
    "stream (`Init Duration` in the REPORT line of a cold start only), until the function's code or configuration "
    "changes or an invocation times out (lambda-runtime-environment.html in the Lambda developer guide)",
    reference=f"{API}/API_Invoke.html",
)
def invoke_runs_python_handler() -> None:
    from moto.awslambda.models import LambdaFunction  # pylint: disable=import-outside-toplevel  # patched before serving

    def invoke(self: Any, body: str, request_headers: Any, response_headers: Any) -> bytes:
        event = body.decode() if isinstance(body, bytes) else (body or "")
        deferred = getattr(_local, "deferred", None)
        if deferred is not None:  # a rotation's steps: run once RotateSecret has answered
            deferred.append((self, event))
            return b""
        kind = _header(request_headers, "x-amz-invocation-type") or "RequestResponse"
        if kind == "DryRun":
            return b""
        if kind == "Event":
            threading.Thread(target=run, args=(self, event), daemon=True).start()
            return b""
        done = run(self, event)
        if done.function_error:
            response_headers["x-amz-function-error"] = done.function_error
        response_headers["x-amz-executed-version"] = "$LATEST"
        response_headers["x-amz-log-result"] = base64.b64encode(done.log.encode()[-LOG_TAIL:]).decode()
        return done.payload

    LambdaFunction.invoke = invoke


def _rotate(steps: list[tuple[Any, str]]) -> None:
    """Run a rotation's steps in order; a step that fails ends the rotation there (AWSPENDING stays for a retry)."""
    for function, event in steps:
        if run(function, event).function_error:
            return


@entry(
    key="secretsmanager-rotate-secret-runs-function",
    api="RotateSecret",
    moto="invokes the rotation function's four steps inside the RotateSecret call (where no function runs without "
    "Docker), whatever the previous step gave",
    aws="RotateSecret starts the rotation and returns: Secrets Manager then invokes the function with `createSecret`, "
    "`setSecret`, `testSecret` and `finishSecret` in turn (only `testSecret` when `RotateImmediately` is false), and "
    "a step that fails ends that attempt with `AWSPENDING` left in place",
    reference="https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotate-secrets_how.html",
    after_others=True,
)
def rotate_secret_runs_function() -> None:
    from moto.secretsmanager import models  # pylint: disable=import-outside-toplevel

    original = models.SecretsManagerBackend.rotate_secret

    @functools.wraps(original)
    def rotate_secret(self: Any, *args: Any, **kwargs: Any) -> Any:
        _local.deferred = []
        try:
            result = original(self, *args, **kwargs)
        finally:
            steps, _local.deferred = _local.deferred, None
        if steps:
            threading.Thread(target=_rotate, args=(steps,), daemon=True).start()
        return result

    models.SecretsManagerBackend.rotate_secret = rotate_secret


SCHEDULE_TICK = 60  # seconds between two looks at the secrets' next rotation dates


def rotate_due(now: float) -> list[str]:
    """Start the rotation of every secret whose rotation is on and due at ``now`` (its next rotation date passed), as
    Secrets Manager does on the schedule, and schedule the next one ``AutomaticallyAfterDays`` later; a secret whose
    last rotation is still in progress is left for the next look. The ARNs of the secrets started."""
    from moto.secretsmanager.models import secretsmanager_backends  # pylint: disable=import-outside-toplevel

    started = []
    for found in secretsmanager_backends.iter_backends():  # (account, region, backend)
        backend = found[2]
        for secret in list(backend.secrets.values()):
            due = getattr(secret, "next_rotation_date", None)
            if not getattr(secret, "rotation_enabled", False) or not secret.rotation_lambda_arn or due is None or due > now:
                continue
            try:
                backend.rotate_secret(secret.arn)
            except Exception:  # pylint: disable=broad-except  # in progress or no function: the next look tries again
                continue
            secret.next_rotation_date = int(now) + int(secret.auto_rotate_after_days) * 86400
            started.append(secret.arn)
    return started


def _keep_schedules() -> None:
    while True:
        time.sleep(SCHEDULE_TICK)
        rotate_due(time.time())


@entry(
    key="secretsmanager-rotation-schedule",
    api="RotateSecret (RotationRules), DescribeSecret (NextRotationDate)",
    moto="keeps `NextRotationDate` but never rotates on it: a secret with rotation on rotates only when RotateSecret "
    "is called",
    aws="with rotation on, Secrets Manager rotates the secret with its function when the next rotation date comes, "
    "every `AutomaticallyAfterDays`, and schedules the next rotation from it",
    reference="https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotationRulesType.html",
)
def rotation_schedule() -> None:
    """The emulator, once serving (serve_at), looks at the schedules every SCHEDULE_TICK seconds with rotate_due."""
    _schedule["kept"] = True
