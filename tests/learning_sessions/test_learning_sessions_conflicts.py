"""Scheduling conflicts are userErrors with code CONFLICT, naming what they collide with, and
nothing is written: a person on two overlapping items (on assign and on move), a room booked
twice, an item outside the session's days in its time zone. BREAKs are exempt; touching
intervals do not overlap."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from icn_graph.db.database import Database
from icn_graph.models import (
    AgendaItem,
    AgendaItemKind,
    AgendaPart,
    LearningSession,
    NetworkRole,
    Person,
    PersonKind,
)
from icn_graph.schema.relay import to_global_id
from tests.helpers import GraphQLClient, make_person, token_for
from tests.learning_sessions.test_learning_sessions_factories import (
    ADD_ITEM,
    ASSIGN,
    UPDATE_ITEM,
    assign,
    make_item,
    make_session,
    snapshot,
)


@dataclass(frozen=True)
class Planner:
    token: str
    session: LearningSession
    dana: Person

    @property
    def session_id(self) -> str:
        return to_global_id("LearningSession", self.session.id)


@pytest.fixture
async def planner(db: Database) -> Planner:
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    dana = await make_person(db, PersonKind.PARENT_PARTNER, display_name="Dana Whitfield")
    session = await make_session(db)  # 2014-04-03 to 2014-04-05, America/New_York
    return Planner(await token_for(db, staff), session, dana)


def item_input(planner: Planner, **fields: Any) -> dict[str, Any]:
    return {
        "input": {
            "learningSessionId": planner.session_id,
            "title": "Breakout",
            "kind": "BREAKOUT",
            "startsAt": "2014-04-04T10:30:00",
            "endsAt": "2014-04-04T11:30:00",
        }
        | fields
    }


async def refused(
    client: GraphQLClient, db: Database, query: str, variables: dict[str, Any], token: str
) -> list[dict[str, Any]]:
    """The userErrors of a refused mutation, after checking it wrote nothing."""
    before = await snapshot(db)
    data = await client.data(query, variables, token=token)
    (payload,) = data.values()
    assert payload["agendaItem"] is None, payload
    assert await snapshot(db) == before
    errors: list[dict[str, Any]] = payload["userErrors"]
    return errors


# --- a person on two overlapping items --------------------------------------------------------


async def test_assigning_a_double_booked_person_names_the_other_item(
    db: Database, client: GraphQLClient, planner: Planner
) -> None:
    panel = await make_item(
        db, planner.session, "Parent panel", "2014-04-04 10:00", "2014-04-04 11:00"
    )
    await assign(db, panel, planner.dana)
    breakout = await make_item(
        db,
        planner.session,
        "Family engagement breakout",
        "2014-04-04 10:30",
        "2014-04-04 11:30",
        kind=AgendaItemKind.BREAKOUT,
    )
    variables = {
        "input": {
            "agendaItemId": to_global_id("AgendaItem", breakout.id),
            "personId": to_global_id("Person", planner.dana.id),
            "part": "FACILITATOR",
        }
    }
    errors = await refused(client, db, ASSIGN, variables, planner.token)
    assert errors == [
        {
            "field": "personId",
            "message": "Dana Whitfield is already on 'Parent panel' 10:00\u201311:00.",
            "code": "CONFLICT",
        }
    ]


async def test_moving_an_item_onto_a_persons_other_item_is_a_conflict(
    db: Database, client: GraphQLClient, planner: Planner
) -> None:
    panel = await make_item(
        db, planner.session, "Parent panel", "2014-04-04 10:00", "2014-04-04 11:00"
    )
    workshop = await make_item(
        db,
        planner.session,
        "Co-design workshop",
        "2014-04-04 13:00",
        "2014-04-04 14:00",
        kind=AgendaItemKind.WORKSHOP,
    )
    await assign(db, panel, planner.dana)
    await assign(db, workshop, planner.dana, AgendaPart.FACILITATOR)
    variables = {
        "input": {
            "id": to_global_id("AgendaItem", workshop.id),
            "startsAt": "2014-04-04T10:45:00-04:00",
            "endsAt": "2014-04-04T11:45:00-04:00",
        }
    }
    errors = await refused(client, db, UPDATE_ITEM, variables, planner.token)
    assert errors == [
        {
            "field": "startsAt",
            "message": "Dana Whitfield is already on 'Parent panel' 10:00\u201311:00.",
            "code": "CONFLICT",
        }
    ]
    # Moving it next to the panel instead is fine.
    variables["input"] |= {"startsAt": "2014-04-04T11:00:00", "endsAt": "2014-04-04T12:00:00"}
    data = await client.data(UPDATE_ITEM, variables, token=planner.token)
    assert data["updateAgendaItem"]["userErrors"] == []
    assert data["updateAgendaItem"]["agendaItem"]["startsAt"] == "2014-04-04T15:00:00+00:00"


async def test_a_person_may_be_on_overlapping_items_of_different_sessions(
    db: Database, client: GraphQLClient, planner: Planner
) -> None:
    from icn_graph.models import Season

    other = await make_session(db, season=Season.FALL, year=2014)
    mine = await make_item(
        db, planner.session, "Parent panel", "2014-04-04 10:00", "2014-04-04 11:00"
    )
    theirs = await make_item(db, other, "Parent panel", "2014-04-04 10:00", "2014-04-04 11:00")
    await assign(db, theirs, planner.dana)
    variables = {
        "input": {
            "agendaItemId": to_global_id("AgendaItem", mine.id),
            "personId": to_global_id("Person", planner.dana.id),
            "part": "PANELIST",
        }
    }
    data = await client.data(ASSIGN, variables, token=planner.token)
    assert data["assignToAgendaItem"]["userErrors"] == []


# --- a room booked twice ----------------------------------------------------------------------


async def test_a_room_booked_twice_is_a_conflict(
    db: Database, client: GraphQLClient, planner: Planner
) -> None:
    await make_item(
        db,
        planner.session,
        "Opening plenary",
        "2014-04-04 10:00",
        "2014-04-04 10:45",
        kind=AgendaItemKind.PLENARY,
        room="Grand Ballroom",
    )
    errors = await refused(
        client, db, ADD_ITEM, item_input(planner, room=" grand ballroom "), planner.token
    )
    assert errors == [
        {
            "field": "room",
            "message": "Room 'grand ballroom' is already booked for 'Opening plenary' "
            "10:00\u201310:45.",
            "code": "CONFLICT",
        }
    ]
    # Another room at the same time is fine.
    data = await client.data(ADD_ITEM, item_input(planner, room="Salon B"), token=planner.token)
    assert data["addAgendaItem"]["userErrors"] == []


async def test_changing_the_room_into_a_booked_one_is_a_conflict(
    db: Database, client: GraphQLClient, planner: Planner
) -> None:
    await make_item(
        db, planner.session, "Plenary", "2014-04-04 10:00", "2014-04-04 11:00", room="A"
    )
    other = await make_item(
        db, planner.session, "Panel", "2014-04-04 10:30", "2014-04-04 11:30", room="B"
    )
    variables = {"input": {"id": to_global_id("AgendaItem", other.id), "room": "A"}}
    errors = await refused(client, db, UPDATE_ITEM, variables, planner.token)
    assert [(error["field"], error["code"]) for error in errors] == [("room", "CONFLICT")]
    assert "'Plenary' 10:00\u201311:00" in errors[0]["message"]


# --- inside the session's days, in its time zone ----------------------------------------------


async def test_an_item_late_on_the_last_day_is_inside_though_utc_says_the_next_day(
    db: Database, client: GraphQLClient, planner: Planner
) -> None:
    # 23:30 in New York on 2014-04-05 (the last day) is 03:30Z on 2014-04-06.
    variables = item_input(
        planner, title="Night owls", startsAt="2014-04-05T23:30:00", endsAt="2014-04-06T00:00:00"
    )
    data = await client.data(ADD_ITEM, variables, token=planner.token)
    payload = data["addAgendaItem"]
    assert payload["userErrors"] == []
    assert payload["agendaItem"]["startsAt"] == "2014-04-06T03:30:00+00:00"
    assert payload["agendaItem"]["localStartsAt"] == "2014-04-05T23:30:00-04:00"


async def test_an_item_past_midnight_on_the_last_day_is_outside(
    db: Database, client: GraphQLClient, planner: Planner
) -> None:
    variables = item_input(
        planner, title="Too late", startsAt="2014-04-05T23:30:00", endsAt="2014-04-06T00:30:00"
    )
    errors = await refused(client, db, ADD_ITEM, variables, planner.token)
    assert errors == [
        {
            "field": "endsAt",
            "message": "'Too late' would run 2014-04-05 23:30\u20132014-04-06 00:30 "
            "(America/New_York), outside the session's dates (2014-04-03 to 2014-04-05).",
            "code": "CONFLICT",
        }
    ]


async def test_an_item_early_on_the_first_day_in_utc_is_still_the_day_before_locally(
    db: Database, client: GraphQLClient, planner: Planner
) -> None:
    # 02:00Z on 2014-04-03 is 22:00 on 2014-04-02 in New York: before the session.
    variables = item_input(planner, startsAt="2014-04-03T02:00:00Z", endsAt="2014-04-03T03:00:00Z")
    errors = await refused(client, db, ADD_ITEM, variables, planner.token)
    assert [(error["field"], error["code"]) for error in errors] == [("startsAt", "CONFLICT")]
    assert "2014-04-02 22:00\u201323:00" in errors[0]["message"]


async def test_moving_an_item_outside_the_dates_is_a_conflict(
    db: Database, client: GraphQLClient, planner: Planner
) -> None:
    item = await make_item(db, planner.session, "Panel", "2014-04-04 10:00", "2014-04-04 11:00")
    variables = {
        "input": {
            "id": to_global_id("AgendaItem", item.id),
            "startsAt": "2014-04-07T10:00:00",
            "endsAt": "2014-04-07T11:00:00",
        }
    }
    errors = await refused(client, db, UPDATE_ITEM, variables, planner.token)
    assert [(error["field"], error["code"]) for error in errors] == [("startsAt", "CONFLICT")]


async def test_shrinking_the_session_around_its_agenda_is_a_conflict(
    db: Database, client: GraphQLClient, planner: Planner
) -> None:
    await make_item(db, planner.session, "Closing plenary", "2014-04-05 11:00", "2014-04-05 12:00")
    before = await snapshot(db)
    data = await client.data(
        "mutation($input: UpdateLearningSessionInput!) { updateLearningSession(input: $input) {"
        " learningSession { id } userErrors { field message code } } }",
        {"input": {"id": planner.session_id, "endsOn": "2014-04-04"}},
        token=planner.token,
    )
    payload = data["updateLearningSession"]
    assert payload["learningSession"] is None
    assert [(error["field"], error["code"]) for error in payload["userErrors"]] == [
        ("endsOn", "CONFLICT")
    ]
    assert "'Closing plenary'" in payload["userErrors"][0]["message"]
    assert await snapshot(db) == before


async def test_moving_the_session_to_another_time_zone_rechecks_the_agenda(
    db: Database, client: GraphQLClient, planner: Planner
) -> None:
    # 23:30 New York on the last day is 20:30 in Los Angeles (inside) but 05:30 next day in
    # Berlin (outside).
    await make_item(db, planner.session, "Night owls", "2014-04-05 23:00", "2014-04-05 23:30")
    query = (
        "mutation($input: UpdateLearningSessionInput!) { updateLearningSession(input: $input) {"
        " learningSession { timezone } userErrors { field code } } }"
    )
    data = await client.data(
        query,
        {"input": {"id": planner.session_id, "timezone": "Europe/Berlin"}},
        token=planner.token,
    )
    assert data["updateLearningSession"]["userErrors"] == [
        {"field": "timezone", "code": "CONFLICT"}
    ]
    data = await client.data(
        query,
        {"input": {"id": planner.session_id, "timezone": "America/Los_Angeles"}},
        token=planner.token,
    )
    assert data["updateLearningSession"] == {
        "learningSession": {"timezone": "America/Los_Angeles"},
        "userErrors": [],
    }


# --- exemptions and edges ---------------------------------------------------------------------


async def test_touching_intervals_do_not_conflict(
    db: Database, client: GraphQLClient, planner: Planner
) -> None:
    first = await make_item(
        db, planner.session, "Parent panel", "2014-04-04 10:00", "2014-04-04 11:00", room="Ballroom"
    )
    await assign(db, first, planner.dana)
    data = await client.data(
        ADD_ITEM,
        item_input(
            planner, room="Ballroom", startsAt="2014-04-04T11:00:00", endsAt="2014-04-04T12:00:00"
        ),
        token=planner.token,
    )
    assert data["addAgendaItem"]["userErrors"] == []
    second = data["addAgendaItem"]["agendaItem"]["id"]
    variables = {
        "input": {
            "agendaItemId": second,
            "personId": to_global_id("Person", planner.dana.id),
            "part": "SPEAKER",
        }
    }
    data = await client.data(ASSIGN, variables, token=planner.token)
    assert data["assignToAgendaItem"]["userErrors"] == []
    assert data["assignToAgendaItem"]["agendaItem"]["people"] == [
        {"part": "SPEAKER", "person": {"displayName": "Dana Whitfield"}}
    ]


async def test_breaks_overlap_anything(
    db: Database, client: GraphQLClient, planner: Planner
) -> None:
    await make_item(
        db, planner.session, "Plenary", "2014-04-04 10:00", "2014-04-04 11:00", room="Ballroom"
    )
    data = await client.data(
        ADD_ITEM,
        item_input(
            planner,
            title="Coffee",
            kind="BREAK",
            room="Ballroom",
            startsAt="2014-04-04T10:30:00",
            endsAt="2014-04-04T10:45:00",
        ),
        token=planner.token,
    )
    assert data["addAgendaItem"]["userErrors"] == []
    # And nothing conflicts with a break: a plenary may take the room over it.
    data = await client.data(
        ADD_ITEM,
        item_input(
            planner,
            title="Second plenary",
            room="ballroom",
            startsAt="2014-04-04T11:00:00",
            endsAt="2014-04-04T11:30:00",
        ),
        token=planner.token,
    )
    assert data["addAgendaItem"]["userErrors"] == []


async def test_breaks_have_no_people(db: Database, client: GraphQLClient, planner: Planner) -> None:
    coffee = await make_item(
        db,
        planner.session,
        "Coffee",
        "2014-04-04 10:30",
        "2014-04-04 10:45",
        kind=AgendaItemKind.BREAK,
    )
    variables = {
        "input": {
            "agendaItemId": to_global_id("AgendaItem", coffee.id),
            "personId": to_global_id("Person", planner.dana.id),
            "part": "SPEAKER",
        }
    }
    errors = await refused(client, db, ASSIGN, variables, planner.token)
    assert [(error["field"], error["code"]) for error in errors] == [("agendaItemId", "INVALID")]

    panel = await make_item(db, planner.session, "Panel", "2014-04-04 11:00", "2014-04-04 12:00")
    await assign(db, panel, planner.dana)
    variables = {"input": {"id": to_global_id("AgendaItem", panel.id), "kind": "BREAK"}}
    errors = await refused(client, db, UPDATE_ITEM, variables, planner.token)
    assert [(error["field"], error["code"]) for error in errors] == [("kind", "INVALID")]


async def test_turning_a_break_into_a_session_rechecks_its_room(
    db: Database, client: GraphQLClient, planner: Planner
) -> None:
    await make_item(
        db, planner.session, "Plenary", "2014-04-04 10:00", "2014-04-04 11:00", room="A"
    )
    coffee = await make_item(
        db,
        planner.session,
        "Coffee",
        "2014-04-04 10:30",
        "2014-04-04 10:45",
        room="A",
        kind=AgendaItemKind.BREAK,
    )
    variables = {"input": {"id": to_global_id("AgendaItem", coffee.id), "kind": "POSTER"}}
    errors = await refused(client, db, UPDATE_ITEM, variables, planner.token)
    assert [(error["field"], error["code"]) for error in errors] == [("room", "CONFLICT")]


async def test_every_conflict_is_reported_at_once(
    db: Database, client: GraphQLClient, planner: Planner
) -> None:
    sam = await make_person(db, PersonKind.CLINICIAN, display_name="Sam Ortiz")
    panel = await make_item(
        db, planner.session, "Parent panel", "2014-04-04 10:00", "2014-04-04 11:00", room="A"
    )
    await assign(db, panel, planner.dana)
    await assign(db, panel, sam, AgendaPart.MODERATOR)
    workshop = await make_item(
        db, planner.session, "Workshop", "2014-04-04 13:00", "2014-04-04 14:00", room="B"
    )
    await assign(db, workshop, planner.dana)
    await assign(db, workshop, sam)
    variables = {
        "input": {
            "id": to_global_id("AgendaItem", workshop.id),
            "room": "A",
            "startsAt": "2014-04-04T10:30:00",
            "endsAt": "2014-04-04T11:30:00",
        }
    }
    errors = await refused(client, db, UPDATE_ITEM, variables, planner.token)
    assert sorted((error["field"], error["message"]) for error in errors) == [
        ("room", "Room 'A' is already booked for 'Parent panel' 10:00\u201311:00."),
        ("startsAt", "Dana Whitfield is already on 'Parent panel' 10:00\u201311:00."),
        ("startsAt", "Sam Ortiz is already on 'Parent panel' 10:00\u201311:00."),
    ]
    assert {error["code"] for error in errors} == {"CONFLICT"}


async def test_times_without_an_offset_are_the_sessions_wall_clock(
    db: Database, client: GraphQLClient, planner: Planner
) -> None:
    data = await client.data(ADD_ITEM, item_input(planner), token=planner.token)
    item = data["addAgendaItem"]["agendaItem"]
    # 10:30 in New York during daylight saving time is 14:30Z.
    assert item["startsAt"] == "2014-04-04T14:30:00+00:00"
    assert item["localStartsAt"] == "2014-04-04T10:30:00-04:00"
    assert item["durationMinutes"] == 60
    async with db.session() as session:
        stored = (await session.scalars(select(AgendaItem))).one()
    assert stored.starts_at.isoformat() == "2014-04-04T14:30:00+00:00"


async def test_a_wall_clock_time_the_clocks_skip_is_refused(
    db: Database, client: GraphQLClient, planner: Planner
) -> None:
    from datetime import date

    from icn_graph.models import Season

    march = await make_session(
        db, season=Season.SPRING, year=2015, starts_on=date(2015, 3, 7), ends_on=date(2015, 3, 9)
    )
    variables = {
        "input": {
            "learningSessionId": to_global_id("LearningSession", march.id),
            "title": "Sunrise yoga",
            "kind": "WORKSHOP",
            "startsAt": "2015-03-08T02:30:00",
            "endsAt": "2015-03-08T03:30:00",
        }
    }
    errors = await refused(client, db, ADD_ITEM, variables, planner.token)
    assert errors == [
        {
            "field": "startsAt",
            "message": "2015-03-08 02:30 does not exist in America/New_York: the clocks skip it.",
            "code": "INVALID",
        }
    ]


async def test_an_item_must_end_after_it_starts(
    db: Database, client: GraphQLClient, planner: Planner
) -> None:
    variables = item_input(planner, endsAt="2014-04-04T10:30:00")
    errors = await refused(client, db, ADD_ITEM, variables, planner.token)
    assert [(error["field"], error["code"]) for error in errors] == [("endsAt", "INVALID")]
