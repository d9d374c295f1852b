"""Benchmark: a page of centers with their teams, through the whole stack vs raw asyncpg + orjson.

    ICN_BENCH_POSTGRES_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/icn_bench \\
        .venv/bin/python bench/bench_centers.py [--rounds 200]

The database is emptied, migrated and loaded with the demo network. Then the same payload — 50
centers by name, each with its members' role and person (name, kind) — is produced two ways in
the same run, alternating: (a) a GraphQL POST through the real ASGI app (auth, parsing,
validation, resolvers, loaders, JSON), in process; (b) the three equivalent SQL queries on a raw
asyncpg connection and ``orjson.dumps``. It prints the median time of each and their ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
import orjson
from sqlalchemy import text
from sqlalchemy.engine import make_url

from icn_graph.app import create_app
from icn_graph.config import Settings
from icn_graph.db import migrations
from icn_graph.db.database import Database
from icn_graph.demo import load_demo
from icn_graph.host import core_host
from icn_graph.services.tokens import issue_token

QUERY = """{ centers(first: 50) { edges { node { name
  members { role person { displayName kind } } } } } }"""

RAW_CENTERS = "SELECT id, name FROM centers ORDER BY name, id LIMIT 50"
RAW_MEMBERS = """SELECT m.center_id, m.role, p.display_name, p.kind
  FROM memberships m JOIN people p ON p.id = m.person_id
  WHERE m.center_id = ANY($1::int[]) ORDER BY m.since, m.id"""


async def prepare(url: str) -> str:
    database = Database.from_url(url)
    async with database.engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    await asyncio.to_thread(migrations.upgrade, url)
    await load_demo(database, plugins=core_host())
    secret = (await issue_token(database, "staff@network.example.org")).secret
    await database.dispose()
    return secret


async def raw_payload(connection: asyncpg.Connection) -> bytes:
    centers = await connection.fetch(RAW_CENTERS)
    members = await connection.fetch(RAW_MEMBERS, [row["id"] for row in centers])
    by_center: dict[int, list[dict[str, Any]]] = {row["id"]: [] for row in centers}
    for row in members:
        by_center[row["center_id"]].append(
            {
                "role": row["role"],
                "person": {"displayName": row["display_name"], "kind": row["kind"]},
            }
        )
    edges = [{"node": {"name": row["name"], "members": by_center[row["id"]]}} for row in centers]
    return orjson.dumps({"data": {"centers": {"edges": edges}}})


async def main(rounds: int) -> None:
    url = os.environ.get(
        "ICN_BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/icn_bench"
    )
    secret = await prepare(url)
    settings = Settings(database_url=url, _env_file=None)  # type: ignore[arg-type,call-arg]
    # One token makes all the load here: its cost budget would throttle it.
    settings = settings.model_copy(update={"cost_restore_rate": 1e9})
    app = create_app(settings, plugins=core_host())
    raw_url = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(raw_url)
    headers = {"Authorization": f"Bearer {secret}"}
    stack: list[float] = []
    raw: list[float] = []
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bench"
    ) as client:
        first = (await client.post("/graphql", json={"query": QUERY}, headers=headers)).json()
        # The API's answer also carries ``extensions`` (the query's cost): compare the data.
        raw_data = orjson.loads(await raw_payload(connection))["data"]
        assert raw_data == first["data"], "payloads differ"
        for _ in range(rounds):
            start = time.perf_counter()
            response = await client.post("/graphql", json={"query": QUERY}, headers=headers)
            stack.append(time.perf_counter() - start)
            assert response.status_code == 200
            assert "errors" not in response.json(), response.json()["errors"]
            start = time.perf_counter()
            await raw_payload(connection)
            raw.append(time.perf_counter() - start)
    await connection.close()
    await app.state.db.dispose()
    full, base = statistics.median(stack) * 1000, statistics.median(raw) * 1000
    members = sum(len(edge["node"]["members"]) for edge in first["data"]["centers"]["edges"])
    print(f"rounds: {rounds}; payload: 50 centers with {members} members")
    print(f"GraphQL through the app: median {full:.2f} ms")
    print(f"raw asyncpg + orjson:    median {base:.2f} ms")
    print(f"ratio: {full / base:.1f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    asyncio.run(main(parser.parse_args().rounds))
