"""The audit log is append-only in the database itself (migration 0016): PostgreSQL refuses any
UPDATE or DELETE of its rows, SQLite any UPDATE (emptying an embedded database deletes rows)."""

from __future__ import annotations

import pytest
from sqlalchemy import Executable, delete, update
from sqlalchemy.exc import DBAPIError

from icn_graph.db.database import Database
from icn_graph.models.stewardship import IdentifiedRead, IdentifiedReadCenter
from icn_graph.services.stewardship.read_audit import ShownCenter, record_identified_read
from icn_graph.testing import make_center, make_person, snapshot


async def _one_read(db: Database) -> None:
    reader = await make_person(db)
    center = await make_center(db)
    async with db.transaction() as session:
        await record_identified_read(
            session,
            reader_id=reader.id,
            link_id=None,
            channel="CSV",
            subject="REPORT",
            measure_key="remission_rate",
            centers=[ShownCenter(center.id, None)],
        )


async def _change(db: Database, statement: Executable) -> None:
    async with db.transaction() as session:
        await session.execute(statement)


@pytest.mark.parametrize(
    "statement",
    [
        update(IdentifiedRead).values(channel="PNG"),
        update(IdentifiedReadCenter).values(consent_id=None),
        delete(IdentifiedRead),
        delete(IdentifiedReadCenter),
    ],
    ids=["update-read", "update-center", "delete-read", "delete-center"],
)
async def test_rows_cannot_be_changed(db: Database, statement: Executable) -> None:
    await _one_read(db)
    before = await snapshot(db)
    is_delete = "DELETE" in str(statement)
    if is_delete and db.dialect == "sqlite":
        pytest.skip("SQLite refuses updates only: emptying an embedded database deletes rows")

    with pytest.raises(DBAPIError, match="append-only"):
        await _change(db, statement)

    assert await snapshot(db) == before
