"""One unit of work per GraphQL read: a query over HTTP checks out one connection, once, and runs
all its reads (the token's viewer, every resolver and loader batch) in one read-only
transaction, whatever the page size; a connection that died in the pool is retried once."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no type hints
import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError, StatementError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.util import await_only

from icn_graph.db.database import Database
from icn_graph.models import Person, PersonKind
from icn_graph.notifications.realtime.listener import connect_arguments
from tests.goals.test_goals_n_plus_one import build
from tests.helpers import GraphQLClient, StatementCounter, make_person

QUERY = "{ centers(first: 3) { nodes { name members { role person { displayName } } } } }"

CENTER_PAGE = """
query CenterPage($first: Int!) {
  centers(first: $first) {
    nodes {
      name
      members { role person { displayName email } }
      goals(first: 5) { nodes { title status keyResults { title progress } } }
    }
  }
}
"""


@dataclass
class PoolUse:
    """What the engine did: checkouts from the pool, transactions begun and ended."""

    checkouts: int = 0
    begins: int = 0
    ends: list[str] = field(default_factory=list)
    # Backend pids of the connections given back to the pool (PostgreSQL).
    idle_pids: set[int] = field(default_factory=set)

    def reset(self) -> None:
        self.checkouts = self.begins = 0
        self.ends.clear()

    def checkout(self, *_args: Any) -> None:
        self.checkouts += 1

    def begin(self, *_args: Any) -> None:
        self.begins += 1

    def commit(self, *_args: Any) -> None:
        self.ends.append("COMMIT")

    def rollback(self, *_args: Any) -> None:
        self.ends.append("ROLLBACK")

    def checkin(self, _dbapi: Any, record: Any) -> None:
        pid = getattr(record.driver_connection, "get_server_pid", None)
        if pid is not None:
            self.idle_pids.add(pid())


@pytest.fixture
def pool_use(db: Database) -> Iterator[PoolUse]:
    use = PoolUse()
    engine = db.engine.sync_engine
    hooks = [
        ("checkout", use.checkout),
        ("checkin", use.checkin),
        ("begin", use.begin),
        ("commit", use.commit),
        ("rollback", use.rollback),
    ]
    for name, hook in hooks:
        event.listen(engine, name, hook)
    yield use
    for name, hook in hooks:
        event.remove(engine, name, hook)


@pytest.mark.parametrize("page", [2, 20])
async def test_a_center_page_reads_on_one_connection_in_one_transaction(
    db: Database,
    client: GraphQLClient,
    statements: StatementCounter,
    pool_use: PoolUse,
    page: int,
) -> None:
    token = await build(db, 20)
    await client.data("{ viewer { id } }", token=token)  # the token's first use is written
    pool_use.reset()
    statements.reset()

    data = await client.data(CENTER_PAGE, {"first": page}, token=token)

    centers = data["centers"]["nodes"]
    assert len(centers) == page
    assert all(len(center["members"]) == 2 for center in centers)
    goals = [goal for center in centers for goal in center["goals"]["nodes"]]
    assert len(goals) == (page + 1) // 2  # every other center has a goal
    assert all([kr["progress"] for kr in goal["keyResults"]] == [0.0, 30.0] for goal in goals)
    # One checkout, one transaction (read only on PostgreSQL), ended once; the viewer and the
    # loaders' batches all ran on it.
    assert pool_use.checkouts == 1, pool_use
    assert pool_use.begins == 1, pool_use
    assert pool_use.ends == ["ROLLBACK"], pool_use
    # viewer, centers page, the teams with their people, goals page, key results
    assert statements.count == 5, statements.statements


async def test_the_read_transaction_is_read_only_on_postgresql(
    db: Database, client: GraphQLClient
) -> None:
    if db.dialect != "postgresql":
        pytest.skip("SQLite has no read-only transactions")
    # Not in the schema: the unit is checked from inside, the way a resolver would see it.
    async with db.read_unit(), db.session() as session:
        read_only = await session.scalar(text("SHOW transaction_read_only"))
    assert read_only == "on"
    async with db.session() as session:  # outside a unit: as before
        assert await session.scalar(text("SHOW transaction_read_only")) == "off"


async def _terminate(killer: asyncpg.Connection, pids: list[int]) -> None:
    """Terminate ``pids`` and wait until they are gone."""
    killed = await killer.fetch("SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) pid", pids)
    assert [row[0] for row in killed] == [True] * len(pids)
    for _ in range(500):
        if not await killer.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1::int[])", pids
        ):
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{pids} still running 5 s after pg_terminate_backend")


@pytest.fixture
async def killer(db: Database) -> AsyncIterator[asyncpg.Connection]:
    """A connection that terminates others. The session's pool starts empty, so that it holds
    only connections the test saw (``pool_use``) and kills; it is emptied again afterwards, so
    that no connection the test killed is left for the next test."""
    if db.dialect != "postgresql":
        pytest.skip("only PostgreSQL can terminate a connection")
    await db.engine.dispose()
    url = db.engine.url.render_as_string(hide_password=False)
    connection = await asyncpg.connect(**connect_arguments(url))
    yield connection
    await connection.close()
    await db.engine.dispose()


async def test_connections_killed_in_the_pool_are_retried_once(
    db: Database, client: GraphQLClient, pool_use: PoolUse, killer: asyncpg.Connection
) -> None:
    """No pre-ping: the request's first read (the token's viewer) meets the dead connection,
    and runs again on a fresh one."""
    token = await build(db, 3)
    expected = await client.data(QUERY, token=token)
    assert pool_use.idle_pids
    await _terminate(killer, sorted(pool_use.idle_pids))
    pool_use.reset()

    body = await client.execute(QUERY, token=token)

    assert body.get("errors") is None, body
    assert body["data"] == expected
    assert pool_use.checkouts == 2, pool_use  # the dead connection, then a fresh one


async def test_a_query_whose_connection_dies_runs_again_once(
    db: Database, client: GraphQLClient, pool_use: PoolUse, killer: asyncpg.Connection
) -> None:
    """The connection dies between the viewer's read and the resolvers': the query runs again
    on a fresh connection and answers in full."""
    token = await build(db, 3)
    expected = await client.data(QUERY, token=token)
    killed: list[int] = []

    def kill_after_the_viewer(connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "api_tokens" in statement and not killed:
            killed.append(connection.connection.driver_connection.get_server_pid())
            # Inside SQLAlchemy's greenlet: wait for the kill right here, before the next read.
            await_only(_terminate(killer, killed))

    event.listen(db.engine.sync_engine, "after_cursor_execute", kill_after_the_viewer)
    try:
        pool_use.reset()
        body = await client.execute(QUERY, token=token)
    finally:
        event.remove(db.engine.sync_engine, "after_cursor_execute", kill_after_the_viewer)

    assert killed
    assert body.get("errors") is None, body
    assert body["data"] == expected
    assert pool_use.checkouts == 2, pool_use


async def test_a_page_of_people_and_its_count_read_on_the_units_connection(
    db: Database, client: GraphQLClient, statements: StatementCounter, pool_use: PoolUse
) -> None:
    """A people page reads its rows and count without an ORM session (``Database.reading``),
    on the request's one connection all the same."""
    token = await build(db, 3)
    await client.data("{ viewer { id } }", token=token)
    pool_use.reset()
    statements.reset()

    data = await client.data(
        "{ people(first: 2) { totalCount nodes { displayName } } }", token=token
    )

    assert len(data["people"]["nodes"]) == 2
    assert data["people"]["totalCount"] > 2
    assert pool_use.checkouts == 1, pool_use
    assert pool_use.begins == 1, pool_use
    assert pool_use.ends == ["ROLLBACK"], pool_use
    assert statements.count == 3, statements.statements  # viewer, page, count


