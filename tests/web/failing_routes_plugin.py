"""A plugin whose routes fail the ways a killed database connection makes a request fail: an
exception, a lost connection, a ``CancelledError`` in a task nobody cancelled; and one that waits
until it is cancelled for real. For the JSON answer to whatever escapes a route."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket

from icn_graph.plugin_api import hookimpl

started = asyncio.Event()
killed_runs: list[int] = []  # the backend pid of each run of own_connection_killed


async def boom(request: Request) -> Response:
    raise RuntimeError("a bug")


async def interrupted(request: Request) -> Response:
    # What SQLAlchemy's asyncpg adapter raises when a killed connection's close is cut short.
    raise asyncio.CancelledError


async def own_connection_killed(request: Request) -> Response:
    """PostgreSQL terminates the request's own connection in the middle of its statement."""
    async with request.app.state.db.session() as session:
        killed_runs.append(await session.scalar(text("SELECT pg_backend_pid()")))
        await session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
    return Response("unreachable")


async def waits(request: Request) -> Response:
    started.set()
    await asyncio.Event().wait()
    return Response("unreachable")


async def websocket_boom(websocket: WebSocket) -> None:
    await websocket.accept()
    raise RuntimeError("a bug")


@hookimpl
def register_routes() -> Sequence[BaseRoute]:
    return [
        Route("/test/boom", boom),
        Route("/test/interrupted", interrupted),
        Route("/test/own-connection-killed", own_connection_killed),
        Route("/test/waits", waits),
        WebSocketRoute("/test/websocket-boom", websocket_boom),
    ]
