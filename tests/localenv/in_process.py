"""The emulator's server in a thread of the test process, for the tests that put something in front of moto (faults,
the functions it runs) and call it over HTTP."""

import contextlib

from localenv import emulator, faults, fidelity


@contextlib.contextmanager
def in_process_emulator(port: int, injected: faults.Faults):
    """The emulator's server (emulator.start_server, with the fidelity layer and ``injected``) on ``port`` for the block,
    from an empty account; yields its endpoint. moto's backends belong to the process, which the module tests' mocks
    and earlier servers have used, so they are reset first, as moto's /moto-api/reset resets them."""
    # pylint: disable=import-outside-toplevel  # moto's API backend only where a server runs in this process
    from moto.moto_api._internal.models import moto_api_backend

    fidelity.apply_all()
    moto_api_backend.reset()
    server, thread = emulator.start_server("127.0.0.1", port, injected)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
