"""``icn-graph serve --workers N``: N API processes answering on one listening socket.

The parent binds the socket once and starts each process with it (the kernel hands each new
connection to one of them); it serves nothing itself. SIGTERM or Ctrl-C reaches the parent, which
sends SIGTERM to every process, so each drains as a single ``serve`` does, and waits for them
(the processes leave Ctrl-C to the parent; a second signal to the parent stops them at once). A
process that dies stops the others and the parent exits 1, for whatever supervises it (systemd,
the container runtime) to start it again: a half-sized server never goes on unnoticed.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import threading
from collections.abc import Callable, Sequence
from types import FrameType

log = logging.getLogger("uvicorn.error")

SIGNALS = (signal.SIGINT, signal.SIGTERM)


def run_processes(count: int, sock: socket.socket, target: Callable[[socket.socket], None]) -> int:
    """Run ``target(sock)`` in ``count`` fresh interpreters until a signal or a death; the exit
    status: 0 after a signal, 1 when a process died on its own."""
    stop = threading.Event()
    # spawn, not fork: each process imports the app afresh, with no event loop or pool inherited.
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=target, args=(sock,)) for _ in range(count)]

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        if stop.is_set():  # a second signal while they drain: they stop without waiting
            _terminate(processes)
        stop.set()

    previous = {signum: signal.signal(signum, on_signal) for signum in SIGNALS}
    died = None
    try:
        for process in processes:
            process.start()
        pids = ", ".join(str(process.pid) for process in processes)
        log.info("Started %d API processes [%s]", count, pids)
        while died is None and not stop.wait(0.5):
            died = next((process for process in processes if not process.is_alive()), None)
        if died is not None:
            log.error(
                "API process [%s] exited (status %s); stopping the others",
                died.pid,
                died.exitcode,
            )
    finally:
        _terminate(processes)
        for process in processes:
            if process.pid is not None:
                process.join()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0 if died is None else 1


def _terminate(processes: Sequence[multiprocessing.process.BaseProcess]) -> None:
    """SIGTERM to each process still running: the first drains it, a second stops it."""
    for process in processes:
        if process.pid is not None and process.is_alive():
            os.kill(process.pid, signal.SIGTERM)
