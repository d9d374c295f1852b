"""Reading threads and messages: listings, pages and the batches the GraphQL loaders call.

Every function checks the viewer (deny by default) and reads in a fixed number of queries,
whatever the number of threads or messages asked about.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Select, and_, exists, func, or_, select

from icn_codesign.access import is_active_participant, load_thread, visible_clause
from icn_codesign.models import Mention, Message, MessageEdit, Participant, Thread, ThreadAudience
from icn_graph.plugin_api import (
    Database,
    Page,
    Person,
    SortKey,
    Viewer,
    aware_datetime,
    grouped,
    paginate,
    rows_by_parent,
    to_global_id,
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class MessageOrder(enum.Enum):
    NEWEST_FIRST = "NEWEST_FIRST"
    OLDEST_FIRST = "OLDEST_FIRST"


@dataclass(frozen=True)
class ThreadFilter:
    """``threads`` filters: what they are attached to, who takes part, the audience, and only
    those with messages the viewer has not read."""

    subject_id: str | None = None
    participant_id: int | None = None
    audience: ThreadAudience | None = None
    unread: bool | None = None


BY_ACTIVITY = SortKey(
    "last_activity_at", Thread.last_activity_at, Thread.id, lambda t: t.last_activity_at, True
)


def _unread_clause(person_id: int) -> Select[int]:
    """Messages in the thread that ``person_id`` (a participant) has not read."""
    return (
        select(Message.id)
        .join(
            Participant,
            and_(Participant.thread_id == Message.thread_id, Participant.person_id == person_id),
        )
        .where(
            Message.thread_id == Thread.id,
            Participant.left_at.is_(None),
            Message.created_at > func.coalesce(Participant.last_read_at, EPOCH),
            or_(Message.author_id.is_(None), Message.author_id != person_id),
        )
    )


async def list_threads(
    db: Database, viewer: Viewer, where: ThreadFilter, *, first: int | None, after: str | None
) -> Page[Thread]:
    """The threads the viewer may see, most recently active first."""
    person_id = viewer.require_member()
    statement = select(Thread).where(visible_clause(viewer))
    if where.subject_id is not None:
        statement = statement.where(Thread.subject_id == where.subject_id)
    if where.participant_id is not None:
        statement = statement.where(is_active_participant(Thread.id, where.participant_id))
    if where.audience is not None:
        statement = statement.where(Thread.audience == where.audience)
    if where.unread is not None:
        unread = exists(_unread_clause(person_id))
        statement = statement.where(unread if where.unread else ~unread)
    return await paginate(
        db, statement, BY_ACTIVITY, first=first, after=after, parse_value=aware_datetime
    )


async def threads_by_id(db: Database, viewer: Viewer, pks: Sequence[int]) -> dict[int, Thread]:
    """The threads among ``pks`` that ``viewer`` may see, by id: one query."""
    if not pks or not viewer.is_authenticated:
        return {}
    async with db.session() as session:
        rows = await session.scalars(
            select(Thread).where(Thread.id.in_(sorted(set(pks))), visible_clause(viewer))
        )
        return {row.id: row for row in rows}


async def threads_of_subjects(
    db: Database, viewer: Viewer, subject_ids: Sequence[str]
) -> list[list[Thread]]:
    """Per subject (a global ID), the threads attached to it that the viewer may see, most
    recently active first: one query for all of them."""
    if not viewer.is_authenticated:
        return [[] for _ in subject_ids]
    async with db.session() as session:
        rows = await session.scalars(
            select(Thread)
            .where(Thread.subject_id.in_(sorted(set(subject_ids))), visible_clause(viewer))
            .order_by(Thread.last_activity_at.desc(), Thread.id.desc())
        )
        found: dict[str, list[Thread]] = defaultdict(list)
        for row in rows:
            found[row.subject_id or ""].append(row)
    return [found.get(subject_id, []) for subject_id in subject_ids]


async def messages_page(
    db: Database,
    viewer: Viewer,
    thread_id: int,
    *,
    order: MessageOrder,
    first: int | None,
    after: str | None,
) -> Page[Message]:
    """A page of the thread's messages (hidden ones included: the schema serves their reason)."""
    async with db.session() as session:
        await load_thread(session, viewer, thread_id)
    key = SortKey(
        "created_at",
        Message.created_at,
        Message.id,
        lambda m: m.created_at,
        order == MessageOrder.NEWEST_FIRST,
    )
    statement = select(Message).where(Message.thread_id == thread_id)
    return await paginate(db, statement, key, first=first, after=after, parse_value=aware_datetime)


