"""Agenda items: adding, editing, removing, and putting people on them (conflicts aside: see
test_learning_sessions_conflicts.py)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from icn_graph.db.database import Database
from icn_graph.events import Event, SubjectRef
from icn_graph.ids import parse_global_id
from icn_graph.models import (
    AgendaAssignment,
    AgendaItem,
    AgendaPart,
    LearningSession,
    NetworkRole,
    Person,
    PersonKind,
)
from icn_graph.schema.relay import to_global_id
from icn_graph.services.learning_sessions.events import (
    AgendaItemAssigned,
    AgendaItemRemoved,
    AgendaItemUpdated,
)
from tests.helpers import GraphQLClient, error_codes, make_person, token_for
from tests.learning_sessions.test_learning_sessions_factories import (
    ADD_ITEM,
    ASSIGN,
    UPDATE_ITEM,
    assign,
    make_item,
    make_session,
    snapshot,
)

REMOVE = """
mutation($input: RemoveAgendaItemInput!) {
  removeAgendaItem(input: $input) { removedAgendaItemId userErrors { field message code } }
}"""

UNASSIGN = """
mutation($input: UnassignFromAgendaItemInput!) {
  unassignFromAgendaItem(input: $input) {
    agendaItem { people { part person { displayName } } }
    userErrors { field message code }
  }
}"""


@dataclass(frozen=True)
class Setup:
    token: str
    session: LearningSession
    dana: Person
    priya: Person


@pytest.fixture
async def setup(db: Database) -> Setup:
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    dana = await make_person(db, PersonKind.PARENT_PARTNER, display_name="Dana Whitfield")
    priya = await make_person(db, PersonKind.CLINICIAN, display_name="Priya Raman")
    return Setup(await token_for(db, staff), await make_session(db), dana, priya)


async def test_add_an_item_with_an_instant_and_read_it_back(
    db: Database, client: GraphQLClient, setup: Setup
) -> None:
    variables = {
        "input": {
            "learningSessionId": to_global_id("LearningSession", setup.session.id),
            "title": "  Parent panel ",
            "kind": "PANEL",
            "startsAt": "2014-04-04T14:00:00Z",
            "endsAt": "2014-04-04T15:00:00Z",
            "room": "Hall of Mirrors",
        }
    }
    data = await client.data(ADD_ITEM, variables, token=setup.token)
    assert data["addAgendaItem"]["userErrors"] == []
    item = data["addAgendaItem"]["agendaItem"]
    assert item | {"id": None} == {
        "id": None,
        "title": "Parent panel",
        "kind": "PANEL",
        "startsAt": "2014-04-04T14:00:00+00:00",
        "endsAt": "2014-04-04T15:00:00+00:00",
        "localStartsAt": "2014-04-04T10:00:00-04:00",
        "room": "Hall of Mirrors",
        "durationMinutes": 60,
    }


async def test_adding_to_an_unknown_session_names_the_field(
    db: Database, client: GraphQLClient, setup: Setup
) -> None:
    variables = {
        "input": {
            "learningSessionId": to_global_id("LearningSession", 999),
            "title": "",
            "kind": "PANEL",
            "startsAt": "2014-04-04T10:00:00",
            "endsAt": "2014-04-04T11:00:00",
        }
    }
    data = await client.data(ADD_ITEM, variables, token=setup.token)
    assert [(e["field"], e["code"]) for e in data["addAgendaItem"]["userErrors"]] == [
        ("title", "REQUIRED"),
        ("learningSessionId", "NOT_FOUND"),
    ]


async def test_update_edits_text_and_clears_the_room(
    db: Database, client: GraphQLClient, setup: Setup
) -> None:
    item = await make_item(
        db, setup.session, "Panel", "2014-04-04 10:00", "2014-04-04 11:00", room="A"
    )
    variables = {
        "input": {"id": to_global_id("AgendaItem", item.id), "title": "Parent panel", "room": ""}
    }
    data = await client.data(UPDATE_ITEM, variables, token=setup.token)
    assert data["updateAgendaItem"]["userErrors"] == []
    assert data["updateAgendaItem"]["agendaItem"]["title"] == "Parent panel"
    assert data["updateAgendaItem"]["agendaItem"]["room"] is None
    # Moving only the end keeps the start.
    variables = {"input": {"id": to_global_id("AgendaItem", item.id), "endsAt": "2014-04-04T11:30"}}
    data = await client.data(UPDATE_ITEM, variables, token=setup.token)
    moved = data["updateAgendaItem"]["agendaItem"]
    assert (moved["startsAt"], moved["endsAt"]) == (
        "2014-04-04T14:00:00+00:00",
        "2014-04-04T15:30:00+00:00",
    )


async def test_assign_and_unassign(db: Database, client: GraphQLClient, setup: Setup) -> None:
    item = await make_item(
        db, setup.session, "Parent panel", "2014-04-04 10:00", "2014-04-04 11:00"
    )
    item_id = to_global_id("AgendaItem", item.id)
    for person, part in ((setup.dana, "PANELIST"), (setup.priya, "MODERATOR")):
        data = await client.data(
            ASSIGN,
            {
                "input": {
                    "agendaItemId": item_id,
                    "personId": to_global_id("Person", person.id),
                    "part": part,
                }
            },
            token=setup.token,
        )
        assert data["assignToAgendaItem"]["userErrors"] == []
    # The moderator is listed before the panelists.
    assert data["assignToAgendaItem"]["agendaItem"]["people"] == [
        {"part": "MODERATOR", "person": {"displayName": "Priya Raman"}},
        {"part": "PANELIST", "person": {"displayName": "Dana Whitfield"}},
    ]
    again = await client.data(
        ASSIGN,
        {
            "input": {
                "agendaItemId": item_id,
                "personId": to_global_id("Person", setup.dana.id),
                "part": "SPEAKER",
            }
        },
        token=setup.token,
    )
    assert again["assignToAgendaItem"]["userErrors"] == [
        {
            "field": "personId",
            "message": "Dana Whitfield is already on 'Parent panel' as PANELIST.",
            "code": "TAKEN",
        }
    ]
    data = await client.data(
        UNASSIGN,
        {"input": {"agendaItemId": item_id, "personId": to_global_id("Person", setup.dana.id)}},
        token=setup.token,
    )
    assert data["unassignFromAgendaItem"] == {
        "agendaItem": {"people": [{"part": "MODERATOR", "person": {"displayName": "Priya Raman"}}]},
        "userErrors": [],
    }
    # The person as they are now, so a client cache drops the item from their agendaItems.
    data = await client.data(
        ASSIGN,
        {
            "input": {
                "agendaItemId": item_id,
                "personId": to_global_id("Person", setup.dana.id),
                "part": "PANELIST",
            }
        },
        token=setup.token,
    )
    data = await client.data(
        """
        mutation($input: UnassignFromAgendaItemInput!) {
          unassignFromAgendaItem(input: $input) { person { id agendaItems { id } } }
        }""",
        {"input": {"agendaItemId": item_id, "personId": to_global_id("Person", setup.dana.id)}},
        token=setup.token,
    )
    assert data["unassignFromAgendaItem"]["person"] == {
        "id": to_global_id("Person", setup.dana.id),
        "agendaItems": [],
    }
    data = await client.data(
        UNASSIGN,
        {"input": {"agendaItemId": item_id, "personId": to_global_id("Person", setup.dana.id)}},
        token=setup.token,
    )
    assert [(e["field"], e["code"]) for e in data["unassignFromAgendaItem"]["userErrors"]] == [
        ("personId", "NOT_FOUND")
    ]


async def test_assigning_an_unknown_person_or_item(
    db: Database, client: GraphQLClient, setup: Setup
) -> None:
    item = await make_item(db, setup.session, "Panel", "2014-04-04 10:00", "2014-04-04 11:00")
    before = await snapshot(db)
    data = await client.data(
        ASSIGN,
        {
            "input": {
                "agendaItemId": to_global_id("AgendaItem", item.id),
                "personId": to_global_id("Person", 9999),
                "part": "SPEAKER",
            }
        },
        token=setup.token,
    )
    assert [(e["field"], e["code"]) for e in data["assignToAgendaItem"]["userErrors"]] == [
        ("personId", "NOT_FOUND")
    ]
    body = await client.execute(
        ASSIGN,
        {
            "input": {
                "agendaItemId": to_global_id("AgendaItem", 9999),
                "personId": to_global_id("Person", setup.dana.id),
                "part": "SPEAKER",
            }
        },
        token=setup.token,
    )
    assert error_codes(body) == ["NOT_FOUND"]
    assert await snapshot(db) == before


async def test_removing_an_item_removes_its_people_too(
    db: Database, client: GraphQLClient, setup: Setup
) -> None:
    item = await make_item(db, setup.session, "Panel", "2014-04-04 10:00", "2014-04-04 11:00")
    keep = await make_item(db, setup.session, "Plenary", "2014-04-04 11:00", "2014-04-04 12:00")
    await assign(db, item, setup.dana)
    await assign(db, keep, setup.dana, AgendaPart.SPEAKER)
    item_id = to_global_id("AgendaItem", item.id)
    data = await client.data(REMOVE, {"input": {"id": item_id}}, token=setup.token)
    assert data["removeAgendaItem"] == {"removedAgendaItemId": item_id, "userErrors": []}
    async with db.session() as session:
        assert await session.get(AgendaItem, item.id) is None
        remaining = list(await session.scalars(select(AgendaAssignment.agenda_item_id)))
        assert remaining == [keep.id]
        assert await session.scalar(select(func.count()).select_from(AgendaItem)) == 1
    body = await client.execute(REMOVE, {"input": {"id": item_id}}, token=setup.token)
    assert error_codes(body) == ["NOT_FOUND"]


async def test_removing_an_item_answers_the_session_a_client_cache_shows(
    db: Database, client: GraphQLClient, setup: Setup
) -> None:
    """Apollo Client drops the item from the session's agenda from the payload alone."""
    item = await make_item(db, setup.session, "Panel", "2014-04-04 10:00", "2014-04-04 11:00")
    keep = await make_item(db, setup.session, "Plenary", "2014-04-04 11:00", "2014-04-04 12:00")
    data = await client.data(
        """
        mutation($input: RemoveAgendaItemInput!) {
          removeAgendaItem(input: $input) { learningSession { id agenda { id } } }
        }""",
        {"input": {"id": to_global_id("AgendaItem", item.id)}},
        token=setup.token,
    )
    assert data["removeAgendaItem"]["learningSession"] == {
        "id": to_global_id("LearningSession", setup.session.id),
        "agenda": [{"id": to_global_id("AgendaItem", keep.id)}],
    }


