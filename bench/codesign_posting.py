"""Benchmark: posting co-design messages through GraphQL ``postMessage`` vs a raw insert + JSON.

    .venv/bin/python bench/codesign_posting.py [--messages 2000] [--rounds 10] [--backend both]
    (PostgreSQL: ICN_BENCH_POSTGRES_URL, default postgresql+asyncpg://postgres@127.0.0.1:5432/
    icn_bench; its public schema is dropped and recreated. SQLite: a fresh file.)

A parent partner posts N messages (a Markdown paragraph, a list, a link, about 400 characters) in
a thread with a clinician and a staff member, each following it.

- **ours**: ``postMessage`` as an HTTP POST through the real ASGI app, in process (auth,
  GraphQL parsing and validation, the service: audience check, Markdown rendered by
  markdown-it-py and sanitized by nh3, mentions, the message row, the participant's read mark,
  the ``thread.message_posted`` event in the outbox; the payload: the message with its HTML and
  author). Reported twice: the requests alone, and the requests plus what each commit sets off
  after the response (notification fan-out to the followers, ``on_event``, the live topic),
  waited for at the end of each slice.
- **baseline**: the same message row inserted with SQLAlchemy Core on the same engine (body and
  a pre-rendered HTML, one transaction per message, the thread's last activity updated), and
  the same JSON payload written with ``orjson``.

The two run interleaved in ``--rounds`` slices (baseline, then ours, on the same messages), so a
noisy machine slows both alike; it prints messages/s (median over slices) and the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import icn_codesign.plugin
import orjson
from icn_codesign.markup import render
from icn_codesign.models import Message, Thread
from pydantic import SecretStr
from scratch_database import empty_schema
from sqlalchemy import func, insert, select, update
from starlette.applications import Starlette

from icn_graph.app import create_app
from icn_graph.config import Settings
from icn_graph.db import migrations
from icn_graph.db.database import Database
from icn_graph.host import load_plugins
from icn_graph.ids import to_global_id
from icn_graph.models import NetworkRole, Person, PersonKind
from icn_graph.services.tokens import issue_token

POST = """mutation($thread: ID!, $body: String!) {
  postMessage(input: {threadId: $thread, body: $body}) {
    message { id body bodyHtml createdAt author { displayName } }
    userErrors { field message code }
  }
}"""
PACIFIC = "America/Los_Angeles"
START = """mutation($input: StartThreadInput!) { startThread(input: $input) {
  thread { id } userErrors { field message } } }"""


def body(n: int) -> str:
    return (
        f"Draft {n} of the **panel objectives**, written late at night:\n\n"
        "- how centers can engage families in QI work\n"
        "- what parents need from the care team between visits\n"
        "- a call to action the Network can adopt\n\n"
        "See [last spring's notes](https://icn.example.org/sessions/spring-2013) and tell me "
        "what you think; I will fold your comments into the next draft."
    )


async def people(database: Database) -> list[Person]:
    async with database.transaction() as session:
        cast = [
            Person(
                display_name=name,
                email=email,
                email_key=email,
                kind=kind,
                network_role=role,
                timezone=zone,
            )
            for name, email, kind, role, zone in (
                (
                    "Jamie Rivera",
                    "jamie@example.org",
                    PersonKind.PARENT_PARTNER,
                    None,
                    "America/Los_Angeles",
                ),
                (
                    "Dr. Sami Reyes",
                    "sami@example.org",
                    PersonKind.CLINICIAN,
                    None,
                    "America/New_York",
                ),
                ("Tania Staff", "tania@example.org", PersonKind.STAFF, NetworkRole.STAFF, "UTC"),
            )
        ]
        session.add_all(cast)
        await session.flush()
        return cast


async def graphql(client: httpx.AsyncClient, token: str, query: str, variables: Any) -> Any:
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    data = response.json()["data"]
    return next(iter(data.values()))


async def ours(
    client: httpx.AsyncClient, app: Starlette, token: str, thread: str, bodies: Sequence[str]
) -> tuple[float, float]:
    """Seconds for the requests, and for the requests plus what they set off."""
    start = time.perf_counter()
    for text_ in bodies:
        payload = await graphql(client, token, POST, {"thread": thread, "body": text_})
        assert payload["userErrors"] == [], payload
    requests = time.perf_counter() - start
    await app.state.dispatcher.drain()
    return requests, time.perf_counter() - start


async def baseline(
    database: Database, author: Person, thread_pk: int, bodies: Sequence[str]
) -> float:
    html = [render(text_) for text_ in bodies]  # rendered beforehand: not counted
    start = time.perf_counter()
    for text_, text_html in zip(bodies, html, strict=True):
        now = datetime.now(UTC)
        async with database.transaction() as session:
            message_id = await session.scalar(
                insert(Message)
                .values(
                    thread_id=thread_pk,
                    author_id=author.id,
                    body=text_,
                    body_html=text_html,
                    created_at=now,
                    source="app",
                )
                .returning(Message.id)
            )
            await session.execute(
                update(Thread).where(Thread.id == thread_pk).values(last_activity_at=now)
            )
        assert message_id is not None
        orjson.dumps(
            {
                "data": {
                    "postMessage": {
                        "message": {
                            "id": to_global_id("ThreadMessage", message_id),
                            "body": text_,
                            "bodyHtml": text_html,
                            "createdAt": now.isoformat(),
                            "author": {"displayName": author.display_name},
                        },
                        "userErrors": [],
                    }
                }
            }
        )
    return time.perf_counter() - start


async def run(url: str, count: int, rounds: int) -> dict[str, float]:
    settings = Settings(  # type: ignore[call-arg]
        database_url=SecretStr(url), network_name="Bench Network", _env_file=None
    )
    host = load_plugins(settings, extra=[("icn-codesign", icn_codesign.plugin)], discover=False)
    await empty_schema(url)
    await asyncio.to_thread(migrations.upgrade_all, url, host)
    database = Database.from_url(url)
    author, clinician, staff = await people(database)
    token = (await issue_token(database, author.email)).secret
    app = create_app(settings, db=database, plugins=host)
    bodies = [body(n) for n in range(count)]
    slice_size = max(1, count // rounds)
    base_rates: list[float] = []
    request_rates: list[float] = []
    settled_rates: list[float] = []
    transport = httpx.ASGITransport(app=app)
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://bench") as client,
        ):
            started = await graphql(
                client,
                token,
                START,
                {
                    "input": {
                        "title": "Spring 2014 parent panel",
                        "audience": "PARTICIPANTS",
                        "participantIds": [
                            to_global_id("Person", clinician.id),
                            to_global_id("Person", staff.id),
                        ],
                    }
                },
            )
            thread = started["thread"]["id"]
            thread_pk = await _thread_pk(database)
            await app.state.dispatcher.drain()
            for start in range(0, count, slice_size):
                chunk = bodies[start : start + slice_size]
                base_rates.append(len(chunk) / await baseline(database, author, thread_pk, chunk))
                requests, settled = await ours(client, app, token, thread, chunk)
                request_rates.append(len(chunk) / requests)
                settled_rates.append(len(chunk) / settled)
        async with database.session() as session:
            posted = await session.scalar(select(func.count()).select_from(Message))
        assert posted == 2 * count, posted  # each message: once by the baseline, once ours
    finally:
        await database.dispose()
    return {
        "baseline": statistics.median(base_rates),
        "requests": statistics.median(request_rates),
        "settled": statistics.median(settled_rates),
    }


async def _thread_pk(database: Database) -> int:
    async with database.session() as session:
        pk = await session.scalar(select(func.max(Thread.id)))
    assert pk is not None
    return int(pk)


async def main(count: int, rounds: int, backends: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for backend in backends:
            url = (
                f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
                if backend == "sqlite"
                else os.environ.get(
                    "ICN_BENCH_POSTGRES_URL",
                    "postgresql+asyncpg://postgres@127.0.0.1:5432/icn_bench",
                )
            )
            rates = await run(url, count, rounds)
            base, ours_, settled = rates["baseline"], rates["requests"], rates["settled"]
            print(f"{backend}: {count} messages in {rounds} interleaved slices (median of slices)")
            print(f"  baseline (Core insert + orjson):         {base:8.0f} messages/s")
            print(f"  postMessage over HTTP (requests):        {ours_:8.0f} messages/s")
            print(f"  postMessage + fan-out, on_event, topic:  {settled:8.0f} messages/s")
            ratios = f"{ours_ / base:.2f}; with fan-out: {settled / base:.2f}"
            print(f"  ratio requests / baseline: {ratios}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    arguments = parser.parse_args()
    chosen = ["sqlite", "postgresql"] if arguments.backend == "both" else [arguments.backend]
    asyncio.run(main(arguments.messages, arguments.rounds, chosen))
