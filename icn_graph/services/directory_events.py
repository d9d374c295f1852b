"""The directory area's events: centers, people and care-team memberships.

The directory's services are modules of their own (``centers``, ``people``, ``memberships``);
their events live together here, as the goals' and Learning Sessions' live in their packages.
A membership event keeps the person's and the center's names as they were.
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
from icn_graph.models import Center, CenterRole, Membership, Person

# Version 2: typed fields with snapshots; version 1 was the untyped dict of before.
VERSION = 2


def _subject(subject: SubjectRef) -> dict[str, Any]:
    return {"type": subject.type, "pk": subject.pk}


@event_type("center.created", subject="center", version=VERSION)
class CenterCreated(DomainEvent):
    """A care center joined the network."""

    center: SubjectRef
    name: str

    @classmethod
    def upgrade(cls, payload: dict[str, Any], version: int, subject: SubjectRef) -> dict[str, Any]:
        return {"center": _subject(subject), "name": ""}


@event_type("center.updated", subject="center", version=VERSION)
class CenterUpdated(DomainEvent):
    """A center's details changed (``name`` is the new name)."""

    center: SubjectRef
    name: str
    changes: tuple[FieldChange, ...]

    @classmethod
    def upgrade(cls, payload: dict[str, Any], version: int, subject: SubjectRef) -> dict[str, Any]:
        changes = legacy_changes(payload.get("changed"))
        return {"center": _subject(subject), "name": "", "changes": changes}


@event_type("person.created", subject="person", version=VERSION)
class PersonCreated(DomainEvent):
    """Staff created an account for someone."""

    person: SubjectRef
    name: str

    @classmethod
    def upgrade(cls, payload: dict[str, Any], version: int, subject: SubjectRef) -> dict[str, Any]:
        return {"person": _subject(subject), "name": ""}


def membership_refs(membership: Membership, person: Person, center: Center) -> dict[str, Any]:
    """The fields every membership event has: who, on which center's team, as what."""
    return {
        "membership": SubjectRef("Membership", membership.id),
        "person": SubjectRef("Person", person.id),
        "person_name": person.display_name,
        "center": SubjectRef("Center", center.id),
        "center_name": center.name,
        "role": membership.role,
    }


@dataclass(frozen=True, kw_only=True)
class _MembershipEvent(DomainEvent):
    membership: SubjectRef
    person: SubjectRef
    person_name: str
    center: SubjectRef
    center_name: str
    role: CenterRole

    @property
    def snapshot_title(self) -> str | None:
        if self.person_name and self.center_name:
            return f"{self.person_name} on the {self.center_name} team"
        return None

    @classmethod
    def upgrade(cls, payload: dict[str, Any], version: int, subject: SubjectRef) -> dict[str, Any]:
        return {
            "membership": _subject(subject),
            "person": legacy_ref(payload.get("person")) or {"type": "Person", "pk": 0},
            "person_name": "",
            "center": legacy_ref(payload.get("center")) or {"type": "Center", "pk": 0},
            "center_name": "",
            "role": payload.get("role") or CenterRole.CLINICIAN.value,
        }


@event_type("membership.added", subject="membership", version=VERSION)
class MembershipAdded(_MembershipEvent):
    """Someone joined a center's care team."""


@event_type("membership.removed", subject="membership", version=VERSION)
class MembershipRemoved(_MembershipEvent):
    """Someone left a center's care team (the event keeps who and which center)."""


EVENT_TYPES: tuple[type[DomainEvent], ...] = (
    CenterCreated,
    CenterUpdated,
    PersonCreated,
    MembershipAdded,
    MembershipRemoved,
)
