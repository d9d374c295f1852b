"""Calendar feeds over real HTTP: ``createCalendarFeed`` shows the secret URLs once; calendar
apps fetch ``/calendar/<secret>/mine.ics`` and ``/calendar/<secret>/learning-sessions/<id>/
agenda.ics`` without a header, read back with icalendar; revoking, resetting and deactivating
answer the one 404 at once; read-only and personal access tokens cannot make a feed; last use is
written at most once a minute; mine.ics costs the same statements for one session or five."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Component
from sqlalchemy import select
from starlette.applications import Starlette

from icn_graph.app import create_app
from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.ids import parse_global_id
from icn_graph.models import (
    AgendaItemKind,
    AgendaPart,
    CalendarFeed,
    LearningSession,
    NetworkRole,
    Person,
    PersonKind,
    RegistrationPart,
    Season,
)
from icn_graph.plugins.manager import PluginHost
from icn_graph.schema.relay import to_global_id
from icn_graph.services.tokens import Revoked, hash_token, revoke_tokens_of
from icn_graph.testing import (
    GraphQLClient,
    StatementCounter,
    make_center,
    make_person,
    snapshot,
    token_for,
)
from tests.helpers import error_codes
from tests.learning_sessions.test_learning_sessions_factories import (
    assign,
    make_item,
    make_registration,
    make_session,
)
from tests.sign_in.helpers import FakeClock

NEW_YORK = ZoneInfo("America/New_York")

CREATE = (
    "mutation { createCalendarFeed { mineUrl baseUrl calendarFeed { id createdAt lastUsedAt }"
    " viewer { id calendarFeed { id } } userErrors { field message code } } }"
)
REVOKE = (
    "mutation($input: RevokeCalendarFeedInput) { revokeCalendarFeed(input: $input) {"
    " revokedCalendarFeedId viewer { id calendarFeed { id } } userErrors { field message code } } }"
)
FEED = "{ viewer { calendarFeed { id createdAt lastUsedAt } } }"
CREATE_PAT = (
    "mutation($input: CreatePersonalAccessTokenInput!) { createPersonalAccessToken(input: $input)"
    " { token userErrors { field code } } }"
)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def app(db: Database, settings: Settings, plugin_host: PluginHost, clock: FakeClock) -> Starlette:
    return create_app(settings, db=db, plugins=plugin_host, clock=clock)


@dataclass(frozen=True)
class World:
    spring: LearningSession
    fall: LearningSession
    dana: Person  # a parent partner: registered for Spring 2014, on its parent panel
    sam: Person  # another parent: registered for Fall 2013, speaks at Spring 2014's keynote
    staff: Person
    tokens: dict[str, str]


@pytest.fixture
async def world(db: Database) -> World:
    center = await make_center(db)
    dana = await make_person(
        db, PersonKind.PARENT_PARTNER, center=center, display_name="Dana Whitfield"
    )
    sam = await make_person(db, PersonKind.PARENT_PARTNER, display_name="Sam Ortiz")
    priya = await make_person(db, PersonKind.CLINICIAN, display_name="Priya Raman")
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    spring = await make_session(db, venue="Hilton Cincinnati Netherland Plaza")
    fall = await make_session(
        db,
        season=Season.FALL,
        year=2013,
        starts_on=date(2013, 9, 26),
        ends_on=date(2013, 9, 28),
        timezone="America/Chicago",
        venue="Hyatt Regency Chicago",
    )
    panel = await make_item(
        db,
        spring,
        "Parent panel",
        "2014-04-04 10:00",
        "2014-04-04 11:00",
        room="Hall of Mirrors",
        description="How centers can engage families in QI.",
    )
    await assign(db, panel, priya, AgendaPart.MODERATOR)
    await assign(db, panel, dana, AgendaPart.PANELIST)
    keynote = await make_item(db, spring, "Keynote", "2014-04-03 09:00", "2014-04-03 10:00")
    await assign(db, keynote, sam, AgendaPart.SPEAKER)
    await make_item(
        db, spring, "Lunch", "2014-04-04 12:00", "2014-04-04 13:00", kind=AgendaItemKind.BREAK
    )
    await make_item(db, fall, "Welcome", "2013-09-26 10:00", "2013-09-26 11:00")
    await make_registration(db, spring, dana)
    await make_registration(db, fall, sam, part=RegistrationPart.SPEAKER)
    tokens = {
        "dana": await token_for(db, dana),
        "sam": await token_for(db, sam),
        "staff": await token_for(db, staff),
    }
    return World(spring, fall, dana, sam, staff, tokens)


async def create_feed(client: GraphQLClient, token: str) -> dict[str, Any]:
    payload: dict[str, Any] = (await client.data(CREATE, token=token))["createCalendarFeed"]
    assert payload["userErrors"] == [], payload
    return payload


def mine_path(payload: dict[str, Any]) -> str:
    return urlsplit(str(payload["mineUrl"])).path


def session_path(payload: dict[str, Any], session: LearningSession) -> str:
    calendar_path = f"/learning-sessions/{to_global_id('LearningSession', session.id)}/agenda.ics"
    return urlsplit(str(payload["baseUrl"])).path + calendar_path


def events_by_summary(content: bytes) -> dict[str, Component]:
    calendar = Calendar.from_ical(content)
    return {str(event["SUMMARY"]): event for event in calendar.walk("VEVENT")}


async def test_a_feed_is_made_once_with_its_urls_and_only_its_hash_is_kept(
    db: Database, client: GraphQLClient, settings: Settings, world: World, clock: FakeClock
) -> None:
    assert (await client.data(FEED, token=world.tokens["dana"])) == {
        "viewer": {"calendarFeed": None}
    }
    payload = await create_feed(client, world.tokens["dana"])
    base = payload["baseUrl"]
    assert base.startswith(settings.public_url.rstrip("/") + "/calendar/icncal_")
    assert payload["mineUrl"] == base + "/mine.ics"
    secret = urlsplit(base).path.removeprefix("/calendar/")
    assert len(secret) >= len("icncal_") + 43  # 256 bits, base64url
    feed = payload["calendarFeed"]
    assert datetime.fromisoformat(feed["createdAt"]) == clock.now
    assert feed["lastUsedAt"] is None
    # The payload's viewer is the caller, with the new feed: a client cache needs nothing more.
    assert payload["viewer"] == {
        "id": to_global_id("Person", world.dana.id),
        "calendarFeed": {"id": feed["id"]},
    }
    assert (await client.data(FEED, token=world.tokens["dana"]))["viewer"]["calendarFeed"] == feed

    async with db.session() as session:
        stored = (await session.scalars(select(CalendarFeed))).one()
    assert stored.token_hash == hash_token(secret)
    everything = repr(await snapshot(db))
    assert secret not in everything
    assert secret.removeprefix("icncal_")[:16] not in everything


async def test_mine_has_the_owners_sessions_and_parts_and_nobody_elses(
    db: Database, client: GraphQLClient, world: World
) -> None:
    dana = await create_feed(client, world.tokens["dana"])
    response = await client.http.get(mine_path(dana))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.headers["cache-control"] == "private, no-cache"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert 'filename="my-learning-sessions.ics"' in response.headers["content-disposition"]

    calendar = Calendar.from_ical(response.content)
    assert str(calendar["X-WR-CALNAME"]) == "Test Network: my Learning Sessions"
    events = events_by_summary(response.content)
    # Her trip and her panel; not the keynote, the lunch, nor a session she is not part of.
    assert set(events) == {"Spring 2014 Learning Session", "Parent panel"}
    trip = events["Spring 2014 Learning Session"]
    assert trip.decoded("DTSTART") == date(2014, 4, 3)
    assert trip.decoded("DTEND") == date(2014, 4, 6)  # the day after the last, as RFC 5545 says
    assert str(trip["LOCATION"]) == "Hilton Cincinnati Netherland Plaza"
    assert str(trip["DESCRIPTION"]) == "Registered as attendee."
    assert str(trip["TRANSP"]) == "TRANSPARENT"
    panel = events["Parent panel"]
    start = panel.decoded("DTSTART")
    assert start == datetime(2014, 4, 4, 10, 0, tzinfo=NEW_YORK)
    assert str(panel["DTSTART"].params["TZID"]) == "America/New_York"
    assert str(panel["DESCRIPTION"]) == (
        "Spring 2014 Learning Session\n"
        "Your part: Panelist\n"
        "How centers can engage families in QI.\n"
        "Moderator: Priya Raman\n"
        "Panelist: Dana Whitfield"
    )
    assert str(panel["LOCATION"]) == "Hilton Cincinnati Netherland Plaza, Hall of Mirrors"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]

    # Sam's feed: his Fall 2013 registration and his keynote (the session he speaks at, though
    # not registered), none of Dana's.
    sam = await create_feed(client, world.tokens["sam"])
    content = (await client.http.get(mine_path(sam))).content
    events = events_by_summary(content)
    assert set(events) == {
        "Fall 2013 Learning Session",
        "Spring 2014 Learning Session",
        "Keynote",
    }
    assert str(events["Fall 2013 Learning Session"]["DESCRIPTION"]) == "Registered as speaker."
    assert "DESCRIPTION" not in events["Spring 2014 Learning Session"]
    assert b"Dana" not in content
    assert b"Parent panel" not in content
    zones = {str(tz["TZID"]) for tz in Calendar.from_ical(content).walk("VTIMEZONE")}
    assert zones == {"America/New_York"}  # Fall 2013's only event is all-day: no zone needed


async def test_a_sessions_feed_is_what_the_bearer_endpoint_answers_the_owner(
    client: GraphQLClient, world: World
) -> None:
    payload = await create_feed(client, world.tokens["dana"])
    for row in (world.spring, world.fall):
        path = session_path(payload, row)
        by_feed = await client.http.get(path)
        assert by_feed.status_code == 200
        assert by_feed.headers["referrer-policy"] == "no-referrer"
        bearer_path = path.split("/", 3)[3]
        by_token = await client.http.get(
            "/" + bearer_path, headers={"Authorization": f"Bearer {world.tokens['dana']}"}
        )
        assert by_token.status_code == 200
        assert by_feed.content == by_token.content
        assert by_feed.headers["content-type"] == by_token.headers["content-type"]
        assert by_feed.headers["content-disposition"] == by_token.headers["content-disposition"]
    assert set(events_by_summary(by_feed.content)) == {"Welcome"}


@pytest.mark.parametrize(
    "session_id",
    [
        pytest.param(to_global_id("LearningSession", 9999), id="unknown"),
        pytest.param(to_global_id("Center", 1), id="another-type"),
        pytest.param("%20not-an-id", id="malformed"),
    ],
)
async def test_a_live_feed_and_an_unknown_session_is_404(
    client: GraphQLClient, world: World, session_id: str
) -> None:
    payload = await create_feed(client, world.tokens["dana"])
    path = urlsplit(str(payload["baseUrl"])).path + f"/learning-sessions/{session_id}/agenda.ics"
    response = await client.http.get(path)
    assert response.status_code == 404
    assert response.json()["errors"][0] == {
        "message": "No Learning Session has that ID.",
        "extensions": {"code": "NOT_FOUND"},
    }


async def dead_answers(client: GraphQLClient, secret: str, world: World) -> list[Any]:
    """What both of a feed's addresses answer, headers that matter included."""
    answers: list[Any] = []
    session_id = to_global_id("LearningSession", world.spring.id)
    for path in (
        f"/calendar/{secret}/mine.ics",
        f"/calendar/{secret}/learning-sessions/{session_id}/agenda.ics",
    ):
        response = await client.http.get(path)
        answers.append(
            (
                response.status_code,
                response.json(),
                response.headers["content-type"],
                response.headers["referrer-policy"],
            )
        )
    return answers


