"""A center page costs the same asyncio tasks and statements whatever its size: a team is read
with its people in one statement and each member's ``person`` answers at once; a goals page reads
its key results and who set and last changed each goal ahead when the query shows them
(``schema/lookahead.py``), and each goal's ``keyResults``, ``createdBy`` and ``updatedBy``
answer at once. Reached any other way, the same fields load as before."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from graphql import DocumentNode, FragmentDefinitionNode, OperationDefinitionNode, parse

from icn_graph.db.database import Database
from icn_graph.ids import to_global_id
from icn_graph.models import Center, NetworkRole, PersonKind
from icn_graph.schema.lookahead import selects
from icn_graph.services import goals as goals_service
from icn_graph.testing import StatementCounter, TaskCount
from tests.goal_helpers import make_goal
from tests.helpers import GraphQLClient, make_center, make_person, token_for

CENTER_PAGE = """
query CenterPage($id: ID!) { node(id: $id) { ... on Center {
  name
  members { role person { displayName kind } }
  goals(first: 20) { edges { node { title keyResults { title targetValue }
    createdBy { displayName } updatedBy { displayName } } } } } } }
"""

# The same page through fragments, and through a connection's ``nodes``.
THROUGH_FRAGMENTS = """
fragment Results on Goal {
  keyResults { title targetValue } createdBy { displayName } updatedBy { displayName } }
query CenterPage($id: ID!) { node(id: $id) { ... on Center {
  name
  members { role person { displayName kind } }
  goals(first: 20) { nodes { title ... on Goal { ...Results } } } } } }
"""

WITHOUT_KEY_RESULTS = """
query CenterPage($id: ID!) { node(id: $id) { ... on Center {
  name goals(first: 20) { edges { node { title } } } } } }
