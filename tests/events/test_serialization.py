"""Typed events ⇄ the JSON an outbox row stores: every core type round-trips, and the untyped
version-1 payloads stored before events were typed still read."""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from datetime import date, datetime
from typing import Any, cast

import pytest

from icn_graph.events import DomainEvent, FieldChange, SubjectRef, event_type
from icn_graph.events.registry import EventTypeRegistry, UnknownEvent, event_types
from icn_graph.events.serialize import PayloadError, from_payload, to_payload
from icn_graph.events.types import EventTypeError, field_types
from icn_graph.host import core_host
from icn_graph.ids import to_global_id
from icn_graph.models import AgendaItemKind, CenterRole, GoalStatus, RegistrationPart
from icn_graph.services.directory_events import MembershipRemoved
from icn_graph.services.goals.events import GoalCheckedIn, GoalUpdated
from icn_graph.services.learning_sessions.events import (
    AgendaItemRemoved,
    RegistrationCancelled,
)


def _core() -> list[type[DomainEvent]]:
    registry = EventTypeRegistry.build(core_host().event_types())
    return [entry.cls for entry in registry if entry.owner.startswith("core.")]


CORE = _core()


def _sample(kind: Any, n: int) -> Any:
    """A value of ``kind`` that is not its default (so a lost field shows)."""
    origin = typing.get_origin(kind)
    if origin in (types.UnionType, typing.Union):
        inner = next(option for option in typing.get_args(kind) if option is not type(None))
        return _sample(inner, n)
    if origin is tuple:
        inner = typing.get_args(kind)[0]
        if inner is FieldChange:
            due = FieldChange("dueOn", "2027-03-01", "2027-04-01")
            return (due, FieldChange("room", None, "B"))
        return (_sample(inner, n), _sample(inner, n + 1))
    if kind is SubjectRef:
        return SubjectRef("Goal", 100 + n)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return list(kind)[-1]
    if kind is bool:
        return True
    if kind is int:
        return 7 + n
    if kind is str:
        return f'Ünïcode <b>{n}</b> "quoted"'
    if kind is datetime:
        return datetime(2027, 1, 2, 3, 4)
    if kind is date:
        return date(2027, 1, 2)
    raise AssertionError(f"no sample for {kind}")


def sample(cls: type[DomainEvent]) -> DomainEvent:
    hints = field_types(cls)
    fields = dataclasses.fields(cast("Any", cls))
    values = {f.name: _sample(hints[f.name], n) for n, f in enumerate(fields)}
    return cls(**values)


@pytest.mark.parametrize("cls", CORE, ids=lambda cls: cls.event_name)
def test_every_core_event_type_round_trips(cls: type[DomainEvent]) -> None:
    event = sample(cls)
    stored = to_payload(event)
    assert (
        to_payload(from_payload(cls, stored, version=cls.event_version, subject=event.subject))
        == stored
    )
    assert from_payload(cls, stored, version=cls.event_version, subject=event.subject) == event
    assert (
        event_types().read(cls.event_name, stored, version=cls.event_version, subject=event.subject)
        == event
    )


