"""The Python runtime the emulator runs a function's handler in: one invocation per process.

Run by ``localenv/fidelity/awslambda.py`` as ``python -I -S lambda_bootstrap.py RESULT_FILE`` in the function's
unpacked package (its task root), with the function's environment. Like the Lambda runtime, it puts the task root and
the runtime's own packages (boto3 and what it needs) on ``sys.path``, imports the module the handler names, calls the
handler with the event read from stdin and a context object, and writes what Lambda answers to RESULT_FILE as JSON:
``{"ok": true, "payload": ...}`` or ``{"ok": false, "error": {errorMessage, errorType, stackTrace}}``, plus the
process's peak memory. The function's own output (print, logging) goes to stdout, which the emulator writes to the
function's log group.

Where the VPC's DNS would resolve a database host name, the emulator passes a map of host names to the local
PostgreSQL stand-in (``_SHOPPULSE_LOCAL_HOSTS``); the bootstrap takes it out of the environment before the handler's
module is imported and answers ``socket.getaddrinfo`` for those names only, so the function's code is the code
deployed to AWS and cannot tell.
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

HOSTS_VARIABLE = "_SHOPPULSE_LOCAL_HOSTS"
PACKAGES_VARIABLE = "_SHOPPULSE_RUNTIME_PACKAGES"


def resolve_locally(hosts: dict[str, list]) -> None:
    """Answer getaddrinfo for the names in ``hosts`` ({name: [address, port]}) with that address and port."""
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

    def __init__(self, deadline: float) -> None:
        env = os.environ
        self.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.aws_request_id = env.pop("_SHOPPULSE_REQUEST_ID", "")
        self.invoked_function_arn = env.pop("_SHOPPULSE_FUNCTION_ARN", "")
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


def stop_at(timeout: float, result_file: str) -> None:
    """End the process when the function's timeout has passed, as Lambda stops a function that runs too long."""

    def timed_out(*_: object) -> None:
        sys.stdout.flush()
        with open(result_file, "w", encoding="utf-8") as out:
            json.dump({"ok": False, "timed_out": True, "max_memory_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}, out)
        os._exit(0)  # pylint: disable=protected-access  # nothing of the function may run on

    signal.signal(signal.SIGALRM, timed_out)
    signal.setitimer(signal.ITIMER_REAL, timeout)


def invoke(handler: str, event_text: str, timeout: float, result_file: str) -> dict:
    function, failed = load_handler(handler)
    if failed:
        return {"ok": False, "error": failed}
    # The timeout counts from the handler's call; importing the module is the init phase, limited apart.
    deadline = time.monotonic() + timeout
    stop_at(timeout, result_file)
    try:
        event = json.loads(event_text) if event_text.strip() else {}
        payload = function(event, Context(deadline))
    except Exception as exc:  # pylint: disable=broad-except  # the runtime reports whatever the handler raises
        print(f"[ERROR] {type(exc).__name__}: {exc}", flush=True)
        traceback.print_exc(file=sys.stdout)
        return {"ok": False, "error": error(exc)}
    try:
        return {"ok": True, "payload": json.dumps(payload)}
    except (TypeError, ValueError) as exc:
        return {"ok": False, "error": {"errorMessage": f"Unable to marshal response: {exc}",
                                       "errorType": "Runtime.MarshalError", "stackTrace": []}}


def main() -> int:
    result_file = sys.argv[1]
    task_root = os.environ["LAMBDA_TASK_ROOT"]
    # The script's own folder (sys.path[0]) is not the function's: the task root and the runtime's packages are.
    sys.path[0:1] = [task_root, os.environ.pop(PACKAGES_VARIABLE)]
    resolve_locally(json.loads(os.environ.pop(HOSTS_VARIABLE, "{}")))
    os.chdir(task_root)
    result = invoke(os.environ["_HANDLER"], sys.stdin.read(), float(os.environ["AWS_LAMBDA_FUNCTION_TIMEOUT"]),
                    result_file)
    signal.setitimer(signal.ITIMER_REAL, 0)
    sys.stdout.flush()
    result["max_memory_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with open(result_file, "w", encoding="utf-8") as out:
        json.dump(result, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
