"""Timestamps round-trip as the same instant, tagged UTC, on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import create_async_engine

from icn_graph.db.database import Database
from icn_graph.db.types import UTCDateTime
from icn_graph.models import ApiToken, Person, PersonKind
from tests.helpers import make_person


async def test_aware_timestamps_come_back_in_utc(db: Database) -> None:
    person = await make_person(db, PersonKind.NURSE)
    cincinnati_evening = datetime(2014, 4, 5, 23, 30, tzinfo=timezone(timedelta(hours=-4)))
    async with db.transaction() as session:
        session.add(
            ApiToken(
                person_id=person.id, token_hash="x" * 64, label="t", created_at=cincinnati_evening
            )
        )
    async with db.session() as session:
        stored = await session.scalar(select(ApiToken.created_at))
    assert stored == cincinnati_evening
    assert stored is not None
    assert stored.tzinfo == UTC
    assert (stored.day, stored.hour) == (6, 3)


async def test_timestamps_come_back_in_utc_whatever_the_session_time_zone(db: Database) -> None:
    """On PostgreSQL the column is read as the driver gives it (asyncpg: aware, in UTC): a
    connection set to another time zone still reads UTC."""
    person = await make_person(db, PersonKind.NURSE)
    async with db.session() as session:
        if db.dialect == "postgresql":
            await session.execute(text("SET LOCAL TIME ZONE 'America/New_York'"))
        created = await session.scalar(select(Person.created_at).where(Person.id == person.id))
        row = (await session.execute(select(Person.__table__))).one()
    assert created is not None
    assert created.tzinfo == UTC
    assert row.created_at == created
    assert row.created_at.tzinfo == UTC


async def test_default_timestamps_are_utc(db: Database) -> None:
    person = await make_person(db, PersonKind.NURSE)
    async with db.session() as session:
        created = await session.scalar(select(Person.created_at).where(Person.id == person.id))
    assert created is not None
    assert created.tzinfo == UTC
    assert abs(datetime.now(UTC) - created) < timedelta(minutes=5)


async def test_naive_timestamps_are_refused(db: Database) -> None:
    person = await make_person(db, PersonKind.NURSE)
    with pytest.raises(StatementError, match="naive datetime"):
        async with db.transaction() as session:
            session.add(
                ApiToken(
                    person_id=person.id,
                    token_hash="y" * 64,
                    label="t",
                    created_at=datetime(2014, 4, 5, 12, 0),
                )
            )


def test_asyncpg_values_are_taken_as_they_come() -> None:
    """No per-value processing on asyncpg (its timestamptz values are aware, in UTC already);
    SQLite's naive values are still tagged."""
    asyncpg_dialect = create_async_engine("postgresql+asyncpg://x@localhost/x").dialect
    sqlite_dialect = create_async_engine("sqlite+aiosqlite://").dialect
    column_type = UTCDateTime()
    assert column_type.result_processor(asyncpg_dialect, None) is None
    process = column_type.result_processor(sqlite_dialect, None)
    assert process is not None
    assert process(datetime(2014, 4, 6, 3, 30)) == datetime(2014, 4, 6, 3, 30, tzinfo=UTC)
