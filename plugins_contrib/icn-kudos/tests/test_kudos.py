"""icn-kudos through the real app, on SQLite and PostgreSQL, with icn_graph's test fixtures."""

from __future__ import annotations

import icn_kudos.plugin
import pytest
from icn_kudos.models import Kudos
from icn_kudos.services import celebrate_goal
from sqlalchemy import func, select

from icn_graph.plugin_api import (
    Database,
    Event,
    GoalClosed,
    GoalStatus,
    NetworkRole,
    Person,
    PersonKind,
    SubjectRef,
    parse_global_id,
    to_global_id,
)
from icn_graph.testing import GraphQLClient, StatementCounter, make_person, token_for


@pytest.fixture
def icn_plugins() -> list[tuple[str, object]]:
    return [("icn-kudos", icn_kudos.plugin)]


async def _member(db: Database, name: str) -> tuple[Person, str]:
    person = await make_person(db, PersonKind.PARENT_PARTNER, display_name=name)
    return person, await token_for(db, person)


GIVE = """
mutation($to: ID!, $message: String!) {
  giveKudos(input: {recipientId: $to, message: $message}) {
    kudos { message recipientId sender { displayName } }
    userErrors { field code message }
  }
}
"""


async def test_a_parent_thanks_a_clinician(db: Database, client: GraphQLClient) -> None:
    _, token = await _member(db, "Jamie")
    clinician, _ = await _member(db, "Dr. Sami")
    to = to_global_id("Person", clinician.id)
    data = await client.data(GIVE, {"to": to, "message": "  Thanks for the panel!  "}, token=token)
    assert data["giveKudos"] == {
        "kudos": {
            "message": "Thanks for the panel!",
            "recipientId": to,
            "sender": {"displayName": "Jamie"},
        },
        "userErrors": [],
    }
    listed = await client.data(
        "query($to: ID) { kudos(recipientId: $to) { totalCount edges { node { message } } } }",
        {"to": to},
        token=token,
    )
    assert listed["kudos"]["totalCount"] == 1


async def test_kudos_have_the_same_id_given_and_listed(db: Database, client: GraphQLClient) -> None:
    """Client caches (Apollo's InMemoryCache) keep one copy of each kudos by its id."""
    _, token = await _member(db, "Jamie")
    clinician, _ = await _member(db, "Dr. Sami")
    to = to_global_id("Person", clinician.id)
    given = await client.data(
        'mutation($to: ID!) { giveKudos(input: {recipientId: $to, message: "Thanks"}) '
        "{ kudos { id } } }",
        {"to": to},
        token=token,
    )
    listed = await client.data(
        "query($to: ID) { kudos(recipientId: $to) { nodes { id } } }", {"to": to}, token=token
    )
    kudos_id = given["giveKudos"]["kudos"]["id"]
    assert listed["kudos"]["nodes"] == [{"id": kudos_id}]
    async with db.session() as session:
        pk = await session.scalar(select(Kudos.id))
    assert parse_global_id(kudos_id, field="id") == ("Kudos", pk)


async def test_refused_kudos_write_nothing(db: Database, client: GraphQLClient) -> None:
    me, token = await _member(db, "Jamie")
    for to, message, field in [
        (to_global_id("Person", me.id), "Me!", "recipientId"),
        (to_global_id("Person", 999_999), "Hi", "recipientId"),
        (to_global_id("Person", me.id + 0), "", "message"),
    ]:
        data = await client.data(GIVE, {"to": to, "message": message}, token=token)
        assert data["giveKudos"]["kudos"] is None
        assert field in {error["field"] for error in data["giveKudos"]["userErrors"]}
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Kudos)) == 0


async def test_anonymous_cannot_read_or_give(client: GraphQLClient) -> None:
    body = await client.execute("{ kudos { totalCount } }")
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


CREATE_GOAL = """
mutation($owner: ID!, $title: String!) {
  createGoal(input: {ownerId: $owner, title: $title,
                     aim: "Three parents on the Spring panel", startsOn: "2026-03-01"}) {
    goal { id }
  }
}
"""

CLOSE_GOAL = """
mutation($goal: ID!) {
  closeGoal(input: {id: $goal, outcome: DONE, reflection: "Four parents said yes."}) {
    userErrors { field }
  }
}
"""


async def test_a_goal_reached_is_celebrated_once(db: Database, client: GraphQLClient) -> None:
    owner, token = await _member(db, "Jamie")
    me = to_global_id("Person", owner.id)
    variables = {"owner": me, "title": "Plan the parent panel"}
    created = await client.data(CREATE_GOAL, variables, token=token)
    goal = created["createGoal"]["goal"]["id"]
    await client.data(CLOSE_GOAL, {"goal": goal}, token=token)
    await client.settle()  # on_event runs after the commit, in the background
    listed = await client.data(
        "query($me: ID) { kudos(recipientId: $me) { nodes { message sender { id } } } }",
        {"me": me},
        token=token,
    )
    assert listed["kudos"]["nodes"] == [
        {
            "message": "Goal reached: Plan the parent panel. Congratulations from the network!",
            "sender": None,
        }
    ]
    closed = GoalClosed(
        goal=SubjectRef("Goal", parse_global_id(goal)[1]),
        title="Plan the parent panel",
        owner=SubjectRef("Person", owner.id),
        check_in=SubjectRef("CheckIn", 1),
        outcome=GoalStatus.DONE,
        reflection=None,
    )
    replayed = Event.of(closed, actor_id=None)
    await celebrate_goal(replayed, db)  # delivered twice: still one
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Kudos)) == 1
    counted = await client.data(GOAL_KUDOS, {"goal": goal}, token=token)
    assert counted["node"] == {"kudosCount": 1}


