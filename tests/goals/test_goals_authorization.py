"""Who may change which goal: every goal mutation against every kind of caller, for a center's
goal and for a person's goal, plus the read rules.

As in the Foundation table, a refused call answers with the right error code and leaves every
table exactly as it was; an allowed call really writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from icn_graph.db.database import Database
from icn_graph.models import (
    ApiToken,
    Center,
    CenterRole,
    CheckIn,
    Goal,
    GoalStatus,
    KeyResult,
    Membership,
    NetworkRole,
    Person,
    PersonKind,
)
from icn_graph.schema.relay import to_global_id
from icn_graph.services.tokens import hash_token, new_secret
from icn_graph.testing import snapshot
from tests.directory.test_authorization import GARBAGE_TOKEN
from tests.goal_helpers import (
    ADD_KEY_RESULT,
    ARCHIVE_GOAL,
    CHECK_IN,
    CLOSE_GOAL,
    CREATE_GOAL,
    UPDATE_GOAL,
    UPDATE_KEY_RESULT,
    check_ins_of,
    key_results_of,
    make_goal,
    reload,
)
from tests.helpers import GraphQLClient, error_codes

# --------------------------------------------------------------------------------------------
# The world
# --------------------------------------------------------------------------------------------

# actor -> (kind, network role, membership: (center "a"/"b", role) or None)
PEOPLE: dict[str, tuple[PersonKind, NetworkRole, tuple[str, CenterRole] | None]] = {
    "center-member": (PersonKind.CLINICIAN, NetworkRole.MEMBER, ("a", CenterRole.CLINICIAN)),
    "center-parent-partner": (
        PersonKind.PARENT_PARTNER,
        NetworkRole.MEMBER,
        ("a", CenterRole.PARENT_PARTNER),
    ),
    "other-center-member": (PersonKind.NURSE, NetworkRole.MEMBER, ("b", CenterRole.NURSE)),
    "owning-person": (PersonKind.PATIENT_PARTNER, NetworkRole.MEMBER, None),
    "another-person": (PersonKind.PARENT_PARTNER, NetworkRole.MEMBER, None),
    "other-center-qi-lead": (PersonKind.QI_LEAD, NetworkRole.MEMBER, ("b", CenterRole.QI_LEAD)),
    "network-data-manager": (PersonKind.DATA_MANAGER, NetworkRole.DATA_MANAGER, None),
    "staff": (PersonKind.STAFF, NetworkRole.STAFF, None),
    "admin": (PersonKind.STAFF, NetworkRole.ADMIN, None),
}
ACTORS = ["anonymous", "garbage-token", *PEOPLE]
TARGETS = ["center-goal", "person-goal"]
MUTATIONS = [
    "createGoal",
    "updateGoal",
    "addKeyResult",
    "updateKeyResult",
    "checkInGoal",
    "closeGoal",
    "archiveGoal",
]

ALLOWED = "allowed"
UNAUTHENTICATED = "UNAUTHENTICATED"
FORBIDDEN = "FORBIDDEN"


def expected_outcome(actor: str, target: str) -> str:
    """The goal rules, written out independently of the services."""
    if actor in ("anonymous", "garbage-token"):
        return UNAUTHENTICATED
    if actor in ("staff", "admin"):
        return ALLOWED
    if target == "center-goal":
        # Any membership of the owning center, partners included; no network role helps.
        return ALLOWED if actor in ("center-member", "center-parent-partner") else FORBIDDEN
    return ALLOWED if actor == "owning-person" else FORBIDDEN


CASES = [
    pytest.param(
        mutation,
        actor,
        target,
        expected_outcome(actor, target),
        id=f"{mutation}-{target}-{actor}",
    )
    for mutation in MUTATIONS
    for target in TARGETS
    for actor in ACTORS
]


@dataclass(frozen=True)
class World:
    center_a: Center
    people: dict[str, Person]
    goals: dict[str, Goal]
    key_results: dict[str, KeyResult]
    tokens: dict[str, str]


async def build_world(db: Database) -> World:
    """Everything in one transaction: two centers, the callers, a goal for each kind of owner."""
    people: dict[str, Person] = {}
    tokens: dict[str, str] = {}
    async with db.transaction() as session:
        centers = {
            "a": Center(
                name="Alpha Children's",
                short_code="ALPHA",
                city="Cincinnati",
                region="Midwest",
                country="US",
                joined_on=date(2010, 1, 1),
            ),
            "b": Center(
                name="Beta Children's",
                short_code="BETA",
                city="Denver",
                region="West",
                country="US",
                joined_on=date(2011, 1, 1),
            ),
        }
        session.add_all(centers.values())
        for index, (actor, (kind, network_role, _membership)) in enumerate(PEOPLE.items()):
            email = f"goal-actor-{index}@example.org"
            people[actor] = Person(
                display_name=actor.replace("-", " ").title(),
                email=email,
                email_key=email,
                kind=kind,
                network_role=network_role,
                timezone="America/New_York",
            )
        session.add_all(people.values())
        await session.flush()
        for actor, (_kind, _role, membership) in PEOPLE.items():
            if membership is not None:
                letter, role = membership
                session.add(
                    Membership(
                        person_id=people[actor].id,
                        center_id=centers[letter].id,
                        role=role,
                        since=date(2012, 1, 1),
                    )
                )
            secret = new_secret()
            # Used when minted (as token_for's are), so no request records a first use: a
            # denied call must leave every table as it was.
            session.add(
                ApiToken(
                    person_id=people[actor].id,
                    token_hash=hash_token(secret),
                    label="t",
                    last_used_at=datetime.now(UTC),
                )
            )
            tokens[actor] = secret
    tokens["garbage-token"] = GARBAGE_TOKEN
    staff = people["staff"]
    goals = {
        "center-goal": await make_goal(
            db, created_by=staff, center=centers["a"], key_results=[(70, 80, 72)]
        ),
        "person-goal": await make_goal(
            db, created_by=staff, person=people["owning-person"], key_results=[(0, 4, 1)]
        ),
    }
    key_results = {target: (await key_results_of(db, goal))[0] for target, goal in goals.items()}
    return World(centers["a"], people, goals, key_results, tokens)


# --------------------------------------------------------------------------------------------
# Calls and what an allowed call writes
# --------------------------------------------------------------------------------------------


def build_call(mutation: str, world: World, target: str) -> tuple[str, dict[str, Any]]:
    goal_id = to_global_id("Goal", world.goals[target].id)
    key_result_id = to_global_id("KeyResult", world.key_results[target].id)
    if mutation == "createGoal":
        owner_id = (
            to_global_id("Center", world.center_a.id)
            if target == "center-goal"
            else to_global_id("Person", world.people["owning-person"].id)
        )
        return CREATE_GOAL, {
            "input": {
                "ownerId": owner_id,
                "title": "Fresh goal",
                "aim": "Try something new",
                "startsOn": "2014-04-01",
                "keyResults": [{"title": "Tests run", "startValue": 0, "targetValue": 5}],
            }
        }
    if mutation == "updateGoal":
        return UPDATE_GOAL, {"input": {"id": goal_id, "title": "Renamed goal"}}
    if mutation == "addKeyResult":
        return ADD_KEY_RESULT, {
            "input": {"goalId": goal_id, "title": "New result", "startValue": 1, "targetValue": 9}
        }
    if mutation == "updateKeyResult":
        return UPDATE_KEY_RESULT, {"input": {"id": key_result_id, "title": "Retitled"}}
    if mutation == "checkInGoal":
        return CHECK_IN, {
            "input": {
                "id": goal_id,
                "note": "Halfway there",
                "status": "AT_RISK",
                "confidence": 4,
                "keyResultValues": [{"keyResultId": key_result_id, "value": 2}],
            }
        }
    if mutation == "closeGoal":
        return CLOSE_GOAL, {
            "input": {"id": goal_id, "outcome": "DONE", "reflection": "We learned a lot"}
        }
    assert mutation == "archiveGoal"
    return ARCHIVE_GOAL, {"input": {"id": goal_id}}


async def assert_written(
    db: Database, mutation: str, world: World, target: str, actor: str, data: dict[str, Any]
) -> None:
    payload = data[mutation]
    assert payload["userErrors"] == []
    person = world.people[actor]
    goal = world.goals[target]
    if mutation == "createGoal":
        assert payload["goal"]["title"] == "Fresh goal"
        assert payload["goal"]["kind"] == ("CENTER" if target == "center-goal" else "PARTNER")
        assert payload["goal"]["createdBy"]["displayName"] == person.display_name
        async with db.session() as session:
            stored = (await session.scalars(select(Goal).where(Goal.title == "Fresh goal"))).one()
        assert stored.created_by_id == person.id
        if target == "center-goal":
            assert (stored.center_id, stored.person_id) == (world.center_a.id, None)
        else:
            assert (stored.center_id, stored.person_id) == (
                None,
                world.people["owning-person"].id,
            )
        return
    stored = await reload(db, goal)
    assert stored.updated_by_id == person.id
    if mutation == "updateGoal":
        assert stored.title == "Renamed goal"
    elif mutation == "addKeyResult":
        titles = [row.title for row in await key_results_of(db, goal)]
        assert titles == ["Key result 1", "New result"]
    elif mutation == "updateKeyResult":
        assert [row.title for row in await key_results_of(db, goal)] == ["Retitled"]
    elif mutation == "checkInGoal":
        (check_in,) = await check_ins_of(db, goal)
        assert (check_in.author_id, check_in.note) == (person.id, "Halfway there")
        assert (stored.status, stored.confidence) == (GoalStatus.AT_RISK, 4)
        assert [row.current_value for row in await key_results_of(db, goal)] == [2]
    elif mutation == "closeGoal":
        (check_in,) = await check_ins_of(db, goal)
        assert (check_in.status, check_in.note) == (GoalStatus.DONE, "We learned a lot")
        assert stored.status is GoalStatus.DONE
        assert stored.closed_at is not None
    else:
        assert stored.archived_at is not None
        assert payload["goal"]["archivedAt"] is not None


# --------------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("mutation", "actor", "target", "expected"), CASES)
async def test_goal_mutation_authorization(
    db: Database, client: GraphQLClient, mutation: str, actor: str, target: str, expected: str
) -> None:
    world = await build_world(db)
    query, variables = build_call(mutation, world, target)
    token = world.tokens.get(actor)
    before = await snapshot(db)

    body = await client.execute(query, variables, token=token)

    if expected == ALLOWED:
        assert "errors" not in body, body["errors"]
        await assert_written(db, mutation, world, target, actor, body["data"])
        return
    assert error_codes(body) == [expected], body
    assert body["data"] is None
    error = body["errors"][0]
    assert error["path"] == [mutation]
    if expected == FORBIDDEN:
        assert "network staff" in error["message"]
    # Nothing was written, anywhere.
    assert await snapshot(db) == before


def test_the_table_covers_every_goal_mutation_role_and_owner() -> None:
    assert len(CASES) == 7 * 11 * 2
    outcomes = [case.values[3] for case in CASES]
    # staff and admin everywhere; two center members on center goals; the owner on theirs
    assert outcomes.count(ALLOWED) == 7 * (2 * 2 + 2 + 1)
    assert outcomes.count(UNAUTHENTICATED) == 7 * 2 * 2
    assert outcomes.count(FORBIDDEN) == len(CASES) - 7 * 7 - 7 * 4


# --------------------------------------------------------------------------------------------
# Read rules
# --------------------------------------------------------------------------------------------

READS = [
    pytest.param("{ goals { totalCount } }", ["goals"], id="goals"),
    pytest.param('{ node(id: "GOAL") { id } }', ["node"], id="node"),
    pytest.param("{ centers { nodes { goals { totalCount } } } }", ["centers"], id="center"),
]


@pytest.mark.parametrize(("query", "path"), READS)
@pytest.mark.parametrize("token", [None, GARBAGE_TOKEN], ids=["anonymous", "garbage-token"])
async def test_anonymous_cannot_read_goals(
    db: Database, client: GraphQLClient, query: str, path: list[str], token: str | None
) -> None:
    world = await build_world(db)
    goal_id = to_global_id("Goal", world.goals["center-goal"].id)
    body = await client.execute(query.replace("GOAL", goal_id), token=token)
    assert error_codes(body) == ["UNAUTHENTICATED"], body
    assert body["errors"][0]["path"] == path
    assert "Raise remission" not in str(body.get("data"))


@pytest.mark.parametrize("actor", list(PEOPLE))
async def test_every_member_reads_every_goal(
    db: Database, client: GraphQLClient, actor: str
) -> None:
    world = await build_world(db)
    data = await client.data(
        "{ goals { totalCount nodes { kind viewerCanEdit keyResults { title } } } }",
        token=world.tokens[actor],
    )
    assert data["goals"]["totalCount"] == 2
    can_edit = {node["kind"]: node["viewerCanEdit"] for node in data["goals"]["nodes"]}
    assert can_edit == {
        "CENTER": expected_outcome(actor, "center-goal") == ALLOWED,
        "PARTNER": expected_outcome(actor, "person-goal") == ALLOWED,
    }


async def test_no_check_in_is_written_for_a_refused_caller(
    db: Database, client: GraphQLClient
) -> None:
    """The refusal comes before any validation: a stranger learns nothing from userErrors."""
    world = await build_world(db)
    body = await client.execute(
        CHECK_IN,
        {
            "input": {
                "id": to_global_id("Goal", world.goals["center-goal"].id),
                "note": "",
                "status": "DONE",
                "confidence": 99,
            }
        },
        token=world.tokens["other-center-member"],
    )
    assert error_codes(body) == ["FORBIDDEN"]
    async with db.session() as session:
        assert (await session.scalars(select(CheckIn))).first() is None
