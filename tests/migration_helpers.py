"""Rows written as old migrations' tables hold them, for tests that upgrade a database in use:
today's models have columns an older revision lacks, so the ORM factories cannot write there."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from icn_graph.db.database import Database
from icn_graph.models import CenterRole, PersonKind


async def person_at_0006(
    db: Database,
    name: str,
    kind: PersonKind,
    center_id: int | None = None,
    role: CenterRole = CenterRole.NURSE,
) -> int:
    """A person (on ``center_id``'s team, if given) with the columns ``people`` has had since
    0006 only."""
    now = datetime.now(UTC).replace(tzinfo=None)
    async with db.transaction() as session:
        person_id = await session.scalar(
            text(
                "INSERT INTO people (display_name, email, email_key, kind, timezone,"
                " network_role, created_at, updated_at) VALUES (:name, :email, :email, :kind,"
                " 'UTC', 'MEMBER', :now, :now) RETURNING id"
            ),
            {"name": name, "email": f"{name}@example.org", "kind": kind.value, "now": now},
        )
        if center_id is not None:
            await session.execute(
                text(
                    "INSERT INTO memberships (person_id, center_id, role, since, created_at)"
                    " VALUES (:person, :center, :role, :since, :now)"
                ),
                {
                    "person": person_id,
                    "center": center_id,
                    "role": role.value,
                    "since": now.date(),
                    "now": now,
                },
            )
    assert isinstance(person_id, int)
    return person_id
