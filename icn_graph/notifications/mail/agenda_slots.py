"""When and where an agenda item is, for mail about it: its time in the reader's time zone (and
the session's, when that differs), its room and venue, and its session's name.

Any event with an ``agenda_item`` field (core's agenda events, a plugin's "put on the agenda")
gets the item as it is when the mail is composed, read in one query per batch: mail composed
after the item moved says where it is now. An item removed since has no slot.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.events import DomainEvent, SubjectRef
from icn_graph.models import AgendaItem, LearningSession
from icn_graph.notifications.mail.render import AgendaSlot, local_time


@dataclass(frozen=True)
class ItemNow:
    """An agenda item's time and place as stored, with its session's."""

    starts_at: datetime
    ends_at: datetime
    room: str
    session_title: str
    venue: str
    timezone: str


def agenda_item_of(event: DomainEvent) -> int | None:
    """The primary key of the agenda item ``event`` is about, if it names one."""
    ref = getattr(event, "agenda_item", None)
    return ref.pk if isinstance(ref, SubjectRef) and ref.type == "AgendaItem" else None


async def items_now(session: AsyncSession, events: Iterable[DomainEvent]) -> dict[int, ItemNow]:
    pks = {pk for event in events if (pk := agenda_item_of(event)) is not None}
    if not pks:
        return {}
    rows = await session.execute(
        select(
            AgendaItem.id,
            AgendaItem.starts_at,
            AgendaItem.ends_at,
            AgendaItem.room,
            LearningSession.title,
            LearningSession.venue,
            LearningSession.timezone,
        )
        .join(LearningSession, LearningSession.id == AgendaItem.session_id)
        .where(AgendaItem.id.in_(pks))
    )
    return {
        pk: ItemNow(starts_at, ends_at, room, title, venue, timezone)
        for pk, starts_at, ends_at, room, title, venue, timezone in rows
    }


def _span(item: ItemNow, timezone: str) -> str:
    """``Fri 9 Apr 2027, 10:00 AM EDT to 11:00 AM EDT``: the end without its date on the same
    day."""
    start = local_time(item.starts_at, timezone)
    end = local_time(item.ends_at, timezone)
    start_day, _, _ = start.partition(", ")
    end_day, _, end_clock = end.partition(", ")
    return f"{start} to {end_clock if start_day == end_day else end}"


def slot_for(item: ItemNow, timezone: str) -> AgendaSlot:
    """``item`` for a reader in ``timezone``."""
    yours = f"{_span(item, timezone)} ({timezone})"
    at_session = _span(item, item.timezone)
    return AgendaSlot(
        session_title=item.session_title,
        when=yours,
        session_when=f"{at_session} ({item.timezone})" if item.timezone != timezone else "",
        where=", ".join(part for part in (item.room, item.venue) if part),
    )