# What core stored before events were typed (version 1), one per event type, as the services
# wrote them, with the subject of each row.
GOAL, CENTER, PERSON = to_global_id("Goal", 1), to_global_id("Center", 2), to_global_id("Person", 3)
SESSION = to_global_id("LearningSession", 4)
ITEM = to_global_id("AgendaItem", 5)
GOAL_REF = {"goal": GOAL, "owner": CENTER, "kind": "CENTER"}
ON_GOAL, ON_KEY_RESULT = SubjectRef("Goal", 1), SubjectRef("KeyResult", 6)
ON_SESSION, ON_ITEM = SubjectRef("LearningSession", 4), SubjectRef("AgendaItem", 5)
ON_REGISTRATION, ON_MEMBERSHIP = SubjectRef("Registration", 7), SubjectRef("Membership", 8)
IN_SESSION = {"learningSessionId": SESSION, "agendaItemId": ITEM}
REGISTERED = {"learningSessionId": SESSION, "personId": PERSON}
V1: dict[str, tuple[SubjectRef, dict[str, Any]]] = {
    "goal.created": (ON_GOAL, GOAL_REF | {"keyResults": 2}),
    "goal.updated": (ON_GOAL, GOAL_REF | {"fields": ["title", "dueOn"]}),
    "goal.archived": (ON_GOAL, GOAL_REF),
    "goal.checked_in": (
        ON_GOAL,
        GOAL_REF | {"checkIn": to_global_id("CheckIn", 9), "status": "AT_RISK", "confidence": 4},
    ),
    "goal.closed": (ON_GOAL, GOAL_REF | {"checkIn": to_global_id("CheckIn", 9), "outcome": "DONE"}),
    "key_result.added": (ON_KEY_RESULT, GOAL_REF | {"keyResult": to_global_id("KeyResult", 6)}),
    "key_result.updated": (
        ON_KEY_RESULT,
        GOAL_REF | {"keyResult": to_global_id("KeyResult", 6), "fields": ["unit"]},
    ),
    "learning_session.created": (ON_SESSION, {"season": "SPRING", "year": 2014}),
    "learning_session.updated": (ON_SESSION, {"changed": ["venue"], "id": SESSION}),
    "agenda_item.added": (ON_ITEM, IN_SESSION | {"kind": "PANEL"}),
    "agenda_item.updated": (ON_ITEM, IN_SESSION | {"changed": ["room"]}),
    "agenda_item.removed": (ON_ITEM, IN_SESSION | {"title": "Parent panel"}),
    "agenda_item.assigned": (ON_ITEM, IN_SESSION | {"personId": PERSON, "part": "PANELIST"}),
    "agenda_item.unassigned": (ON_ITEM, IN_SESSION | {"personId": PERSON}),
    "registration.created": (ON_REGISTRATION, REGISTERED | {"part": "ATTENDEE"}),
    "registration.cancelled": (ON_REGISTRATION, REGISTERED | {"part": "SPEAKER"}),
    "registration.attendance_marked": (
        ON_REGISTRATION,
        REGISTERED | {"part": "ATTENDEE", "attended": True},
    ),
    "membership.added": (ON_MEMBERSHIP, {"person": PERSON, "center": CENTER, "role": "NURSE"}),
    "membership.removed": (ON_MEMBERSHIP, {"person": PERSON, "center": CENTER, "role": "NURSE"}),
    "center.created": (SubjectRef("Center", 2), {}),
    "center.updated": (SubjectRef("Center", 2), {"changed": ["city"]}),
    "person.created": (SubjectRef("Person", 3), {}),
}
# Where the version-1 payloads above point (each names these rows, or none).
POINTS_TO = {
    "goal": ON_GOAL,
    "owner": SubjectRef("Center", 2),
    "person": SubjectRef("Person", 3),
    "center": SubjectRef("Center", 2),
    "learning_session": ON_SESSION,
}


def test_every_core_event_type_has_a_version_1_sample() -> None:
    """Each type whose payload was untyped once (version 1, now 2 or more); types born typed
    (still version 1, e.g. the stewardship events) have no such past."""
    assert set(V1) == {cls.event_name for cls in CORE if cls.event_version > 1}


@pytest.mark.parametrize("name", sorted(V1))
def test_version_1_payloads_read_as_typed_events(name: str) -> None:
    subject, payload = V1[name]
    event = event_types().read(name, payload, version=1, subject=subject)
    assert not isinstance(event, UnknownEvent), event
    assert event.event_name == name
    assert event.subject == subject
    # The rows the old payload named are the typed event's references.
    for field, ref in POINTS_TO.items():
        if hasattr(event, field):
            assert getattr(event, field) == ref, field


def test_version_1_details_survive() -> None:
    read = event_types().read
    checked_in = read(
        "goal.checked_in", V1["goal.checked_in"][1], version=1, subject=SubjectRef("Goal", 1)
    )
    assert isinstance(checked_in, GoalCheckedIn)
    assert (checked_in.status, checked_in.confidence, checked_in.owner) == (
        GoalStatus.AT_RISK,
        4,
        SubjectRef("Center", 2),
    )
    updated = read("goal.updated", V1["goal.updated"][1], version=1, subject=SubjectRef("Goal", 1))
    assert isinstance(updated, GoalUpdated)
    # Names without values: readers show the field's name alone.
    assert updated.changes == (FieldChange("title", None, None), FieldChange("dueOn", None, None))
    removed = read(
        "agenda_item.removed",
        V1["agenda_item.removed"][1],
        version=1,
        subject=SubjectRef("AgendaItem", 5),
    )
    assert isinstance(removed, AgendaItemRemoved)
    assert (removed.title, removed.learning_session) == (
        "Parent panel",
        SubjectRef("LearningSession", 4),
    )
    cancelled = read(
        "registration.cancelled",
        V1["registration.cancelled"][1],
        version=1,
        subject=SubjectRef("Registration", 7),
    )
    assert isinstance(cancelled, RegistrationCancelled)
    assert (cancelled.person, cancelled.part) == (SubjectRef("Person", 3), RegistrationPart.SPEAKER)
    left = read(
        "membership.removed",
        V1["membership.removed"][1],
        version=1,
        subject=SubjectRef("Membership", 2),
    )
    assert isinstance(left, MembershipRemoved)
    assert (left.center, left.role) == (SubjectRef("Center", 2), CenterRole.NURSE)


