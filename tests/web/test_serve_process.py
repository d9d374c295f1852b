"""``icn-graph serve`` as a real process, as an operator meets it: it starts while the database
is down and is ready once it is back; ``/readyz`` says when migrations are behind and turns 200
after ``icn-graph db upgrade`` without a restart; SIGTERM makes ``/readyz`` answer 503 before
the request in flight finishes, and caps how long it may take; a busy port is one line before
anything is minted. Assertions are about order, never about how long anything took."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from icn_graph.db import migrations
from icn_graph.testing import BACKENDS, free_port, fresh_database_url
from tests.web.serve_process import (
    Relay,
    Running,
    cli_env,
    draining_server,
    readyz,
    run_cli,
    wait_for_readyz,
    wait_until_listening,
)
from tests.web.test_readiness import previous_core_revision

UPGRADE_HINT = "run `icn-graph db upgrade`"


@pytest.fixture
async def migrated_sqlite(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}"
    await asyncio.to_thread(migrations.upgrade, url)
    return url


@pytest.fixture
async def serving(migrated_sqlite: str, tmp_path: Path) -> AsyncIterator[tuple[Running, int]]:
    """``icn-graph serve`` on a migrated SQLite database, ready; a 1-second grace at shutdown
    would be too short for nothing here: requests finish when the test says so."""
    async with draining_server(migrated_sqlite, tmp_path / "serve.log") as running:
        yield running


async def test_serve_starts_with_the_database_down_and_is_ready_once_it_is_back(
    tmp_path: Path,
) -> None:
    real = await fresh_database_url("postgresql", tmp_path, "serve_process")
    await asyncio.to_thread(migrations.upgrade, real)
    parsed = make_url(real)
    relay = Relay(free_port(), parsed.host or "127.0.0.1", parsed.port or 5432)
    through = parsed.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = Running(
        cli_env(ICN_DATABASE_URL=through, ICN_PORT=str(port)), tmp_path / "serve.log", "serve"
    )
    try:
        await wait_until_listening(base, server)
        assert await readyz(base) == (
            503,
            {
                "status": "unavailable",
                "database": "unreachable",
                "migrations": "unknown",
                "listener": "reconnecting",
            },
        )
        await relay.open()  # the database server is back
        body = await wait_for_readyz(base, 200, server)
    finally:
        server.stop()
        await relay.close()
    # The listener may still be waiting out its backoff: ready within its grace period anyway.
    assert body.pop("listener") in {"ok", "reconnecting"}
    assert body == {"status": "ok", "database": "ok", "migrations": "ok"}
    assert (
        f"warning: ICN_DATABASE_URL: nothing answers at 127.0.0.1:{relay.port} (connection "
        "refused); start PostgreSQL there, or correct the host and port in ICN_DATABASE_URL; "
        "serving anyway: /readyz answers 503 until the database answers"
    ) in server.output
    assert "Traceback" not in server.output


@pytest.mark.parametrize("backend", BACKENDS)
async def test_ready_after_db_upgrade_without_a_restart(backend: str, tmp_path: Path) -> None:
    url = await fresh_database_url(backend, tmp_path, "serve_process")
    previous = previous_core_revision(url)
    (head,) = migrations.head_revisions()
    await asyncio.to_thread(migrations.upgrade, url, previous)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = cli_env(ICN_DATABASE_URL=url, ICN_PORT=str(port))
    server = Running(env, tmp_path / "serve.log", "serve")
    try:
        await wait_until_listening(base, server)
        status, body = await readyz(base)
        assert (status, body["migrations"]) == (503, "behind")
        upgraded = await asyncio.to_thread(run_cli, env, "db", "upgrade")
        assert upgraded.returncode == 0, upgraded.stderr
        await wait_for_readyz(base, 200, server)
    finally:
        server.stop()

    behind = f"core.tables migrations are at {previous}, not the latest; {UPGRADE_HINT}"
    assert body["detail"] == [behind]
    assert f"warning: {behind} (until then /readyz answers 503)" in server.output
    # What `db upgrade` applied, one line; none of Alembic's chatter anywhere.
    applied = [line for line in upgraded.stderr.splitlines() if "Running upgrade" in line]
    assert len(applied) == 1
    assert f"Running upgrade {previous} -> {head}, " in applied[0]
    for output in (server.output, upgraded.stdout + upgraded.stderr):
        assert "Context impl" not in output
        assert "Will assume" not in output


async def in_flight_request(
    port: int, query: str
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, bytes]:
    """A POST whose body is held back: it returns once the app is waiting for that body (the
    server's ``100 Continue`` says so), with the body still to send."""
    body = json.dumps({"query": query}).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Expect: 100-continue\r\n" + f"Content-Length: {len(body)}\r\n\r\n".encode()
    )
    await writer.drain()
    assert await reader.readuntil(b"\r\n\r\n") == b"HTTP/1.1 100 Continue\r\n\r\n"
    return reader, writer, body


