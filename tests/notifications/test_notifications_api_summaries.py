"""summarize(): one plain-text line per event type, shared by the app and mail."""

from __future__ import annotations

from typing import Any

import pytest

from icn_graph.events import DomainEvent, FieldChange, SubjectRef
from icn_graph.events.registry import UnknownEvent, event_types
from icn_graph.host import core_host
from icn_graph.models import AgendaPart, CenterRole, GoalStatus, RegistrationPart
from icn_graph.notifications.summaries import KNOWN_EVENT_TYPES, MAX_LENGTH, summarize
from icn_graph.services.directory_events import CenterUpdated, MembershipAdded
from icn_graph.services.goals.events import GoalCheckedIn, GoalClosed, GoalCreated, GoalUpdated
from icn_graph.services.learning_sessions.events import (
    AgendaItemAssigned,
    AgendaItemRemoved,
    RegistrationAttendanceMarked,
    RegistrationCancelled,
)
from tests.event_types import Happened

GOAL: dict[str, Any] = {"goal": SubjectRef("Goal", 1), "owner": SubjectRef("Center", 2)}
SESSION = SubjectRef("LearningSession", 3)
ITEM: dict[str, Any] = {
    "agenda_item": SubjectRef("AgendaItem", 4),
    "title": "Lunch panel",
    "learning_session": SESSION,
    "session_title": "Spring 2014 Learning Session",
}
DANA = SubjectRef("Person", 5)
REGISTRATION: dict[str, Any] = {
    "registration": SubjectRef("Registration", 6),
    "learning_session": SESSION,
    "session_title": "Spring 2014 Learning Session",
    "person": DANA,
    "person_name": "Dana Whitfield",
    "part": RegistrationPart.ATTENDEE,
}


def test_every_core_event_type_has_its_own_phrase() -> None:
    """The table words the types that existed before ``DomainEvent.summary``; newer core types
    (stewardship's) word themselves, as a plugin's do."""
    core_host()  # installs core's registry
    core = {
        entry.name: entry.cls
        for entry in event_types()
        if entry.cls.__module__.startswith("icn_graph.")  # core's, whoever registered them
    }
    assert len(KNOWN_EVENT_TYPES) == 22
    assert set(core) >= KNOWN_EVENT_TYPES
    worded = {name for name, cls in core.items() if cls.summary is not DomainEvent.summary}
    assert set(core) - KNOWN_EVENT_TYPES == worded - KNOWN_EVENT_TYPES
    assert len(core) == 36


def check_in(confidence: int | None = 7) -> GoalCheckedIn:
    return GoalCheckedIn(
        **GOAL,
        title="Reduce steroid use",
        check_in=SubjectRef("CheckIn", 9),
        status=GoalStatus.ON_TRACK,
        confidence=confidence,
        note=None,
    )


@pytest.mark.parametrize(
    ("event", "title", "expected"),
    [
        (
            check_in(),
            "Reduce steroid use",
            "Maria Lopez checked in on 'Reduce steroid use': on track, confidence 7/10",
        ),
        (
            GoalCreated(**GOAL, title="Reduce steroid use", key_results=0),
            "Reduce steroid use",
            "Maria Lopez set a new goal: 'Reduce steroid use'",
        ),
        (
            GoalUpdated(
                **GOAL,
                title="Fewer steroids",
                changes=(
                    FieldChange("title", "Reduce steroid use", "Fewer steroids"),
                    FieldChange("dueOn", "2027-03-01", "2027-04-01"),
                ),
            ),
            "Fewer steroids",
            "Maria Lopez updated 'Fewer steroids': title: Reduce steroid use → Fewer steroids;"
            " due on: 2027-03-01 → 2027-04-01",
        ),
        (
            GoalClosed(
                **GOAL,
                title="Fewer flares",
                check_in=SubjectRef("CheckIn", 9),
                outcome=GoalStatus.DONE,
                reflection=None,
            ),
            None,
            "Maria Lopez marked 'Fewer flares' done",
        ),
        (
            AgendaItemAssigned(
                **ITEM, person=DANA, person_name="Dana Whitfield", part=AgendaPart.PANELIST
            ),
            "Parents as partners",
            "Maria Lopez added Dana Whitfield to 'Parents as partners' as panelist",
        ),
        (
            AgendaItemRemoved(**ITEM),
            None,
            "Maria Lopez removed 'Lunch panel' from the agenda of 'Spring 2014 Learning Session'",
        ),
        (
            MembershipAdded(
                membership=SubjectRef("Membership", 1),
                person=DANA,
                person_name="Ana Ruiz",
                center=SubjectRef("Center", 2),
                center_name="CCHMC",
                role=CenterRole.PARENT_PARTNER,
            ),
            "Ana Ruiz on the CCHMC team",
            "Maria Lopez added Ana Ruiz to the CCHMC team (parent partner)",
        ),
        (
            RegistrationAttendanceMarked(**REGISTRATION, attended=True),
            "Registration for 'Spring 2014 Learning Session'",
            "Maria Lopez marked that Dana Whitfield attended 'Spring 2014 Learning Session'",
        ),
        (
            RegistrationCancelled(**REGISTRATION),
            None,
            "Maria Lopez cancelled Dana Whitfield's registration for"
            " 'Spring 2014 Learning Session'",
        ),
        (
            CenterUpdated(
                center=SubjectRef("Center", 2),
                name="CCHMC",
                changes=(FieldChange("city", None, None),),  # stored before values were kept
            ),
            "CCHMC",
            "Maria Lopez updated 'CCHMC': city",
        ),
        (
            UnknownEvent(about=SubjectRef("Kudos", 1), type_name="kudos.given", fields={}),
            "Reduce steroid use",
            "Maria Lopez: kudos given on 'Reduce steroid use'",
        ),
        (Happened(center=SubjectRef("Center", 1)), None, "Maria Lopez: test happened"),
    ],
)
def test_summaries_read_as_one_line(event: DomainEvent, title: str | None, expected: str) -> None:
    assert summarize(event, "Maria Lopez", title) == expected


def test_people_acting_for_themselves_and_unknown_actors() -> None:
    cancelled = RegistrationCancelled(**REGISTRATION)
    assert summarize(cancelled, "Dana Whitfield", None) == (
        "Dana Whitfield cancelled their registration for 'Spring 2014 Learning Session'"
    )
    assert summarize(check_in(None), None, None) == (
        "Someone checked in on 'Reduce steroid use': on track"
    )


def test_mail_leaves_the_changes_to_its_list() -> None:
    updated = GoalUpdated(**GOAL, title="G", changes=(FieldChange("aim", "Less", "Fewer"),))
    assert summarize(updated, "A", "G", changes=False) == "A updated 'G'"


def test_user_text_cannot_break_the_line() -> None:
    created = GoalCreated(**GOAL, title="Title\nwith\tbreaks" * 40, key_results=0)
    line = summarize(created, "Eve\r\nBcc: x@example.org", None)
    assert "\n" not in line
    assert "\r" not in line
    assert "\t" not in line
    assert len(line) <= MAX_LENGTH
    assert line.startswith("Eve Bcc: x@example.org set a new goal: 'Title with breaks")
    assert line.endswith("…'")  # the title is cut, its quote closed
