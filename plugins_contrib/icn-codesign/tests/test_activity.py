"""``threadActivity`` over a real websocket (graphql-transport-ws) against the app served by
uvicorn: authorised at subscribe time, live for new messages, edits and hidden messages, and
ended when the subscriber leaves the thread."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import uvicorn
from codesign_helpers import Member, cast
from icn_codesign.live import thread_topic
from starlette.applications import Starlette
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from icn_graph.plugin_api import Database, parse_global_id, to_global_id

TIMEOUT = 30.0  # only ever reached when something is broken

ACTIVITY = """
subscription($id: ID!) {
  threadActivity(threadId: $id) {
    kind
    subject { ... on ThreadMessage { body hidden hiddenReason } ... on Person { displayName } }
    thread { title }
  }
}
"""


@asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[str]:
    """Serve ``app`` with uvicorn (lifespan included) in this event loop; its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_level="warning"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        sock.close()


class Subscriber:
    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection

    async def send(self, message: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(message))

    async def receive(self) -> dict[str, Any]:
        async with asyncio.timeout(TIMEOUT):
            message: dict[str, Any] = json.loads(await self.connection.recv())
        return message


@asynccontextmanager
async def subscribed(base_url: str, who: Member, thread_id: str) -> AsyncIterator[Subscriber]:
    url = base_url.replace("http", "ws", 1) + "/graphql"
    async with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as connection:
        subscriber = Subscriber(connection)
        await subscriber.send(
            {"type": "connection_init", "payload": {"Authorization": f"Bearer {who.token}"}}
        )
        assert (await subscriber.receive())["type"] == "connection_ack"
        await subscriber.send(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": ACTIVITY, "variables": {"id": thread_id}},
            }
        )
        yield subscriber


async def mutate(base_url: str, who: Member, query: str, variables: dict[str, Any]) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT) as http:
        response = await http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {who.token}"},
        )
    body = response.json()
    assert "errors" not in body, body
    assert next(iter(body["data"].values()))["userErrors"] == []


async def registered(app: Starlette, thread_id: str, count: int = 1) -> None:
    """Until ``count`` subscriptions to ``thread_id`` listen in ``app`` (each is set up after
    the ack)."""
    topics = app.state.broadcaster.topics
    _type, pk = parse_global_id(thread_id)
    async with asyncio.timeout(TIMEOUT):
        # Polled: the hub has no event to wait on, and this is a test's wait only.
        while topics.subscriber_count(thread_topic(pk)) < count:  # noqa: ASYNC110
            await asyncio.sleep(0.01)


def listening(app: Starlette, thread_id: str) -> int:
    """How many subscriptions to ``thread_id`` listen in ``app`` now."""
    count: int = app.state.broadcaster.topics.subscriber_count(
        thread_topic(parse_global_id(thread_id)[1])
    )
    return count


POST = """mutation($id: ID!, $body: String!) { postMessage(input: {threadId: $id, body: $body}) {
  userErrors { field } } }"""
EDIT = """mutation($id: ID!) { editMessage(input: {id: $id, body: "Panel, v2"}) {
  userErrors { field } } }"""
HIDE = """mutation($id: ID!) { hideMessage(input: {id: $id, reason: "Duplicate"}) {
  userErrors { field } } }"""
LEAVE = """mutation($id: ID!) { leaveThread(input: {id: $id}) { userErrors { field } } }"""


async def test_a_participant_hears_activity_until_they_leave(db: Database, app: Starlette) -> None:
    people = await cast(db)
    async with serving(app) as base_url:
        http = _Client(base_url)
        thread = await http.start(people.parent, [people.participant.id])
        await app.state.dispatcher.drain()  # the invitation reached on_event before we listen
        async with subscribed(base_url, people.parent, thread) as parent:
            await registered(app, thread)
            message = await http.post(people.participant, thread, "Panel, v1")
            got = await parent.receive()
            assert got["payload"]["data"]["threadActivity"] == {
                "kind": "MESSAGE_POSTED",
                "subject": {"body": "Panel, v1", "hidden": False, "hiddenReason": None},
                "thread": {"title": "Parent panel"},
            }
            await mutate(base_url, people.participant, EDIT, {"id": message})
            edited = (await parent.receive())["payload"]["data"]["threadActivity"]
            assert (edited["kind"], edited["subject"]["body"]) == ("MESSAGE_EDITED", "Panel, v2")
            await mutate(base_url, people.staff, HIDE, {"id": message})
            hidden = (await parent.receive())["payload"]["data"]["threadActivity"]
            assert hidden["kind"] == "MESSAGE_HIDDEN"
            assert hidden["subject"] == {"body": None, "hidden": True, "hiddenReason": "Duplicate"}

            await mutate(base_url, people.parent, LEAVE, {"id": thread})
            # Leaving a participants-only thread closes it to them: the stream ends.
            assert await parent.receive() == {"id": "1", "type": "complete"}


async def test_only_who_may_see_the_thread_may_subscribe(db: Database, app: Starlette) -> None:
    people = await cast(db)
    async with serving(app) as base_url:
        http = _Client(base_url)
        thread = await http.start(people.parent, [people.participant.id])
        async with subscribed(base_url, people.outsider, thread) as outsider:
            refused = await outsider.receive()
            assert refused["type"] in {"next", "error"}
            errors = (
                refused["payload"] if refused["type"] == "error" else refused["payload"]["errors"]
            )
            assert errors[0]["extensions"]["code"] == "NOT_FOUND"
            assert "Parent panel" not in json.dumps(refused)