async def test_unknown_revoked_reset_and_deactivated_feeds_get_one_and_the_same_404(
    db: Database, client: GraphQLClient, world: World
) -> None:
    never = await dead_answers(client, "icncal_" + "x" * 43, world)
    assert never[0] == (
        404,
        {
            "errors": [
                {
                    "message": "No calendar feed has this address: it may have been reset or "
                    "revoked.",
                    "extensions": {"code": "NOT_FOUND"},
                }
            ]
        },
        "application/json",
        "no-referrer",
    )
    assert never[1] == never[0]
    assert await dead_answers(client, "not-even-a-feed", world) == never
    assert await dead_answers(client, "icncal_" + "y" * 200, world) == never

    # Revoked by its owner.
    revoked = await create_feed(client, world.tokens["dana"])
    assert (await client.http.get(mine_path(revoked))).status_code == 200
    data = await client.data(REVOKE, token=world.tokens["dana"])
    assert data["revokeCalendarFeed"] == {
        "revokedCalendarFeedId": revoked["calendarFeed"]["id"],
        "viewer": {"id": to_global_id("Person", world.dana.id), "calendarFeed": None},
        "userErrors": [],
    }
    assert await dead_answers(client, secret_of(revoked), world) == never

    # Reset: the old address is dead at once, the new one works.
    old = await create_feed(client, world.tokens["sam"])
    new = await create_feed(client, world.tokens["sam"])
    assert new["calendarFeed"]["id"] != old["calendarFeed"]["id"]
    assert await dead_answers(client, secret_of(old), world) == never
    assert (await client.http.get(mine_path(new))).status_code == 200
    async with db.session() as session:
        live = await session.scalars(
            select(CalendarFeed).where(
                CalendarFeed.person_id == world.sam.id, CalendarFeed.revoked_at.is_(None)
            )
        )
        assert [row.id for row in live] == [(_pk(new["calendarFeed"]["id"]))]

    # Deactivated: revoked with every token, and it stays dead when the person comes back.
    deactivate = (
        "mutation($id: ID!) { deactivatePerson(input: {id: $id}) { userErrors { field } } }"
    )
    sam_id = to_global_id("Person", world.sam.id)
    await client.data(deactivate, {"id": sam_id}, token=world.tokens["staff"])
    assert await dead_answers(client, secret_of(new), world) == never
    async with db.session() as session:
        row = await session.get(CalendarFeed, (_pk(new["calendarFeed"]["id"])))
        assert row is not None
        assert row.revoked_at is not None
    reactivate = (
        "mutation($id: ID!) { reactivatePerson(input: {id: $id}) { userErrors { field } } }"
    )
    await client.data(reactivate, {"id": sam_id}, token=world.tokens["staff"])
    assert await dead_answers(client, secret_of(new), world) == never


