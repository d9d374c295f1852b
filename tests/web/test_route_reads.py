"""GETs to the app's routes (a Learning Session's agenda.ics, and failing_routes_plugin's) read
in one unit of work: one connection checked out once, one transaction, given back as the answer
starts; a connection that died in the pool is retried once, a route that lost its connection
runs again once (under a Mount too; its dropped answer's background task never runs), and never
a POST or a route that wrote (a route that keeps losing its connection:
tests/web/test_unexpected_errors.py)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no type hints
import pytest

from tests.db.test_read_unit import PoolUse, _terminate, killer, pool_use
from tests.helpers import GraphQLClient
from tests.learning_sessions.test_agenda_ics import Agenda, agenda, fetch
from tests.web import failing_routes_plugin

__all__ = ["agenda", "killer", "pool_use"]  # fixtures used here


@pytest.fixture
def icn_plugins() -> Sequence[tuple[str, object]]:
    return [("failing-routes", failing_routes_plugin)]


@pytest.fixture
def runs() -> tuple[list[int], list[str]]:
    """Each run of a route that kills its connection (its backend pid), and what each
    background task saw."""
    failing_routes_plugin.killed_runs.clear()
    failing_routes_plugin.background_runs.clear()
    return failing_routes_plugin.killed_runs, failing_routes_plugin.background_runs


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
    caplog: pytest.LogCaptureFixture,
) -> None:
    expected = await fetch(client, agenda.path, agenda.token)
    assert expected.status_code == 200
    assert pool_use.idle_pids
    await _terminate(killer, sorted(pool_use.idle_pids))
    pool_use.reset()

    with caplog.at_level(logging.DEBUG):
        response = await fetch(client, agenda.path, agenda.token)

    assert response.status_code == 200, response.text
    assert response.text == expected.text
    assert pool_use.checkouts == 2, pool_use  # the dead connection, then a fresh one
    # The first run's 503 was never sent: a WARNING that it runs again, no ERROR.
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert any("running it again" in r.getMessage() for r in caplog.records)
    assert any(
        "database unavailable" in r.getMessage() and r.levelno == logging.DEBUG
        for r in caplog.records
    )


async def test_the_connection_goes_back_as_the_answer_starts(
    client: GraphQLClient, runs: tuple[list[int], list[str]]
) -> None:
    response = await client.http.get("/test/pool-at-answer")
    assert response.text == "read"
    assert runs[1] == ["checked out: 0"]  # the background task holds no connection


@pytest.mark.parametrize(
    ("method", "path", "expected_runs"),
    [
        ("GET", "/test/own-connection-killed", 2),
        ("GET", "/test/mounted/own-connection-killed", 2),
        ("POST", "/test/own-connection-killed", 1),  # a POST never runs twice
        ("GET", "/test/wrote-then-lost", 1),  # nor a route that wrote
    ],
)
async def test_which_routes_that_lost_their_connection_run_again(
    killer: asyncpg.Connection,
    client: GraphQLClient,
    runs: tuple[list[int], list[str]],
    method: str,
    path: str,
    expected_runs: int,
) -> None:
    response = await client.http.request(method, path)
    assert response.status_code == 503, response.text
    assert response.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert len(runs[0]) == expected_runs, runs


async def test_an_answer_given_after_the_connection_was_lost_is_dropped(
    killer: asyncpg.Connection, client: GraphQLClient, runs: tuple[list[int], list[str]]
) -> None:
    response = await client.http.get("/test/lost-then-answers")
    assert (response.status_code, response.text) == (503, "lost")  # the second run's answer
    assert len(runs[0]) == 2
    assert runs[1] == ["ran"]  # the first run's background task never ran