REMOVE_MEMBERSHIP = """mutation($id: ID!) { removeMembership(input: {id: $id}) {
  userErrors { field } } }"""


async def graphql(base_url: str, who: Member, query: str, variables: dict[str, Any]) -> Any:
    async with httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT) as http:
        response = await http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {who.token}"},
        )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


async def center_thread(base_url: str, who: Member, center: str, invited: list[str]) -> str:
    query = """mutation($input: StartThreadInput!) { startThread(input: $input) {
      thread { id } userErrors { field } } }"""
    new = {"title": "Parent panel", "audience": "CENTER", "centerId": center}
    data = await graphql(base_url, who, query, {"input": {**new, "personIds": invited}})
    thread_id: str = data["startThread"]["thread"]["id"]
    return thread_id


def kind_of(received: dict[str, Any]) -> str:
    assert received["type"] == "next", received
    kind: str = received["payload"]["data"]["threadActivity"]["kind"]
    return kind


async def test_a_center_team_member_whose_membership_is_removed_stops_hearing_the_thread(
    db: Database, app: Starlette
) -> None:
    people = await cast(db)
    center = to_global_id("Center", people.center.id)
    async with serving(app) as base_url:
        thread = await center_thread(base_url, people.participant, center, [])
        await app.state.dispatcher.drain()
        # Two of the center's team, neither a participant: they read it as the center's team.
        async with (
            subscribed(base_url, people.colleague, thread) as colleague,
            subscribed(base_url, people.parent, thread) as parent,
        ):
            await registered(app, thread, count=2)
            await _Client(base_url).post(people.participant, thread, "Clinic news")
            assert kind_of(await colleague.receive()) == "MESSAGE_POSTED"
            assert kind_of(await parent.receive()) == "MESSAGE_POSTED"

            memberships = await graphql(
                base_url,
                people.staff,
                "query($id: ID!) { node(id: $id) { ... on Person { memberships { id } } } }",
                {"id": people.colleague.id},
            )
            [membership] = memberships["node"]["memberships"]
            await mutate(base_url, people.staff, REMOVE_MEMBERSHIP, {"id": membership["id"]})
            assert await colleague.receive() == {"id": "1", "type": "complete"}

            await _Client(base_url).post(people.participant, thread, "After the change")
            assert kind_of(await parent.receive()) == "MESSAGE_POSTED"  # the team still hears
            assert listening(app, thread) == 1  # the colleague's subscription is gone


async def test_a_participant_from_another_center_who_leaves_stops_hearing_the_thread(
    db: Database, app: Starlette
) -> None:
    people = await cast(db)
    center = to_global_id("Center", people.center.id)
    async with serving(app) as base_url:
        thread = await center_thread(base_url, people.participant, center, [people.outsider.id])
        await app.state.dispatcher.drain()
        async with (
            subscribed(base_url, people.outsider, thread) as outsider,
            subscribed(base_url, people.colleague, thread) as colleague,
        ):
            await registered(app, thread, count=2)
            await _Client(base_url).post(people.participant, thread, "Welcome, Dr. Park")
            assert kind_of(await outsider.receive()) == "MESSAGE_POSTED"
            assert kind_of(await colleague.receive()) == "MESSAGE_POSTED"

            await mutate(base_url, people.outsider, LEAVE, {"id": thread})
            assert await outsider.receive() == {"id": "1", "type": "complete"}
            assert kind_of(await colleague.receive()) == "PARTICIPANT_LEFT"
            await _Client(base_url).post(people.participant, thread, "Thanks for joining")
            assert kind_of(await colleague.receive()) == "MESSAGE_POSTED"
            assert listening(app, thread) == 1


class _Client:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    async def start(self, who: Member, invited: list[str]) -> str:
        query = """mutation($input: StartThreadInput!) { startThread(input: $input) {
          thread { id } userErrors { field } } }"""
        variables = {
            "input": {
                "title": "Parent panel",
                "audience": "PARTICIPANTS",
                "personIds": invited,
            }
        }
        async with httpx.AsyncClient(base_url=self.base_url, timeout=TIMEOUT) as http:
            response = await http.post(
                "/graphql",
                json={"query": query, "variables": variables},
                headers={"Authorization": f"Bearer {who.token}"},
            )
        thread_id: str = response.json()["data"]["startThread"]["thread"]["id"]
        return thread_id

    async def post(self, who: Member, thread: str, body: str) -> str:
        query = """mutation($id: ID!, $body: String!) {
          postMessage(input: {threadId: $id, body: $body}) {
            message { id } userErrors { field } } }"""
        async with httpx.AsyncClient(base_url=self.base_url, timeout=TIMEOUT) as http:
            response = await http.post(
                "/graphql",
                json={"query": query, "variables": {"id": thread, "body": body}},
                headers={"Authorization": f"Bearer {who.token}"},
            )
        message_id: str = response.json()["data"]["postMessage"]["message"]["id"]
        return message_id
