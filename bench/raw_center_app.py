"""The anchor of the HTTP center page benches: raw Starlette + asyncpg + orjson serving the JSON
``http_center_page.QUERY`` gets from the API (center, team, goals with key results), for the
same POST body, with no GraphQL, ORM, auth or validation.

    .venv/bin/python bench/raw_center_app.py PORT POSTGRES_URL [WORKERS]

One asyncpg pool per process; four statements a page (center, members, goals, key results).
"""

from __future__ import annotations

import base64
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

CENTER = """SELECT id, name, short_code, city, region, country, status
  FROM centers WHERE id = $1"""
MEMBERS = """SELECT m.role, p.display_name, p.kind
  FROM memberships m JOIN people p ON p.id = m.person_id
  WHERE m.center_id = $1 ORDER BY m.since, m.id"""
GOALS = """SELECT id, title, status, confidence, starts_on, due_on FROM goals
  WHERE center_id = $1 AND archived_at IS NULL ORDER BY due_on, id LIMIT 20"""
KEY_RESULTS = """SELECT goal_id, title, unit, start_value, target_value FROM key_results
  WHERE goal_id = ANY($1::int[]) ORDER BY position, id"""


async def page(pool: asyncpg.Pool, center_id: int) -> bytes:
    async with pool.acquire() as connection:
        center = await connection.fetchrow(CENTER, center_id)
        if center is None:
            return orjson.dumps({"data": {"node": None}})
        members = await connection.fetch(MEMBERS, center_id)
        goals = await connection.fetch(GOALS, center_id)
        key_results = await connection.fetch(KEY_RESULTS, [goal["id"] for goal in goals])
    by_goal: dict[int, list[dict[str, Any]]] = {goal["id"]: [] for goal in goals}
    for row in key_results:
        by_goal[row["goal_id"]].append(
            {
                "title": row["title"],
                "unit": row["unit"],
                "startValue": row["start_value"],
                "targetValue": row["target_value"],
            }
        )
    node = {
        "name": center["name"],
        "shortCode": center["short_code"],
        "city": center["city"],
        "region": center["region"],
        "country": center["country"],
        "status": center["status"].upper(),
        "members": [
            {
                "role": row["role"].upper(),
                "person": {"displayName": row["display_name"], "kind": row["kind"].upper()},
            }
            for row in members
        ],
        "goals": {
            "edges": [
                {
                    "node": {
                        "title": goal["title"],
                        "status": goal["status"].upper(),
                        "confidence": goal["confidence"],
                        "startsOn": goal["starts_on"],
                        "dueOn": goal["due_on"],
                        "keyResults": by_goal[goal["id"]],
                    }
                }
                for goal in goals
            ]
        },
    }
    return orjson.dumps({"data": {"node": node}})


def create_app(dsn: str) -> Starlette:
    pools: list[asyncpg.Pool] = []

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        pools.append(await asyncpg.create_pool(dsn, min_size=2, max_size=10))
        yield
        await pools[0].close()

    async def graphql(request: Request) -> Response:
        body = orjson.loads(await request.body())
        global_id = body["variables"]["id"]
        decoded = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
        center_id = int(decoded.partition(":")[2])
        return Response(await page(pools[0], center_id), media_type="application/json")

    async def ready(request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["POST"]),
            Route("/readyz", ready),
        ],
        lifespan=lifespan,
    )


def app() -> Starlette:
    """For ``uvicorn --factory raw_center_app:app`` (several workers): the DSN from the env."""
    return create_app(os.environ["RAW_CENTER_DSN"])


if __name__ == "__main__":
    import uvicorn

    port, dsn = int(sys.argv[1]), sys.argv[2]
    workers = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    os.environ["RAW_CENTER_DSN"] = dsn
    if workers == 1:
        uvicorn.run(create_app(dsn), host="127.0.0.1", port=port, log_level="warning")
    else:
        uvicorn.run(
            "raw_center_app:app",
            factory=True,
            host="127.0.0.1",
            port=port,
            workers=workers,
            log_level="warning",
            app_dir=os.path.dirname(os.path.abspath(__file__)),
        )