async def messages_by_id(db: Database, viewer: Viewer, pks: Sequence[int]) -> dict[int, Message]:
    """The messages among ``pks`` in threads the viewer may see, by id: one query."""
    if not pks or not viewer.is_authenticated:
        return {}
    async with db.session() as session:
        rows = await session.scalars(
            select(Message)
            .join(Thread, Thread.id == Message.thread_id)
            .where(Message.id.in_(sorted(set(pks))), visible_clause(viewer))
        )
        return {row.id: row for row in rows}


async def mentions_of(db: Database, message_ids: Sequence[int]) -> list[list[Person]]:
    """Per message, the people it mentions (by name): one query. The caller has checked that
    the viewer may see the messages."""
    async with db.session() as session:
        rows = await session.execute(
            select(Mention.message_id, Person)
            .join(Person, Person.id == Mention.person_id)
            .where(Mention.message_id.in_(sorted(set(message_ids))))
            .order_by(Person.display_name, Person.id)
        )
        return grouped(((key, person) for key, person in rows), message_ids)


async def edits_of(db: Database, message_ids: Sequence[int]) -> list[list[MessageEdit]]:
    """Per message, its earlier texts, oldest first: one query."""
    return await rows_by_parent(
        db, MessageEdit, MessageEdit.message_id, message_ids, MessageEdit.id
    )


async def participants_of(db: Database, thread_ids: Sequence[int]) -> list[list[Participant]]:
    """Per thread, its active participants in the order they joined: one query. The caller has
    checked that the viewer may see the threads."""
    return await rows_by_parent(
        db,
        Participant,
        Participant.thread_id,
        thread_ids,
        Participant.joined_at,
        Participant.invited_by.is_not(None),  # who started it, then whom they invited
        Participant.person_id,
        where=[Participant.left_at.is_(None)],
    )


async def unread_counts(
    db: Database, person_id: int, thread_ids: Sequence[int]
) -> list[int | None]:
    """Per thread, how many messages ``person_id`` has not read; None where they do not take
    part (only participants keep read state): two queries for all of them."""
    wanted = sorted(set(thread_ids))
    async with db.session() as session:
        taking_part = set(
            await session.scalars(
                select(Participant.thread_id).where(
                    Participant.thread_id.in_(wanted),
                    Participant.person_id == person_id,
                    Participant.left_at.is_(None),
                )
            )
        )
        rows = await session.execute(
            select(Message.thread_id, func.count())
            .join(
                Participant,
                and_(
                    Participant.thread_id == Message.thread_id,
                    Participant.person_id == person_id,
                ),
            )
            .where(
                Message.thread_id.in_(wanted),
                Participant.left_at.is_(None),
                Message.created_at > func.coalesce(Participant.last_read_at, EPOCH),
                or_(Message.author_id.is_(None), Message.author_id != person_id),
            )
            .group_by(Message.thread_id)
        )
        counts = {thread_id: count for thread_id, count in rows}
    return [
        counts.get(thread_id, 0) if thread_id in taking_part else None for thread_id in thread_ids
    ]


async def threads_of_centers(
    db: Database, viewer: Viewer, center_ids: Sequence[int]
) -> list[list[Thread]]:
    """Per center, the threads attached to it or for its team that the viewer may see, most
    recently active first: one query for all of them."""
    if not viewer.is_authenticated:
        return [[] for _ in center_ids]
    by_subject = {str(to_global_id("Center", pk)): pk for pk in center_ids}
    async with db.session() as session:
        rows = await session.scalars(
            select(Thread)
            .where(
                or_(
                    Thread.center_id.in_(sorted(set(center_ids))),
                    Thread.subject_id.in_(sorted(by_subject)),
                ),
                visible_clause(viewer),
            )
            .order_by(Thread.last_activity_at.desc(), Thread.id.desc())
        )
        found: dict[int, list[Thread]] = defaultdict(list)
        for row in rows:
            centers = {row.center_id, by_subject.get(row.subject_id or "")}
            for center_id in centers - {None}:
                assert center_id is not None
                found[center_id].append(row)
    return [found.get(center_id, []) for center_id in center_ids]
