"""Done when: a subscription client on a second API process receives a notification created via
the first. Two real ``icn-graph serve`` processes share one PostgreSQL database; a check-in posted
to process A reaches a follower subscribed on process B through LISTEN/NOTIFY."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from icn_graph.db.database import Database
from icn_graph.testing import fresh_database_url
from tests.helpers import token_for
from tests.subscription_helpers import (
    check_in_over_http,
    followed_goal,
    free_socket,
    listener_backends,
    ws_client,
)

SECRET_KEY = secrets.token_urlsafe(48)
PATIENT_KEY_SECRET = secrets.token_urlsafe(48)
START_TIMEOUT = 60.0  # generous: a cold interpreter importing everything on a busy machine


def free_port() -> int:
    with free_socket() as sock:
        port: int = sock.getsockname()[1]
    return port


def environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "ICN_DATABASE_URL": database_url,
        "ICN_LOG_LEVEL": "WARNING",
        "ICN_DEMO": "false",
        # As in production: serve refuses the development secrets on PostgreSQL.
        "ICN_SECRET_KEY": SECRET_KEY,
        "ICN_PATIENT_KEY_SECRET": PATIENT_KEY_SECRET,
    }


def icn_graph(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "icn_graph", *arguments]


@contextmanager
def api_process(
    database_url: str, log: Path, **settings: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``icn-graph serve`` on a free port (with ``settings``: ``ICN_*`` variables); yields its
    base URL and the process."""
    port = free_port()
    with log.open("wb") as output:
        process = subprocess.Popen(
            icn_graph("serve", "--host", "127.0.0.1", "--port", str(port)),
            env={**environment(database_url), **settings},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            yield f"http://127.0.0.1:{port}", process
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=START_TIMEOUT)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


async def wait_ready(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=5) as http:
        for _ in range(int(START_TIMEOUT / 0.1)):
            if process.poll() is not None:
                output = await asyncio.to_thread(log.read_text, errors="replace")
                pytest.fail(f"the API process exited: {output}")
            try:
                if (await http.get("/readyz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    pytest.fail(f"the API process at {base_url} never became ready")


@asynccontextmanager
async def network(url: str) -> AsyncIterator[dict[str, Any]]:
    """A center with a goal; Maria checks in on it, Omar follows it."""
    db = Database.from_url(url)
    try:
        world = await followed_goal(db)
        yield {
            "db": db,
            "goal_id": world.goal_id,
            "maria": await token_for(db, world.maria),
            "omar": await token_for(db, world.omar),
            "omar_id": world.omar.id,
        }
    finally:
        await db.dispose()


async def test_a_subscriber_on_another_process_receives_a_notification(
    tmp_path: Path, tmp_root: Path
) -> None:
    url = await fresh_database_url("postgresql", tmp_root, "processes")
    # Migrated as an operator would: core's migrations and every installed plugin's.
    upgrade = icn_graph("db", "upgrade")
    await asyncio.to_thread(
        subprocess.run, upgrade, env=environment(url), check=True, capture_output=True
    )
    async with network(url) as seeded:
        log_a, log_b = tmp_path / "a.log", tmp_path / "b.log"
        with (
            api_process(url, log_a) as (base_a, process_a),
            api_process(url, log_b) as (
                base_b,
                process_b,
            ),
        ):
            await wait_ready(base_a, process_a, log_a)
            await wait_ready(base_b, process_b, log_b)

            async with ws_client(base_b, seeded["omar"]) as follower:
                await follower.subscribe()
                # A query on the same socket, answered after a database round trip: by then the
                # subscription (which needs none) has registered with B's broadcaster.
                await follower.subscribe("{ viewer { person { id } } }", operation_id="probe")
                probe = await follower.receive()
                assert (probe["id"], probe["type"]) == ("probe", "next"), probe
                assert await follower.receive() == {"id": "probe", "type": "complete"}

                await check_in_over_http(
                    base_a,
                    seeded["maria"],
                    seeded["goal_id"],
                    note="Two fewer steroid courses",
                    confidence=8,
                )

                message = await follower.receive()
                assert (message["id"], message["type"]) == ("1", "next"), message
                notification = message["payload"]["data"]["notificationAdded"]
                assert notification["type"] == "goal.checked_in"
                assert notification["subjectId"] == seeded["goal_id"]

            # Both processes listen on their own connection, and close it when they stop.
            assert await listener_backends(seeded["db"]) == 2
            for process in (process_a, process_b):
                process.send_signal(signal.SIGTERM)
            for process, log in ((process_a, log_a), (process_b, log_b)):
                # Uvicorn shuts down gracefully, then re-raises the signal it caught.
                assert await asyncio.to_thread(process.wait, START_TIMEOUT) in (0, -signal.SIGTERM)
                assert "Traceback" not in log.read_text(errors="replace")
            assert await listener_backends(seeded["db"]) == 0
