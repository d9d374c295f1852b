"""``GET /learning-sessions/{id}/agenda.ics``: a valid iCalendar file with the right local times,
read back by two independent parsers (icalendar, and ics), for members only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import ics  # type: ignore[import-untyped]  # a second, independent parser (dev extra)
import pytest
from icalendar import Calendar, Component, Timezone
from sqlalchemy import update

from icn_graph.db.database import Database
from icn_graph.models import (
    AgendaItem,
    AgendaItemKind,
    AgendaPart,
    LearningSession,
    NetworkRole,
    PersonKind,
    Season,
)
from icn_graph.schema.relay import to_global_id
from tests.helpers import GraphQLClient, make_center, make_person, token_for
from tests.learning_sessions.test_learning_sessions_factories import assign, make_item, make_session

NEW_YORK = ZoneInfo("America/New_York")
PLANNED = datetime(2014, 2, 1, 15, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Agenda:
    session: LearningSession
    token: str

    @property
    def path(self) -> str:
        return f"/learning-sessions/{to_global_id('LearningSession', self.session.id)}/agenda.ics"


@pytest.fixture
async def agenda(db: Database) -> Agenda:
    center = await make_center(db)
    parent = await make_person(
        db, PersonKind.PARENT_PARTNER, center=center, display_name="Dana Whitfield"
    )
    other_parent = await make_person(db, PersonKind.PARENT_PARTNER, display_name="Sam Ortiz")
    clinician = await make_person(db, PersonKind.CLINICIAN, display_name="Priya Raman")
    session = await make_session(db, venue="Hilton Cincinnati Netherland Plaza")
    panel = await make_item(
        db,
        session,
        "Parent panel",
        "2014-04-04 10:00",
        "2014-04-04 11:00",
        room="Hall of Mirrors",
        description="How centers can engage families in QI.",
    )
    await assign(db, panel, clinician, AgendaPart.MODERATOR)
    await assign(db, panel, parent, AgendaPart.PANELIST)
    await assign(db, panel, other_parent, AgendaPart.PANELIST)
    await make_item(
        db, session, "Lunch", "2014-04-04 12:00", "2014-04-04 13:00", kind=AgendaItemKind.BREAK
    )
    await make_item(db, session, "Night owls", "2014-04-05 23:00", "2014-04-05 23:30")
    return Agenda(session, await token_for(db, parent))


async def fetch(client: GraphQLClient, path: str, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.http.get(path, headers=headers)


def moment(component: Component, name: str) -> datetime:
    value = component.decoded(name)
    assert isinstance(value, datetime), (name, value)
    return value


def tzid(component: Component, name: str) -> str:
    prop: Any = component[name]
    return str(prop.params["TZID"])


def events_by_summary(calendar: Calendar) -> dict[str, Component]:
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


async def test_the_calendar_parses_with_the_right_local_times(
    db: Database, client: GraphQLClient, agenda: Agenda
) -> None:
    response = await fetch(client, agenda.path, agenda.token)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert 'filename="spring-2014-learning-session.ics"' in response.headers["content-disposition"]
    assert response.content.startswith(b"BEGIN:VCALENDAR\r\n")

    calendar = Calendar.from_ical(response.content)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["X-WR-CALNAME"]) == "Spring 2014 Learning Session"
    events = events_by_summary(calendar)
    assert set(events) == {"Parent panel", "Lunch", "Night owls"}

    panel = events["Parent panel"]
    start, end = moment(panel, "DTSTART"), moment(panel, "DTEND")
    assert tzid(panel, "DTSTART") == "America/New_York"
    assert start == datetime(2014, 4, 4, 10, 0, tzinfo=NEW_YORK)
    # 10:00 in New York during daylight saving time is 14:00Z.
    assert start.astimezone(UTC) == datetime(2014, 4, 4, 14, 0, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2014, 4, 4, 15, 0, tzinfo=UTC)
    assert str(panel["LOCATION"]) == "Hilton Cincinnati Netherland Plaza, Hall of Mirrors"
    assert str(panel["DESCRIPTION"]) == (
        "How centers can engage families in QI.\n"
        "Moderator: Priya Raman\n"
        "Panelists: Dana Whitfield, Sam Ortiz"
    )
    assert moment(panel, "DTSTAMP").tzinfo is not None
    assert str(events["Lunch"]["TRANSP"]) == "TRANSPARENT"
    # 23:00 on the last day stays on the last day locally, though it is the next day in UTC.
    night = moment(events["Night owls"], "DTSTART")
    assert (night.date(), night.astimezone(UTC).date()) == (date(2014, 4, 5), date(2014, 4, 6))

    uids = [str(event["UID"]) for event in calendar.walk("VEVENT")]
    assert len(set(uids)) == 3
    assert all(uid.endswith("@test-network.icn-graph") for uid in uids)


async def test_the_vtimezone_itself_gives_the_right_offsets(
    db: Database, client: GraphQLClient, agenda: Agenda
) -> None:
    """Clients that do not know the TZID use the VTIMEZONE: it must be right on its own."""
    calendar = Calendar.from_ical((await fetch(client, agenda.path, agenda.token)).content)
    (vtimezone,) = calendar.walk("VTIMEZONE")
    assert isinstance(vtimezone, Timezone)
    assert str(vtimezone["TZID"]) == "America/New_York"
    built = vtimezone.to_tz(lookup_tzid=False)
    panel = datetime(2014, 4, 4, 10, 0, tzinfo=built)
    assert panel.astimezone(UTC) == datetime(2014, 4, 4, 14, 0, tzinfo=UTC)
    winter = datetime(2014, 1, 10, 10, 0, tzinfo=built)  # standard time: UTC-5
    assert winter.astimezone(UTC) == datetime(2014, 1, 10, 15, 0, tzinfo=UTC)


async def test_a_second_independent_parser_agrees(
    db: Database, client: GraphQLClient, agenda: Agenda
) -> None:
    text = (await fetch(client, agenda.path, agenda.token)).text
    calendar = ics.Calendar(text)
    events = {event.name: event for event in calendar.events}
    assert set(events) == {"Parent panel", "Lunch", "Night owls"}
    panel = events["Parent panel"]
    assert panel.begin.to("UTC").datetime == datetime(2014, 4, 4, 14, 0, tzinfo=UTC)
    assert panel.end.to("UTC").datetime == datetime(2014, 4, 4, 15, 0, tzinfo=UTC)
    assert panel.begin.format("YYYY-MM-DD HH:mm ZZ") == "2014-04-04 10:00 -04:00"
    assert panel.location == "Hilton Cincinnati Netherland Plaza, Hall of Mirrors"
    assert "Moderator: Priya Raman" in panel.description


async def test_uids_are_stable_and_dtstamp_follows_changes(
    db: Database, client: GraphQLClient, agenda: Agenda
) -> None:
    async with db.transaction() as session:  # last changed long ago
        await session.execute(update(AgendaItem).values(updated_at=PLANNED))
    first = Calendar.from_ical((await fetch(client, agenda.path, agenda.token)).content)
    assert {moment(event, "DTSTAMP") for event in first.walk("VEVENT")} == {PLANNED}
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    panel_uid = str(events_by_summary(first)["Parent panel"]["UID"])
    panel_id = panel_uid.split("@")[0].removeprefix("agenda-item-")
    data = await client.data(
        "mutation($input: UpdateAgendaItemInput!) { updateAgendaItem(input: $input) {"
        " userErrors { field } } }",
        {"input": {"id": to_global_id("AgendaItem", int(panel_id)), "title": "The parent panel"}},
        token=await token_for(db, staff),
    )
    assert data["updateAgendaItem"]["userErrors"] == []
    second = Calendar.from_ical((await fetch(client, agenda.path, agenda.token)).content)
    renamed = events_by_summary(second)["The parent panel"]
    assert str(renamed["UID"]) == panel_uid
    assert moment(renamed, "DTSTAMP") > PLANNED
    others = {moment(event, "DTSTAMP") for event in second.walk("VEVENT") if event is not renamed}
    assert others == {PLANNED}


async def test_a_chicago_session_in_the_fall(db: Database, client: GraphQLClient) -> None:
    person = await make_person(db, PersonKind.NURSE)
    fall = await make_session(
        db,
        season=Season.FALL,
        year=2013,
        starts_on=date(2013, 9, 26),
        ends_on=date(2013, 9, 28),
        timezone="America/Chicago",
        venue="Hyatt Regency Chicago",
    )
    await make_item(db, fall, "Welcome", "2013-09-26 10:00", "2013-09-26 11:00", room="Ballroom")
    path = f"/learning-sessions/{to_global_id('LearningSession', fall.id)}/agenda.ics"
    response = await fetch(client, path, await token_for(db, person))
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert tzid(event, "DTSTART") == "America/Chicago"
    # 10:00 CDT is 15:00Z.
    assert moment(event, "DTSTART").astimezone(UTC) == datetime(2013, 9, 26, 15, 0, tzinfo=UTC)
    (event,) = ics.Calendar(response.text).events
    assert event.begin.to("UTC").datetime == datetime(2013, 9, 26, 15, 0, tzinfo=UTC)


async def test_an_empty_agenda_is_still_a_valid_calendar(
    db: Database, client: GraphQLClient
) -> None:
    person = await make_person(db, PersonKind.NURSE)
    row = await make_session(db, year=2020, title="Spring 2020")
    path = f"/learning-sessions/{to_global_id('LearningSession', row.id)}/agenda.ics"
    response = await fetch(client, path, await token_for(db, person))
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    assert calendar.walk("VEVENT") == []
    assert str(calendar["X-WR-CALNAME"]) == "Spring 2020"


@pytest.mark.parametrize(
    ("token", "message"),
    [
        pytest.param(None, "Sign in", id="anonymous"),
        pytest.param("icn_garbage", "invalid or has been revoked", id="garbage-token"),
    ],
)
async def test_members_only(
    db: Database, client: GraphQLClient, agenda: Agenda, token: str | None, message: str
) -> None:
    response = await fetch(client, agenda.path, token)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert message in body["errors"][0]["message"]
    assert b"Parent panel" not in response.content


@pytest.mark.parametrize(
    "session_id",
    [
        pytest.param(to_global_id("LearningSession", 9999), id="unknown"),
        pytest.param(to_global_id("Center", 1), id="another-type"),
        pytest.param("%20not-an-id", id="malformed"),
        pytest.param("x" * 300, id="oversized"),
    ],
)
async def test_unknown_or_malformed_ids_are_404(
    db: Database, client: GraphQLClient, agenda: Agenda, session_id: str
) -> None:
    response = await fetch(client, f"/learning-sessions/{session_id}/agenda.ics", agenda.token)
    assert response.status_code == 404
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_an_unknown_session_is_401_not_404_for_strangers(
    db: Database, client: GraphQLClient
) -> None:
    path = f"/learning-sessions/{to_global_id('LearningSession', 9999)}/agenda.ics"
    assert (await fetch(client, path, None)).status_code == 401


async def test_other_methods_are_a_json_405(
    db: Database, client: GraphQLClient, agenda: Agenda
) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
        response = await client.http.request(
            method, agenda.path, headers={"Authorization": f"Bearer {agenda.token}"}
        )
        assert response.status_code == 405, method
        assert response.headers["allow"] == "GET, HEAD", method
        assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
