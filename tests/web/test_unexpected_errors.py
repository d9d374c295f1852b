"""Whatever escapes a route is answered in the API's JSON error shape through a real uvicorn
server, never uvicorn's or Starlette's plain-text 500: a bug (500), a lost database connection or
a stray ``CancelledError`` (503); a websocket is closed with a code. A real cancellation (the
server stopping a request) goes on up unanswered. Both backends; a connection killed by
PostgreSQL itself on PostgreSQL only."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.types import Message
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from icn_graph.db.database import Database
from tests.subscription_helpers import RECEIVE_TIMEOUT, serving
from tests.web import failing_routes_plugin

UNAVAILABLE = {
    "errors": [
        {
            "message": "The database is unavailable; try again shortly.",
            "extensions": {"code": "SERVICE_UNAVAILABLE"},
        }
    ]
}


@pytest.fixture
def icn_plugins() -> Sequence[tuple[str, object]]:
    return [("failing-routes", failing_routes_plugin)]


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        serving(app) as server,
        httpx.AsyncClient(base_url=server, timeout=RECEIVE_TIMEOUT) as client,
    ):
        yield client


def json_of(response: httpx.Response) -> dict[str, Any]:
    assert response.headers["content-type"] == "application/json", response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_bug_is_a_json_500_with_the_masked_message(
    http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    response = await http.get("/test/boom")
    assert response.status_code == 500
    assert json_of(response) == {
        "errors": [
            {"message": "Unexpected error.", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}
        ]
    }
    # The traceback is in the log, not in the answer.
    [logged] = [r for r in caplog.records if r.name == "icn_graph.web.unexpected_errors"]
    assert logged.levelno == logging.ERROR
    assert logged.exc_info is not None
    assert "a bug" in str(logged.exc_info[1])


async def test_a_stray_cancellation_is_a_json_503(
    http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    response = await http.get("/test/interrupted")
    assert response.status_code == 503
    assert json_of(response) == UNAVAILABLE
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    # The server goes on answering on the same connection.
    assert (await http.get("/healthz")).json() == {"status": "ok"}


async def test_a_connection_killed_mid_statement_is_a_json_503(
    db: Database, http: httpx.AsyncClient
) -> None:
    if db.dialect != "postgresql":
        pytest.skip("only PostgreSQL can terminate a connection")
    failing_routes_plugin.killed_runs.clear()
    response = await http.get("/test/own-connection-killed")
    assert response.status_code == 503
    assert json_of(response) == UNAVAILABLE
    # A GET that lost its connection runs again once, on a fresh one, then gives up.
    [first, second] = failing_routes_plugin.killed_runs
    assert first != second


async def test_a_websocket_that_fails_is_closed_with_internal_error(app: Starlette) -> None:
    async with serving(app) as server:
        url = server.replace("http://", "ws://", 1) + "/test/websocket-boom"
        async with connect(url, open_timeout=RECEIVE_TIMEOUT) as websocket:
            with pytest.raises(ConnectionClosed) as closed:
                async with asyncio.timeout(RECEIVE_TIMEOUT):
                    await websocket.recv()
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1011


async def test_a_real_cancellation_goes_on_up_unanswered(app: Starlette) -> None:
    """What the server does to requests still running at shutdown: no response is made up."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/test/waits",
        "raw_path": b"/test/waits",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
        "state": {},
    }
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    failing_routes_plugin.started.clear()
    request = asyncio.create_task(app(scope, receive, send))
    async with asyncio.timeout(RECEIVE_TIMEOUT):
        await failing_routes_plugin.started.wait()
    request.cancel()
    with pytest.raises(asyncio.CancelledError):
        await request
    assert sent == []
