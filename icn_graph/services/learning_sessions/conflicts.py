"""Scheduling rules: an item lies inside its session's days, and nobody and no room is booked
twice at once. Each broken rule is a ``CONFLICT`` user error naming what it collides with.

BREAK items are exempt: a break may overlap anything, and has no people.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from icn_graph.errors import UserError, UserErrorCode
from icn_graph.models import AgendaItem, AgendaItemKind, LearningSession
from icn_graph.services.learning_sessions.times import (
    clock_span,
    dated_span,
    overlaps,
    session_window,
    zone,
)


@dataclass(frozen=True)
class Slot:
    """An agenda item's place in time and space, as it is or as it would be after a change."""

    item_id: int | None
    title: str
    kind: AgendaItemKind
    starts_at: datetime
    ends_at: datetime
    room: str

    @classmethod
    def of(cls, item: AgendaItem) -> Slot:
        return cls(item.id, item.title, item.kind, item.starts_at, item.ends_at, item.room)

    @property
    def exempt(self) -> bool:
        return self.kind is AgendaItemKind.BREAK

    def clashes_with(self, other: Slot) -> bool:
        if self.exempt or other.exempt:
            return False
        if self.item_id is not None and self.item_id == other.item_id:
            return False
        return overlaps(self.starts_at, self.ends_at, other.starts_at, other.ends_at)


def _conflict(field: str, message: str) -> UserError:
    return UserError(field, message, UserErrorCode.CONFLICT)


def _in_order(slots: Iterable[Slot]) -> list[Slot]:
    return sorted(slots, key=lambda slot: (slot.starts_at, slot.item_id or 0))


def outside_session(session: LearningSession, slot: Slot) -> UserError | None:
    """The item must start and end within the session's days, in the session's time zone."""
    tz = zone(session.timezone)
    first, last = session_window(session.starts_on, session.ends_on, tz)
    if first <= slot.starts_at and slot.ends_at <= last:
        return None
    field = "endsAt" if first <= slot.starts_at < last else "startsAt"
    return _conflict(
        field,
        f"'{slot.title}' would run {dated_span(slot.starts_at, slot.ends_at, tz)} "
        f"({session.timezone}), outside the session's dates "
        f"({session.starts_on} to {session.ends_on}).",
    )


def room_clash(session: LearningSession, slot: Slot, others: Iterable[Slot]) -> UserError | None:
    if slot.exempt or not slot.room:
        return None
    tz = zone(session.timezone)
    room = slot.room.casefold()
    for other in _in_order(others):
        if other.room.casefold() == room and slot.clashes_with(other):
            span = clock_span(other.starts_at, other.ends_at, tz)
            return _conflict(
                "room", f"Room '{slot.room}' is already booked for '{other.title}' {span}."
            )
    return None


def person_clashes(
    session: LearningSession,
    slot: Slot,
    names: Mapping[int, str],
    busy: Mapping[int, Iterable[Slot]],
    *,
    field: str,
) -> list[UserError]:
    """One error per person in ``names`` who is on another overlapping item (``busy``)."""
    tz = zone(session.timezone)
    errors: list[UserError] = []
    for person_id, name in names.items():
        for other in _in_order(busy.get(person_id, ())):
            if slot.clashes_with(other):
                span = clock_span(other.starts_at, other.ends_at, tz)
                errors.append(_conflict(field, f"{name} is already on '{other.title}' {span}."))
                break
    return errors
