"""Under repeated kills of the app's database connections (its pool's and its notifications
listener's, with ``pg_terminate_backend``), every HTTP answer is JSON: 200, or 503
``SERVICE_UNAVAILABLE``, never a plain-text 500, and nothing escapes the app to the server. Once
the kills stop, the app answers and its listener is back. PostgreSQL only."""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter
from collections.abc import AsyncIterator, Iterator

import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no type hints
import httpx
import pytest
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.applications import Starlette

from icn_graph.app import create_app
from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.notifications.realtime.listener import APPLICATION_NAME, connect_arguments
from icn_graph.plugins.manager import PluginHost
from tests.goal_helpers import CHECK_IN
from tests.helpers import token_for
from tests.subscription_helpers import RECEIVE_TIMEOUT, followed_goal, serving

POOL_NAME = "icn_graph kill test pool"
KILLS = 150
CLIENTS = 8
ALLOWED = {200, 503}


@pytest.fixture
async def own_db(db: Database) -> AsyncIterator[Database]:
    """The app's own engine, its connections named so that only they are killed."""
    if db.dialect != "postgresql":
        pytest.skip("only PostgreSQL can terminate connections")
    engine = create_async_engine(
        db.engine.url,
        pool_pre_ping=True,
        connect_args={"server_settings": {"application_name": POOL_NAME}},
    )
    yield Database(engine)
    await engine.dispose()


@pytest.fixture
def killed_app(own_db: Database, settings: Settings, plugin_host: PluginHost) -> Starlette:
    app = create_app(settings, db=own_db, plugins=plugin_host)
    listener = app.state.broadcaster.listener
    listener._min_retry, listener._max_retry = 0.05, 0.2  # back soon after the kills stop
    return app


@pytest.fixture
def server_errors(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """uvicorn's own log ("Exception in ASGI application") does not reach the root logger."""
    uvicorn_errors = logging.getLogger("uvicorn.error")
    uvicorn_errors.addHandler(caplog.handler)
    yield caplog
    uvicorn_errors.removeHandler(caplog.handler)


async def test_every_answer_is_json_while_connections_are_killed(
    db: Database,
    killed_app: Starlette,
    server_errors: pytest.LogCaptureFixture,
) -> None:
    world = await followed_goal(db)
    token = await token_for(db, world.maria)
    auth = {"Authorization": f"Bearer {token}"}
    check_in = {
        "query": CHECK_IN,
        "variables": {
            "input": {"id": world.goal_id, "note": "Killed", "status": "ON_TRACK", "confidence": 5}
        },
    }
    requests = [
        ("GET", "/readyz", None, {}),
        ("POST", "/graphql", {"query": "{ viewer { person { id displayName } } }"}, auth),
        ("POST", "/graphql", {"query": "{ network { name } centers { nodes { name } } }"}, {}),
        ("POST", "/graphql", check_in, auth),
        ("GET", "/graphql?query=%7B%20viewer%20%7B%20id%20%7D%20%7D", None, auth),
    ]
    url = db.engine.url.render_as_string(hide_password=False)
    killer = await asyncpg.connect(**connect_arguments(url))
    statuses: Counter[int] = Counter()
    not_json: list[str] = []
    kills = 0
    try:
        async with serving(killed_app) as server:
            stop = asyncio.Event()

            async def client(seed: int) -> None:
                choose = random.Random(seed)
                async with httpx.AsyncClient(base_url=server, timeout=RECEIVE_TIMEOUT) as http:
                    while not stop.is_set():
                        method, path, body, headers = choose.choice(requests)
                        response = await http.request(method, path, json=body, headers=headers)
                        statuses[response.status_code] += 1
                        kind = response.headers.get("content-type", "")
                        if kind != "application/json" or response.status_code not in ALLOWED:
                            not_json.append(f"{response.status_code} {kind} {response.text[:80]}")
                        else:
                            response.json()

            clients = [asyncio.create_task(client(seed)) for seed in range(CLIENTS)]
            pause = random.Random(0)
            for _ in range(KILLS):
                await asyncio.sleep(pause.uniform(0, 0.04))
                # Functions in the select list run only for the rows WHERE kept.
                killed = await killer.fetch(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE application_name IN ($1, $2) AND datname = current_database()",
                    POOL_NAME,
                    APPLICATION_NAME,
                )
                kills += len(killed)
            stop.set()
            await asyncio.gather(*clients)

            # Back to normal once the kills stop.
            async with httpx.AsyncClient(base_url=server, timeout=RECEIVE_TIMEOUT) as http:
                ready = {"status": "ok", "database": "ok", "migrations": "ok", "listener": "ok"}
                async with asyncio.timeout(RECEIVE_TIMEOUT):
                    while True:
                        if (await http.get("/readyz")).json() == ready:
                            break
                        await asyncio.sleep(0.05)
                viewer = await http.post(
                    "/graphql",
                    json={"query": "{ viewer { person { displayName } } }"},
                    headers=auth,
                )
                person = viewer.json()["data"]["viewer"]["person"]
                assert person == {"displayName": "Maria Lopez"}
    finally:
        await killer.close()
    assert not_json == [], statuses
    assert kills >= KILLS // 2  # most kills found connections to kill
    # The kills did hit requests, and requests got through between them.
    assert statuses[503] > 0, statuses
    assert statuses[200] > 0, statuses
    escaped = [
        r for r in server_errors.records if "Exception in ASGI application" in r.getMessage()
    ]
    assert escaped == []