async def test_a_deactivated_owners_live_feed_finds_nothing_either(
    db: Database, client: GraphQLClient, world: World
) -> None:
    """Deactivation revokes the feed; the lookup checks the owner too, as bearer tokens do."""
    payload = await create_feed(client, world.tokens["dana"])
    async with db.transaction() as session:
        person = await session.get(Person, world.dana.id)
        assert person is not None
        person.deactivated_at = datetime.now(UTC)  # not through deactivatePerson: feed live
    assert (await client.http.get(mine_path(payload))).status_code == 404
    assert (await client.http.get(session_path(payload, world.spring))).status_code == 404


def secret_of(payload: dict[str, Any]) -> str:
    return urlsplit(str(payload["baseUrl"])).path.removeprefix("/calendar/")


def _pk(global_id: str) -> int:
    return parse_global_id(global_id)[1]


async def test_staff_revoke_anyones_feed_others_only_their_own(
    db: Database, client: GraphQLClient, world: World
) -> None:
    payload = await create_feed(client, world.tokens["dana"])
    dana_id = to_global_id("Person", world.dana.id)

    before = await snapshot(db)
    body = await client.execute(REVOKE, {"input": {"personId": dana_id}}, token=world.tokens["sam"])
    assert error_codes(body) == ["FORBIDDEN"]
    assert body["errors"][0]["message"] == (
        "Only network staff can revoke another person's calendar feed."
    )
    assert await snapshot(db) == before
    # Naming yourself is the same as naming nobody.
    sam_id = to_global_id("Person", world.sam.id)
    refused = await client.data(REVOKE, {"input": {"personId": sam_id}}, token=world.tokens["sam"])
    assert refused["revokeCalendarFeed"]["userErrors"] == [
        {
            "field": "personId",
            "message": "You have no calendar feed to revoke.",
            "code": "NOT_FOUND",
        }
    ]
    malformed = await client.data(
        REVOKE, {"input": {"personId": "nope"}}, token=world.tokens["staff"]
    )
    assert [(e["field"], e["code"]) for e in malformed["revokeCalendarFeed"]["userErrors"]] == [
        ("personId", "INVALID")
    ]
    assert await snapshot(db) == before

    data = await client.data(REVOKE, {"input": {"personId": dana_id}}, token=world.tokens["staff"])
    result = data["revokeCalendarFeed"]
    assert result["revokedCalendarFeedId"] == payload["calendarFeed"]["id"]
    assert result["viewer"]["id"] == to_global_id("Person", world.staff.id)
    assert (await client.http.get(mine_path(payload))).status_code == 404
    again = await client.data(REVOKE, {"input": {"personId": dana_id}}, token=world.tokens["staff"])
    assert again["revokeCalendarFeed"]["userErrors"] == [
        {
            "field": "personId",
            "message": "That person has no calendar feed to revoke.",
            "code": "NOT_FOUND",
        }
    ]
    assert (await client.data(FEED, token=world.tokens["dana"]))["viewer"]["calendarFeed"] is None


