"""Where an import's validated rows go, inside the import's transaction, batch by batch.

- SQLite: each batch upserted with one ``executemany`` (``INSERT … ON CONFLICT DO UPDATE``).
- PostgreSQL: each batch copied (binary ``COPY``, asyncpg's ``copy_records_to_table``) into a
  temporary staging table dropped at commit, then moved into ``visits`` by one set-based
  ``INSERT … SELECT … ON CONFLICT DO UPDATE``; never a statement per row. The copy runs on the
  session's own connection and transaction, so a refused file, or a failure at any batch's
  upsert, leaves nothing written.

Both upsert on (center, patient key, visit date), updating ``UPDATED_COLUMNS`` and keeping the
stored ``created_at``. A batch's statement runs while the importer validates the next batch.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import Integer, Table, column, literal, select, table, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.db.types import UTCDateTime
from icn_graph.models import Visit

BOOLEAN_COLUMNS = ("on_steroids", "pre_visit_planning", "growth_assessed", "nutrition_assessed")
UPDATED_COLUMNS = ("pga", "diagnosis", *BOOLEAN_COLUMNS)
ROW_COLUMNS = ("patient_key", "visit_date", *UPDATED_COLUMNS)
"""The order of the values in a validated row (a tuple)."""

STAGING_TABLE = "visit_import"

VisitRow = tuple[Any, ...]


class VisitWriter(Protocol):
    async def write(self, rows: list[VisitRow]) -> None:
        """Send a batch of validated rows; its statement may still be running on return."""

    async def finish(self) -> None:
        """Wait until every row sent is stored (raising what storing them raised)."""

    async def abandon(self) -> None:
        """After an error: wait for the statement in flight, whatever it does, so the
        transaction can be rolled back."""


class _Pipeline:
    """One statement in flight at a time: the database stores a batch while the next one is
    validated (on PostgreSQL the server works in parallel; aiosqlite runs SQLite in a thread)."""

    def __init__(self) -> None:
        self._pending: asyncio.Future[None] | None = None

    async def _start(self, statement: Coroutine[Any, Any, None]) -> None:
        self._pending = asyncio.ensure_future(statement)
        await asyncio.sleep(0)  # let it send its statement before validation takes the loop

    async def finish(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            await pending

    async def abandon(self) -> None:
        pending, self._pending = self._pending, None
        if pending is not None:
            await asyncio.wait([pending])
            if not pending.cancelled():
                pending.exception()  # retrieved: the error being raised says what went wrong


def _visits() -> Table:
    visits = Visit.__table__
    assert isinstance(visits, Table)
    return visits


def _on_conflict_update(insert: Any) -> Any:
    return insert.on_conflict_do_update(
        index_elements=["center_id", "patient_key", "visit_date"],
        set_={name: insert.excluded[name] for name in UPDATED_COLUMNS},
    )


def sqlite_upsert() -> Any:
    """The batch statement: ``executemany`` with one parameter set per row."""
    return _on_conflict_update(sqlite.insert(_visits()))


def staged_upsert(center_id: int, created_at: datetime) -> Any:
    """The statement moving the staging table's rows into ``visits``."""
    staged = table(STAGING_TABLE, *(column(name) for name in ROW_COLUMNS))
    rows = select(
        literal(center_id, Integer()),
        *staged.c,
        literal(created_at, UTCDateTime()),
    )
    # A batch may repeat a visit (identically: a file with conflicting repeats is refused at
    # its end, rolling back); an upsert may not touch one row twice.
    rows = rows.ext(postgresql.distinct_on(staged.c.patient_key, staged.c.visit_date))
    names = ["center_id", *ROW_COLUMNS, "created_at"]
    return _on_conflict_update(postgresql.insert(_visits()).from_select(names, rows))


class SqliteVisitWriter(_Pipeline):
    """``executemany`` upserts, one per batch."""

    def __init__(self, session: AsyncSession, center_id: int, created_at: datetime) -> None:
        super().__init__()
        self.session = session
        self.center_id = center_id
        self.created_at = created_at
        self.upsert = sqlite_upsert()

    async def write(self, rows: list[VisitRow]) -> None:
        # Identical repeats of a visit collapse: one statement touches a row once.
        center_id, created_at = self.center_id, self.created_at
        unique: dict[tuple[str, date], dict[str, Any]] = {
            (key, day): {
                "center_id": center_id,
                "patient_key": key,
                "visit_date": day,
                "pga": pga,
                "diagnosis": diagnosis,
                "on_steroids": on_steroids,
                "pre_visit_planning": pre_visit_planning,
                "growth_assessed": growth_assessed,
                "nutrition_assessed": nutrition_assessed,
                "created_at": created_at,
            }
            for (
                key,
                day,
                pga,
                diagnosis,
                on_steroids,
                pre_visit_planning,
                growth_assessed,
                nutrition_assessed,
            ) in rows
        }
        await self.finish()
        await self._start(self._upsert(list(unique.values())))

    async def _upsert(self, rows: list[dict[str, Any]]) -> None:
        await self.session.execute(self.upsert, rows)


class PostgresVisitWriter(_Pipeline):
    """Per batch: ``COPY`` into the staging table, then one ``INSERT … SELECT`` upsert moving
    the batch into ``visits`` and emptying the table for the next batch."""

    def __init__(
        self, session: AsyncSession, center_id: int, created_at: datetime, driver: Any
    ) -> None:
        super().__init__()
        self.session = session
        self.center_id = center_id
        self.created_at = created_at
        self.driver = driver
        self.move = staged_upsert(center_id, created_at)

    @classmethod
    async def open(
        cls, session: AsyncSession, center_id: int, created_at: datetime
    ) -> PostgresVisitWriter:
        # Through the session first: this begins the transaction the COPYs then join (the
        # driver adapter begins it lazily, at the first statement it runs).
        await session.execute(
            text(
                f"CREATE TEMPORARY TABLE {STAGING_TABLE} ON COMMIT DROP AS "  # noqa: S608
                f"SELECT {', '.join(ROW_COLUMNS)} FROM visits WITH NO DATA"
            )
        )
        connection = await session.connection()
        raw = await connection.get_raw_connection()
        return cls(session, center_id, created_at, raw.driver_connection)

    async def write(self, rows: list[VisitRow]) -> None:
        await self.finish()
        await self.driver.copy_records_to_table(STAGING_TABLE, records=rows, columns=ROW_COLUMNS)
        await self._start(self._move())

    async def _move(self) -> None:
        await self.session.execute(self.move)
        await self.session.execute(text(f"TRUNCATE {STAGING_TABLE}"))


async def visit_writer(
    session: AsyncSession, dialect: str, center_id: int, created_at: datetime
) -> VisitWriter:
    if dialect == "postgresql":
        return await PostgresVisitWriter.open(session, center_id, created_at)
    return SqliteVisitWriter(session, center_id, created_at)
