"""The Python runtime the emulator runs a function's handler in: one execution environment, reused.

Run by ``localenv/fidelity/awslambda.py`` as ``python -I -S lambda_bootstrap.py`` in the function's unpacked package
(its task root), with the function's environment. Like the Lambda runtime, it puts the task root and the runtime's own
packages (boto3 and what it needs) on ``sys.path``; at its first invocation it imports the module the handler names
(the init phase), and then, as Lambda reuses an execution environment, it calls the handler for each invocation the
emulator sends, one at a time, with what the module's code kept between them.

Each invocation is one JSON line on stdin: the event, the request id, the ARN it was invoked by, the database host
names to resolve (below) and the file the function's output (print, logging) goes to, which the emulator writes to the
function's log group. The answer is one JSON line on the runtime's original stdout: ``{"ok": true, "payload": ...}``
or ``{"ok": false, "error": {errorMessage, errorType, stackTrace}}``, with the handler's duration, the init phase's on
the invocation that ran it, and the process's peak memory. As Lambda resets an environment whose function timed out or
whose init failed, the runtime then ends; the emulator starts another for the next invocation.

Where the VPC's DNS would resolve a database host name, the emulator passes a map of host names to the local
PostgreSQL stand-in with each invocation; the runtime answers ``socket.getaddrinfo`` for those names only, so the
function's code is the code deployed to AWS and cannot tell.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import signal
import socket
import sys
import time
import traceback

PACKAGES_VARIABLE = "_SHOPPULSE_RUNTIME_PACKAGES"


def resolve_locally(hosts: dict[str, list]) -> None:
    """Answer getaddrinfo for the names in ``hosts`` ({name: [address, port]}, read at each call) with that address
    and port."""
    original = socket.getaddrinfo

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):  # pylint: disable=redefined-builtin
        name = host.decode() if isinstance(host, bytes) else host
        target = hosts.get((name or "").lower().rstrip("."))
        if target is None:
            return original(host, port, family, type, proto, flags)
        return original(target[0], target[1], family, type, proto, flags)

    socket.getaddrinfo = getaddrinfo


class Context:  # pylint: disable=too-few-public-methods,too-many-instance-attributes
    """The Lambda context object's attributes and method, as the Python runtime passes them."""

    def __init__(self, request: dict, deadline: float) -> None:
        env = os.environ
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.aws_request_id = request["request_id"]
        self.invoked_function_arn = request["function_arn"]
        self.identity = None
        self.client_context = None
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def error(exc: BaseException, error_type: str | None = None, message: str | None = None) -> dict:
    return {"errorMessage": str(exc) if message is None else message, "errorType": error_type or type(exc).__name__,
            "stackTrace": traceback.format_list(traceback.extract_tb(exc.__traceback__)[1:])}


def load_handler(handler: str):
    """The handler function, or the error the Python runtime reports for a module or handler it cannot find."""
    module_name, function_name = handler.rpartition(".")[::2]
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as exc:
        return None, error(exc, "Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}")
    except Exception as exc:  # pylint: disable=broad-except  # any failure at import is the function's init error
        return None, error(exc, "Runtime.UserCodeSyntaxError" if isinstance(exc, SyntaxError) else None)
    function = getattr(module, function_name, None)
    if function is None:
        return None, {"errorMessage": f"Handler '{function_name}' missing on module '{module_name}'",
                      "errorType": "Runtime.HandlerNotFound", "stackTrace": []}
    return function, None


class Runtime:
    """One execution environment: the handler once imported, the answers' channel, the host names to resolve."""

    def __init__(self, answers) -> None:
        self.answers = answers
        self.function = None
        self.hosts: dict[str, list] = {}
        resolve_locally(self.hosts)

    def answer(self, result: dict) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        result["max_memory_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self.answers.write(json.dumps(result) + "\n")
        self.answers.flush()

    def stop_at(self, timeout: float) -> None:
        """End the process when the function's timeout has passed, as Lambda stops a function that runs too long and
        resets its execution environment."""

        def timed_out(*_: object) -> None:
            self.answer({"ok": False, "timed_out": True})
            os._exit(0)  # pylint: disable=protected-access  # nothing of the function may run on

        signal.signal(signal.SIGALRM, timed_out)
        signal.setitimer(signal.ITIMER_REAL, timeout)

    def invoke(self, request: dict) -> dict:
        """Run one invocation (the init phase first, in a new environment); its result, without the peak memory."""
        self.hosts.clear()
        self.hosts.update(request.get("hosts", {}))
        result = {}
        if self.function is None:
            started = time.monotonic()
            self.function, failed = load_handler(os.environ["_HANDLER"])
            result["init_ms"] = (time.monotonic() - started) * 1000
            if failed:
                return {**result, "ok": False, "error": failed, "reset": True}
        timeout = float(os.environ["AWS_LAMBDA_FUNCTION_TIMEOUT"])
        started = time.monotonic()
        self.stop_at(timeout)
        payload, failure = None, None
        try:
            event = json.loads(request["event"]) if request["event"].strip() else {}
            payload = self.function(event, Context(request, started + timeout))
        except Exception as exc:  # pylint: disable=broad-except  # the runtime reports whatever the handler raises
            print(f"[ERROR] {type(exc).__name__}: {exc}", flush=True)
            traceback.print_exc(file=sys.stdout)
            failure = error(exc)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        result["duration_ms"] = (time.monotonic() - started) * 1000
        if failure is not None:
            return {**result, "ok": False, "error": failure}
        try:
            return {**result, "ok": True, "payload": json.dumps(payload)}
        except (TypeError, ValueError) as exc:
            return {**result, "ok": False, "error": {"errorMessage": f"Unable to marshal response: {exc}",
                                                     "errorType": "Runtime.MarshalError", "stackTrace": []}}


def output_to(path: str) -> None:
    """Send what the function prints, and its logging, to ``path`` from here on."""
    sys.stdout.flush()
    sys.stderr.flush()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(descriptor, 1)
    os.dup2(descriptor, 2)
    os.close(descriptor)


def main() -> int:
    task_root = os.environ["LAMBDA_TASK_ROOT"]
    # The script's own folder (sys.path[0]) is not the function's: the task root and the runtime's packages are.
    sys.path[0:1] = [task_root, os.environ.pop(PACKAGES_VARIABLE)]
    os.chdir(task_root)
    # The answers keep the original stdout; the function's own output goes to each invocation's file.
    runtime = Runtime(os.fdopen(os.dup(1), "w", encoding="utf-8"))
    for line in sys.stdin:
        request = json.loads(line)
        output_to(request["output"])
        result = runtime.invoke(request)
        runtime.answer(result)
        if result.get("reset"):  # an init that failed: Lambda starts the next invocation in a new environment
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
