"""What a mail shows beyond the event's summary: people's names, the text they wrote, what changed.

Everything is read in a fixed number of queries per batch, however many notifications it holds.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.errors import BadInput
from icn_graph.events import DomainEvent, FieldChange, SubjectRef
from icn_graph.ids import parse_global_id
from icn_graph.models import CheckIn, Person
from icn_graph.notifications.models import SuppressedAddress
from icn_graph.notifications.summaries import change_line
from icn_graph.services.goals.events import GoalCheckedIn, GoalClosed


def _pk(value: object, type_name: str) -> int | None:
    if not isinstance(value, str):
        return None
    try:
        parsed_type, pk = parse_global_id(value)
    except BadInput:
        return None
    return pk if parsed_type == type_name else None


async def people(session: AsyncSession, ids: Collection[int]) -> dict[int, Person]:
    if not ids:
        return {}
    return {
        person.id: person
        for person in await session.scalars(select(Person).where(Person.id.in_(ids)))
    }


def person_pk(global_id: str | None) -> int | None:
    return _pk(global_id, "Person")


def _written(event: DomainEvent) -> tuple[str | None, SubjectRef | None]:
    """The text the person wrote with the event (a check-in's note, a closing reflection) and
    the check-in that holds it."""
    if isinstance(event, GoalCheckedIn):
        return event.note, event.check_in
    if isinstance(event, GoalClosed):
        return event.reflection, event.check_in
    return None, None


async def notes(session: AsyncSession, events: Iterable[DomainEvent]) -> dict[int, str]:
    """Check-in id -> its note, for events stored before they kept the note (version 1)."""
    ids = set()
    for event in events:
        note, check_in = _written(event)
        if note is None and check_in is not None and check_in.pk:
            ids.add(check_in.pk)
    if not ids:
        return {}
    rows = await session.execute(select(CheckIn.id, CheckIn.note).where(CheckIn.id.in_(ids)))
    return {check_in_id: note for check_in_id, note in rows}


def note_of(event: DomainEvent, stored: Mapping[int, str]) -> str | None:
    """What the person wrote: kept by the event, or read from its check-in (older events)."""
    note, check_in = _written(event)
    if note is not None or check_in is None:
        return note
    return stored.get(check_in.pk)


def change_lines(event: DomainEvent) -> list[str]:
    """``due on: 2027-03-01 → 2027-04-01`` for each field a change event changed."""
    changes = getattr(event, "changes", ())
    return [change_line(change) for change in changes if isinstance(change, FieldChange)]


async def suppressed(session: AsyncSession, email_keys: Collection[str]) -> set[str]:
    if not email_keys:
        return set()
    rows = await session.scalars(
        select(SuppressedAddress.email_key).where(SuppressedAddress.email_key.in_(email_keys))
    )
    return set(rows)
