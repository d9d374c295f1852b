"""Over a websocket, each query or mutation reads what the database holds then: the connection's
context (and its loaders) outlives each operation, so an operation forgets what earlier ones
loaded, and a write in a mutation makes its later fields read what it changed."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette

from icn_graph.db.database import Database
from icn_graph.testing import GraphQLClient, make_person, token_for
from tests.subscription_helpers import serving, ws_client

NAME = "{ viewer { person { displayName } } }"
RENAME = """mutation($name: String!) { updateViewer(input: {displayName: $name}) {
  viewer { id } } }"""
READ_THEN_RENAME = """mutation {
  first: updateViewer(input: {pronouns: "they/them"}) { viewer { person { displayName } } }
  second: updateViewer(input: {displayName: "Third Name"}) { viewer { person { displayName } } }
}"""


async def _answer(socket: Any, operation_id: str, query: str) -> dict[str, Any]:
    await socket.send({"id": operation_id, "type": "subscribe", "payload": {"query": query}})
    message: dict[str, Any] = await socket.receive()
    assert message["type"] == "next", message
    assert "errors" not in message["payload"], message
    data: dict[str, Any] = message["payload"]["data"]
    assert await socket.receive() == {"id": operation_id, "type": "complete"}
    return data


def _name(data: dict[str, Any]) -> str:
    name: str = data["viewer"]["person"]["displayName"]
    return name


async def test_each_operation_on_a_websocket_reads_afresh(
    db: Database, app: Starlette, client: GraphQLClient
) -> None:
    me = await make_person(db, display_name="Old Name")
    token = await token_for(db, me)
    async with serving(app) as server, ws_client(server, token) as socket:
        assert _name(await _answer(socket, "1", NAME)) == "Old Name"
        await client.data(RENAME, {"name": "New Name"}, token=token)  # over HTTP, meanwhile
        assert _name(await _answer(socket, "2", NAME)) == "New Name"

        mutated = await _answer(socket, "3", READ_THEN_RENAME)
        assert _name(mutated["first"]) == "New Name"
        assert _name(mutated["second"]) == "Third Name"
