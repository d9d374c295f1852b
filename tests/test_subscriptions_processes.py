"""Done when: a subscription client on a second API process receives a notification created via
the first. Two real ``icn-graph serve`` processes share one PostgreSQL database; a check-in posted
to process A reaches a follower subscribed on process B through LISTEN/NOTIFY."""

from __future__ import annotations

import asyncio
import os
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
from icn_graph.ids import to_global_id
from icn_graph.models import Follow, FollowLevel, FollowReason, PersonKind
from icn_graph.realtime.listener import APPLICATION_NAME
from icn_graph.testing import fresh_database_url
from tests.goal_helpers import CHECK_IN, make_goal
from tests.helpers import make_center, make_person, token_for
from tests.subscription_helpers import RECEIVE_TIMEOUT, free_socket, ws_client

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
    }


def icn_graph(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "icn_graph", *arguments]


@contextmanager
def api_process(database_url: str, log: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``icn-graph serve`` on a free port; yields its base URL and the process."""
    port = free_port()
    with log.open("wb") as output:
        process = subprocess.Popen(
            icn_graph("serve", "--host", "127.0.0.1", "--port", str(port)),
            env=environment(database_url),
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
        center = await make_center(db)
        maria = await make_person(db, center=center, display_name="Maria Lopez")
        omar = await make_person(db, PersonKind.PARENT_PARTNER, center=center)
        goal = await make_goal(db, created_by=maria, center=center, title="Reduce steroid use")
        goal_id = to_global_id("Goal", goal.id)
        async with db.transaction() as session:
            session.add(
                Follow(
                    person_id=omar.id,
                    subject_id=goal_id,
                    level=FollowLevel.NORMAL,
                    reason=FollowReason.MANUAL,
                )
            )
        yield {
            "db": db,
            "goal_id": goal_id,
            "maria": await token_for(db, maria),
            "omar": await token_for(db, omar),
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

                async with httpx.AsyncClient(base_url=base_a, timeout=RECEIVE_TIMEOUT) as http:
                    response = await http.post(
                        "/graphql",
                        json={
                            "query": CHECK_IN,
                            "variables": {
                                "input": {
                                    "goalId": seeded["goal_id"],
                                    "note": "Two fewer steroid courses",
                                    "status": "ON_TRACK",
                                    "confidence": 8,
                                }
                            },
                        },
                        headers={"Authorization": f"Bearer {seeded['maria']}"},
                    )
                assert response.status_code == 200, response.text
                assert response.json()["data"]["checkInGoal"]["userErrors"] == []

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


async def listener_backends(db: Database) -> int:
    from sqlalchemy import text

    async with db.session() as session:
        count = await session.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE application_name = :name AND datname = current_database()"
            ),
            {"name": APPLICATION_NAME},
        )
    return int(count or 0)
