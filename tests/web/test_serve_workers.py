"""``serve --workers N`` refuses what it cannot do safely, in one line, before it binds a port:
several API processes on SQLite (one writer at a time), and ``--worker`` beside them; Ctrl-C
lets them drain. That it runs N processes on PostgreSQL is tests/notifications/test_scale_out.py."""

from __future__ import annotations

import asyncio
import json
import socket
import sys
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from icn_graph.db import migrations
from icn_graph.testing import fresh_database_url
from icn_graph.web.processes import listening_sockets, run_processes
from tests.web import reuseport_targets
from tests.web.serve_process import Running, cli_env, draining_server, run_cli
from tests.web.test_serve_process import in_flight_request, read_response

UNREACHABLE_POSTGRES = "postgresql+asyncpg://icn@127.0.0.1:9/icn"


def test_several_processes_on_sqlite_are_refused_naming_the_setting(tmp_path: Path) -> None:
    sqlite = cli_env(ICN_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'icn.db'}")
    for env, arguments in (
        (sqlite, ("--workers", "2")),
        (sqlite | {"ICN_WORKERS": "3"}, ()),
    ):
        result = run_cli(env, "serve", "--port", "9", *arguments)
        assert result.returncode == 1, result
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert "needs PostgreSQL" in lines[0]
        assert "ICN_DATABASE_URL" in lines[0]
        assert "ICN_WORKERS" in lines[0]
    assert not (tmp_path / "icn.db").exists()


def test_an_embedded_worker_beside_several_processes_is_refused() -> None:
    env = cli_env(ICN_DATABASE_URL=UNREACHABLE_POSTGRES)
    result = run_cli(env, "serve", "--workers", "2", "--worker")
    assert result.returncode == 1, result
    assert "run `icn-graph worker` beside the server" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_workers_below_one_name_the_option() -> None:
    result = run_cli(cli_env(), "serve", "--workers", "0")
    assert result.returncode == 2
    assert "--workers" in result.stderr


@pytest.fixture
async def workers(tmp_path: Path) -> AsyncIterator[tuple[Running, int]]:
    """``serve --workers 2`` on a migrated PostgreSQL database, ready, in a process group of its
    own (as a terminal's foreground command)."""
    url = await fresh_database_url("postgresql", tmp_path, "workers_interrupt")
    await asyncio.to_thread(migrations.upgrade, url)
    log = tmp_path / "serve.log"
    async with draining_server(url, log, "--workers", "2", own_group=True) as running:
        yield running


async def test_ctrl_c_lets_the_request_in_flight_finish(workers: tuple[Running, int]) -> None:
    """Ctrl-C in a terminal reaches every process of ``serve --workers 2``; the processes leave it
    to the parent, whose SIGTERM each takes as a first signal: they drain, as one ``serve``
    does. (Taken by the processes too, the parent's SIGTERM was a second signal: stop now.)"""
    server, port = workers
    reader, writer, body = await in_flight_request(port, "{ network { name } }")
    server.interrupt()
    await server.wait_for_output("Draining: /readyz answers 503")
    writer.write(body)
    await writer.drain()
    try:
        head, answer = await read_response(reader)
    except asyncio.IncompleteReadError:
        head, answer = b"", b""
    writer.close()
    status = await asyncio.to_thread(server.process.wait, 60)
    assert head.startswith(b"HTTP/1.1 200"), server.output
    assert json.loads(answer)["data"] == {"network": {"name": "Drain Network"}}
    assert status == 0, server.output
    assert "Grace period over" not in server.output


async def test_a_second_ctrl_c_stops_them_without_waiting(workers: tuple[Running, int]) -> None:
    server, port = workers
    reader, writer, _body = await in_flight_request(port, "{ network { name } }")
    server.interrupt()
    await server.wait_for_output("Draining: /readyz answers 503")
    server.interrupt()
    await asyncio.to_thread(server.process.wait, 60)  # long before the grace period is over
    answer = await reader.read()
    writer.close()
    assert not answer.startswith(b"HTTP/1.1 200")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SO_REUSEPORT balances on Linux")
def test_each_process_gets_a_socket_of_its_own_and_the_kernel_spreads_connections() -> None:
    sockets = listening_sockets("127.0.0.1", 0, 2)
    clients: list[socket.socket] = []
    try:
        ports = {sock.getsockname()[1] for sock in sockets}
        assert len(sockets) == 2
        assert len(ports) == 1
        for sock in sockets:
            sock.listen(128)
            sock.setblocking(False)
        (port,) = ports
        for _ in range(64):
            clients.append(socket.create_connection(("127.0.0.1", port)))
        accepted = [_accept_all(sock) for sock in sockets]
        assert sum(accepted) == 64
        # Hashed by address: with a shared socket one process could take all 64 at once.
        assert min(accepted) >= 8, accepted
    finally:
        for sock in [*clients, *sockets]:
            sock.close()


def _accept_all(sock: socket.socket) -> int:
    accepted = 0
    while True:
        try:
            connection, _ = sock.accept()
        except BlockingIOError:
            return accepted
        connection.close()
        accepted += 1


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SO_REUSEPORT balances on Linux")
def test_a_dead_process_takes_its_share_of_connections_with_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parent keeps no copy of the processes' sockets: while the others drain after one
    died, new connections reach them instead of waiting on the dead one's socket."""
    monkeypatch.setenv(reuseport_targets.MARKER, str(tmp_path / "first"))
    monkeypatch.setenv(reuseport_targets.DONE, str(tmp_path / "done"))
    sockets = listening_sockets("127.0.0.1", 0, 2)
    port = sockets[0].getsockname()[1]
    answers: list[str] = []

    def connect_after_the_death() -> None:
        deadline = time.monotonic() + 20
        while not (tmp_path / "first").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(1.0)  # the first process is gone; the parent stops the other, which drains
        for _ in range(30):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as client:
                    client.settimeout(1)
                    answers.append(client.recv(2).decode() or "closed")
            except TimeoutError:
                answers.append("hung")
            except OSError as error:
                answers.append(type(error).__name__)
        (tmp_path / "done").touch()  # the draining process may stop now

    prober = threading.Thread(target=connect_after_the_death)
    prober.start()
    status = run_processes(2, sockets, reuseport_targets.target)
    prober.join()
    assert status == 1  # a process died on its own
    assert "hung" not in answers, answers
    assert "ok" in answers, answers
