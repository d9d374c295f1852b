"""``icn-graph serve --workers N``: N API processes answering on one port.

The parent binds the port and starts each process with a listening socket; it serves nothing
itself. On Linux each process gets a socket of its own, bound to the same port with
``SO_REUSEPORT``, and the kernel spreads new connections evenly over them by their addresses.
Elsewhere the processes share one socket, and a burst of connections tends to go to whichever
process wakes first (asyncio accepts all that are waiting): with 50 keep-alive clients the two
processes held 32 and 18, and the busier one's clients waited longer.

SIGTERM or Ctrl-C reaches the parent, which sends SIGTERM to every process, so each drains as a
single ``serve`` does, and waits for them (the processes leave Ctrl-C to the parent; a second
signal to the parent stops them at once). A process that dies stops the others and the parent
exits 1, for whatever supervises it (systemd, the container runtime) to start it again: a
half-sized server never goes on unnoticed.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Sequence
from types import FrameType

from uvicorn.config import STARTUP_FAILURE

log = logging.getLogger("uvicorn.error")

SIGNALS = (signal.SIGINT, signal.SIGTERM)


def listening_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """Sockets for ``count`` processes on ``host``:``port`` (0: any free port): one each,
    sharing the port with ``SO_REUSEPORT``, where the kernel balances connections over them
    (Linux); otherwise one, shared. Bound, not yet listening: each process listens on its own."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    reuse_port = _balances_reused_ports()
    sockets: list[socket.socket] = []
    try:
        for _ in range(count if reuse_port else 1):
            sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if reuse_port:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((host, port))
            port = sock.getsockname()[1]  # port 0: the others join the one the first got
            sock.set_inheritable(True)
    except OSError as error:
        _close(sockets)
        log.error(error)
        raise SystemExit(STARTUP_FAILURE) from error
    return sockets


def _balances_reused_ports() -> bool:
    # BSD and macOS accept SO_REUSEPORT but do not spread connections over the sockets.
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def run_processes(
    count: int, sockets: Sequence[socket.socket], target: Callable[[socket.socket], None]
) -> int:
    """Run ``target(sock)`` in ``count`` fresh interpreters until a signal or a death, the
    i-th with ``sockets[i]`` (or the one socket, shared); the exit status: 0 after a signal,
    1 when a process died on its own."""
    stop = threading.Event()
    # spawn, not fork: each process imports the app afresh, with no event loop or pool inherited.
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=target, args=(sockets[index % len(sockets)],))
        for index in range(count)
    ]

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        if stop.is_set():  # a second signal while they drain: they stop without waiting
            _terminate(processes)
        stop.set()

    previous = {signum: signal.signal(signum, on_signal) for signum in SIGNALS}
    died = None
    try:
        for process in processes:
            process.start()
        address = sockets[0].getsockname()
        # Each process holds its socket now. Closed here, a socket closes with its process(es):
        # once they have died or drained, the kernel stops handing it connections.
        _close(sockets)
        pids = ", ".join(str(process.pid) for process in processes)
        where = f"[{address[0]}]" if ":" in address[0] else address[0]
        log.info("Uvicorn running on http://%s:%d (Press CTRL+C to quit)", where, address[1])
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
        _close(sockets)
        _terminate(processes)
        for process in processes:
            if process.pid is not None:
                process.join()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0 if died is None else 1


def _close(sockets: Sequence[socket.socket]) -> None:
    for sock in sockets:
        sock.close()


def _terminate(processes: Sequence[multiprocessing.process.BaseProcess]) -> None:
    """SIGTERM to each process still running: the first drains it, a second stops it."""
    for process in processes:
        if process.pid is not None and process.is_alive():
            os.kill(process.pid, signal.SIGTERM)
