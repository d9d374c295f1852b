"""Benchmark: in-process execution of 1,000 people x 7 scalars, against stock graphql-core on an
equivalent plain schema, and against raw asyncpg + orjson building the same JSON.

    ICN_BENCH_POSTGRES_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/icn_bench \\
        .venv/bin/python bench/bench_execution.py [--rounds 30]

The database is emptied, migrated and loaded with 1,000 people. Then the same answer — ten pages
of 100 people (``people(first: 100, after: ...)`` under aliases), each with displayName, kind,
timezone, networkRole, createdAt, pronouns and email, as network staff — is built three ways,
interleaved (A, B, C, A, B, C, ...) in one process:

(a) ours: ``schema.execute`` on core's schema with a staff viewer's context in one read unit
    (services, permissions, SQLAlchemy, Strawberry), then ``orjson.dumps``;
(b) stock graphql-core: a plain ``GraphQLSchema`` with the same types (enums, a DateTime
    scalar) whose root field reads a page with asyncpg and whose fields are graphql-core's
    default resolvers, then ``orjson.dumps``;
(c) raw: the ten page queries on asyncpg, the dicts built by hand, ``orjson.dumps``.

It prints the median of each and the ratios; ``figures(quick)`` gives them to ``make bench``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import orjson
from figures import Figure
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLString,
    graphql,
)
from scratch_database import migrated_database
from sqlalchemy.engine import make_url

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.host import core_schema
from icn_graph.models import NetworkRole, Person, PersonKind
from icn_graph.schema.context import Context
from icn_graph.services.viewer import Viewer

PEOPLE = 1_000
PAGE = 100
FIELDS = "displayName kind timezone networkRole createdAt pronouns email"
DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/icn_bench"

RAW_PAGE = """SELECT id, display_name, kind, timezone, network_role, created_at, pronouns, email
  FROM people WHERE deactivated_at IS NULL AND (display_name, id) > ($1, $2)
  ORDER BY display_name, id LIMIT $3"""


async def load_people(url: str) -> tuple[Database, int]:
    """``url`` emptied and migrated, with 1,000 people and one staff member (its id)."""
    db = await migrated_database(url)
    start = datetime(2020, 1, 1, tzinfo=UTC)
    async with db.transaction() as session:
        staff = Person(
            display_name="~ Staff",
            email="staff@bench.example.org",
            email_key="staff@bench.example.org",
            kind=PersonKind.STAFF,
            network_role=NetworkRole.STAFF,
        )
        session.add(staff)
        kinds = list(PersonKind)
        session.add_all(
            Person(
                display_name=f"Person {n:04d}",
                email=f"person{n}@bench.example.org",
                email_key=f"person{n}@bench.example.org",
                kind=kinds[n % len(kinds)],
                timezone="America/New_York",
                pronouns="they/them" if n % 3 == 0 else "",
                created_at=start + timedelta(hours=n),
                updated_at=start + timedelta(hours=n),
            )
            for n in range(PEOPLE)
        )
        await session.flush()
        staff_id = staff.id
    return db, staff_id


def paged_query(cursors: list[str | None]) -> str:
    pages = []
    for index, cursor in enumerate(cursors):
        after = f', after: "{cursor}"' if cursor else ""
        pages.append(f"p{index}: people(first: {PAGE}{after}) {{ nodes {{ {FIELDS} }} }}")
    return "{ " + " ".join(pages) + " }"


def plain_schema(connection: asyncpg.Connection) -> GraphQLSchema:
    """The same answer's types as a plain graphql-core schema, rows from asyncpg."""
    kind = GraphQLEnumType("PersonKind", {member.name: member.value for member in PersonKind})
    role = GraphQLEnumType("NetworkRole", {member.name: member.value for member in NetworkRole})
    date_time = GraphQLScalarType("DateTime", serialize=lambda value: value.isoformat())
    text = GraphQLNonNull(GraphQLString)
    person = GraphQLObjectType(
        "Person",
        {
            "displayName": GraphQLField(text, resolve=lambda row, _info: row["display_name"]),
            "kind": GraphQLField(GraphQLNonNull(kind)),
            "timezone": GraphQLField(text),
            "networkRole": GraphQLField(
                GraphQLNonNull(role), resolve=lambda row, _info: row["network_role"]
            ),
            "createdAt": GraphQLField(
                GraphQLNonNull(date_time), resolve=lambda row, _info: row["created_at"]
            ),
            "pronouns": GraphQLField(text),
            "email": GraphQLField(GraphQLString),
        },
    )
    page = GraphQLObjectType(
        "PersonConnection",
        {"nodes": GraphQLField(GraphQLNonNull(GraphQLList(GraphQLNonNull(person))))},
    )

    turn = asyncio.Lock()  # one connection, one statement at a time (as ours)

    async def people(_root: None, _info: Any, first: int, after: str | None = None) -> Any:
        name, _, pk = (after or "|0").rpartition("|")
        async with turn:
            rows = await connection.fetch(RAW_PAGE, name, int(pk), first)
        return {"nodes": [dict(row) for row in rows]}

    query = GraphQLObjectType(
        "Query",
        {
            "people": GraphQLField(
                GraphQLNonNull(page),
                args={
                    "first": GraphQLArgument(GraphQLInt),
                    "after": GraphQLArgument(GraphQLString),
                },
                resolve=people,
            )
        },
    )
    return GraphQLSchema(query)


