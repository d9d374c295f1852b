"""A session's agenda as an iCalendar file (RFC 5545), for people's calendar apps.

Each agenda item is one VEVENT whose DTSTART/DTEND carry the session's time zone (TZID) and a
matching VTIMEZONE, so a calendar shows 10:00 in Cincinnati as 10:00 Eastern, wherever it is.
UIDs are stable (one per item), and DTSTAMP is when the item last changed, so re-importing an
updated agenda updates events instead of duplicating them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import select

from icn_graph.db.database import Database
from icn_graph.errors import NotFound
from icn_graph.models import AgendaAssignment, AgendaItem, AgendaItemKind, LearningSession, Person
from icn_graph.services.learning_sessions.agenda import PART_ORDER
from icn_graph.services.viewer import Viewer

if TYPE_CHECKING:
    from icalendar import Calendar, Event

YEAR = timedelta(days=366)

PART_LABELS = {
    "SPEAKER": ("Speaker", "Speakers"),
    "MODERATOR": ("Moderator", "Moderators"),
    "PANELIST": ("Panelist", "Panelists"),
    "FACILITATOR": ("Facilitator", "Facilitators"),
}


@dataclass(frozen=True)
class AgendaCalendar:
    filename: str
    content: bytes


def slug(text: str, fallback: str = "agenda") -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or fallback


def _description(item: AgendaItem, people: Sequence[tuple[str, str]]) -> str:
    by_part: dict[str, list[str]] = defaultdict(list)
    for part, name in people:
        by_part[part].append(name)
    lines = [item.description] if item.description else []
    for part, names in by_part.items():
        singular, plural = PART_LABELS[part]
        lines.append(f"{singular if len(names) == 1 else plural}: {', '.join(names)}")
    return "\n".join(lines)


def people_by_item(
    assignments: Iterable[tuple[AgendaAssignment, str]],
) -> dict[int, list[tuple[str, str]]]:
    """(assignment, name) rows as each item's (part, name) pairs: speakers first, then the
    moderator, panelists and facilitators."""
    people: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for assignment, name in sorted(
        assignments, key=lambda pair: (PART_ORDER[pair[0].part], pair[0].id)
    ):
        people[assignment.agenda_item_id].append((assignment.part.value, name))
    return people


def uid_domain(network_name: str) -> str:
    """The right-hand side of every UID: the network's, so two networks' events never clash."""
    return f"{slug(network_name, 'icn-graph')}.icn-graph"


def new_calendar(name: str, product: str, *, network_name: str) -> Calendar:
    from icalendar import Calendar  # loaded when a calendar is first asked for

    calendar = Calendar()
    calendar.add("prodid", f"-//{network_name}//icn-graph {product}//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def item_event(
    row: LearningSession,
    item: AgendaItem,
    people: Sequence[tuple[str, str]],
    *,
    domain: str,
    first_lines: Sequence[str] = (),
    stamp: datetime | None = None,
) -> Event:
    """``item`` (of the session ``row``) as an event in the session's time zone; ``people`` are
    its (part, name) pairs, ``first_lines`` open its description, and ``stamp`` (default: when
    the item last changed) is its DTSTAMP."""
    from icalendar import Event

    tz = ZoneInfo(row.timezone)
    event = Event()
    event.add("uid", f"agenda-item-{item.id}@{domain}")
    event.add("dtstamp", stamp or item.updated_at)
    event.add("summary", item.title)
    event.add("dtstart", item.starts_at.astimezone(tz))
    event.add("dtend", item.ends_at.astimezone(tz))
    event.add("location", ", ".join(part for part in (row.venue, item.room) if part))
    description = "\n".join([*first_lines, *filter(None, [_description(item, people)])])
    if description:
        event.add("description", description)
    event.add("categories", [item.kind.value])
    if item.kind is AgendaItemKind.BREAK:
        event.add("transp", "TRANSPARENT")
    return event


def render(
    row: LearningSession,
    items: Sequence[AgendaItem],
    people: Mapping[int, Sequence[tuple[str, str]]],
    *,
    network_name: str,
) -> bytes:
    """The calendar for ``row``; ``people`` maps an item id to its (part, name) pairs."""
    domain = uid_domain(network_name)
    calendar = new_calendar(row.title, "Learning Session agenda", network_name=network_name)
    calendar.add("x-wr-timezone", row.timezone)
    for item in items:
        calendar.add_component(item_event(row, item, people.get(item.id, ()), domain=domain))
    # The zone's transitions for a year either side of the session: both its standard and its
    # daylight time, without decades of history.
    calendar.add_missing_timezones(first_date=row.starts_on - YEAR, last_date=row.ends_on + YEAR)
    content: bytes = calendar.to_ical()
    return content


async def agenda_calendar(
    db: Database, viewer: Viewer, session_id: int, *, network_name: str
) -> AgendaCalendar:
    viewer.require_member()
    async with db.session() as session:
        row = await session.get(LearningSession, session_id)
        if row is None:
            raise NotFound("No Learning Session has that id.", field="id")
        items = (
            await session.scalars(
                select(AgendaItem)
                .where(AgendaItem.session_id == row.id)
                .order_by(AgendaItem.starts_at, AgendaItem.id)
            )
        ).all()
        statement = (
            select(AgendaAssignment, Person.display_name)
            .join(Person, Person.id == AgendaAssignment.person_id)
            .join(AgendaItem, AgendaItem.id == AgendaAssignment.agenda_item_id)
            .where(AgendaItem.session_id == row.id)
        )
        assignments = (await session.execute(statement)).all()
    content = render(row, items, people_by_item(assignments), network_name=network_name)
    return AgendaCalendar(filename=f"{slug(row.title)}.ics", content=content)
