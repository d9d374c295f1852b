"""``record_identified_read``: one read row and one row per center shown, in the caller's
transaction; nothing for a read that showed no center; refused when it cannot say who read."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from icn_graph.db.database import Database
from icn_graph.models.stewardship import IdentifiedRead, IdentifiedReadCenter
from icn_graph.services.stewardship.read_audit import ShownCenter, record_identified_read
from icn_graph.testing import StatementCounter, make_center, make_person, snapshot


async def test_a_read_and_its_centers_are_written_with_the_callers_commit(
    db: Database, statements: StatementCounter
) -> None:
    reader = await make_person(db)
    first, second = await make_center(db), await make_center(db)
    at = datetime(2024, 3, 1, 12, tzinfo=UTC)

    statements.reset()
    async with db.transaction() as session:
        await record_identified_read(
            session,
            reader_id=reader.id,
            link_id=None,
            channel="CSV",
            subject="REPORT",
            measure_key="remission_rate",
            centers=[ShownCenter(first.id, None), ShownCenter(second.id, None)],
            at=at,
        )
    # The read (INSERT … RETURNING) and every center in one INSERT, however many centers.
    inserts = [s for s in statements.statements if s.lstrip().upper().startswith("INSERT")]
    assert len(inserts) == 2

    async with db.session() as session:
        read = (await session.scalars(select(IdentifiedRead))).one()
        centers = (await session.scalars(select(IdentifiedReadCenter))).all()
    assert (read.reader_id, read.link_id, read.channel, read.subject, read.measure_key) == (
        reader.id,
        None,
        "CSV",
        "REPORT",
        "remission_rate",
    )
    assert read.at == at
    assert sorted((c.read_id, c.center_id, c.consent_id) for c in centers) == [
        (read.id, first.id, None),
        (read.id, second.id, None),
    ]


async def test_no_centers_writes_nothing(db: Database) -> None:
    reader = await make_person(db)
    before = await snapshot(db)
    async with db.transaction() as session:
        await record_identified_read(
            session,
            reader_id=reader.id,
            link_id=None,
            channel="GRAPHQL",
            subject="REPORT",
            measure_key=None,
            centers=[],
        )
    assert await snapshot(db) == before


async def test_a_rolled_back_read_leaves_no_audit_row(db: Database) -> None:
    reader = await make_person(db)
    center = await make_center(db)
    before = await snapshot(db)

    async def read_that_fails() -> None:
        async with db.transaction() as session:
            await record_identified_read(
                session,
                reader_id=reader.id,
                link_id=None,
                channel="PNG",
                subject="REPORT",
                measure_key="remission_rate",
                centers=[ShownCenter(center.id, None)],
            )
            raise RuntimeError("the read failed")

    with pytest.raises(RuntimeError, match="the read failed"):
        await read_that_fails()
    assert await snapshot(db) == before


@pytest.mark.parametrize(
    ("reader", "channel", "subject", "problem"),
    [
        (False, "CSV", "REPORT", "reader or a public link"),
        (True, "FAX", "REPORT", "channel"),
        (True, "CSV", "GOSSIP", "subject"),
    ],
)
async def test_a_read_it_cannot_describe_is_refused(
    db: Database, reader: bool, channel: str, subject: str, problem: str
) -> None:
    person = await make_person(db)
    center = await make_center(db)
    async with db.transaction() as session:
        with pytest.raises(ValueError, match=problem):
            await record_identified_read(
                session,
                reader_id=person.id if reader else None,
                link_id=None,
                channel=channel,
                subject=subject,
                measure_key=None,
                centers=[ShownCenter(center.id, None)],
            )
