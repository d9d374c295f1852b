"""Which operation a request runs: subscriptions only over the websocket (HTTP answers a 400
saying so), and a document with several operations only with ``operationName``, over HTTP and
the websocket alike, refused before it is priced."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from starlette.applications import Starlette

from icn_graph.db.database import Database
from icn_graph.testing import GraphQLClient, make_staff_token
from tests.helpers import error_codes
from tests.subscription_helpers import serving, ws_client, ws_connection

SUBSCRIPTION = "subscription { notificationAdded { id } }"
TWO_OPERATIONS = "query A { network { name } } query B { __typename }"


def logged_problems(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_a_subscription_over_http_is_a_400_pointing_at_the_websocket(
    db: Database,
    client: GraphQLClient,
    caplog: pytest.LogCaptureFixture,
    method: str,
    signed_in: bool,
) -> None:
    headers = {"Authorization": f"Bearer {await make_staff_token(db)}"} if signed_in else {}
    with caplog.at_level(logging.INFO):
        if method == "POST":
            response = await client.http.post(
                "/graphql", json={"query": SUBSCRIPTION}, headers=headers
            )
        else:
            response = await client.http.get(
                "/graphql", params={"query": SUBSCRIPTION}, headers=headers
            )
    assert response.status_code == 400, response.text
    body = response.json()
    assert error_codes(body) == ["BAD_REQUEST"]
    message = body["errors"][0]["message"]
    assert "websocket at /graphql" in message
    assert "graphql-transport-ws" in message
    assert logged_problems(caplog) == []


async def test_several_operations_need_an_operation_name_over_http(
    db: Database, client: GraphQLClient
) -> None:
    body = await client.execute(TWO_OPERATIONS)
    assert body.get("data") is None
    assert error_codes(body) == ["GRAPHQL_VALIDATION_FAILED"]
    assert body["errors"][0]["message"].startswith(
        "operationName is required when the document has several operations"
    )
    # Refused before it was priced: nothing requested, nothing charged.
    cost = body["extensions"]["cost"]
    assert (cost["requested"], cost["actual"]) == (0, 0)

    response = await client.http.post(
        "/graphql", json={"query": TWO_OPERATIONS, "operationName": "B"}
    )
    assert response.json()["data"] == {"__typename": "Query"}
    response = await client.http.get("/graphql", params={"query": TWO_OPERATIONS})
    assert error_codes(response.json()) == ["GRAPHQL_VALIDATION_FAILED"]


async def subscribe(socket: Any, payload: dict[str, Any]) -> dict[str, Any]:
    await socket.send({"id": "1", "type": "subscribe", "payload": payload})
    message: dict[str, Any] = await socket.receive()
    return message


async def test_several_operations_need_an_operation_name_over_the_websocket(
    db: Database, app: Starlette
) -> None:
    async with serving(app) as server, ws_client(server) as socket:
        refused = await subscribe(socket, {"query": TWO_OPERATIONS})
        assert refused["type"] == "error", refused
        [error] = refused["payload"]
        assert error["message"].startswith("operationName is required")

        chosen = await subscribe(socket, {"query": TWO_OPERATIONS, "operationName": "B"})
        assert chosen["type"] == "next", chosen
        assert chosen["payload"]["data"] == {"__typename": "Query"}


@pytest.mark.parametrize(
    "init", [{"type": "connection_init", "payload": None}, {"type": "connection_init"}]
)
async def test_connection_init_without_a_payload_is_anonymous(
    db: Database, app: Starlette, init: dict[str, Any]
) -> None:
    async with serving(app) as server, ws_connection(server) as socket:
        await socket.send(init)
        assert await socket.receive() == {"type": "connection_ack"}
        answer = await subscribe(socket, {"query": "{ viewer { person { id } } }"})
        assert answer["type"] == "next", answer
        assert answer["payload"]["data"] == {"viewer": None}


async def test_a_null_payload_keeps_the_token_of_the_opening_request(
    db: Database, app: Starlette
) -> None:
    headers = {"Authorization": f"Bearer {await make_staff_token(db)}"}
    async with serving(app) as server, ws_connection(server, additional_headers=headers) as socket:
        await socket.send({"type": "connection_init", "payload": None})
        assert await socket.receive() == {"type": "connection_ack"}
        answer = await subscribe(socket, {"query": "{ viewer { person { id } } }"})
        assert answer["type"] == "next", answer
        assert answer["payload"]["data"]["viewer"]["person"]["id"]
