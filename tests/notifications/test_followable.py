"""``Followable``: every object one can follow says how closely the viewer follows it, in one
query per page, so a front-end draws its Follow buttons from the page it already asked for."""

from __future__ import annotations

import pytest
from graphql import GraphQLInterfaceType, GraphQLObjectType

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.host import load_plugins
from icn_graph.ids import to_global_id
from icn_graph.models import Center, PersonKind
from icn_graph.notifications.subject_types import SubjectTypeRegistry
from icn_graph.schema import build_schema
from tests.goal_helpers import make_center_goal
from tests.helpers import GraphQLClient, StatementCounter, make_center, make_person, token_for

FOLLOW = """
mutation ($id: ID!, $level: FollowLevel!) {
  follow(input: {subjectId: $id, level: $level}) { userErrors { field message } }
}
"""

CENTERS = """
query ($first: Int) {
  centers(first: $first) { nodes { id viewerIsFollowing viewerFollowLevel } }
}
"""

GOAL = """
query ($id: ID!) {
  node(id: $id) { ... on Followable { viewerIsFollowing viewerFollowLevel } }
}
"""


async def _centers(db: Database, count: int) -> list[Center]:
    return [await make_center(db) for _ in range(count)]


async def test_each_object_says_how_closely_the_viewer_follows_it(
    db: Database, client: GraphQLClient
) -> None:
    first, second, third = await _centers(db, 3)
    maria = await make_person(db, PersonKind.PARENT_PARTNER, center=first)
    dana = await make_person(db, PersonKind.CLINICIAN, center=first)
    maria_token, dana_token = await token_for(db, maria), await token_for(db, dana)
    goal = await make_center_goal(db, first, dana, "Reduce steroid use")
    follows = [
        (to_global_id("Center", second.id), "WATCHING"),
        (to_global_id("Center", third.id), "MUTED"),
        (to_global_id("Goal", goal.id), "NORMAL"),
    ]
    for subject, level in follows:
        done = await client.data(FOLLOW, {"id": subject, "level": level}, token=maria_token)
        assert done["follow"]["userErrors"] == []

    data = await client.data(CENTERS, {"first": 100}, token=maria_token)
    seen = {
        node["id"]: (node["viewerIsFollowing"], node["viewerFollowLevel"])
        for node in data["centers"]["nodes"]
    }
    assert seen[to_global_id("Center", second.id)] == (True, "WATCHING")
    assert seen[to_global_id("Center", third.id)] == (False, "MUTED")
    assert seen[to_global_id("Center", first.id)] == (False, None)

    goal_id = to_global_id("Goal", goal.id)
    mine = await client.data(GOAL, {"id": goal_id}, token=maria_token)
    assert mine["node"] == {"viewerIsFollowing": True, "viewerFollowLevel": "NORMAL"}
    # Another viewer's follows are not Maria's: Dana's answer is her own.
    dana_view = await client.data(CENTERS, {"first": 100}, token=dana_token)
    dana_seen = {node["id"]: node["viewerFollowLevel"] for node in dana_view["centers"]["nodes"]}
    assert dana_seen[to_global_id("Center", second.id)] is None
    assert dana_seen[to_global_id("Center", third.id)] is None


async def test_the_follow_state_of_a_page_costs_one_statement_whatever_its_size(
    db: Database, client: GraphQLClient, statements: StatementCounter
) -> None:
    centers = await _centers(db, 12)
    person = await make_person(db, PersonKind.CLINICIAN, center=centers[0])
    token = await token_for(db, person)
    plain = "query ($first: Int) { centers(first: $first) { nodes { id } } }"

    counts = {}
    for first in (3, 12):
        statements.reset()
        await client.data(plain, {"first": first}, token=token)
        without = statements.count
        statements.reset()
        await client.data(CENTERS, {"first": first}, token=token)
        counts[first] = statements.count - without
    assert counts == {3: 1, 12: 1}, statements.statements


@pytest.mark.parametrize("discover", [False, True], ids=["core", "installed-plugins"])
def test_every_subject_type_one_can_follow_is_followable(discover: bool) -> None:
    host = load_plugins(Settings(_env_file=None), extra=(), discover=discover)  # type: ignore[call-arg]
    schema = build_schema(host.schema_contributions())._schema
    followable = schema.get_type("Followable")
    assert isinstance(followable, GraphQLInterfaceType)
    names = [subject.type_name for subject in SubjectTypeRegistry.build(host.subject_types())]
    assert "Center" in names
    assert ("Thread" in names) is discover  # icn-codesign's threads
    for name in names:
        graphql_type = schema.get_type(name)
        assert isinstance(graphql_type, GraphQLObjectType), name
        assert followable in graphql_type.interfaces, f"{name} is not Followable"
