"""Who may do what with Learning Sessions: every mutation against every kind of caller.

Staff plan sessions (sessions, agenda items, who is on them, attendance); anyone in the network
registers themselves and cancels their own registration; nobody else's without being staff;
anonymous callers are UNAUTHENTICATED. A refused call leaves every table exactly as it was; an
allowed call really writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from icn_graph.db.database import Database
from icn_graph.models import (
    AgendaAssignment,
    AgendaItem,
    AgendaPart,
    CenterRole,
    LearningSession,
    LearningSessionStatus,
    NetworkRole,
    Person,
    PersonKind,
    Registration,
    Season,
)
from icn_graph.schema.relay import to_global_id
from tests.helpers import GraphQLClient, error_codes, make_center, make_person, token_for
from tests.learning_sessions.test_learning_sessions_factories import (
    assign,
    make_item,
    make_registration,
    make_session,
    snapshot,
)

GARBAGE_TOKEN = "icn_this-token-was-never-issued-by-anyone"

ACTORS = [
    "anonymous",
    "garbage-token",
    "member-clinician",
    "parent-partner",
    "qi-lead",
    "network-data-manager",
    "staff",
    "admin",
]

CASES_BY_NAME = [
    "createLearningSession",
    "updateLearningSession",
    "addAgendaItem",
    "updateAgendaItem",
    "removeAgendaItem",
    "assignToAgendaItem",
    "unassignFromAgendaItem",
    "register-self",
    "register-other",
    "cancelRegistration-own",
    "cancelRegistration-other",
    "markAttended",
]

ALLOWED = "allowed"
UNAUTHENTICATED = "UNAUTHENTICATED"
FORBIDDEN = "FORBIDDEN"
SELF_SERVICE = {"register-self", "cancelRegistration-own"}


def expected_outcome(case: str, actor: str) -> str:
    """The rules, written out independently of the services."""
    if actor in ("anonymous", "garbage-token"):
        return UNAUTHENTICATED
    if actor in ("staff", "admin"):
        return ALLOWED
    return ALLOWED if case in SELF_SERVICE else FORBIDDEN


CASES = [
    pytest.param(case, actor, expected_outcome(case, actor), id=f"{case}-{actor}")
    for case in CASES_BY_NAME
    for actor in ACTORS
]


@dataclass(frozen=True)
class World:
    planning: LearningSession  # Spring 2014, taking registrations
    under_way: LearningSession  # Fall 2013, IN_PROGRESS: attendance is taken
    panel: AgendaItem
    doomed: AgendaItem  # removeAgendaItem's target
    moderator: Person  # on the panel: unassignFromAgendaItem's target
    newcomer: Person  # on no item, registered nowhere: assign's and register-other's target
    bystander_registration: Registration  # someone else's, on the planning session
    attendance_registration: Registration  # on the session under way
    actors: dict[str, Person]
    tokens: dict[str, str | None]


async def build_world(db: Database) -> World:
    center = await make_center(db, name="Alpha Children's", short_code="ALPHA")
    actors = {
        "member-clinician": await make_person(db, PersonKind.CLINICIAN, center=center),
        "parent-partner": await make_person(
            db, PersonKind.PARENT_PARTNER, center=center, role=CenterRole.PARENT_PARTNER
        ),
        "qi-lead": await make_person(
            db, PersonKind.QI_LEAD, center=center, role=CenterRole.QI_LEAD
        ),
        "network-data-manager": await make_person(
            db, PersonKind.DATA_MANAGER, network_role=NetworkRole.DATA_MANAGER
        ),
        "staff": await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF),
        "admin": await make_person(db, PersonKind.STAFF, network_role=NetworkRole.ADMIN),
    }
    tokens: dict[str, str | None] = {"anonymous": None, "garbage-token": GARBAGE_TOKEN}
    for key, person in actors.items():
        tokens[key] = await token_for(db, person)
    planning = await make_session(db)
    under_way = await make_session(
        db,
        season=Season.FALL,
        year=2013,
        starts_on=date(2013, 9, 26),
        ends_on=date(2013, 9, 28),
        timezone="America/Chicago",
        status=LearningSessionStatus.IN_PROGRESS,
    )
    panel = await make_item(db, planning, "Parent panel", "2014-04-04 10:00", "2014-04-04 11:00")
    doomed = await make_item(db, planning, "Cancelled talk", "2014-04-05 09:00", "2014-04-05 10:00")
    moderator = await make_person(db, PersonKind.CLINICIAN, display_name="Priya Raman")
    await assign(db, panel, moderator, AgendaPart.MODERATOR)
    newcomer = await make_person(db, PersonKind.NURSE)
    bystander = await make_person(db, PersonKind.DIETITIAN)
    return World(
        planning=planning,
        under_way=under_way,
        panel=panel,
        doomed=doomed,
        moderator=moderator,
        newcomer=newcomer,
        bystander_registration=await make_registration(db, planning, bystander),
        attendance_registration=await make_registration(db, under_way, bystander),
        actors=actors,
        tokens=tokens,
    )


@dataclass(frozen=True)
class Call:
    mutation: str
    query: str
    variables: dict[str, Any]


def _mutation(name: str, input_type: str, selection: str, variables: dict[str, Any]) -> Call:
    query = (
        f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ {selection}"
        " userErrors { field code message } } }"
    )
    return Call(name, query, {"input": variables})


async def build_call(db: Database, case: str, actor: str, world: World) -> Call:
    planning_id = to_global_id("LearningSession", world.planning.id)
    panel_id = to_global_id("AgendaItem", world.panel.id)
    if case == "createLearningSession":
        return _mutation(
            case,
            "CreateLearningSessionInput",
            "learningSession { title }",
            {
                "season": "FALL",
                "year": 2014,
                "startsOn": "2014-10-02",
                "endsOn": "2014-10-04",
                "venue": "Hyatt Regency Chicago",
                "timezone": "America/Chicago",
            },
        )
    if case == "updateLearningSession":
        return _mutation(
            case,
            "UpdateLearningSessionInput",
            "learningSession { venue }",
            {"id": planning_id, "venue": "Somewhere new"},
        )
    if case == "addAgendaItem":
        return _mutation(
            case,
            "AddAgendaItemInput",
            "agendaItem { title }",
            {
                "learningSessionId": planning_id,
                "title": "Data bootcamp",
                "kind": "WORKSHOP",
                "startsAt": "2014-04-04T13:00:00",
                "endsAt": "2014-04-04T14:00:00",
            },
        )
    if case == "updateAgendaItem":
        return _mutation(
            case,
            "UpdateAgendaItemInput",
            "agendaItem { title }",
            {"id": panel_id, "title": "Renamed"},
        )
    if case == "removeAgendaItem":
        return _mutation(
            case,
            "RemoveAgendaItemInput",
            "removedAgendaItemId",
            {"id": to_global_id("AgendaItem", world.doomed.id)},
        )
    if case == "assignToAgendaItem":
        return _mutation(
            case,
            "AssignToAgendaItemInput",
            "agendaItem { people { part } }",
            {
                "agendaItemId": panel_id,
                "personId": to_global_id("Person", world.newcomer.id),
                "part": "PANELIST",
            },
        )
    if case == "unassignFromAgendaItem":
        return _mutation(
            case,
            "UnassignFromAgendaItemInput",
            "agendaItem { people { part } }",
            {"agendaItemId": panel_id, "personId": to_global_id("Person", world.moderator.id)},
        )
    if case in ("register-self", "register-other"):
        fields: dict[str, Any] = {"learningSessionId": planning_id}
        if case == "register-other":
            fields["personId"] = to_global_id("Person", world.newcomer.id)
        return _mutation("register", "RegisterInput", "registration { part person { id } }", fields)
    if case in ("cancelRegistration-own", "cancelRegistration-other"):
        target = world.bystander_registration
        if case == "cancelRegistration-own" and actor in world.actors:
            target = await make_registration(db, world.planning, world.actors[actor])
        return _mutation(
            "cancelRegistration",
            "CancelRegistrationInput",
            "cancelledRegistrationId",
            {"id": to_global_id("Registration", target.id)},
        )
    assert case == "markAttended"
    return _mutation(
        "markAttended",
        "MarkAttendedInput",
        "registration { attended }",
        {"id": to_global_id("Registration", world.attendance_registration.id)},
    )


async def assert_written(
    db: Database, case: str, actor: str, world: World, call: Call, data: dict[str, Any]
) -> None:
    """The allowed call answered with its result and really changed the database."""
    payload = data[call.mutation]
    assert payload["userErrors"] == [], payload
    async with db.session() as session:
        if case == "createLearningSession":
            assert payload["learningSession"] == {"title": "Fall 2014 Learning Session"}
            years = set(await session.scalars(select(LearningSession.year)))
            assert years == {2013, 2014}
            assert len((await session.scalars(select(LearningSession))).all()) == 3
        elif case == "updateLearningSession":
            stored = await session.get(LearningSession, world.planning.id)
            assert stored is not None
            assert stored.venue == "Somewhere new"
        elif case == "addAgendaItem":
            titles = set(await session.scalars(select(AgendaItem.title)))
            assert "Data bootcamp" in titles
        elif case == "updateAgendaItem":
            item = await session.get(AgendaItem, world.panel.id)
            assert item is not None
            assert item.title == "Renamed"
        elif case == "removeAgendaItem":
            assert await session.get(AgendaItem, world.doomed.id) is None
            assert await session.get(AgendaItem, world.panel.id) is not None
        elif case in ("assignToAgendaItem", "unassignFromAgendaItem"):
            people = set(
                await session.scalars(
                    select(AgendaAssignment.person_id).where(
                        AgendaAssignment.agenda_item_id == world.panel.id
                    )
                )
            )
            expected = (
                {world.moderator.id, world.newcomer.id} if case == "assignToAgendaItem" else set()
            )
            assert people == expected
        elif case in ("register-self", "register-other"):
            person = world.newcomer if case == "register-other" else world.actors[actor]
            registered = (
                await session.scalars(
                    select(Registration).where(
                        Registration.session_id == world.planning.id,
                        Registration.person_id == person.id,
                    )
                )
            ).one()
            assert payload["registration"]["person"]["id"] == to_global_id("Person", person.id)
            assert registered.attended is False
        elif case in ("cancelRegistration-own", "cancelRegistration-other"):
            remaining = set(await session.scalars(select(Registration.id)))
            if case == "cancelRegistration-own":
                mine = select(Registration.id).where(
                    Registration.person_id == world.actors[actor].id
                )
                assert (await session.scalars(mine)).first() is None
                assert world.bystander_registration.id in remaining
            else:
                bystander = world.bystander_registration.id
                assert payload["cancelledRegistrationId"] == to_global_id("Registration", bystander)
                assert bystander not in remaining
        else:
            stored_registration = await session.get(Registration, world.attendance_registration.id)
            assert stored_registration is not None
            assert stored_registration.attended is True


@pytest.mark.parametrize(("case", "actor", "expected"), CASES)
async def test_mutation_authorization(
    db: Database, client: GraphQLClient, case: str, actor: str, expected: str
) -> None:
    world = await build_world(db)
    call = await build_call(db, case, actor, world)
    before = await snapshot(db)

    body = await client.execute(call.query, call.variables, token=world.tokens[actor])

    if expected == ALLOWED:
        assert "errors" not in body, body["errors"]
        await assert_written(db, case, actor, world, call, body["data"])
        return
    assert error_codes(body) == [expected], body
    assert body["data"] is None
    assert body["errors"][0]["path"] == [call.mutation]
    if actor == "garbage-token":
        assert "invalid or has been revoked" in body["errors"][0]["message"]
    # Nothing was written, anywhere.
    assert await snapshot(db) == before


def test_the_table_covers_every_session_mutation_and_role() -> None:
    from icn_graph.host import printed_schema

    mutations = {case.split("-")[0] for case in CASES_BY_NAME}
    assert mutations == {
        "createLearningSession",
        "updateLearningSession",
        "addAgendaItem",
        "updateAgendaItem",
        "removeAgendaItem",
        "assignToAgendaItem",
        "unassignFromAgendaItem",
        "register",
        "cancelRegistration",
        "markAttended",
    }
    schema = printed_schema()
    assert all(f"  {name}(" in schema for name in mutations)
    assert len(CASES) == 12 * 8
    outcomes = [case.values[2] for case in CASES]
    # Staff and admin everywhere; the four other members only for their own registration.
    assert outcomes.count(ALLOWED) == 12 * 2 + 2 * 4
    assert outcomes.count(UNAUTHENTICATED) == 12 * 2
    assert outcomes.count(FORBIDDEN) == 10 * 4
