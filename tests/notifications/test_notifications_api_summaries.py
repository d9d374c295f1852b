"""summarize(): one plain-text line per event type, shared by the app and mail subject lines."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from icn_graph.notifications.summaries import KNOWN_EVENT_TYPES, MAX_LENGTH, summarize

SERVICES = Path(__file__).resolve().parents[2] / "icn_graph" / "services"
RECORDED = re.compile(r"record_event\(\s*session,\s*\"([a-z_]+\.[a-z_]+)\"", re.MULTILINE)


def recorded_event_types() -> set[str]:
    found: set[str] = set()
    for path in SERVICES.rglob("*.py"):
        found.update(RECORDED.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_event_core_records_has_its_own_phrase() -> None:
    recorded = recorded_event_types()
    assert len(recorded) >= 20  # the scan finds the services' events
    assert recorded <= KNOWN_EVENT_TYPES, recorded - KNOWN_EVENT_TYPES


@pytest.mark.parametrize(
    ("event_type", "payload", "title", "expected"),
    [
        (
            "goal.checked_in",
            {"status": "ON_TRACK", "confidence": 7},
            "Reduce steroid use",
            "Maria Lopez checked in on 'Reduce steroid use': on track, confidence 7/10",
        ),
        (
            "goal.created",
            {},
            "Reduce steroid use",
            "Maria Lopez set a new goal: 'Reduce steroid use'",
        ),
        (
            "goal.updated",
            {"fields": ["title", "dueOn"]},
            "Reduce steroid use",
            "Maria Lopez updated 'Reduce steroid use' (title, due on)",
        ),
        (
            "goal.closed",
            {"outcome": "DONE"},
            "Fewer flares",
            "Maria Lopez marked 'Fewer flares' done",
        ),
        (
            "goal.closed",
            {"outcome": "DROPPED"},
            "Fewer flares",
            "Maria Lopez dropped 'Fewer flares'",
        ),
        (
            "agenda_item.assigned",
            {"part": "PANELIST"},
            "Parents as partners",
            "Maria Lopez added someone to 'Parents as partners' as panelist",
        ),
        (
            "agenda_item.removed",
            {"title": "Lunch panel"},
            None,
            "Maria Lopez removed 'Lunch panel' from the agenda",
        ),
        (
            "membership.added",
            {"role": "PARENT_PARTNER"},
            "Ana Ruiz on the CCHMC team",
            "Maria Lopez added 'Ana Ruiz on the CCHMC team' (parent partner)",
        ),
        (
            "registration.attendance_marked",
            {"attended": True},
            "Registration for 'Spring 2027'",
            "Maria Lopez marked 'Registration for 'Spring 2027'': attended",
        ),
        ("center.updated", {"changed": ["city"]}, "CCHMC", "Maria Lopez updated 'CCHMC' (city)"),
        (
            "kudos.given",
            {},
            "Reduce steroid use",
            "Maria Lopez: kudos given on 'Reduce steroid use'",
        ),
        ("plugin.ping", {}, None, "Maria Lopez: plugin ping"),
    ],
)
def test_summaries_read_as_one_line(
    event_type: str, payload: dict[str, Any], title: str | None, expected: str
) -> None:
    assert summarize(event_type, payload, "Maria Lopez", title) == expected


def test_unknown_actors_and_odd_payloads_still_give_a_line() -> None:
    assert summarize("goal.checked_in", {}, None, "Goal") == "Someone checked in on 'Goal'"
    odd = summarize("goal.updated", {"fields": "not a list"}, "  ", None)
    assert odd == "Someone updated an item"
    assert summarize("goal.checked_in", {"confidence": "high"}, "A", "G") == "A checked in on 'G'"


def test_user_text_cannot_break_the_line() -> None:
    line = summarize("goal.created", {}, "Eve\r\nBcc: x@example.org", "Title\nwith\tbreaks" * 40)
    assert "\n" not in line
    assert "\r" not in line
    assert "\t" not in line
    assert len(line) <= MAX_LENGTH
    assert line.startswith("Eve Bcc: x@example.org set a new goal: 'Title with breaks")
    assert line.endswith("…'")  # the title is cut, its quote closed