def test_what_does_not_read_becomes_an_unknown_event_not_an_error() -> None:
    read = event_types().read
    subject = SubjectRef("Goal", 1)
    unknown = read("plugin.gone", {"x": 1}, version=1, subject=subject)
    assert unknown == UnknownEvent(about=subject, type_name="plugin.gone", fields={"x": 1})
    broken = read("goal.checked_in", {"status": "SIDEWAYS"}, version=2, subject=subject)
    assert isinstance(broken, UnknownEvent)
    assert broken.problem is not None
    assert "goal.checked_in" in broken.problem
    newer = read("goal.created", {}, version=99, subject=subject)
    assert isinstance(newer, UnknownEvent)
    assert newer.problem is not None
    assert "newer" in newer.problem


def test_wrong_json_types_name_the_field() -> None:
    stored = to_payload(sample(GoalCheckedIn))
    with pytest.raises(PayloadError, match=r"goal.checked_in.confidence: expected int, got str"):
        from_payload(
            GoalCheckedIn, stored | {"confidence": "high"}, version=2, subject=SubjectRef("Goal", 1)
        )
    with pytest.raises(PayloadError, match=r"missing field 'note'"):
        from_payload(
            GoalCheckedIn,
            {k: v for k, v in stored.items() if k != "note"},
            version=2,
            subject=SubjectRef("Goal", 1),
        )


def test_a_plugin_type_with_an_upgrade_reads_its_old_payloads() -> None:
    @event_type("panel.proposed", subject="panel", version=2)
    class PanelProposed(DomainEvent):
        """A panel was proposed."""

        panel: SubjectRef
        title: str
        kind: AgendaItemKind = AgendaItemKind.PANEL
        on: date | None = None

        @classmethod
        def upgrade(
            cls, payload: dict[str, Any], version: int, subject: SubjectRef
        ) -> dict[str, Any]:
            return {"title": payload.pop("name", "")} | payload

    registry = EventTypeRegistry.build([("icn-panels", [PanelProposed])])
    subject = SubjectRef("Panel", 3)
    old = registry.read(
        "panel.proposed", {"name": "Parents as partners"}, version=1, subject=subject
    )
    assert old == PanelProposed(panel=subject, title="Parents as partners")
    new = PanelProposed(panel=subject, title="T", on=date(2027, 4, 1))
    assert to_payload(new) == {
        "panel": {"type": "Panel", "pk": 3},
        "title": "T",
        "kind": "PANEL",
        "on": "2027-04-01",
    }
    assert registry.read("panel.proposed", to_payload(new), version=2, subject=subject) == new


def test_declaring_an_event_type_wrongly_says_what_is_wrong() -> None:
    with pytest.raises(EventTypeError, match="dotted lower_case"):
        event_type("GoalClosed")
    with pytest.raises(EventTypeError, match="needs a SubjectRef field"):

        @event_type("bad.no_subject")
        class NoSubject(DomainEvent):
            title: str

    with pytest.raises(EventTypeError, match="subject cannot be a field's name"):

        @event_type("bad.reserved")
        class Reserved(DomainEvent):
            subject: SubjectRef

    with pytest.raises(EventTypeError, match="must subclass DomainEvent"):
        event_type("bad.plain")(type("Plain", (), {}))
    with pytest.raises(EventTypeError, match="personal: it needs a 'person' SubjectRef field"):

        @event_type("bad.personal", personal=True)
        class NobodyToTell(DomainEvent):
            thread: SubjectRef
            person_name: str