async def test_a_reading_and_a_session_of_one_unit_take_turns(db: Database) -> None:
    """``reading()`` holds the unit's turn as ``session()`` does: a session asked for while a
    reading runs waits for it, then gets the same connection."""
    order: list[str] = []
    inside = asyncio.Event()
    done = asyncio.Event()
    connections: list[Any] = []

    async def reader() -> None:
        async with db.reading() as connection:
            connections.append(await connection.get_raw_connection())
            order.append("reading in")
            inside.set()
            await done.wait()
            order.append("reading out")

    async def sessioner() -> None:
        await inside.wait()
        async with db.session() as session:
            connections.append(await (await session.connection()).get_raw_connection())
            order.append("session in")

    async with db.read_unit():
        tasks = [asyncio.create_task(reader()), asyncio.create_task(sessioner())]
        for _ in range(20):  # every chance to cut in
            await asyncio.sleep(0)
        done.set()
        await asyncio.gather(*tasks)
    assert order == ["reading in", "reading out", "session in"]
    assert connections[0].driver_connection is connections[1].driver_connection


async def test_the_turns_of_a_unit_share_one_session_emptied_after_each(db: Database) -> None:
    """A unit makes one ORM session for all its turns, emptied as each turn ends: what a turn
    loaded is not served from memory to a later one (it reads the row again)."""
    person = await make_person(db, PersonKind.PARENT_PARTNER)
    async with db.read_unit():
        async with db.session() as first_turn:
            first = await first_turn.get(Person, person.id)
            async with db.session() as nested:  # the same turn, as a loader inside a loader
                assert nested is first_turn
            assert first in first_turn
        assert first not in first_turn
        assert len(first_turn.identity_map) == 0
        async with db.session() as second_turn:
            again = await second_turn.get(Person, person.id)
    assert second_turn is first_turn
    assert again is not None
    assert again is not first