async def test_token_revoke_stops_the_feed_too_unless_it_names_a_label(
    db: Database, client: GraphQLClient, world: World
) -> None:
    """What ``icn-graph token revoke --email`` does (a stolen laptop): the feed's address stops
    with the tokens. ``--label`` picks tokens, and a feed has no label: it is kept."""
    dana = await create_feed(client, world.tokens["dana"])
    sam = await create_feed(client, world.tokens["sam"])

    labelled = await revoke_tokens_of(db, world.dana.email, "test")
    assert labelled == Revoked(world.dana.id, tokens=1, calendar_feeds=0)
    assert (await client.http.get(mine_path(dana))).status_code == 200

    revoked = await revoke_tokens_of(db, world.dana.email.upper())
    assert revoked == Revoked(world.dana.id, tokens=0, calendar_feeds=1)
    assert (await client.http.get(mine_path(dana))).status_code == 404
    assert (await client.http.get(session_path(dana, world.spring))).status_code == 404
    async with db.session() as session:
        row = await session.get(CalendarFeed, _pk(dana["calendarFeed"]["id"]))
        assert row is not None
        assert row.revoked_at is not None
    # Nobody else's.
    assert (await client.http.get(mine_path(sam))).status_code == 200
    again = await revoke_tokens_of(db, world.dana.email)
    assert again == Revoked(world.dana.id, tokens=0, calendar_feeds=0)


