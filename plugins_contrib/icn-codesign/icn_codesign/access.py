"""Who may see, post in and moderate a thread: the audience rules, in one place.

- PARTICIPANTS: its participants (who have not left);
- CENTER: the center's care team, and its participants;
- NETWORK: every signed-in member.

Network staff see every thread (they moderate). Anonymous callers see none. A thread the viewer
may not see reads exactly like one that does not exist (``NotFound``), so nothing leaks.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from icn_codesign.models import Participant, Thread, ThreadAudience
from icn_graph.plugin_api import NotFound, Viewer

THREAD_NOT_FOUND = "No thread has that ID."


def is_active_participant(
    thread_id: ColumnElement[int] | QueryableAttribute[int], person_id: int
) -> ColumnElement[bool]:
    """SQL: ``person_id`` takes part in the thread ``thread_id`` (and has not left)."""
    return exists().where(
        Participant.thread_id == thread_id,
        Participant.person_id == person_id,
        Participant.left_at.is_(None),
    )


def visible_clause(viewer: Viewer) -> ColumnElement[bool]:
    """SQL over ``Thread``: the threads ``viewer`` may see (for listings and batches)."""
    if viewer.person_id is None:
        return false()
    if viewer.is_staff:
        return true()
    rules = [
        Thread.audience == ThreadAudience.NETWORK,
        is_active_participant(Thread.id, viewer.person_id),
    ]
    if viewer.center_ids:
        rules.append(
            and_(
                Thread.audience == ThreadAudience.CENTER,
                Thread.center_id.in_(sorted(viewer.center_ids)),
            )
        )
    return or_(*rules)


def may_moderate(viewer: Viewer) -> bool:
    """Network staff moderate every thread (hide messages, see hidden bodies)."""
    return viewer.is_authenticated and viewer.is_staff


def visible_without_query(viewer: Viewer, thread: Thread) -> bool | None:
    """What the audience rules decide without asking about participants; None: ask."""
    if viewer.person_id is None:
        return False
    if viewer.is_staff or thread.audience == ThreadAudience.NETWORK:
        return True
    if thread.audience == ThreadAudience.CENTER and thread.center_id in viewer.center_ids:
        return True
    return None


async def is_participant(session: AsyncSession, thread_id: int, person_id: int) -> bool:
    found = await session.scalar(
        select(Participant.person_id).where(
            Participant.thread_id == thread_id,
            Participant.person_id == person_id,
            Participant.left_at.is_(None),
        )
    )
    return found is not None


async def thread_visible_to(session: AsyncSession, viewer: Viewer, thread: Thread) -> bool:
    """Whether ``viewer`` may see ``thread`` (at most one query)."""
    decided = visible_without_query(viewer, thread)
    if decided is not None:
        return decided
    assert viewer.person_id is not None
    return await is_participant(session, thread.id, viewer.person_id)


async def visible_thread_ids(
    session: AsyncSession, viewer: Viewer, ids: Collection[int]
) -> set[int]:
    """Of the threads ``ids``, those that exist and ``viewer`` may see: one query."""
    if not ids or viewer.person_id is None:
        return set()
    rows = await session.scalars(
        select(Thread.id).where(Thread.id.in_(sorted(set(ids))), visible_clause(viewer))
    )
    return set(rows)


async def load_thread(session: AsyncSession, viewer: Viewer, thread_id: int) -> Thread:
    """The thread ``thread_id`` if ``viewer`` may see it; else ``NotFound``, as if it did not
    exist. Anonymous callers get ``Unauthenticated``."""
    viewer.require_member()
    thread = await session.get(Thread, thread_id)
    if thread is None or not await thread_visible_to(session, viewer, thread):
        raise NotFound(THREAD_NOT_FOUND)
    return thread


async def may_post(session: AsyncSession, viewer: Viewer, thread: Thread) -> bool:
    """Whether ``viewer`` may post in ``thread``: whoever may see it (posting in a center's or
    the network's thread makes them a participant)."""
    return await thread_visible_to(session, viewer, thread)
