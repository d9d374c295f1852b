"""Learning Sessions: creating and editing them, the listing, reading them back, and events."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from icn_graph.db.database import Database
from icn_graph.events import Event
from icn_graph.models import LearningSessionStatus, PersonKind, Season
from icn_graph.schema.relay import to_global_id
from icn_graph.services.learning_sessions.events import (
    LearningSessionCreated,
    LearningSessionUpdated,
)
from tests.helpers import GraphQLClient, error_codes, make_center, make_person, token_for
from tests.learning_sessions.test_learning_sessions_factories import (
    CREATE_SESSION,
    assign,
    make_item,
    make_session,
    snapshot,
)

UPDATE_SESSION = """
mutation($input: UpdateLearningSessionInput!) {
  updateLearningSession(input: $input) {
    learningSession {
      id title season year startsOn endsOn venue timezone status objectives priorities
    }
    userErrors { field message code }
  }
}"""

LIST = """
query($first: Int, $after: String, $filter: LearningSessionFilter, $order: LearningSessionOrder) {
  learningSessions(first: $first, after: $after, filter: $filter, orderBy: $order) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { title status startsOn }
  }
}"""


def spring_2014(**fields: Any) -> dict[str, Any]:
    return {
        "input": {
            "season": "SPRING",
            "year": 2014,
            "startsOn": "2014-04-03",
            "endsOn": "2014-04-05",
            "venue": "Hilton Cincinnati Netherland Plaza",
            "timezone": "America/New_York",
        }
        | fields
    }


@pytest.fixture
async def member_token(db: Database) -> str:
    center = await make_center(db)
    return await token_for(db, await make_person(db, PersonKind.NURSE, center=center))


# --- creating ---------------------------------------------------------------------------------


async def test_create_with_defaults_and_normalized_tags(
    db: Database, client: GraphQLClient, staff_token: str
) -> None:
    variables = spring_2014(
        objectives=["  Engage families in QI ", "Share remission data"],
        priorities=["Family Engagement", "family   engagement", " Remission "],
    )
    data = await client.data(CREATE_SESSION, variables, token=staff_token)
    payload = data["createLearningSession"]
    assert payload["userErrors"] == []
    session = payload["learningSession"]
    assert session | {"id": None} == {
        "id": None,
        "title": "Spring 2014 Learning Session",
        "season": "SPRING",
        "year": 2014,
        "startsOn": "2014-04-03",
        "endsOn": "2014-04-05",
        "venue": "Hilton Cincinnati Netherland Plaza",
        "timezone": "America/New_York",
        "status": "PLANNING",
        "objectives": ["Engage families in QI", "Share remission data"],
        "priorities": ["family engagement", "remission"],
    }


async def test_every_bad_field_is_reported_and_nothing_written(
    db: Database, client: GraphQLClient, staff_token: str
) -> None:
    before = await snapshot(db)
    variables = spring_2014(
        year=1850,
        endsOn="2014-04-01",
        venue="  ",
        timezone="Mars/Olympus_Mons",
        objectives=["fine", ""],
    )
    data = await client.data(CREATE_SESSION, variables, token=staff_token)
    payload = data["createLearningSession"]
    assert payload["learningSession"] is None
    assert [(error["field"], error["code"]) for error in payload["userErrors"]] == [
        ("year", "INVALID"),
        ("endsOn", "INVALID"),
        ("venue", "REQUIRED"),
        ("timezone", "INVALID"),
        ("objectives[1]", "REQUIRED"),
    ]
    assert await snapshot(db) == before


async def test_a_session_lasts_at_most_two_weeks(
    db: Database, client: GraphQLClient, staff_token: str
) -> None:
    data = await client.data(CREATE_SESSION, spring_2014(endsOn="2014-05-03"), token=staff_token)
    assert data["createLearningSession"]["userErrors"][0]["field"] == "endsOn"


async def test_one_session_per_season_and_year(
    db: Database, client: GraphQLClient, staff_token: str
) -> None:
    await make_session(db)
    before = await snapshot(db)
    data = await client.data(CREATE_SESSION, spring_2014(title="Again"), token=staff_token)
    assert data["createLearningSession"] == {
        "learningSession": None,
        "userErrors": [
            {
                "field": "year",
                "message": "There is already a Learning Session for Spring 2014.",
                "code": "TAKEN",
            }
        ],
    }
    assert await snapshot(db) == before
    fall = await client.data(CREATE_SESSION, spring_2014(season="FALL"), token=staff_token)
    assert fall["createLearningSession"]["learningSession"]["title"] == "Fall 2014 Learning Session"


# --- editing ----------------------------------------------------------------------------------


async def test_update_changes_only_what_is_given(
    db: Database, client: GraphQLClient, staff_token: str
) -> None:
    row = await make_session(db)
    variables = {
        "input": {
            "id": to_global_id("LearningSession", row.id),
            "status": "REGISTRATION_OPEN",
            "priorities": ["Data Sharing"],
        }
    }
    data = await client.data(UPDATE_SESSION, variables, token=staff_token)
    session = data["updateLearningSession"]["learningSession"]
    assert session["status"] == "REGISTRATION_OPEN"
    assert session["priorities"] == ["data sharing"]
    assert session["objectives"] == ["Engage families in QI"]
    assert session["title"] == "Spring 2014 Learning Session"


async def test_update_cannot_take_another_sessions_season(
    db: Database, client: GraphQLClient, staff_token: str
) -> None:
    await make_session(db)
    fall = await make_session(db, season=Season.FALL)
    variables = {"input": {"id": to_global_id("LearningSession", fall.id), "season": "SPRING"}}
    data = await client.data(UPDATE_SESSION, variables, token=staff_token)
    errors = data["updateLearningSession"]["userErrors"]
    assert [(error["field"], error["code"]) for error in errors] == [("year", "TAKEN")]


@pytest.mark.parametrize(
    ("session_id", "code"),
    [
        pytest.param(to_global_id("LearningSession", 999), "NOT_FOUND", id="unknown"),
        pytest.param(to_global_id("Center", 1), "BAD_USER_INPUT", id="wrong-type"),
        pytest.param("not an id", "BAD_USER_INPUT", id="malformed"),
    ],
)
async def test_update_of_a_missing_session_is_an_error(
    db: Database, client: GraphQLClient, staff_token: str, session_id: str, code: str
) -> None:
    body = await client.execute(
        UPDATE_SESSION, {"input": {"id": session_id, "venue": "X"}}, token=staff_token
    )
    assert error_codes(body) == [code]


# --- the listing ------------------------------------------------------------------------------


async def _sessions(db: Database) -> None:
    for year in range(2010, 2015):
        await make_session(
            db,
            season=Season.SPRING,
            year=year,
            starts_on=date(year, 4, 3),
            ends_on=date(year, 4, 5),
            status=LearningSessionStatus.COMPLETE
            if year < 2014
            else LearningSessionStatus.PLANNING,
        )
        await make_session(
            db,
            season=Season.FALL,
            year=year,
            starts_on=date(year, 10, 1),
            ends_on=date(year, 10, 3),
            status=LearningSessionStatus.COMPLETE,
        )


async def test_the_listing_is_newest_first_and_pages_by_keyset(
    db: Database, client: GraphQLClient, member_token: str
) -> None:
    await _sessions(db)
    titles: list[str] = []
    after: str | None = None
    while True:
        data = await client.data(LIST, {"first": 3, "after": after}, token=member_token)
        listing = data["learningSessions"]
        assert listing["totalCount"] == 10
        titles += [node["title"] for node in listing["nodes"]]
        if not listing["pageInfo"]["hasNextPage"]:
            break
        after = listing["pageInfo"]["endCursor"]
    assert titles == [
        f"{season} {year} Learning Session"
        for year in range(2014, 2009, -1)
        for season in ("Fall", "Spring")
    ]


async def test_the_listing_filters_and_orders(
    db: Database, client: GraphQLClient, member_token: str
) -> None:
    await _sessions(db)
    data = await client.data(LIST, {"filter": {"status": "PLANNING"}}, token=member_token)
    assert [node["title"] for node in data["learningSessions"]["nodes"]] == [
        "Spring 2014 Learning Session"
    ]
    data = await client.data(
        LIST, {"filter": {"year": 2012}, "order": {"direction": "ASC"}}, token=member_token
    )
    assert [node["title"] for node in data["learningSessions"]["nodes"]] == [
        "Spring 2012 Learning Session",
        "Fall 2012 Learning Session",
    ]


async def test_a_cursor_from_another_ordering_is_refused(
    db: Database, client: GraphQLClient, member_token: str
) -> None:
    await _sessions(db)
    data = await client.data(LIST, {"first": 1}, token=member_token)
    cursor = data["learningSessions"]["pageInfo"]["endCursor"]
    body = await client.execute(
        LIST, {"after": cursor, "order": {"direction": "ASC"}}, token=member_token
    )
    assert error_codes(body) == ["BAD_USER_INPUT"]
    body = await client.execute(LIST, {"after": "garbage"}, token=member_token)
    assert error_codes(body) == ["BAD_USER_INPUT"]


# --- reading ----------------------------------------------------------------------------------


async def test_members_read_agendas_in_time_order_and_refetch_by_id(
    db: Database, client: GraphQLClient, member_token: str
) -> None:
    row = await make_session(db)
    dana = await make_person(db, PersonKind.PARENT_PARTNER, display_name="Dana Whitfield")
    later = await make_item(db, row, "Closing", "2014-04-05 10:00", "2014-04-05 11:00")
    earlier = await make_item(db, row, "Parent panel", "2014-04-04 10:00", "2014-04-04 11:00")
    await assign(db, earlier, dana)
    await assign(db, later, dana)
    session_id = to_global_id("LearningSession", row.id)
    data = await client.data(
        """query($id: ID!, $person: ID!) {
          node(id: $id) {
            ... on LearningSession {
              title calendarPath
              agenda { title session { title } people { part person { displayName } } }
            }
          }
          person: node(id: $person) { ... on Person { agendaItems { title localStartsAt } } }
        }""",
        {"id": session_id, "person": to_global_id("Person", dana.id)},
        token=member_token,
    )
    assert data["node"]["calendarPath"] == f"/learning-sessions/{session_id}/agenda.ics"
    assert [item["title"] for item in data["node"]["agenda"]] == ["Parent panel", "Closing"]
    assert data["node"]["agenda"][0]["session"] == {"title": "Spring 2014 Learning Session"}
    assert data["node"]["agenda"][0]["people"] == [
        {"part": "PANELIST", "person": {"displayName": "Dana Whitfield"}}
    ]
    assert data["person"]["agendaItems"] == [
        {"title": "Parent panel", "localStartsAt": "2014-04-04T10:00:00-04:00"},
        {"title": "Closing", "localStartsAt": "2014-04-05T10:00:00-04:00"},
    ]
    item = await client.data(
        "query($id: ID!) { node(id: $id) { ... on AgendaItem { title } } }",
        {"id": to_global_id("AgendaItem", later.id)},
        token=member_token,
    )
    assert item["node"] == {"title": "Closing"}


@pytest.mark.parametrize("token", [None, "icn_garbage"], ids=["anonymous", "garbage-token"])
async def test_anonymous_cannot_read_sessions(
    db: Database, client: GraphQLClient, token: str | None
) -> None:
    await make_session(db)
    body = await client.execute("{ learningSessions { nodes { title } } }", token=token)
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert "Spring" not in str(body["data"])


# --- events -----------------------------------------------------------------------------------


async def test_each_change_records_its_event(
    db: Database, client: GraphQLClient, staff_token: str
) -> None:
    seen: list[Event] = []
    forward = db.event_sink
    assert forward is not None

    def sink(events: list[Event]) -> None:
        seen.extend(events)
        forward(events)

    db.event_sink = sink
    try:
        data = await client.data(CREATE_SESSION, spring_2014(), token=staff_token)
        session_id = data["createLearningSession"]["learningSession"]["id"]
        await client.data(
            UPDATE_SESSION, {"input": {"id": session_id, "venue": "Elsewhere"}}, token=staff_token
        )
        refused = await client.data(
            UPDATE_SESSION, {"input": {"id": session_id, "venue": " "}}, token=staff_token
        )
        assert refused["updateLearningSession"]["userErrors"]
    finally:
        db.event_sink = forward
    assert [(event.type, event.subject_id) for event in seen] == [
        ("learning_session.created", session_id),
        ("learning_session.updated", session_id),
    ]
    created, updated = (event.data for event in seen)
    assert isinstance(created, LearningSessionCreated)
    assert (created.season, created.year) == (Season.SPRING, 2014)
    assert isinstance(updated, LearningSessionUpdated)
    assert [(c.field, c.new) for c in updated.changes] == [("venue", "Elsewhere")]
    assert updated.changes[0].old != "Elsewhere"