async def test_personal_access_tokens_cannot_make_a_feed(
    db: Database, client: GraphQLClient, world: World
) -> None:
    tokens = {}
    for read_only in (True, False):
        made = await client.data(
            CREATE_PAT,
            {"input": {"name": f"script {read_only}", "readOnly": read_only}},
            token=world.tokens["dana"],
        )
        tokens[read_only] = made["createPersonalAccessToken"]["token"]
        # Each reads whether there is a feed (and its first use is written now, not below).
        feed = await client.data(FEED, token=tokens[read_only])
        assert feed == {"viewer": {"calendarFeed": None}}

    before = await snapshot(db)
    body = await client.execute(CREATE, token=tokens[True])
    assert body["data"] is None
    assert error_codes(body) == ["FORBIDDEN"]
    assert "read-only" in body["errors"][0]["message"]
    body = await client.execute(CREATE, token=tokens[False])
    assert error_codes(body) == ["FORBIDDEN"]
    assert body["errors"][0]["message"] == (
        "A personal access token cannot make a calendar feed: make it from a signed-in session "
        "(requestSignIn, then the mailed link)."
    )
    assert await snapshot(db) == before


async def test_a_feed_is_no_bearer_token_and_needs_none(
    client: GraphQLClient, world: World
) -> None:
    payload = await create_feed(client, world.tokens["dana"])
    body = await client.execute(FEED, token=secret_of(payload))
    assert error_codes(body) == ["UNAUTHENTICATED"]
    # A header sent along changes nothing: the address alone decides.
    response = await client.http.get(
        mine_path(payload), headers={"Authorization": "Bearer icn_garbage"}
    )
    assert response.status_code == 200


