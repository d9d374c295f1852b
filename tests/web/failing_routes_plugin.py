"""A plugin whose routes fail the ways a killed database connection makes a request fail: an
exception, a lost connection, a ``CancelledError`` in a task nobody cancelled; and one that waits
until it is cancelled for real. For the JSON answer to whatever escapes a route, and for which
runs of a route that lost its connection run again (tests/web/test_route_reads.py)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

from sqlalchemy import text
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.websockets import WebSocket

from icn_graph.plugin_api import hookimpl

started = asyncio.Event()
killed_runs: list[int] = []  # the backend pid of each run of a route that kills its connection
background_runs: list[str] = []  # what each background task saw


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


async def lost_then_answers(request: Request) -> Response:
    """Loses its connection, answers 503 itself, with a background task."""
    with contextlib.suppress(Exception):
        await own_connection_killed(request)
    return Response(
        "lost", status_code=503, background=BackgroundTask(background_runs.append, "ran")
    )


async def wrote_then_lost(request: Request) -> Response:
    async with request.app.state.db.transaction() as session:
        await session.execute(text("SELECT 1"))
    return await own_connection_killed(request)


async def pool_at_answer(request: Request) -> Response:
    """Reads, then answers with a background task that notes the connections checked out."""
    db = request.app.state.db
    async with db.session() as session:
        await session.execute(text("SELECT 1"))

    def note() -> None:
        background_runs.append(f"checked out: {db.engine.pool.checkedout()}")

    return Response("read", background=BackgroundTask(note))


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
        Route("/test/own-connection-killed", own_connection_killed, methods=["GET", "POST"]),
        Mount("/test/mounted", routes=[Route("/own-connection-killed", own_connection_killed)]),
        Route("/test/lost-then-answers", lost_then_answers),
        Route("/test/wrote-then-lost", wrote_then_lost),
        Route("/test/pool-at-answer", pool_at_answer),
        Route("/test/waits", waits),
        WebSocketRoute("/test/websocket-boom", websocket_boom),
    ]