GOAL_KUDOS = "query($goal: ID!) { node(id: $goal) { ... on Goal { kudosCount } } }"
GOALS = "{ goals(first: 50) { nodes { title kudosCount } } }"


async def test_kudos_for_a_goal_are_counted_on_the_goal(
    db: Database, client: GraphQLClient, statements: StatementCounter
) -> None:
    owner, token = await _member(db, "Jamie")
    clinician, _ = await _member(db, "Dr. Sami")
    me, to = to_global_id("Person", owner.id), to_global_id("Person", clinician.id)
    goals = []
    for title in ["Plan the parent panel", "Pre-visit planning"]:
        created = await client.data(CREATE_GOAL, {"owner": me, "title": title}, token=token)
        goals.append(created["createGoal"]["goal"]["id"])
    for goal, count in [(goals[0], 1), (goals[0], 2), (None, None)]:
        variables = {"to": to, "message": "Thank you!", "goal": goal}
        data = await client.data(GIVE_FOR_GOAL, variables, token=token)
        # The payload's goal counts the new kudos: a client cache needs no refetch.
        shown = {"id": goal, "kudosCount": count} if goal else None
        assert data["giveKudos"] == {
            "kudos": {"goalId": goal, "goal": shown},
            "goal": shown,
            "userErrors": [],
        }
    statements.reset()
    listed = await client.data(GOALS, token=token)
    counts = {goal["title"]: goal["kudosCount"] for goal in listed["goals"]["nodes"]}
    assert counts == {"Plan the parent panel": 2, "Pre-visit planning": 0}
    # One query counts the kudos of every goal: five more goals cost no more statements.
    two_goals = statements.count
    for n in range(5):
        await client.data(CREATE_GOAL, {"owner": me, "title": f"Goal {n}"}, token=token)
    statements.reset()
    listed = await client.data(GOALS, token=token)
    assert len(listed["goals"]["nodes"]) == 7
    assert statements.count == two_goals


async def test_each_kudos_in_one_request_counts_again(db: Database, client: GraphQLClient) -> None:
    owner, token = await _member(db, "Jamie")
    clinician, _ = await _member(db, "Dr. Sami")
    me, to = to_global_id("Person", owner.id), to_global_id("Person", clinician.id)
    created = await client.data(CREATE_GOAL, {"owner": me, "title": "Plan ahead"}, token=token)
    goal = created["createGoal"]["goal"]["id"]
    twice = """mutation($to: ID!, $goal: ID!) {
      a: giveKudos(input: {recipientId: $to, message: "One", goalId: $goal}) {
        goal { kudosCount } }
      b: giveKudos(input: {recipientId: $to, message: "Two", goalId: $goal}) {
        goal { kudosCount } } }"""
    data = await client.data(twice, {"to": to, "goal": goal}, token=token)
    assert data == {"a": {"goal": {"kudosCount": 1}}, "b": {"goal": {"kudosCount": 2}}}


GIVE_FOR_GOAL = """
mutation($to: ID!, $message: String!, $goal: ID) {
  giveKudos(input: {recipientId: $to, message: $message, goalId: $goal}) {
    kudos { goalId goal { id kudosCount } }
    goal { id kudosCount }
    userErrors { field code }
  }
}
"""


async def test_kudos_for_a_goal_that_does_not_exist_are_refused(
    db: Database, client: GraphQLClient
) -> None:
    _, token = await _member(db, "Jamie")
    clinician, _ = await _member(db, "Dr. Sami")
    to = to_global_id("Person", clinician.id)
    variables = {"to": to, "message": "Thanks!", "goal": to_global_id("Goal", 999_999)}
    data = await client.data(GIVE_FOR_GOAL, variables, token=token)
    assert data["giveKudos"] == {
        "kudos": None,
        "goal": None,
        "userErrors": [{"field": "goalId", "code": "NOT_FOUND"}],
    }
    body = await client.execute(GIVE_FOR_GOAL, variables | {"goal": to}, token=token)
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "goalId: expected the ID of a Goal" in body["errors"][0]["message"]


async def test_the_plugin_shows_up_for_staff(db: Database, client: GraphQLClient) -> None:
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    data = await client.data(
        "{ plugins { name state hooks builtin } }", token=await token_for(db, staff)
    )
    assert {
        "name": "icn-kudos",
        "state": "ACTIVE",
        "builtin": False,
        "hooks": [
            "load_demo_data",
            "on_event",
            "register_event_types",
            "register_migrations",
            "register_schema",
        ],
    } in data["plugins"]
