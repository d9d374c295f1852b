"""Shared by the subscription tests: notifications written the way fan-out writes them, a goal
with a follower, a real server in the test's event loop, a graphql-transport-ws client over a real
websocket, and the PostgreSQL listener connections."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import uvicorn
from sqlalchemy import text
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from icn_graph.db.database import Database
from icn_graph.events.models import OutboxEvent
from icn_graph.ids import to_global_id
from icn_graph.models import Person, PersonKind
from icn_graph.notifications.models import (
    DeliveryMode,
    EmailStatus,
    Follow,
    FollowLevel,
    FollowReason,
    Notification,
)
from icn_graph.notifications.realtime.announce import announce_notifications
from icn_graph.notifications.realtime.listener import APPLICATION_NAME
from tests.goal_helpers import CHECK_IN, make_goal
from tests.helpers import make_center, make_person

TRANSPORT_WS = Subprotocol("graphql-transport-ws")
RECEIVE_TIMEOUT = 30.0  # generous: only ever reached when something is broken

NOTIFICATION_ADDED = """
subscription { notificationAdded { id type subjectId reason } }
"""


async def write_notifications(
    db: Database, people: list[Person], *, announce: bool = True, fail: bool = False
) -> list[Notification]:
    """An event and its notification for each of ``people``, announced in the same transaction.

    ``fail`` raises after announcing, so the transaction rolls back.
    """
    now = datetime.now(UTC)
    async with db.transaction() as session:
        events = [
            OutboxEvent(
                type="goal.checked_in",
                subject_type="Goal",
                subject_pk=1,
                subject_id=to_global_id("Goal", 1),
                payload={},
                occurred_at=now,
                dispatched_at=now,
                attempts=0,
            )
            for _ in people
        ]
        session.add_all(events)
        await session.flush()
        rows = [
            Notification(
                person_id=person.id,
                event_id=event.id,
                type=event.type,
                subject_id=event.subject_id,
                reason="You follow this goal.",
                created_at=now,
                delivery=DeliveryMode.OFF,
                email_status=EmailStatus.NONE,
            )
            for person, event in zip(people, events, strict=True)
        ]
        session.add_all(rows)
        await session.flush()
        if announce:
            await announce_notifications(session, rows)
        if fail:
            raise RuntimeError("rolled back on purpose")
    return rows


@dataclass
class FollowedGoal:
    maria: Person  # Maria Lopez, who created the goal
    omar: Person  # a parent partner at her center, following the goal
    goal_id: str  # "Reduce steroid use"


async def followed_goal(db: Database) -> FollowedGoal:
    """A center with Maria's goal, which Omar follows (NORMAL, by his own choice)."""
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
    return FollowedGoal(maria=maria, omar=omar, goal_id=goal_id)


async def check_in_over_http(
    base_url: str, token: str, goal_id: str, *, note: str, confidence: int
) -> None:
    """An ON_TRACK check-in posted to ``base_url``'s /graphql as ``token``'s holder; it succeeds."""
    async with httpx.AsyncClient(base_url=base_url, timeout=RECEIVE_TIMEOUT) as http:
        response = await http.post(
            "/graphql",
            json={
                "query": CHECK_IN,
                "variables": {
                    "input": {
                        "id": goal_id,
                        "note": note,
                        "status": "ON_TRACK",
                        "confidence": confidence,
                    }
                },
            },
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["checkInGoal"]["userErrors"] == []


async def listener_backends(db: Database) -> int:
    """PostgreSQL connections of the broadcaster's listeners to this database."""
    async with db.session() as session:
        count = await session.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE application_name = :name AND datname = current_database()"
            ),
            {"name": APPLICATION_NAME},
        )
    return int(count or 0)


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[str]:
    """Serve ``app`` with uvicorn (lifespan included) in this event loop; yields its base URL."""
    sock = free_socket()
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, lifespan="on", log_level="warning")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
            raise RuntimeError("the server stopped while starting")
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


class WsClient:
    """A graphql-transport-ws client speaking JSON messages over a real websocket."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection

    async def send(self, message: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(message))

    async def receive(self) -> dict[str, Any]:
        """The next message; only a broken server makes this wait out ``RECEIVE_TIMEOUT``."""
        async with asyncio.timeout(RECEIVE_TIMEOUT):
            raw = await self.connection.recv()
        message: dict[str, Any] = json.loads(raw)
        return message

    async def init(self, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        await self.send({"type": "connection_init", "payload": payload or {}})
        return await self.receive()

    async def subscribe(self, query: str = NOTIFICATION_ADDED, operation_id: str = "1") -> None:
        await self.send({"id": operation_id, "type": "subscribe", "payload": {"query": query}})

    async def round_trip(self) -> None:
        """A ping answered: the server has read everything sent before it."""
        await self.send({"type": "ping"})
        while (message := await self.receive())["type"] != "pong":
            raise AssertionError(f"unexpected message before pong: {message}")


def ws_url(base_url: str) -> str:
    return base_url.replace("http://", "ws://", 1) + "/graphql"


@asynccontextmanager
async def ws_connection(base_url: str, **options: Any) -> AsyncIterator[WsClient]:
    """A websocket to ``base_url``'s /graphql speaking graphql-transport-ws, not yet initialised."""
    async with connect(
        ws_url(base_url), subprotocols=[TRANSPORT_WS], open_timeout=RECEIVE_TIMEOUT, **options
    ) as ws:
        yield WsClient(ws)


@asynccontextmanager
async def ws_client(base_url: str, token: str | None = None) -> AsyncIterator[WsClient]:
    """Connected and acknowledged; ``token`` goes in ``connection_init`` as browsers send it."""
    async with ws_connection(base_url) as client:
        payload = {"Authorization": f"Bearer {token}"} if token else {}
        assert await client.init(payload) == {"type": "connection_ack"}
        yield client
