"""A person's own Learning Sessions as an iCalendar file: what a calendar feed's ``mine.ics``
serves, so that a parent's phone shows the trip and the panel she is on.

- Every session the person is registered for (whatever the part) or is on the agenda of, as an
  all-day event over the session's days (``DTEND`` is the day after ``endsOn``, as RFC 5545
  wants), at the venue. It does not make them look busy (``TRANSP:TRANSPARENT``): their own
  items do.
- Every agenda item they have a part in (speaker, moderator, panelist, facilitator), in the
  session's time zone, with their part and the session's title first in the description.

Not the whole agenda of each session: subscribe to a session's own feed for that. Nothing about
other people beyond what the session's agenda shows everyone (who is on each item). Three
statements whatever the number of sessions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import and_, or_, select

from icn_graph.db.database import Database
from icn_graph.models import AgendaAssignment, AgendaItem, LearningSession, Person, Registration
from icn_graph.services.learning_sessions.calendar import (
    PART_LABELS,
    YEAR,
    AgendaCalendar,
    item_event,
    new_calendar,
    people_by_item,
    uid_domain,
)
from icn_graph.services.viewer import Viewer

if TYPE_CHECKING:
    from icalendar import Event

FILENAME = "my-learning-sessions.ics"
DAY = timedelta(days=1)


@dataclass(frozen=True)
class _MySession:
    row: LearningSession
    registration: Registration | None


def _session_event(mine: _MySession, domain: str) -> Event:
    from icalendar import Event

    row, registration = mine.row, mine.registration
    event = Event()
    event.add("uid", f"learning-session-{row.id}@{domain}")
    changed = row.updated_at
    if registration is not None:
        changed = max(changed, registration.registered_at)
    event.add("dtstamp", changed)
    event.add("summary", row.title)
    event.add("dtstart", row.starts_on)
    event.add("dtend", row.ends_on + DAY)
    event.add("location", row.venue)
    if registration is not None:
        event.add("description", f"Registered as {registration.part.value.lower()}.")
    event.add("transp", "TRANSPARENT")
    return event


async def my_calendar(db: Database, viewer: Viewer, *, network_name: str) -> AgendaCalendar:
    """The viewer's own sessions and agenda items, as an iCalendar file."""
    person_id = viewer.require_member()
    my_items = select(AgendaAssignment.agenda_item_id).where(
        AgendaAssignment.person_id == person_id
    )
    on_agenda = (
        select(AgendaItem.session_id)
        .join(AgendaAssignment, AgendaAssignment.agenda_item_id == AgendaItem.id)
        .where(AgendaAssignment.person_id == person_id)
    )
    sessions_statement = (
        select(LearningSession, Registration)
        .outerjoin(
            Registration,
            and_(
                Registration.session_id == LearningSession.id, Registration.person_id == person_id
            ),
        )
        .where(or_(Registration.id.is_not(None), LearningSession.id.in_(on_agenda)))
        .order_by(LearningSession.starts_on, LearningSession.id)
    )
    items_statement = (
        select(AgendaItem, AgendaAssignment)
        .join(AgendaAssignment, AgendaAssignment.agenda_item_id == AgendaItem.id)
        .where(AgendaAssignment.person_id == person_id)
        .order_by(AgendaItem.starts_at, AgendaItem.id)
    )
    people_statement = (
        select(AgendaAssignment, Person.display_name)
        .join(Person, Person.id == AgendaAssignment.person_id)
        .where(AgendaAssignment.agenda_item_id.in_(my_items))
    )
    async with db.session() as session:
        sessions = [
            _MySession(row, registration)
            for row, registration in (await session.execute(sessions_statement)).all()
        ]
        items = (await session.execute(items_statement)).all()
        people = people_by_item((await session.execute(people_statement)).all())
    return AgendaCalendar(
        filename=FILENAME, content=render_mine(sessions, items, people, network_name=network_name)
    )


def render_mine(
    sessions: Sequence[_MySession],
    items: Sequence[tuple[AgendaItem, AgendaAssignment]],
    people: dict[int, list[tuple[str, str]]],
    *,
    network_name: str,
) -> bytes:
    domain = uid_domain(network_name)
    calendar = new_calendar(
        f"{network_name}: my Learning Sessions", "my Learning Sessions", network_name=network_name
    )
    by_id = {mine.row.id: mine.row for mine in sessions}
    for mine in sessions:
        calendar.add_component(_session_event(mine, domain))
    for item, assignment in items:
        row = by_id[item.session_id]
        part = PART_LABELS[assignment.part.value][0]
        event = item_event(
            row,
            item,
            people.get(item.id, ()),
            domain=domain,
            first_lines=(row.title, f"Your part: {part}"),
            stamp=max(item.updated_at, assignment.created_at),
        )
        calendar.add_component(event)
    if sessions:
        calendar.add_missing_timezones(
            first_date=min(mine.row.starts_on for mine in sessions) - YEAR,
            last_date=max(mine.row.ends_on for mine in sessions) + YEAR,
        )
    content: bytes = calendar.to_ical()
    return content