async def test_agenda_changes_record_events(
    db: Database, client: GraphQLClient, setup: Setup
) -> None:
    seen: list[Event] = []
    forward = db.event_sink
    assert forward is not None

    def sink(events: list[Event]) -> None:
        seen.extend(events)
        forward(events)

    db.event_sink = sink
    try:
        data = await client.data(
            ADD_ITEM,
            {
                "input": {
                    "learningSessionId": to_global_id("LearningSession", setup.session.id),
                    "title": "Parent panel",
                    "kind": "PANEL",
                    "startsAt": "2014-04-04T10:00",
                    "endsAt": "2014-04-04T11:00",
                }
            },
            token=setup.token,
        )
        item_id = data["addAgendaItem"]["agendaItem"]["id"]
        person_id = to_global_id("Person", setup.dana.id)
        assignment = {"agendaItemId": item_id, "personId": person_id}
        await client.data(ASSIGN, {"input": assignment | {"part": "PANELIST"}}, token=setup.token)
        await client.data(UPDATE_ITEM, {"input": {"id": item_id, "room": "B"}}, token=setup.token)
        await client.data(UNASSIGN, {"input": assignment}, token=setup.token)
        await client.data(REMOVE, {"input": {"id": item_id}}, token=setup.token)
    finally:
        db.event_sink = forward
    assert [event.type for event in seen] == [
        "agenda_item.added",
        "agenda_item.assigned",
        "agenda_item.updated",
        "agenda_item.unassigned",
        "agenda_item.removed",
    ]
    assert {event.subject_id for event in seen} == {item_id}
    session_ref = SubjectRef("LearningSession", setup.session.id)
    assert seen[1].data == AgendaItemAssigned(
        agenda_item=SubjectRef("AgendaItem", parse_global_id(item_id)[1]),
        title="Parent panel",
        learning_session=session_ref,
        session_title=setup.session.title,
        person=SubjectRef("Person", setup.dana.id),
        person_name="Dana Whitfield",
        part=AgendaPart.PANELIST,
    )
    updated = seen[2].data
    assert isinstance(updated, AgendaItemUpdated)
    assert [(c.field, c.new) for c in updated.changes] == [("room", "B")]
    removed = seen[4].data  # the item is gone: the event still says what it was
    assert isinstance(removed, AgendaItemRemoved)
    assert (removed.title, removed.learning_session) == ("Parent panel", session_ref)


async def test_descriptions_may_span_lines_but_titles_may_not(
    db: Database, client: GraphQLClient, setup: Setup
) -> None:
    item = await make_item(db, setup.session, "Panel", "2014-04-04 10:00", "2014-04-04 11:00")
    query = (
        "mutation($input: UpdateAgendaItemInput!) { updateAgendaItem(input: $input) {"
        " agendaItem { description } userErrors { field code } } }"
    )
    item_id = to_global_id("AgendaItem", item.id)
    data = await client.data(
        query,
        {"input": {"id": item_id, "description": "Objectives:\r\n- listen\n- act\t(now)"}},
        token=setup.token,
    )
    assert data["updateAgendaItem"] == {
        "agendaItem": {"description": "Objectives:\n- listen\n- act\t(now)"},
        "userErrors": [],
    }
    data = await client.data(
        query,
        {"input": {"id": item_id, "title": "Two\nlines", "description": "bell\x07"}},
        token=setup.token,
    )
    assert data["updateAgendaItem"]["userErrors"] == [
        {"field": "title", "code": "INVALID"},
        {"field": "description", "code": "INVALID"},
    ]
