"""``node(id:)`` and ``nodes(ids:)`` refetch a plugin's ``Node`` type through its
``resolve_nodes`` classmethod: batched, authorized by the plugin, null when not visible."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest
import strawberry

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.host import load_plugins
from icn_graph.models import NetworkRole, PersonKind
from icn_graph.plugins import SchemaContribution, hookimpl
from icn_graph.schema import SchemaConflict, build_schema
from icn_graph.schema.context import Info
from icn_graph.schema.relay import Node, to_global_id
from icn_graph.testing import GraphQLClient, StatementCounter, make_center, make_person, token_for
from tests.goal_helpers import make_goal
from tests.plugins import cheers_plugin
from tests.plugins.cheers_plugin import add_cheer, create_table

NODE = """
query Node($id: ID!) { node(id: $id) { __typename id ... on Cheer { message } } }
"""

NODES = """
query Nodes($ids: [ID!]!) {
  nodes(ids: $ids) { __typename id ... on Cheer { message } ... on Goal { title } }
}
"""


@pytest.fixture
def icn_plugins() -> list[tuple[str, object]]:
    return [("cheers", cheers_plugin)]


async def cheered_goal(db: Database) -> tuple[int, list[int]]:
    """A goal with three visible cheers and a hidden one: (goal pk, cheer pks)."""
    await create_table(db)
    author = await make_person(db)
    goal = await make_goal(db, created_by=author, center=await make_center(db), title="Cheered")
    cheers = [await add_cheer(db, goal.id, f"Cheer {n}") for n in range(3)]
    cheers.append(await add_cheer(db, goal.id, "Hidden", hidden=True))
    return goal.id, cheers


async def member_token(db: Database) -> str:
    return await token_for(db, await make_person(db, center=await make_center(db)))


async def test_node_refetches_a_plugin_type(db: Database, client: GraphQLClient) -> None:
    _, cheers = await cheered_goal(db)
    cheer_id = to_global_id("Cheer", cheers[1])

    data = await client.data(NODE, {"id": cheer_id}, token=await member_token(db))

    assert data == {"node": {"__typename": "Cheer", "id": cheer_id, "message": "Cheer 1"}}


async def test_the_plugins_authorization_decides_what_node_returns(
    db: Database, client: GraphQLClient
) -> None:
    _, cheers = await cheered_goal(db)
    hidden = to_global_id("Cheer", cheers[3])
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)

    as_member = await client.execute(NODE, {"id": hidden}, token=await member_token(db))
    as_staff = await client.data(NODE, {"id": hidden}, token=await token_for(db, staff))

    assert as_member["data"] == {"node": None}
    assert [error["extensions"]["code"] for error in as_member["errors"]] == ["NOT_FOUND"]
    assert as_staff["node"] == {"__typename": "Cheer", "id": hidden, "message": "Hidden"}


async def test_nodes_mixes_core_and_plugin_types_in_one_batch_per_type(
    db: Database, client: GraphQLClient, statements: StatementCounter
) -> None:
    goal, cheers = await cheered_goal(db)
    ids = [to_global_id("Cheer", pk) for pk in cheers]
    ids += [to_global_id("Goal", goal), to_global_id("Unknown", 1), to_global_id("Cheer", 999)]
    token = await member_token(db)
    statements.reset()

    body = await client.execute(NODES, {"ids": ids}, token=token)

    assert body["data"]["nodes"] == [
        {"__typename": "Cheer", "id": ids[0], "message": "Cheer 0"},
        {"__typename": "Cheer", "id": ids[1], "message": "Cheer 1"},
        {"__typename": "Cheer", "id": ids[2], "message": "Cheer 2"},
        None,  # hidden from members
        {"__typename": "Goal", "id": ids[4], "title": "Cheered"},
        None,  # no such type
        None,  # no such cheer
    ]
    assert sorted(error["path"][1] for error in body["errors"]) == [3, 5, 6]
    cheer_queries = [s for s in statements.statements if "test_plugin_cheers" in s]
    assert len(cheer_queries) == 1, cheer_queries


# -- start-up checks -------------------------------------------------------------------------


def _schema_returning(node_type: type) -> strawberry.Schema:
    @hookimpl
    def register_schema() -> SchemaContribution:
        return SchemaContribution(types=[node_type])

    plugin = type("Plugin", (), {"register_schema": staticmethod(register_schema)})
    host = load_plugins(
        Settings(_env_file=None),  # type: ignore[call-arg]
        extra=[("strays", plugin)],
        discover=False,
    )
    return build_schema(host.schema_contributions())


@strawberry.type
class Orphan(Node):
    type_name = "Orphan"
    label: str


@strawberry.type
class Misnamed(Node):
    type_name = "SomethingElse"
    label: str

    @classmethod
    async def resolve_nodes(cls, info: Info, pks: Sequence[int]) -> list[Misnamed | None]:
        return [None for _ in pks]


def test_a_plugin_node_type_without_resolve_nodes_stops_start_up() -> None:
    with pytest.raises(
        SchemaConflict,
        match=re.escape("plugin 'strays': the Node type Orphan has no `resolve_nodes"),
    ):
        _schema_returning(Orphan)


def test_a_plugin_node_type_whose_type_name_differs_stops_start_up() -> None:
    with pytest.raises(
        SchemaConflict,
        match=re.escape(
            "plugin 'strays': the Node type Misnamed must set `type_name = \"Misnamed\"`"
        ),
    ):
        _schema_returning(Misnamed)