async def read_response(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    return head, await reader.readexactly(length)


async def test_sigterm_turns_readyz_503_then_lets_the_request_in_flight_finish(
    serving: tuple[Running, int],
) -> None:
    server, port = serving
    base = f"http://127.0.0.1:{port}"
    reader, writer, body = await in_flight_request(port, "{ network { name } }")
    events: list[str] = []

    server.process.send_signal(signal.SIGTERM)
    unready = await wait_for_readyz(base, 503, server)
    events.append("readyz 503")
    writer.write(body)
    await writer.drain()
    head, answer = await read_response(reader)
    events.append("request finished")
    writer.close()
    exit_status = await asyncio.to_thread(server.process.wait, 60)

    assert events == ["readyz 503", "request finished"]
    assert unready == {"status": "unavailable", "server": "shutting down"}
    assert head.startswith(b"HTTP/1.1 200")
    assert json.loads(answer)["data"] == {"network": {"name": "Drain Network"}}
    assert exit_status in (0, -signal.SIGTERM)  # uvicorn ends as the signal asked
    assert "Draining: /readyz answers 503; requests in flight have 120 s" in server.output
    assert "Traceback" not in server.output


async def test_requests_in_flight_are_stopped_when_the_grace_period_ends(
    migrated_sqlite: str, tmp_path: Path
) -> None:
    port = free_port()
    env = cli_env(
        ICN_DATABASE_URL=migrated_sqlite, ICN_PORT=str(port), ICN_SHUTDOWN_GRACE_SECONDS="1"
    )
    server = Running(env, tmp_path / "serve.log", "serve")
    try:
        await wait_until_listening(f"http://127.0.0.1:{port}", server)
        reader, writer, _body = await in_flight_request(port, "{ network { name } }")
        server.process.send_signal(signal.SIGTERM)
        # The body never comes: the server stops anyway, once the grace period is over.
        await asyncio.to_thread(server.process.wait, 120)
        answer = await reader.read()
        writer.close()
    finally:
        server.stop()
    assert not answer.startswith(b"HTTP/1.1 200")
    assert "Grace period over: stopping 1 request(s) still in flight" in server.output


async def test_a_busy_port_is_one_line_before_anything_is_minted(migrated_sqlite: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = cli_env(ICN_DATABASE_URL=migrated_sqlite, ICN_PORT=str(port), ICN_DEMO="true")
        served = await asyncio.to_thread(run_cli, env, "serve")
        checked = await asyncio.to_thread(run_cli, env, "check-port")
    for result in (served, checked):
        assert result.returncode == 1
        assert result.stdout == ""  # no demo tokens, no explorer address
        [line] = result.stderr.strip().splitlines()
        assert line.startswith(f"Error: port {port} on 127.0.0.1 is already in use"), line
        assert "make run ICN_PORT=" in line
    free = await asyncio.to_thread(run_cli, env | {"ICN_PORT": str(free_port())}, "check-port")
    assert (free.returncode, free.stdout, free.stderr) == (0, "", "")


async def test_a_second_sigterm_stops_without_waiting(serving: tuple[Running, int]) -> None:
    server, port = serving  # 120 s of grace
    reader, writer, _body = await in_flight_request(port, "{ network { name } }")
    server.process.send_signal(signal.SIGTERM)
    await wait_for_readyz(f"http://127.0.0.1:{port}", 503, server)
    server.process.send_signal(signal.SIGTERM)
    await asyncio.to_thread(server.process.wait, 60)  # long before the grace period is over
    answer = await reader.read()
    writer.close()
    assert not answer.startswith(b"HTTP/1.1 200")