async def test_last_use_is_written_at_most_once_a_minute(
    db: Database,
    client: GraphQLClient,
    world: World,
    clock: FakeClock,
    statements: StatementCounter,
) -> None:
    payload = await create_feed(client, world.tokens["dana"])
    created = clock.now
    clock.advance(minutes=5)
    first_use = clock.now

    async def last_used() -> str | None:
        data = await client.data(FEED, token=world.tokens["dana"])
        value: str | None = data["viewer"]["calendarFeed"]["lastUsedAt"]
        return value

    statements.reset()
    assert (await client.http.get(mine_path(payload))).status_code == 200
    assert sum(s.lstrip().upper().startswith("UPDATE") for s in statements.statements) == 1
    assert await last_used() == first_use.isoformat()

    clock.advance(seconds=59)
    statements.reset()
    assert (await client.http.get(session_path(payload, world.spring))).status_code == 200
    assert not any(s.lstrip().upper().startswith("UPDATE") for s in statements.statements)
    assert await last_used() == first_use.isoformat()

    clock.advance(seconds=1)
    assert (await client.http.head(mine_path(payload))).status_code == 200
    assert await last_used() == clock.now.isoformat()
    assert created < first_use


async def test_head_works_and_other_methods_are_a_json_405(
    client: GraphQLClient, world: World
) -> None:
    payload = await create_feed(client, world.tokens["dana"])
    for path in (mine_path(payload), session_path(payload, world.spring)):
        head = await client.http.head(path)
        assert head.status_code == 200
        assert head.headers["content-type"] == "text/calendar; charset=utf-8"
        assert head.headers["referrer-policy"] == "no-referrer"
        for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
            response = await client.http.request(method, path)
            assert response.status_code == 405, method
            assert response.headers["allow"] == "GET, HEAD"
            assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    # Unknown secrets too: the method is refused before the address is looked at.
    response = await client.http.post("/calendar/icncal_nothing/mine.ics")
    assert response.status_code == 405


async def _sessions_with_parts(db: Database, person: Person, first_year: int, count: int) -> None:
    """``count`` sessions the person is registered for, each with two items they are on."""
    others = [await make_person(db, PersonKind.CLINICIAN) for _ in range(2)]
    for index in range(count):
        year = first_year + index
        row = await make_session(
            db, year=year, starts_on=date(year, 4, 3), ends_on=date(year, 4, 5)
        )
        await make_registration(db, row, person)
        for slot, other in enumerate(others):
            item = await make_item(
                db,
                row,
                f"Panel {year}-{slot}",
                f"{year}-04-04 1{slot}:00",
                f"{year}-04-04 1{slot}:30",
            )
            await assign(db, item, person, AgendaPart.PANELIST)
            await assign(db, item, other, AgendaPart.MODERATOR)


async def test_mine_costs_the_same_statements_for_one_session_or_five(
    db: Database, client: GraphQLClient, statements: StatementCounter
) -> None:
    counts = []
    for first_year, count in ((2000, 1), (2010, 5)):
        person = await make_person(db, PersonKind.PARENT_PARTNER)
        await _sessions_with_parts(db, person, first_year, count)
        payload = await create_feed(client, await token_for(db, person))
        await client.http.get(mine_path(payload))  # the first use is written: not counted
        statements.reset()
        response = await client.http.get(mine_path(payload))
        assert response.status_code == 200
        events = events_by_summary(response.content)
        assert len(events) == count * 3
        counts.append(statements.count)
    # The feed and its owner; the sessions; the items with the owner's part; their people.
    assert counts == [4, 4], statements.statements


async def test_an_empty_feed_is_a_valid_calendar(db: Database, client: GraphQLClient) -> None:
    person = await make_person(db, PersonKind.NURSE)
    payload = await create_feed(client, await token_for(db, person))
    response = await client.http.get(mine_path(payload))
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    assert calendar.walk("VEVENT") == []
