"""Registrations: who may register whom and when, cancelling, attendance, the registrations
connection, and the attendance mix by kind of person."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select

from icn_graph.db.database import Database
from icn_graph.models import (
    LearningSessionStatus,
    NetworkRole,
    Person,
    PersonKind,
    Registration,
    RegistrationPart,
)
from icn_graph.schema.relay import to_global_id
from icn_graph.services.learning_sessions.attendance import MIX_ORDER
from tests.helpers import GraphQLClient, error_codes, make_center, make_person, token_for
from tests.learning_sessions.test_learning_sessions_factories import (
    REGISTER,
    make_registration,
    make_session,
    snapshot,
)

CANCEL = """
mutation($input: CancelRegistrationInput!) {
  cancelRegistration(input: $input) { cancelledRegistrationId userErrors { field message code } }
}"""

MARK = """
mutation($input: MarkAttendedInput!) {
  markAttended(input: $input) { registration { id attended } userErrors { field message code } }
}"""

MIX = """
query($id: ID!) {
  node(id: $id) {
    ... on LearningSession {
      attendanceMix { registered attended byKind { kind label registered attended } }
    }
  }
}"""


async def _member(db: Database, kind: PersonKind = PersonKind.NURSE) -> tuple[Person, str]:
    center = await make_center(db)
    person = await make_person(db, kind, center=center)
    return person, await token_for(db, person)


async def _staff(db: Database) -> tuple[Person, str]:
    person = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    return person, await token_for(db, person)


def _register(session_id: int, **fields: Any) -> dict[str, Any]:
    return {"input": {"learningSessionId": to_global_id("LearningSession", session_id)} | fields}


async def test_a_member_registers_themselves_as_an_attendee(
    db: Database, client: GraphQLClient
) -> None:
    row = await make_session(db)
    person, token = await _member(db)
    data = await client.data(REGISTER, _register(row.id), token=token)
    payload = data["register"]
    assert payload["userErrors"] == []
    assert payload["registration"]["part"] == "ATTENDEE"
    assert payload["registration"]["attended"] is False
    assert payload["registration"]["person"]["id"] == to_global_id("Person", person.id)
    # Twice is refused, blaming the field the client sent: the session (no personId was sent).
    again = await client.data(REGISTER, _register(row.id), token=token)
    assert again["register"]["userErrors"] == [
        {
            "field": "learningSessionId",
            "code": "TAKEN",
            "message": f"You are already registered for '{row.title}'.",
        }
    ]
    # Naming oneself as personId blames personId.
    named = _register(row.id, personId=to_global_id("Person", person.id))
    by_id = await client.data(REGISTER, named, token=token)
    assert [(e["field"], e["code"]) for e in by_id["register"]["userErrors"]] == [
        ("personId", "TAKEN")
    ]


async def test_staff_registering_someone_twice_is_told_who(
    db: Database, client: GraphQLClient
) -> None:
    row = await make_session(db)
    person, _ = await _member(db)
    _, staff_token = await _staff(db)
    named = _register(row.id, personId=to_global_id("Person", person.id))
    first = await client.data(REGISTER, named, token=staff_token)
    assert first["register"]["userErrors"] == []
    again = await client.data(REGISTER, named, token=staff_token)
    assert again["register"]["userErrors"] == [
        {
            "field": "personId",
            "code": "TAKEN",
            "message": f"{person.display_name} is already registered for '{row.title}'.",
        }
    ]


@pytest.mark.parametrize(
    ("status", "open_to_members"),
    [
        (LearningSessionStatus.PLANNING, True),
        (LearningSessionStatus.REGISTRATION_OPEN, True),
        (LearningSessionStatus.IN_PROGRESS, False),
        (LearningSessionStatus.COMPLETE, False),
    ],
)
async def test_members_register_only_while_registration_is_open_staff_always(
    db: Database, client: GraphQLClient, status: LearningSessionStatus, open_to_members: bool
) -> None:
    row = await make_session(db, status=status)
    member, token = await _member(db)
    _, staff_token = await _staff(db)
    before = await snapshot(db)
    data = await client.data(REGISTER, _register(row.id), token=token)
    errors = data["register"]["userErrors"]
    if open_to_members:
        assert errors == []
    else:
        assert [(e["field"], e["code"]) for e in errors] == [("learningSessionId", "INVALID")]
        assert "closed" in errors[0]["message"]
        assert await snapshot(db) == before
        # Staff can still register them (a walk-in), with any part.
        data = await client.data(
            REGISTER,
            _register(row.id, personId=to_global_id("Person", member.id), part="SPEAKER"),
            token=staff_token,
        )
        assert data["register"]["userErrors"] == []
        assert data["register"]["registration"]["part"] == "SPEAKER"


async def test_members_cannot_choose_a_speaker_or_staff_part(
    db: Database, client: GraphQLClient
) -> None:
    row = await make_session(db)
    _, token = await _member(db)
    before = await snapshot(db)
    data = await client.data(REGISTER, _register(row.id, part="STAFF"), token=token)
    assert [(e["field"], e["code"]) for e in data["register"]["userErrors"]] == [
        ("part", "INVALID")
    ]
    assert await snapshot(db) == before


async def test_registering_an_unknown_person_or_session(
    db: Database, client: GraphQLClient
) -> None:
    row = await make_session(db)
    _, staff_token = await _staff(db)
    data = await client.data(
        REGISTER, _register(row.id, personId=to_global_id("Person", 9999)), token=staff_token
    )
    assert [(e["field"], e["code"]) for e in data["register"]["userErrors"]] == [
        ("personId", "NOT_FOUND")
    ]
    body = await client.execute(REGISTER, _register(9999), token=staff_token)
    assert error_codes(body) == ["NOT_FOUND"]


async def test_cancelling_own_registration_until_registration_closes(
    db: Database, client: GraphQLClient
) -> None:
    row = await make_session(db)
    member, token = await _member(db)
    mine = await make_registration(db, row, member)
    data = await client.data(
        CANCEL, {"input": {"id": to_global_id("Registration", mine.id)}}, token=token
    )
    assert data["cancelRegistration"] == {
        "cancelledRegistrationId": to_global_id("Registration", mine.id),
        "userErrors": [],
    }
    async with db.session() as session:
        assert await session.get(Registration, mine.id) is None

    closed = await make_session(
        db, year=2015, status=LearningSessionStatus.IN_PROGRESS, title="Spring 2015"
    )
    late = await make_registration(db, closed, member)
    before = await snapshot(db)
    data = await client.data(
        CANCEL, {"input": {"id": to_global_id("Registration", late.id)}}, token=token
    )
    assert [(e["field"], e["code"]) for e in data["cancelRegistration"]["userErrors"]] == [
        ("id", "INVALID")
    ]
    assert await snapshot(db) == before


async def test_cancelling_answers_the_session_and_viewer_a_client_cache_shows(
    db: Database, client: GraphQLClient
) -> None:
    """Apollo Client updates the session's registrations and the viewer's from the payload."""
    row = await make_session(db)
    member, token = await _member(db)
    mine = await make_registration(db, row, member)
    data = await client.data(
        """
        mutation($input: CancelRegistrationInput!) {
          cancelRegistration(input: $input) {
            learningSession { id registrations { totalCount } attendanceMix { registered } }
            viewer { id registrations { id } }
          }
        }""",
        {"input": {"id": to_global_id("Registration", mine.id)}},
        token=token,
    )
    assert data["cancelRegistration"] == {
        "learningSession": {
            "id": to_global_id("LearningSession", row.id),
            "registrations": {"totalCount": 0},
            "attendanceMix": {"registered": 0},
        },
        "viewer": {"id": to_global_id("Person", member.id), "registrations": []},
    }


async def test_an_attended_registration_cannot_be_cancelled(
    db: Database, client: GraphQLClient
) -> None:
    row = await make_session(db, status=LearningSessionStatus.COMPLETE)
    member, _ = await _member(db)
    _, staff_token = await _staff(db)
    came = await make_registration(db, row, member, attended=True)
    data = await client.data(
        CANCEL, {"input": {"id": to_global_id("Registration", came.id)}}, token=staff_token
    )
    assert [(e["field"], e["code"]) for e in data["cancelRegistration"]["userErrors"]] == [
        ("id", "INVALID")
    ]


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        (LearningSessionStatus.PLANNING, False),
        (LearningSessionStatus.REGISTRATION_OPEN, False),
        (LearningSessionStatus.IN_PROGRESS, True),
        (LearningSessionStatus.COMPLETE, True),
    ],
)
async def test_attendance_is_taken_once_the_session_is_under_way(
    db: Database, client: GraphQLClient, status: LearningSessionStatus, allowed: bool
) -> None:
    row = await make_session(db, status=status)
    member, _ = await _member(db)
    _, staff_token = await _staff(db)
    registration = await make_registration(db, row, member)
    registration_id = to_global_id("Registration", registration.id)
    data = await client.data(MARK, {"input": {"id": registration_id}}, token=staff_token)
    payload = data["markAttended"]
    if allowed:
        assert payload == {
            "registration": {"id": registration_id, "attended": True},
            "userErrors": [],
        }
        cleared = await client.data(
            MARK, {"input": {"id": registration_id, "attended": False}}, token=staff_token
        )
        assert cleared["markAttended"]["registration"]["attended"] is False
    else:
        assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [("id", "INVALID")]


async def test_the_registrations_connection_filters_and_pages(
    db: Database, client: GraphQLClient
) -> None:
    row = await make_session(db, status=LearningSessionStatus.COMPLETE)
    _, token = await _member(db)
    people = [await make_person(db, PersonKind.CLINICIAN) for _ in range(7)]
    for index, person in enumerate(people):
        await make_registration(
            db,
            row,
            person,
            attended=index % 2 == 0,
            part=RegistrationPart.SPEAKER if index == 3 else RegistrationPart.ATTENDEE,
        )
    query = """
    query($id: ID!, $after: String, $filter: RegistrationFilter) {
      node(id: $id) {
        ... on LearningSession {
          registrations(first: 3, after: $after, filter: $filter) {
            totalCount
            pageInfo { hasNextPage endCursor }
            nodes { part attended person { id } }
          }
        }
      }
    }"""
    session_id = to_global_id("LearningSession", row.id)
    seen: list[str] = []
    after: str | None = None
    while True:
        data = await client.data(query, {"id": session_id, "after": after}, token=token)
        connection = data["node"]["registrations"]
        assert connection["totalCount"] == 7
        seen += [node["person"]["id"] for node in connection["nodes"]]
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
    assert seen == [to_global_id("Person", person.id) for person in people]

    data = await client.data(query, {"id": session_id, "filter": {"attended": True}}, token=token)
    assert data["node"]["registrations"]["totalCount"] == 4
    data = await client.data(query, {"id": session_id, "filter": {"part": "SPEAKER"}}, token=token)
    assert data["node"]["registrations"]["nodes"] == [
        {
            "part": "SPEAKER",
            "attended": False,
            "person": {"id": to_global_id("Person", people[3].id)},
        }
    ]


def test_the_mix_covers_every_kind_of_person() -> None:
    assert sorted(MIX_ORDER) == sorted(PersonKind)
    assert len(MIX_ORDER) == len(set(MIX_ORDER))


async def test_attendance_mix_counts_by_kind_with_totals(
    db: Database, client: GraphQLClient
) -> None:
    row = await make_session(db, status=LearningSessionStatus.COMPLETE)
    other = await make_session(db, year=2015, title="Spring 2015")
    _, token = await _member(db, PersonKind.QI_LEAD)
    plan = [
        (PersonKind.PARENT_PARTNER, True),
        (PersonKind.PARENT_PARTNER, True),
        (PersonKind.PARENT_PARTNER, False),
        (PersonKind.PATIENT_PARTNER, True),
        (PersonKind.CLINICIAN, True),
        (PersonKind.CLINICIAN, False),
        (PersonKind.STAFF, True),
    ]
    for kind, attended in plan:
        person = await make_person(db, kind)
        await make_registration(db, row, person, attended=attended)
        await make_registration(db, other, person)  # another session: not counted here
    data = await client.data(MIX, {"id": to_global_id("LearningSession", row.id)}, token=token)
    mix = data["node"]["attendanceMix"]
    assert (mix["registered"], mix["attended"]) == (7, 5)
    rows = {entry["kind"]: entry for entry in mix["byKind"]}
    assert [entry["kind"] for entry in mix["byKind"]] == [kind.value for kind in MIX_ORDER]
    assert rows["PARENT_PARTNER"] == {
        "kind": "PARENT_PARTNER",
        "label": "Parents",
        "registered": 3,
        "attended": 2,
    }
    assert rows["CLINICIAN"]["label"] == "Physicians"
    assert (rows["CLINICIAN"]["registered"], rows["CLINICIAN"]["attended"]) == (2, 1)
    assert (rows["PATIENT_PARTNER"]["registered"], rows["PATIENT_PARTNER"]["attended"]) == (1, 1)
    assert (rows["NURSE"]["registered"], rows["NURSE"]["attended"]) == (0, 0)
    # The totals are the sums of the rows, and agree with the stored registrations.
    assert sum(entry["registered"] for entry in mix["byKind"]) == mix["registered"]
    async with db.session() as session:
        stored = Counter(
            await session.scalars(
                select(Registration.attended).where(Registration.session_id == row.id)
            )
        )
    assert stored == Counter({True: 5, False: 2})