"""


KEY_RESULTS = [
    {"title": "Key result 1", "targetValue": 50.0},
    {"title": "Key result 2", "targetValue": 5.0},
]


async def _center(db: Database, members: int, goals: int) -> Center:
    center = await make_center(db)
    people = [await make_person(db, center=center) for _ in range(members + 1)]
    for index in range(goals):
        await make_goal(
            db,
            created_by=people[index % len(people)],
            center=center,
            title=f"Goal {index:02d}",
            starts_on=date(2014, 1, 6) + timedelta(days=index),
            key_results=[(10, 50, 20), (0, 5, 1)],
        )
    return center


def _goals(page: dict[str, object]) -> list[dict[str, object]]:
    goals = page["goals"]
    assert isinstance(goals, dict)
    return goals["nodes"] if "nodes" in goals else [edge["node"] for edge in goals["edges"]]


async def test_a_larger_center_page_makes_no_more_tasks_or_statements(
    db: Database, client: GraphQLClient, tasks: TaskCount, statements: StatementCounter
) -> None:
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    token = await token_for(db, staff)
    small = await _center(db, members=2, goals=2)
    large = await _center(db, members=12, goals=10)
    await client.data("{ viewer { id } }", token=token)  # the token's first use

    for query in (CENTER_PAGE, THROUGH_FRAGMENTS):
        counted: dict[str, tuple[int, int]] = {}
        for name, center, members, goals in (("small", small, 3, 2), ("large", large, 13, 10)):
            tasks.count = 0
            statements.reset()
            data = await client.data(query, {"id": to_global_id("Center", center.id)}, token=token)
            counted[name] = (tasks.count, statements.count)
            page = data["node"]
            assert len(page["members"]) == members
            assert all(member["person"]["displayName"] for member in page["members"])
            assert [goal["title"] for goal in _goals(page)] == [
                f"Goal {index:02d}" for index in range(goals)
            ]
            assert all(goal["keyResults"] == KEY_RESULTS for goal in _goals(page))
            authors = {member["person"]["displayName"] for member in page["members"]}
            for goal in _goals(page):
                created_by = goal["createdBy"]
                assert isinstance(created_by, dict)
                assert created_by == goal["updatedBy"]
                assert created_by["displayName"] in authors
        assert counted["small"] == counted["large"], (query, counted, statements.statements)


async def test_key_results_are_read_only_when_the_query_shows_them(
    db: Database, client: GraphQLClient, statements: StatementCounter
) -> None:
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    token = await token_for(db, staff)
    center = await _center(db, members=1, goals=3)
    variables = {"id": to_global_id("Center", center.id)}
    await client.data("{ viewer { id } }", token=token)
    skipped = CENTER_PAGE.replace("keyResults", "keyResults @skip(if: true)")

    read: dict[str, list[str]] = {}
    for name, query in (
        ("without", WITHOUT_KEY_RESULTS),
        ("with", CENTER_PAGE),
        ("skipped", skipped),
    ):
        statements.reset()
        data = await client.data(query, variables, token=token)
        read[name] = [
            statement for statement in statements.statements if "key_results" in statement
        ]
        shown = [goal.get("keyResults") for goal in _goals(data["node"])]
        assert shown == ([KEY_RESULTS] * 3 if name == "with" else [None] * 3), name
    assert read["without"] == []
    assert len(read["with"]) == 1
    assert len(read["skipped"]) <= 1  # @skip is not evaluated ahead: read at worst, never shown


async def test_key_results_and_people_reached_one_by_one_still_load(
    db: Database, client: GraphQLClient
) -> None:
    """The async branches: a goal by its ID (no page read ahead) and a person's memberships
    (read without their people)."""
    center = await _center(db, members=1, goals=1)
    member = await make_person(db, center=center, display_name="Maria Lopez")
    token = await token_for(db, member)
    listed = await client.data(
        "query($id: ID!) { node(id: $id) { ... on Center { goals { nodes { id } } } } }",
        {"id": to_global_id("Center", center.id)},
        token=token,
    )
    goal_id = listed["node"]["goals"]["nodes"][0]["id"]

    goal = await client.data(
        "query($id: ID!) { node(id: $id) { ... on Goal { keyResults { title } } } }",
        {"id": goal_id},
        token=token,
    )
    mine = await client.data(
        "{ viewer { person { memberships { person { displayName } center { name } } } } }",
        token=token,
    )

    assert goal["node"]["keyResults"] == [{"title": "Key result 1"}, {"title": "Key result 2"}]
    assert mine["viewer"]["person"]["memberships"] == [
        {"person": {"displayName": "Maria Lopez"}, "center": {"name": center.name}}
    ]


# The first mutation lists the viewer's teams (roles only), the second renames the viewer and
# reads the viewer's person through the request's person loader.
RENAME_AFTER_LISTING_THE_TEAM = """
mutation($name: String!) {
  first: updateViewer(input: {pronouns: "they/them"}) { viewer { centers { members { role } } } }
  second: updateViewer(input: {displayName: $name}) {
    person { displayName }
    viewer { person { displayName } }
  }
}
"""


async def test_people_read_with_a_team_do_not_answer_for_later_reads(
    db: Database, client: GraphQLClient
) -> None:
    """A team's people ride on its memberships; the request's person loader does not keep them,
    so a later mutation in the same request reads the person it changed."""
    center = await make_center(db)
    me = await make_person(db, center=center, display_name="Old Name")
    token = await token_for(db, me)

    data = await client.data(RENAME_AFTER_LISTING_THE_TEAM, {"name": "New Name"}, token=token)

    assert data["second"]["person"] == {"displayName": "New Name"}
    assert data["second"]["viewer"]["person"] == {"displayName": "New Name"}


async def test_a_failed_read_ahead_costs_only_the_fields_that_needed_it(
    db: Database, client: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``progress`` is nullable: when key results cannot be read, each goal's progress is null
    with an error of its own, and the rest of the page stays (the read ahead does not fail the
    goals connection, nor with it the center)."""
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    token = await token_for(db, staff)
    center = await make_center(db)
    await make_goal(db, created_by=staff, center=center, key_results=[(0, 5, 1)])

    async def unreadable(_db: Database, _keys: list[int]) -> dict[int, list[object]]:
        raise RuntimeError("key results unavailable")

    monkeypatch.setattr(goals_service, "key_results_by_goal", unreadable)
    body = await client.execute(
        "query($id: ID!) { node(id: $id) { ... on Center { name "
        "goals { nodes { title progress } } } } }",
        {"id": to_global_id("Center", center.id)},
        token=token,
    )

    assert body["data"]["node"] == {
        "name": center.name,
        "goals": {"nodes": [{"title": "Raise remission", "progress": None}]},
    }, body
    assert [error["path"] for error in body["errors"]] == [
        ["node", "goals", "nodes", 0, "progress"]
    ]


class _CountedFragments(dict[str, FragmentDefinitionNode]):
    def __init__(self, document: DocumentNode) -> None:
        super().__init__(
            (definition.name.value, definition)
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        )
        self.reads = 0

    def get(self, key: str, default: Any = None) -> Any:
        self.reads += 1
        return super().get(key, default)


def test_the_look_ahead_walks_each_fragment_once_per_path() -> None:
    """Each fragment spreads the next twice: graphql-core collects each once, and so does the
    look-ahead, not 2 ** 12 times."""
    depth = 12
    fragments = [
        f"fragment F{index} on Goal {{ ...F{index + 1} ...F{index + 1} }}" for index in range(depth)
    ]
    fragments.append(f"fragment F{depth} on Goal {{ title }}")
    document = parse("{ goals { nodes { ...F0 } } }\n" + "\n".join(fragments))
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    field = operation.selection_set.selections[0]
    counted = _CountedFragments(document)
    info = SimpleNamespace(_raw_info=SimpleNamespace(field_nodes=[field], fragments=counted))

    shown = selects(info, ("nodes", "keyResults"), ("nodes", "title"))  # type: ignore[arg-type]

    assert shown
    assert counted.reads <= 2 * (depth + 1), counted.reads
