"""moto's server with the fidelity layer applied, in the foreground.

Started by ``python -m localenv up``; state lives in this process and ends with it.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from localenv import fidelity


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4566)
    args = parser.parse_args(argv)

    applied = fidelity.apply_all()
    print(f"fidelity entries applied: {', '.join(applied) or 'none'}", flush=True)

    from moto.server import ThreadedMotoServer  # imported after patching, as the patches target moto's classes

    server = ThreadedMotoServer(ip_address=args.host, port=args.port, verbose=True)
    server.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
