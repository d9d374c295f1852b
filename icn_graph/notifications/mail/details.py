"""What a mail shows beyond the event's summary: people's names, the text they wrote, what changed.

Everything is read in a fixed number of queries per batch, however many notifications it holds.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from functools import partial

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.errors import BadInput
from icn_graph.events import DomainEvent, FieldChange, SubjectRef
from icn_graph.ids import parse_global_id
from icn_graph.models import CheckIn, Person
from icn_graph.notifications.mail.render import local_time
from icn_graph.notifications.models import SuppressedAddress
from icn_graph.notifications.summaries import change_line, shown_value
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


# Mail has room for a long old title (what the reader remembers); the app's summaries do not.
MAIL_VALUE_LENGTH = 120


def _moment(value: object) -> datetime | None:
    """A changed value that is a moment in time (an ISO 8601 string with its offset)."""
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _in_mail(timezone: str, change: FieldChange) -> tuple[str, str]:
    """The old and new values for a reader in ``timezone``: moments in their time, the new one
    without its date when that is the same day (``Fri 4 Apr 2014, 10:00 AM EDT → 10:15 AM EDT``),
    other values cut at MAIL_VALUE_LENGTH."""
    shown = []
    for value in (change.old, change.new):
        moment = _moment(value)
        shown.append(
            local_time(moment, timezone) if moment else shown_value(value, MAIL_VALUE_LENGTH)
        )
    old, new = shown
    if _moment(change.old) and _moment(change.new):
        old_day, _, _ = old.partition(", ")
        new_day, _, new_clock = new.partition(", ")
        if old_day == new_day:
            new = new_clock
    return old, new


def change_lines(event: DomainEvent, timezone: str) -> list[str]:
    """``due on: 2027-03-01 → 2027-04-01`` for each field a change event changed, for a reader
    in ``timezone``."""
    changes = getattr(event, "changes", ())
    shown = partial(_in_mail, timezone)
    return [change_line(change, shown) for change in changes if isinstance(change, FieldChange)]


async def suppressed(session: AsyncSession, email_keys: Collection[str]) -> set[str]:
    if not email_keys:
        return set()
    rows = await session.scalars(
        select(SuppressedAddress.email_key).where(SuppressedAddress.email_key.in_(email_keys))
    )
    return set(rows)
