"""GETs to the app's routes (here a Learning Session's agenda.ics) read in one unit of work: one
connection checked out once, one transaction; a connection that died in the pool is retried
once (a route that keeps losing its connection: tests/web/test_unexpected_errors.py)."""

from __future__ import annotations

import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no type hints

from tests.db.test_read_unit import PoolUse, _terminate, killer, pool_use
from tests.helpers import GraphQLClient
from tests.learning_sessions.test_agenda_ics import Agenda, agenda, fetch

__all__ = ["agenda", "killer", "pool_use"]  # fixtures used here


async def test_a_routes_reads_share_one_connection_and_one_transaction(
    pool_use: PoolUse, client: GraphQLClient, agenda: Agenda
) -> None:
    pool_use.reset()
    response = await fetch(client, agenda.path, agenda.token)
    assert response.status_code == 200, response.text
    assert "BEGIN:VCALENDAR" in response.text
    # The token's viewer, the session, its agenda and its people: one checkout for them all.
    assert pool_use.checkouts == 1, pool_use
    assert pool_use.begins == 1, pool_use
    assert pool_use.ends == ["ROLLBACK"], pool_use


async def test_a_routes_connection_killed_in_the_pool_is_retried_once(
    pool_use: PoolUse,  # first: it sees every connection the pool holds
    killer: asyncpg.Connection,
    client: GraphQLClient,
    agenda: Agenda,
) -> None:
    expected = await fetch(client, agenda.path, agenda.token)
    assert expected.status_code == 200
    assert pool_use.idle_pids
    await _terminate(killer, sorted(pool_use.idle_pids))
    pool_use.reset()

    response = await fetch(client, agenda.path, agenda.token)

    assert response.status_code == 200, response.text
    assert response.text == expected.text
    assert pool_use.checkouts == 2, pool_use  # the dead connection, then a fresh one
