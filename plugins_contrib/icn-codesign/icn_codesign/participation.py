"""Joining and leaving threads: participant rows and the follows that come with them.

Participants follow their thread (core's notification engine then mails them about it, batched,
at their hours, threaded per thread); leaving ends that follow, and a subscriber who left is
told to recheck (see ``live``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from icn_codesign.models import Participant, Thread
from icn_graph.plugin_api import add_member_follows, remove_member_follow, to_global_id


def thread_global_id(thread_id: int) -> str:
    return to_global_id("Thread", thread_id)


def insert_ignoring(session: AsyncSession, model: type[Any]) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING`` for ``model`` on this session's database: rows
    that a concurrent transaction inserted first are skipped rather than failing the key."""
    bind = session.get_bind()
    dialect = postgresql if bind.dialect.name == "postgresql" else sqlite
    return dialect.insert(model).on_conflict_do_nothing()


async def join(
    session: AsyncSession,
    thread: Thread,
    person_ids: Sequence[int],
    *,
    invited_by: int | None,
    at: datetime,
) -> list[int]:
    """Make ``person_ids`` active participants (back again if they had left); the people who
    were not active participants before, in order. Someone a concurrent transaction made a
    participant meanwhile (a double click on Send) is left to it."""
    wanted = list(dict.fromkeys(person_ids))
    if not wanted:
        return []
    rows = {
        row.person_id: row
        for row in await session.scalars(
            select(Participant).where(
                Participant.thread_id == thread.id, Participant.person_id.in_(wanted)
            )
        )
    }
    new = [person_id for person_id in wanted if person_id not in rows]
    inserted: set[int] = set()
    if new:
        values = [
            {"thread_id": thread.id, "person_id": p, "invited_by": invited_by, "joined_at": at}
            for p in new
        ]
        statement = insert_ignoring(session, Participant).values(values)
        inserted = set(await session.scalars(statement.returning(Participant.person_id)))
    added = []
    for person_id in wanted:
        row = rows.get(person_id)
        if row is not None and row.left_at is not None:
            row.left_at, row.joined_at, row.invited_by = None, at, invited_by
        elif person_id not in inserted:
            continue
        added.append(person_id)
    await session.flush()
    await add_member_follows(session, thread_global_id(thread.id), added)
    return added


async def active_participant(
    session: AsyncSession, thread_id: int, person_id: int
) -> Participant | None:
    row = await session.get(Participant, (thread_id, person_id))
    return row if row is not None and row.left_at is None else None


async def leave(session: AsyncSession, row: Participant, *, at: datetime) -> None:
    row.left_at = at
    await remove_member_follow(session, thread_global_id(row.thread_id), row.person_id)
