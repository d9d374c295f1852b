"""A session's agenda as an iCalendar file (RFC 5545), for people's calendar apps.

Each agenda item is one VEVENT whose DTSTART/DTEND carry the session's time zone (TZID) and a
matching VTIMEZONE, so a calendar shows 10:00 in Cincinnati as 10:00 Eastern, wherever it is.
UIDs are stable (one per item), and DTSTAMP is when the item last changed, so re-importing an
updated agenda updates events instead of duplicating them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event
from sqlalchemy import select

from icn_graph.db.database import Database
from icn_graph.errors import NotFound
from icn_graph.models import AgendaAssignment, AgendaItem, AgendaItemKind, LearningSession, Person
from icn_graph.services.learning_sessions.agenda import PART_ORDER
from icn_graph.services.viewer import Viewer

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


def render(
    row: LearningSession,
    items: Sequence[AgendaItem],
    people: Mapping[int, Sequence[tuple[str, str]]],
    *,
    network_name: str,
) -> bytes:
    """The calendar for ``row``; ``people`` maps an item id to its (part, name) pairs."""
    tz = ZoneInfo(row.timezone)
    domain = slug(network_name, "icn-graph")
    calendar = Calendar()
    calendar.add("prodid", f"-//{network_name}//icn-graph Learning Session agenda//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", row.title)
    calendar.add("x-wr-timezone", row.timezone)
    for item in items:
        event = Event()
        event.add("uid", f"agenda-item-{item.id}@{domain}.icn-graph")
        event.add("dtstamp", item.updated_at)
        event.add("summary", item.title)
        event.add("dtstart", item.starts_at.astimezone(tz))
        event.add("dtend", item.ends_at.astimezone(tz))
        event.add("location", ", ".join(part for part in (row.venue, item.room) if part))
        description = _description(item, people.get(item.id, ()))
        if description:
            event.add("description", description)
        event.add("categories", [item.kind.value])
        if item.kind is AgendaItemKind.BREAK:
            event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
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
    people: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for assignment, name in sorted(
        assignments, key=lambda pair: (PART_ORDER[pair[0].part], pair[0].id)
    ):
        people[assignment.agenda_item_id].append((assignment.part.value, name))
    content = render(row, items, people, network_name=network_name)
    return AgendaCalendar(filename=f"{slug(row.title)}.ics", content=content)
