"""moto's server with the fidelity layer applied, in the foreground.

Started by ``python -m localenv up``; state lives in this process and ends with it, unless saved: ``POST
/_localenv/state`` (the body a file path) writes it to a file, and an emulator started with SHOPPULSE_EMULATOR_STATE
naming such a file starts from it (``localenv/state.py``). The realism settings (latency
scale and profile, throttling, one-off faults) come from the environment: see ``localenv/latency.py`` and
``localenv/faults.py``.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from typing import Any

from localenv import faults, fidelity, latency, state
from localenv.fidelity import awslambda


def start_server(host: str, port: int, injected: faults.Faults) -> tuple[Any, threading.Thread]:
    """Serve moto's application (behind the fault middleware when faults are asked for) in a thread."""
    # Imported after patching, as the fidelity patches target moto's classes.
    from moto.moto_server.werkzeug_app import (  # pylint: disable=import-outside-toplevel
        DomainDispatcherApplication, MotoRequestHandler, create_backend_app)
    from werkzeug.serving import make_server  # pylint: disable=import-outside-toplevel

    app: Any = state.Middleware(DomainDispatcherApplication(create_backend_app))
    if injected.active:
        app = faults.Middleware(app, injected, log=lambda line: print(line, flush=True))
    server = make_server(host, port, app, threaded=True, request_handler=MotoRequestHandler)
    awslambda.serve_at(f"http://{host}:{server.server_port}")  # where the functions it runs send their AWS calls
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def share_botocore_loader() -> None:
    """One botocore data loader for every session of this process. moto makes sessions of its own (three as it imports
    its EC2 models, to list the regions of each partition), and each would read botocore's data files again: a third of
    the emulator's start-up. The files are the same whichever session reads them."""
    # pylint: disable=import-outside-toplevel  # botocore only where sessions are made
    import functools

    import botocore.session

    if not hasattr(botocore.session.create_loader, "cache_info"):
        botocore.session.create_loader = functools.lru_cache(maxsize=None)(botocore.session.create_loader)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4566)
    args = parser.parse_args(argv)

    try:
        timing, injected = latency.from_env(), faults.from_env()
    except (latency.LatencyError, faults.FaultsError) as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return 2
    latency.configure(timing)
    share_botocore_loader()  # before moto is imported, which the fidelity layer does
    applied = fidelity.apply_all()
    print(f"fidelity entries applied: {', '.join(applied) or 'none'}", flush=True)
    print(f"realism: {timing.describe()}; {injected.describe()}", flush=True)
    saved = os.environ.get(state.VARIABLE)
    if saved:
        try:
            loaded = state.load(saved)
        except state.StateError as exc:
            print(f"error: {state.VARIABLE}: {exc}", file=sys.stderr, flush=True)
            return 2
        print(f"state loaded from {saved}: {', '.join(loaded) or 'nothing'}", flush=True)

    server, thread = start_server(args.host, args.port, injected)
    print(f"serving on {args.host}:{args.port}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    server.shutdown()
    thread.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
