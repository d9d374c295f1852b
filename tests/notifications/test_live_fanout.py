"""Done when: one event reaches every connected recipient for the same number of SQL statements
whatever their number (10 or 200 websockets), rendered once per payload shape and not once per
subscriber; and a revocation closes the socket and empties the viewer cache, in this process
and (PostgreSQL) in another API process."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from websockets.exceptions import ConnectionClosed

from icn_graph.app import create_app
from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.events.models import OutboxEvent
from icn_graph.ids import to_global_id
from icn_graph.models import Goal, Person
from icn_graph.notifications.models import DeliveryMode, EmailStatus, Notification
from icn_graph.notifications.realtime.announce import announce_notifications
from icn_graph.notifications.realtime.broadcaster import Broadcaster
from icn_graph.notifications.realtime.revocations import announce_revocation
from icn_graph.plugins.manager import PluginHost
from icn_graph.schema.live_notifications import LiveDelivery
from icn_graph.services.tokens import revoke_tokens_of
from icn_graph.testing import StatementCounter, fresh_database_url, make_staff_token
from icn_graph.web.viewer_cache import ViewerCache
from tests.goal_helpers import make_goal
from tests.helpers import make_center, make_person, token_for
from tests.subscription_helpers import WsClient, serving, ws_client

ROWS_ONLY = "subscription { notificationAdded { id type reason createdAt read } }"
WITH_SUBJECT = """
subscription Live {
  added: notificationAdded { id kind summary url data subjectId ...Reason }
}
fragment Reason on Notification { reason }
"""
HOUR = 3600.0


@pytest.fixture
async def long_cache(
    db: Database, settings: Settings, plugin_host: PluginHost
) -> AsyncIterator[tuple[Starlette, str]]:
    """A server whose viewer cache keeps a viewer an hour: only forgetting explains a miss."""
    app = create_app(
        settings.model_copy(update={"viewer_cache_seconds": HOUR}), db=db, plugins=plugin_host
    )
    async with serving(app) as base_url:
        yield app, base_url


def broadcaster_of(app: Starlette) -> Broadcaster:
    broadcaster = app.state.broadcaster
    assert isinstance(broadcaster, Broadcaster)
    return broadcaster


def delivery_of(app: Starlette) -> LiveDelivery:
    deliver = broadcaster_of(app).live.deliver
    owner = getattr(deliver, "__self__", None)
    assert isinstance(owner, LiveDelivery)
    return owner


def viewers_of(app: Starlette) -> ViewerCache:
    cache = app.state.viewers
    assert isinstance(cache, ViewerCache)
    return cache


async def one_event_for(
    db: Database, actor: Person, goal: Goal, people: list[Person]
) -> list[Notification]:
    """One goal.checked_in event by ``actor`` and a notification of it for each of ``people``,
    announced in the same transaction, as fan-out writes them."""
    now = datetime.now(UTC)
    goal_id = to_global_id("Goal", goal.id)
    async with db.transaction() as session:
        event = OutboxEvent(
            type="goal.checked_in",
            subject_type="Goal",
            subject_pk=goal.id,
            subject_id=goal_id,
            payload={},
            occurred_at=now,
            dispatched_at=now,
            attempts=0,
        )
        session.add(event)
        await session.flush()
        rows = [
            Notification(
                person_id=person.id,
                event_id=event.id,
                type=event.type,
                subject_id=goal_id,
                actor_id=to_global_id("Person", actor.id),
                reason=f"You follow this goal, {person.display_name}.",
                created_at=now,
                delivery=DeliveryMode.OFF,
                email_status=EmailStatus.NONE,
            )
            for person in people
        ]
        session.add_all(rows)
        await session.flush()
        await announce_notifications(session, rows)
    return rows


def deliveries(counter: StatementCounter) -> int:
    """Statements that read for delivery: the write and its NOTIFY are left out."""
    return sum(
        1
        for statement in counter.statements
        if statement.lstrip().upper().startswith("SELECT") and "pg_notify" not in statement
    )


async def received(client: WsClient) -> dict[str, Any]:
    message = await client.receive()
    assert message["type"] == "next", message
    assert "errors" not in message["payload"], message
    payload: dict[str, Any] = message["payload"]["data"]
    return payload


async def deliver_one_event(
    db: Database, app: Starlette, server: str, statements: StatementCounter, subscribers: int
) -> tuple[int, int]:
    """``subscribers`` people each subscribed twice (two payload shapes) receive one event;
    the statements it cost, and the payloads rendered."""
    center = await make_center(db)
    maria = await make_person(db, center=center, display_name="Maria Lopez")
    goal = await make_goal(db, created_by=maria, center=center, title="Reduce steroid use")
    goal_id = to_global_id("Goal", goal.id)
    people = [await make_person(db, center=center) for _ in range(subscribers)]
    tokens = [await token_for(db, person) for person in people]
    broadcaster = broadcaster_of(app)
    async with AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(ws_client(server, t)) for t in tokens]
        for client in clients:
            await client.subscribe(ROWS_ONLY, operation_id="rows")
            await client.subscribe(WITH_SUBJECT, operation_id="subject")
        while broadcaster.subscriber_count() < 2 * subscribers:
            await clients[-1].round_trip()
        renders_before = delivery_of(app).renders
        statements.reset()
        rows = await one_event_for(db, maria, goal, people)
        for client, person, row in zip(clients, people, rows, strict=True):
            answers = {}
            for _ in range(2):
                message = await client.receive()
                assert message["type"] == "next", message
                assert "errors" not in message["payload"], message
                answers[message["id"]] = message["payload"]["data"]
            mine = to_global_id("Notification", row.id)
            rows_only = answers["rows"]["notificationAdded"]
            assert rows_only["id"] == mine
            assert rows_only["reason"] == f"You follow this goal, {person.display_name}."
            assert rows_only["type"] == "goal.checked_in"
            assert rows_only["read"] is False
            assert rows_only["createdAt"].startswith(row.created_at.isoformat()[:19])
            with_subject = answers["subject"]["added"]
            assert with_subject["id"] == mine
            assert with_subject["reason"] == rows_only["reason"]
            assert with_subject["kind"] == "GOAL_CHECKED_IN"
            assert with_subject["subjectId"] == goal_id
            assert "Maria Lopez" in with_subject["summary"]
            assert with_subject["url"].endswith(goal_id) or goal_id in with_subject["url"]
        await asyncio.sleep(0)
        return deliveries(statements), delivery_of(app).renders - renders_before


async def test_one_event_costs_the_same_statements_for_10_or_200_subscribers(
    db: Database, app: Starlette, statements: StatementCounter
) -> None:
    async with serving(app) as server:
        few, few_renders = await deliver_one_event(db, app, server, statements, 10)
        many, many_renders = await deliver_one_event(db, app, server, statements, 200)
    assert few == many, statements.statements
    # notifications, events, the goal's description, the actor: at most one query each.
    assert 1 <= many <= 4, statements.statements
    # One payload per shape and event (everyone may see the goal), not one per subscriber.
    assert few_renders == many_renders == 2


async def test_each_subscriber_gets_only_their_own_notification(
    db: Database, app: Starlette
) -> None:
    center = await make_center(db)
    maria = await make_person(db, center=center, display_name="Maria Lopez")
    goal = await make_goal(db, created_by=maria, center=center)
    omar, bo = await make_person(db, center=center), await make_person(db, center=center)
    async with (
        serving(app) as server,
        ws_client(server, await token_for(db, omar)) as for_omar,
        ws_client(server, await token_for(db, bo)) as for_bo,
    ):
        await for_omar.subscribe(ROWS_ONLY)
        await for_bo.subscribe(ROWS_ONLY)
        while broadcaster_of(app).subscriber_count() < 2:
            await for_bo.round_trip()
        [only_omars] = await one_event_for(db, maria, goal, [omar])
        assert (await received(for_omar))["notificationAdded"]["id"] == to_global_id(
            "Notification", only_omars.id
        )
        # Bo hears nothing: the next thing on his socket is the answer to his ping.
        await for_bo.round_trip()


VIEWER = "{ viewer { person { id } } }"


async def viewer_over_http(base_url: str, token: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        response = await http.post(
            "/graphql", json={"query": VIEWER}, headers={"Authorization": f"Bearer {token}"}
        )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_revoking_a_token_closes_its_socket_and_forgets_its_viewer(
    db: Database, long_cache: tuple[Starlette, str]
) -> None:
    app, server = long_cache
    maria = await make_person(db)
    token = await token_for(db, maria)
    assert "errors" not in await viewer_over_http(server, token)
    assert maria.id in viewers_of(app).cached_people()
    async with ws_client(server, token) as client:
        await client.subscribe(ROWS_ONLY)
        await client.round_trip()
        revoked = await revoke_tokens_of(db, maria.email)  # `icn-graph token revoke`:
        await announce_revocation(db, revoked.person_id)  # ... and it tells every process
        with pytest.raises(ConnectionClosed) as closed:
            await client.receive()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403
    assert maria.id not in viewers_of(app).cached_people()
    # Cached for an hour, yet refused at once: the cache forgot it.
    refused = await viewer_over_http(server, token)
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


ADD_MEMBERSHIP = """
mutation ($input: AddMembershipInput!) {
  addMembership(input: $input) { membership { id } userErrors { field message } }
}
"""


async def test_a_new_membership_forgets_the_viewer_and_keeps_the_socket_open(
    db: Database, long_cache: tuple[Starlette, str]
) -> None:
    app, server = long_cache
    staff = await make_staff_token(db)
    center = await make_center(db)
    omar = await make_person(db)
    token = await token_for(db, omar)
    assert "errors" not in await viewer_over_http(server, token)
    assert omar.id in viewers_of(app).cached_people()
    async with ws_client(server, token) as client:
        await client.subscribe(ROWS_ONLY)
        await client.round_trip()
        async with httpx.AsyncClient(base_url=server, timeout=30) as http:
            response = await http.post(
                "/graphql",
                json={
                    "query": ADD_MEMBERSHIP,
                    "variables": {
                        "input": {
                            "personId": to_global_id("Person", omar.id),
                            "centerId": to_global_id("Center", center.id),
                            "role": "PARENT_PARTNER",
                        }
                    },
                },
                headers={"Authorization": f"Bearer {staff}"},
            )
        assert response.json()["data"]["addMembership"]["userErrors"] == [], response.text
        assert omar.id not in viewers_of(app).cached_people()
        await client.round_trip()  # still open: a change of roles is not a revocation


async def test_a_revocation_in_one_process_closes_sockets_and_forgets_viewers_in_another(
    tmp_path: Path, tmp_root: Path
) -> None:
    from tests.notifications.test_subscriptions_processes import (
        api_process,
        environment,
        icn_graph,
        wait_ready,
    )

    url = await fresh_database_url("postgresql", tmp_root, "live_fanout")
    upgrade = icn_graph("db", "upgrade")
    await asyncio.to_thread(
        subprocess.run, upgrade, env=environment(url), check=True, capture_output=True
    )
    db = Database.from_url(url)
    try:
        maria = await make_person(db)
        token = await token_for(db, maria)
        log = tmp_path / "a.log"
        with api_process(url, log, ICN_VIEWER_CACHE_SECONDS=str(HOUR)) as (base, process):
            await wait_ready(base, process, log)
            assert "errors" not in await viewer_over_http(base, token)  # cached there now
            async with ws_client(base, token) as client:
                await client.subscribe(ROWS_ONLY)
                await client.round_trip()
                # This process revokes, as `icn-graph token revoke` would from any machine.
                revoked = await revoke_tokens_of(db, maria.email)
                await announce_revocation(db, revoked.person_id)
                with pytest.raises(ConnectionClosed) as closed:
                    await client.receive()
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 4403
            refused = await viewer_over_http(base, token)
            assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    finally:
        await db.dispose()