async def test_a_session_opened_inside_a_reading_is_emptied_as_that_turn_ends(
    db: Database,
) -> None:
    person = await make_person(db, PersonKind.PARENT_PARTNER)
    async with db.read_unit():
        async with db.reading(), db.session() as inside:
            loaded = await inside.get(Person, person.id)
            assert loaded in inside
        assert loaded not in inside
        async with db.session() as later:
            assert later is inside
            assert await later.get(Person, person.id) is not loaded


async def test_a_read_that_fails_in_the_database_does_not_fail_the_reads_after_it(
    db: Database, pool_use: PoolUse
) -> None:
    """On PostgreSQL a failed statement aborts its transaction: every later read of the unit
    failed with "current transaction is aborted". The unit gives that connection back and the
    next turn reads on a fresh transaction."""
    person = await make_person(db, PersonKind.STAFF)
    pool_use.reset()
    async with db.read_unit():
        with pytest.raises(DBAPIError):
            async with db.reading() as connection:
                await connection.execute(text("SELECT * FROM no_such_table"))
        async with db.session() as session:
            found = await session.get(Person, person.id)
        async with db.reading() as connection:
            one = await connection.scalar(text("SELECT 1"))
    assert found is not None
    assert found.display_name == person.display_name
    assert one == 1
    # On PostgreSQL the failed transaction ended, and the later reads shared the next one;
    # SQLite's transaction goes on after a failed statement.
    expected = 2 if db.dialect == "postgresql" else 1
    assert pool_use.checkouts == expected, pool_use
    assert pool_use.begins == expected, pool_use


async def test_a_failure_caught_or_wrapped_inside_a_turn_does_not_fail_the_next(
    db: Database,
) -> None:
    """A plugin's read may catch the database's error and go on, or raise its own from it:
    the transaction is aborted all the same."""
    async with db.read_unit():
        async with db.reading() as connection:
            with contextlib.suppress(DBAPIError):
                await connection.execute(text("SELECT * FROM no_such_table"))
        async with db.reading() as connection:
            assert await connection.scalar(text("SELECT 4")) == 4
        with pytest.raises(LookupError):
            await _wrap_a_failed_read(db)
        async with db.session() as session:
            assert await session.scalar(text("SELECT 5")) == 5


async def _wrap_a_failed_read(db: Database) -> None:
    async with db.reading() as connection:
        try:
            await connection.execute(text("SELECT * FROM no_such_table"))
        except DBAPIError as error:
            raise LookupError("not found") from error


async def _raise_our_own(connection: AsyncConnection) -> None:
    await connection.execute(text("SELECT 1"))
    raise LookupError("not the database's")


async def _refused_bind(connection: AsyncConnection) -> None:
    await connection.execute(text("SELECT :wanted"), {"other": 1})


async def _in_a_turn(db: Database, fail: Callable[[AsyncConnection], Awaitable[None]]) -> None:
    async with db.reading() as connection:
        await fail(connection)


@pytest.mark.parametrize(
    ("fail", "error"),
    [(_raise_our_own, "not the database's"), (_refused_bind, "bind parameter 'wanted'")],
    ids=["our own error", "a bind refused before the database"],
)
async def test_an_error_that_did_not_come_from_the_database_keeps_the_units_connection(
    db: Database,
    pool_use: PoolUse,
    fail: Callable[[AsyncConnection], Awaitable[None]],
    error: str,
) -> None:
    pool_use.reset()
    async with db.read_unit():
        with pytest.raises((LookupError, StatementError), match=error):
            await _in_a_turn(db, fail)
        async with db.reading() as connection:
            assert await connection.scalar(text("SELECT 2")) == 2
    assert pool_use.checkouts == 1, pool_use
