"""The Learning Sessions area's events: sessions, their agenda and registrations.

Each carries the session's title, and an agenda item's or a registration's own title and people,
as they were: a removed item or a cancelled registration still says what it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from icn_graph.events.types import (
    DomainEvent,
    FieldChange,
    SubjectRef,
    event_type,
    legacy_changes,
    legacy_ref,
)
from icn_graph.models import (
    AgendaItem,
    AgendaItemKind,
    AgendaPart,
    LearningSession,
    Person,
    Registration,
    RegistrationPart,
    Season,
)

# Version 2: typed fields with snapshots; version 1 was the untyped dict of before.
VERSION = 2


def _ref(value: object, type_name: str) -> dict[str, Any]:
    return legacy_ref(value) or {"type": type_name, "pk": 0}


def _subject(subject: SubjectRef) -> dict[str, Any]:
    return {"type": subject.type, "pk": subject.pk}


# -- sessions ---------------------------------------------------------------------------------


@event_type("learning_session.created", subject="learning_session", version=VERSION)
class LearningSessionCreated(DomainEvent):
    """A Learning Session was planned."""

    learning_session: SubjectRef
    title: str
    season: Season
    year: int

    @classmethod
    def upgrade(cls, payload: dict[str, Any], version: int, subject: SubjectRef) -> dict[str, Any]:
        return {"learning_session": _subject(subject), "title": ""} | payload


@event_type("learning_session.updated", subject="learning_session", version=VERSION)
class LearningSessionUpdated(DomainEvent):
    """A Learning Session's details changed (``title`` is the new title)."""

    learning_session: SubjectRef
    title: str
    changes: tuple[FieldChange, ...]

    @classmethod
    def upgrade(cls, payload: dict[str, Any], version: int, subject: SubjectRef) -> dict[str, Any]:
        return {
            "learning_session": _subject(subject),
            "title": "",
            "changes": legacy_changes(payload.get("changed")),
        }


# -- agenda -----------------------------------------------------------------------------------


def agenda_refs(item: AgendaItem, learning_session: LearningSession) -> dict[str, Any]:
    """The fields every agenda event has: the item, its title and its session's."""
    return {
        "agenda_item": SubjectRef("AgendaItem", item.id),
        "title": item.title,
        "learning_session": SubjectRef("LearningSession", learning_session.id),
        "session_title": learning_session.title,
    }


@dataclass(frozen=True, kw_only=True)
class _AgendaEvent(DomainEvent):
    agenda_item: SubjectRef
    title: str
    learning_session: SubjectRef
    session_title: str

    @classmethod
    def upgrade(cls, payload: dict[str, Any], version: int, subject: SubjectRef) -> dict[str, Any]:
        return {
            "agenda_item": _subject(subject),
            "title": str(payload.get("title") or ""),
            "learning_session": _ref(payload.get("learningSessionId"), "LearningSession"),
            "session_title": "",
            "kind": payload.get("kind") or AgendaItemKind.PLENARY.value,
            "changes": legacy_changes(payload.get("changed")),
            "person": _ref(payload.get("personId"), "Person"),
            "person_name": "",
            "part": payload.get("part") or AgendaPart.SPEAKER.value,
        }


@event_type("agenda_item.added", subject="agenda_item", version=VERSION)
class AgendaItemAdded(_AgendaEvent):
    """An item was added to a Learning Session's agenda."""

    kind: AgendaItemKind


@event_type("agenda_item.updated", subject="agenda_item", version=VERSION)
class AgendaItemUpdated(_AgendaEvent):
    """An agenda item's title, description, time, room or kind changed."""

    changes: tuple[FieldChange, ...]


@event_type("agenda_item.removed", subject="agenda_item", version=VERSION)
class AgendaItemRemoved(_AgendaEvent):
    """An item was removed from the agenda (the event keeps its title and session)."""


@event_type("agenda_item.assigned", subject="agenda_item", version=VERSION)
class AgendaItemAssigned(_AgendaEvent):
    """Someone was put on an agenda item as speaker, panelist, moderator or facilitator."""

    person: SubjectRef
    person_name: str
    part: AgendaPart


@event_type("agenda_item.unassigned", subject="agenda_item", version=VERSION)
class AgendaItemUnassigned(_AgendaEvent):
    """Someone was taken off an agenda item."""

    person: SubjectRef
    person_name: str


# -- registrations ----------------------------------------------------------------------------


def registration_refs(
    registration: Registration, learning_session: LearningSession, person: Person
) -> dict[str, Any]:
    """The fields every registration event has: who registered for which session, as what."""
    return {
        "registration": SubjectRef("Registration", registration.id),
        "learning_session": SubjectRef("LearningSession", learning_session.id),
        "session_title": learning_session.title,
        "person": SubjectRef("Person", person.id),
        "person_name": person.display_name,
        "part": registration.part,
    }


@dataclass(frozen=True, kw_only=True)
class _RegistrationEvent(DomainEvent):
    registration: SubjectRef
    learning_session: SubjectRef
    session_title: str
    person: SubjectRef
    person_name: str
    part: RegistrationPart

    @property
    def snapshot_title(self) -> str | None:
        if self.person_name and self.session_title:
            return f"{self.person_name}'s registration for {self.session_title}"
        return None

    @classmethod
    def upgrade(cls, payload: dict[str, Any], version: int, subject: SubjectRef) -> dict[str, Any]:
        return {
            "registration": _subject(subject),
            "learning_session": _ref(payload.get("learningSessionId"), "LearningSession"),
            "session_title": "",
            "person": _ref(payload.get("personId"), "Person"),
            "person_name": "",
            "part": payload.get("part") or RegistrationPart.ATTENDEE.value,
            "attended": bool(payload.get("attended")),
        }


@event_type("registration.created", subject="registration", version=VERSION)
class RegistrationCreated(_RegistrationEvent):
    """Someone registered for a Learning Session (themselves, or staff for them)."""


@event_type("registration.cancelled", subject="registration", version=VERSION)
class RegistrationCancelled(_RegistrationEvent):
    """A registration was cancelled (the event keeps who and which session)."""


@event_type("registration.attendance_marked", subject="registration", version=VERSION)
class RegistrationAttendanceMarked(_RegistrationEvent):
    """Staff marked whether a registered person attended."""

    attended: bool


EVENT_TYPES: tuple[type[DomainEvent], ...] = (
    LearningSessionCreated,
    LearningSessionUpdated,
    AgendaItemAdded,
    AgendaItemUpdated,
    AgendaItemRemoved,
    AgendaItemAssigned,
    AgendaItemUnassigned,
    RegistrationCreated,
    RegistrationCancelled,
    RegistrationAttendanceMarked,
)