async def raw_answer(connection: asyncpg.Connection) -> bytes:
    data: dict[str, Any] = {}
    name, pk = "", 0
    for index in range(PEOPLE // PAGE):
        rows = await connection.fetch(RAW_PAGE, name, pk, PAGE)
        data[f"p{index}"] = {
            "nodes": [
                {
                    "displayName": row["display_name"],
                    "kind": PersonKind(row["kind"]).name,
                    "timezone": row["timezone"],
                    "networkRole": NetworkRole(row["network_role"]).name,
                    "createdAt": row["created_at"].isoformat(),
                    "pronouns": row["pronouns"],
                    "email": row["email"],
                }
                for row in rows
            ]
        }
        name, pk = rows[-1]["display_name"], rows[-1]["id"]
    return orjson.dumps({"data": data})


async def measure(rounds: int, url: str) -> tuple[float, float, float]:
    """Median ms of ours, stock graphql-core and raw, interleaved."""
    db, staff_id = await load_people(url)
    settings = Settings(database_url=url, _env_file=None)  # type: ignore[arg-type,call-arg]
    settings = settings.model_copy(update={"max_query_cost": 10**9, "request_timeout": 600.0})
    schema = core_schema()
    viewer = Viewer(person_id=staff_id, network_role=NetworkRole.STAFF)
    raw_url = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(raw_url)
    try:
        # The cursors of the ten pages, from the API itself.
        cursors: list[str | None] = [None]
        for _ in range(PEOPLE // PAGE - 1):
            after = f', after: "{cursors[-1]}"' if cursors[-1] else ""
            page = await schema.execute(
                f"{{ people(first: {PAGE}{after}) {{ pageInfo {{ endCursor }} }} }}",
                context_value=Context(db=db, viewer=viewer, settings=settings),
            )
            assert page.errors is None, page.errors
            assert page.data is not None
            cursors.append(page.data["people"]["pageInfo"]["endCursor"])
        ours_query = paged_query(cursors)
        plain = plain_schema(connection)
        plain_query = paged_query(
            [None] + [f"Person {n * PAGE - 1:04d}|{n * PAGE + 1}" for n in range(1, 10)]
        )

        async def ours() -> bytes:
            async with db.read_unit():
                result = await schema.execute(
                    ours_query, context_value=Context(db=db, viewer=viewer, settings=settings)
                )
            assert result.errors is None, result.errors
            return orjson.dumps({"data": result.data})

        async def stock() -> bytes:
            result = await graphql(plain, plain_query)
            assert result.errors is None, result.errors
            return orjson.dumps({"data": result.data})

        async def raw() -> bytes:
            return await raw_answer(connection)

        answers = [orjson.loads(await run()) for run in (ours, stock, raw)]
        assert answers[0] == answers[1] == answers[2], "the three answers differ"
        people = sum(len(page["nodes"]) for page in answers[0]["data"].values())
        assert people == PEOPLE, people
        runs: list[Callable[[], Awaitable[bytes]]] = [ours, stock, raw]
        times: list[list[float]] = [[], [], []]
        for _ in range(rounds):
            for run, spent in zip(runs, times, strict=True):
                start = time.perf_counter()
                await run()
                spent.append(time.perf_counter() - start)
    finally:
        await connection.close()
        await db.dispose()
    ours_ms, stock_ms, raw_ms = (statistics.median(spent) * 1000 for spent in times)
    return ours_ms, stock_ms, raw_ms


def figures(quick: bool) -> list[Figure]:
    url = os.environ.get("ICN_BENCH_POSTGRES_URL", DEFAULT_URL)
    ours, stock, raw = asyncio.run(measure(15 if quick else 40, url))
    name = f"in-process execution, {PEOPLE:,} people x 7 scalars"
    return [
        Figure(
            name=name,
            ours=ours,
            anchor=stock,
            unit="ms",
            anchor_name="stock graphql-core, equivalent plain schema",
            higher_is_better=False,
            target=1.3,
        ),
        Figure(
            name=name,
            ours=ours,
            anchor=raw,
            unit="ms",
            anchor_name="raw asyncpg + orjson",
            higher_is_better=False,
            target=None,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    url = os.environ.get("ICN_BENCH_POSTGRES_URL", DEFAULT_URL)
    ours, stock, raw = asyncio.run(measure(parser.parse_args().rounds, url))
    print(f"{PEOPLE:,} people x 7 scalars, medians, interleaved:")
    print(f"ours (schema.execute + orjson):      {ours:8.2f} ms")
    print(
        f"stock graphql-core, plain schema:    {stock:8.2f} ms   ours/stock = {ours / stock:.2f}x"
    )
    print(f"raw asyncpg + orjson:                {raw:8.2f} ms   ours/raw   = {ours / raw:.1f}x")


if __name__ == "__main__":
    main()
