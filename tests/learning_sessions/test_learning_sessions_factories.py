"""Factories and queries shared by the Learning Session tests (this module has no tests).

Rows are inserted directly, so each test states only the world it needs; the behaviour under
test always goes through the GraphQL API.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from icn_graph.db.database import Database
from icn_graph.models import (
    AgendaAssignment,
    AgendaItem,
    AgendaItemKind,
    AgendaPart,
    LearningSession,
    LearningSessionStatus,
    Person,
    Registration,
    RegistrationPart,
    Season,
)
from icn_graph.testing import snapshot as snapshot

NEW_YORK = "America/New_York"


async def make_session(
    db: Database,
    *,
    season: Season = Season.SPRING,
    year: int = 2014,
    starts_on: date = date(2014, 4, 3),
    ends_on: date = date(2014, 4, 5),
    timezone: str = NEW_YORK,
    status: LearningSessionStatus = LearningSessionStatus.PLANNING,
    title: str | None = None,
    venue: str = "Duke Energy Convention Center",
) -> LearningSession:
    row = LearningSession(
        title=title or f"{season.value.title()} {year} Learning Session",
        season=season,
        year=year,
        starts_on=starts_on,
        ends_on=ends_on,
        venue=venue,
        timezone=timezone,
        status=status,
        objectives=["Engage families in QI"],
        priorities=["family engagement"],
    )
    async with db.transaction() as session:
        session.add(row)
    return row


def local(session: LearningSession, text: str) -> datetime:
    """``"2014-04-04 10:00"`` as an aware datetime in the session's time zone."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(session.timezone))


async def make_item(
    db: Database,
    session: LearningSession,
    title: str,
    starts: str,
    ends: str,
    *,
    kind: AgendaItemKind = AgendaItemKind.PANEL,
    room: str = "",
    description: str = "",
) -> AgendaItem:
    item = AgendaItem(
        session_id=session.id,
        title=title,
        description=description,
        kind=kind,
        starts_at=local(session, starts),
        ends_at=local(session, ends),
        room=room,
    )
    async with db.transaction() as transaction:
        transaction.add(item)
    return item


async def assign(
    db: Database, item: AgendaItem, person: Person, part: AgendaPart = AgendaPart.PANELIST
) -> AgendaAssignment:
    row = AgendaAssignment(agenda_item_id=item.id, person_id=person.id, part=part)
    async with db.transaction() as session:
        session.add(row)
    return row


async def make_registration(
    db: Database,
    session: LearningSession,
    person: Person,
    *,
    part: RegistrationPart = RegistrationPart.ATTENDEE,
    attended: bool = False,
) -> Registration:
    row = Registration(session_id=session.id, person_id=person.id, part=part, attended=attended)
    async with db.transaction() as transaction:
        transaction.add(row)
    return row


USER_ERRORS = "userErrors { field message code }"

ADD_ITEM = f"""
mutation($input: AddAgendaItemInput!) {{
  addAgendaItem(input: $input) {{
    agendaItem {{ id title kind startsAt endsAt localStartsAt room durationMinutes }}
    {USER_ERRORS}
  }}
}}"""

UPDATE_ITEM = f"""
mutation($input: UpdateAgendaItemInput!) {{
  updateAgendaItem(input: $input) {{
    agendaItem {{ id title kind startsAt endsAt room }}
    {USER_ERRORS}
  }}
}}"""

ASSIGN = f"""
mutation($input: AssignToAgendaItemInput!) {{
  assignToAgendaItem(input: $input) {{
    agendaItem {{ id title people {{ part person {{ displayName }} }} }}
    {USER_ERRORS}
  }}
}}"""

REGISTER = f"""
mutation($input: RegisterInput!) {{
  register(input: $input) {{
    registration {{ id part attended person {{ id }} session {{ id }} }}
    {USER_ERRORS}
  }}
}}"""

CREATE_SESSION = f"""
mutation($input: CreateLearningSessionInput!) {{
  createLearningSession(input: $input) {{
    learningSession {{
      id title season year startsOn endsOn venue timezone status objectives priorities
    }}
    {USER_ERRORS}
  }}
}}"""
