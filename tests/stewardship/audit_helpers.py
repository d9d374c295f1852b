"""Helpers for the audit-log tests: the rows written, and a database that refuses them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import select, text

from icn_graph.db.database import Database
from icn_graph.models.stewardship import IdentifiedRead, IdentifiedReadCenter


@dataclass(frozen=True)
class Logged:
    """One audit read as stored, with its centers and their consents."""

    reader_id: int | None
    link_id: int | None
    channel: str
    subject: str
    measure_key: str | None
    centers: frozenset[tuple[int, int | None]]


async def logged_reads(db: Database) -> list[Logged]:
    """Every audit read, oldest first."""
    async with db.session() as session:
        reads = (await session.scalars(select(IdentifiedRead).order_by(IdentifiedRead.id))).all()
        centers = (await session.scalars(select(IdentifiedReadCenter))).all()
    return [
        Logged(
            read.reader_id,
            read.link_id,
            read.channel,
            read.subject,
            read.measure_key,
            frozenset((c.center_id, c.consent_id) for c in centers if c.read_id == read.id),
        )
        for read in reads
    ]


def by_role(*center_ids: int) -> frozenset[tuple[int, int | None]]:
    """Centers shown by role (no consent)."""
    return frozenset((center_id, None) for center_id in center_ids)


@asynccontextmanager
async def audit_refused(db: Database) -> AsyncIterator[None]:
    """While inside, the database refuses every new audit read (a real trigger, removed after)."""
    async with db.engine.begin() as connection:
        if db.dialect == "postgresql":
            await connection.execute(
                text(
                    "CREATE FUNCTION test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$ BEGIN RAISE EXCEPTION 'audit log unavailable'; END $$"
                )
            )
            await connection.execute(
                text(
                    "CREATE TRIGGER test_refuse_audit BEFORE INSERT ON identified_reads "
                    "FOR EACH ROW EXECUTE FUNCTION test_refuse_audit()"
                )
            )
        else:
            await connection.execute(
                text(
                    "CREATE TRIGGER test_refuse_audit BEFORE INSERT ON identified_reads "
                    "BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END"
                )
            )
    try:
        yield
    finally:
        async with db.engine.begin() as connection:
            if db.dialect == "postgresql":
                await connection.execute(
                    text("DROP TRIGGER IF EXISTS test_refuse_audit ON identified_reads")
                )
                await connection.execute(text("DROP FUNCTION IF EXISTS test_refuse_audit()"))
            else:
                await connection.execute(text("DROP TRIGGER IF EXISTS test_refuse_audit"))
