"""A stand-in for ``serve``'s processes in tests/web/test_serve_workers.py: the first process to
start dies once it listens; the others answer every connection with ``ok`` and, after SIGTERM,
go on (as a draining server does) until the test says it is done."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from pathlib import Path

MARKER = "ICN_TEST_FIRST_PROCESS_MARKER"
DONE = "ICN_TEST_DONE_MARKER"
DRAIN_SECONDS = 60.0  # at most, if the test never says it is done


def target(sock: socket.socket) -> None:
    sock.listen(128)
    try:
        with Path(os.environ[MARKER]).open("x"):
            pass
    except FileExistsError:
        pass
    else:
        os._exit(3)  # the first one dies, with its share of the port still bound to it
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    sock.settimeout(0.1)
    end = float("inf")
    done = Path(os.environ[DONE])
    while time.monotonic() < end and not (stop.is_set() and done.exists()):
        if stop.is_set() and end == float("inf"):
            end = time.monotonic() + DRAIN_SECONDS
        try:
            connection, _ = sock.accept()
        except TimeoutError:
            continue
        connection.sendall(b"ok")
        connection.close()
