"""On the demo network: a parent partner creates her own 90-day goal and checks in on it, and
cannot edit a center's goal (of a center she is not on) or anyone else's goal."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from icn_graph.db.database import Database
from icn_graph.demo import DEMO_PERSONAS, SMALL_VISIT_SCALE, load_demo
from icn_graph.demo.present import STORY_TODAY
from icn_graph.host import core_host
from icn_graph.models import Goal, Membership, Person
from icn_graph.schema.relay import to_global_id
from icn_graph.testing import snapshot
from tests.goal_helpers import CHECK_IN, CREATE_GOAL, UPDATE_GOAL
from tests.helpers import GraphQLClient, error_codes, token_for

HISTORY = """
query($id: ID!) {
  node(id: $id) {
    ... on Goal {
      title status confidence progress viewerCanEdit
      owner { ... on Person { displayName } }
      checkIns { totalCount nodes { note author { displayName } } }
    }
  }
}
"""


async def _persona(db: Database, name: str) -> Person:
    async with db.session() as session:
        statement = select(Person).where(Person.email == DEMO_PERSONAS[name])
        return (await session.scalars(statement)).one()


async def test_a_parent_partner_runs_her_own_goal_but_not_a_center_goal(
    db: Database, client: GraphQLClient
) -> None:
    await load_demo(db, plugins=core_host(), visit_scale=SMALL_VISIT_SCALE, today=STORY_TODAY)
    parent = await _persona(db, "parent")
    token = await token_for(db, parent)
    parent_id = to_global_id("Person", parent.id)

    # She sets her own goal...
    created = await client.data(
        CREATE_GOAL,
        {
            "input": {
                "ownerId": parent_id,
                "title": "Recruit two families for the parent panel",
                "aim": "Two more families join the panel before the Learning Session.",
                "startsOn": "2014-03-17",
                "confidence": 6,
                "keyResults": [
                    {"title": "Families recruited", "startValue": 0, "targetValue": 2},
                    {"title": "Calls made", "startValue": 0, "targetValue": 10, "unit": "calls"},
                ],
            }
        },
        token=token,
    )
    payload = created["createGoal"]
    assert payload["userErrors"] == []
    goal = payload["goal"]
    assert goal["kind"] == "PARTNER"
    assert goal["owner"] == {"__typename": "Person", "displayName": "Dana Whitfield"}
    assert goal["dueOn"] == "2014-06-15"
    assert goal["progress"] == 0.0

    # ...checks in on it...
    families, calls = goal["keyResults"]
    checked = await client.data(
        CHECK_IN,
        {
            "input": {
                "id": goal["id"],
                "note": "One family said yes after clinic.",
                "status": "ON_TRACK",
                "confidence": 8,
                "keyResultValues": [
                    {"keyResultId": families["id"], "value": 1},
                    {"keyResultId": calls["id"], "value": 4},
                ],
            }
        },
        token=token,
    )
    assert checked["checkInGoal"]["userErrors"] == []
    assert checked["checkInGoal"]["goal"]["progress"] == 45.0  # (50 + 40) / 2

    # ...and everyone in the network can read it, but only she (and staff) can change it.
    clinician_token = await token_for(db, await _persona(db, "clinician"))
    seen = (await client.data(HISTORY, {"id": goal["id"]}, token=clinician_token))["node"]
    assert seen["owner"] == {"displayName": "Dana Whitfield"}
    assert (seen["status"], seen["confidence"], seen["viewerCanEdit"]) == ("ON_TRACK", 8, False)
    assert seen["checkIns"] == {
        "totalCount": 1,
        "nodes": [
            {
                "note": "One family said yes after clinic.",
                "author": {"displayName": "Dana Whitfield"},
            }
        ],
    }
    before = await snapshot(db)
    body = await client.execute(
        UPDATE_GOAL, {"input": {"id": goal["id"], "title": "Mine now"}}, token=clinician_token
    )
    assert error_codes(body) == ["FORBIDDEN"]

    # She cannot edit, check in on, or create a goal for a center she is not on.
    async with db.session() as session:
        her_centers = set(
            await session.scalars(
                select(Membership.center_id).where(Membership.person_id == parent.id)
            )
        )
        center_goal = (
            await session.scalars(
                select(Goal)
                .where(Goal.center_id.is_not(None), Goal.center_id.not_in(her_centers))
                .order_by(Goal.id)
                .limit(1)
            )
        ).one()
    assert center_goal.center_id is not None
    center_goal_id = to_global_id("Goal", center_goal.id)
    refused: list[tuple[str, dict[str, Any]]] = [
        (UPDATE_GOAL, {"input": {"id": center_goal_id, "title": "Parents' version"}}),
        (
            CHECK_IN,
            {
                "input": {
                    "id": center_goal_id,
                    "note": "Looks good to me",
                    "status": "ON_TRACK",
                    "confidence": 9,
                }
            },
        ),
        (
            CREATE_GOAL,
            {
                "input": {
                    "ownerId": to_global_id("Center", center_goal.center_id),
                    "title": "A goal for them",
                    "aim": "Theirs",
                    "startsOn": "2014-04-01",
                }
            },
        ),
    ]
    for query, variables in refused:
        body = await client.execute(query, variables, token=token)
        assert error_codes(body) == ["FORBIDDEN"], body
        assert "Only this center's team and network staff" in body["errors"][0]["message"]
    assert await snapshot(db) == before

    # Nor a goal for another person.
    body = await client.execute(
        CREATE_GOAL,
        {
            "input": {
                "ownerId": to_global_id("Person", (await _persona(db, "clinician")).id),
                "title": "Your goal",
                "aim": "Yours",
                "startsOn": "2014-04-01",
            }
        },
        token=token,
    )
    assert error_codes(body) == ["FORBIDDEN"]
    assert await snapshot(db) == before
