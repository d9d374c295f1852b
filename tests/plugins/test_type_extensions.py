"""Plugins add fields to core types: resolvers get the core object as ``root``, batch through
per-request loaders, and clash with nothing silently."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import strawberry

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.host import load_plugins, printed_schema
from icn_graph.plugins import SchemaContribution, hookimpl
from icn_graph.schema import SchemaConflict, build_schema
from icn_graph.schema.centers import Center
from icn_graph.schema.learning_sessions.agenda import AgendaItem
from icn_graph.schema.learning_sessions.sessions import LearningSession
from icn_graph.schema.people import Person
from icn_graph.schema.viewer import ViewerHome
from icn_graph.testing import (
    GraphQLClient,
    StatementCounter,
    make_center,
    make_person,
    make_staff_token,
)
from tests.goal_helpers import make_goal
from tests.plugins import cheers_plugin
from tests.plugins.cheers_plugin import add_cheer, create_table

ROOT_SCHEMA = (Path(__file__).resolve().parents[2] / "schema.graphql").read_text(encoding="utf-8")


def settings() -> Settings:
    return Settings(_env_file=None)  # type: ignore[call-arg]


def contributing(**extend: type) -> object:
    @hookimpl
    def register_schema() -> SchemaContribution:
        return SchemaContribution(extend=extend)

    return type("Plugin", (), {"register_schema": staticmethod(register_schema)})


def schema_with(*plugins: tuple[str, object]) -> strawberry.Schema:
    host = load_plugins(settings(), extra=plugins, discover=False)
    return build_schema(host.schema_contributions())


# -- over HTTP, on both databases ----------------------------------------------------------


@strawberry.type
class Badges:
    @strawberry.field
    def badge(self, root: object) -> str | None:
        return type(root).__name__


@pytest.fixture
def icn_plugins() -> list[tuple[str, object]]:
    return [("cheers", cheers_plugin), ("badges", contributing(Viewer=Badges, Center=Badges))]


GOALS = """
query Goals($first: Int!) {
  goals(first: $first) { nodes { title kudosCount cheers { id message } } }
}
"""


async def add_goals(db: Database, count: int, start: int = 0) -> None:
    author = await make_person(db)
    for index in range(start, start + count):
        center = await make_center(db)
        goal = await make_goal(db, created_by=author, center=center, title=f"Goal {index:02d}")
        for n in range(index % 3):
            await add_cheer(db, goal.id, f"Well done {index}.{n}")
        await add_cheer(db, goal.id, "hidden", hidden=True)


async def test_a_plugin_field_on_goal_resolves_through_the_api(
    db: Database, client: GraphQLClient
) -> None:
    await create_table(db)
    token = await make_staff_token(db)
    await add_goals(db, 3)

    data = await client.data(GOALS, {"first": 10}, token=token)

    got = {goal["title"]: goal["kudosCount"] for goal in data["goals"]["nodes"]}
    assert got == {"Goal 00": 1, "Goal 01": 2, "Goal 02": 3}
    messages = {
        goal["title"]: [cheer["message"] for cheer in goal["cheers"]]
        for goal in data["goals"]["nodes"]
    }
    assert messages["Goal 02"] == ["Well done 2.0", "Well done 2.1"]


async def test_resolvers_get_the_core_object_as_root(db: Database, client: GraphQLClient) -> None:
    await make_center(db, name="Lakeside")
    token = await make_staff_token(db)

    data = await client.data("{ viewer { badge } centers { nodes { name badge } } }", token=token)

    assert data == {
        "viewer": {"badge": "ViewerHome"},
        "centers": {"nodes": [{"name": "Lakeside", "badge": "Center"}]},
    }


COUNTS_ONLY = "query Goals($first: Int!) { goals(first: $first) { nodes { title kudosCount } } }"


async def test_the_plugin_fields_loader_costs_the_same_for_2_goals_or_8(
    db: Database, client: GraphQLClient, statements: StatementCounter
) -> None:
    await create_table(db)
    token = await make_staff_token(db)
    await add_goals(db, 2)
    statements.reset()
    few = await client.data(COUNTS_ONLY, {"first": 50}, token=token)
    few_count = statements.count
    counting = [s for s in statements.statements if "test_plugin_cheers" in s]

    await add_goals(db, 6, start=2)
    statements.reset()
    many = await client.data(COUNTS_ONLY, {"first": 50}, token=token)

    assert len(few["goals"]["nodes"]) == 2
    assert len(many["goals"]["nodes"]) == 8
    assert len(counting) == 1, counting
    assert statements.count == few_count


# -- the schema ------------------------------------------------------------------------------


def test_the_extended_goal_is_still_core_goal_everywhere() -> None:
    sdl = schema_with(("cheers", cheers_plugin)).as_str()
    goal = re.search(r"type Goal implements Followable & Node \{(.*?)\n\}", sdl, flags=re.DOTALL)
    assert goal is not None
    assert '"""How many cheers the goal got."""\n  kudosCount: Int\n' in goal.group(1)
    assert "cheers: [Cheer!]" in goal.group(1)
    assert "type GoalCheers" not in sdl  # the extension class is no type of its own
    assert "type Cheer implements Node" in sdl


def test_core_schema_is_unchanged_without_plugins() -> None:
    assert printed_schema() == ROOT_SCHEMA


@pytest.mark.parametrize(
    ("type_name", "core_class"),
    [
        ("Goal", "Goal"),
        ("Center", Center.__name__),
        ("Person", Person.__name__),
        ("LearningSession", LearningSession.__name__),
        ("AgendaItem", AgendaItem.__name__),
        ("Viewer", ViewerHome.__name__),
    ],
)
def test_each_core_type_named_in_the_issue_can_be_extended(type_name: str, core_class: str) -> None:
    schema = schema_with(("badges", contributing(**{type_name: Badges})))
    definition = schema.get_type_by_name(type_name)
    assert definition is not None
    assert getattr(definition, "origin").__name__ == core_class  # noqa: B009
    assert f"type {type_name}" in schema.as_str()
    assert schema.get_field_for_type("badge", type_name) is not None


def test_a_plugin_can_extend_another_plugins_type() -> None:
    sdl = schema_with(("cheers", cheers_plugin), ("badges", contributing(Cheer=Badges))).as_str()
    cheer = re.search(r"type Cheer implements Node \{(.*?)\n\}", sdl, flags=re.DOTALL)
    assert cheer is not None
    assert "badge: String" in cheer.group(1)


def test_root_types_are_extended_through_query_and_mutation_instead() -> None:
    with pytest.raises(SchemaConflict, match=r"plugin 'rooted' extends Query; contribute root"):
        schema_with(("rooted", contributing(Query=Badges)))


@strawberry.type
class TitleAgain:
    @strawberry.field
    def title(self, root: object) -> str | None:
        return "mine"


def test_a_field_core_has_stops_start_up_naming_both() -> None:
    with pytest.raises(
        SchemaConflict,
        match=re.escape("Goal.title is defined by both 'core.goals' and 'greedy'"),
    ):
        schema_with(("greedy", contributing(Goal=TitleAgain)))


def test_a_field_another_plugin_added_stops_start_up_naming_both() -> None:
    with pytest.raises(
        SchemaConflict,
        match=re.escape("Goal.badge is defined by both 'first-plugin' and 'second-plugin'"),
    ):
        schema_with(
            ("first-plugin", contributing(Goal=Badges)),
            ("second-plugin", contributing(Goal=Badges)),
        )


def test_extending_a_type_the_schema_lacks_names_the_plugin() -> None:
    with pytest.raises(
        SchemaConflict, match=re.escape("plugin 'typo' extends the type Gaol, which the schema")
    ):
        schema_with(("typo", contributing(Gaol=Badges)))


def test_extending_an_input_or_interface_names_the_plugin() -> None:
    with pytest.raises(SchemaConflict, match="plugin 'odd' extends Node, which is not an object"):
        schema_with(("odd", contributing(Node=Badges)))


@strawberry.type
class Stored:
    note: str | None = None


def test_an_extension_field_without_a_resolver_names_the_plugin() -> None:
    with pytest.raises(SchemaConflict, match=r"plugin 'lazy': the field Goal\.note .* no resolver"):
        schema_with(("lazy", contributing(Goal=Stored)))


class NotStrawberry:
    pass


def test_an_extension_that_is_not_a_strawberry_type_names_the_plugin() -> None:
    with pytest.raises(SchemaConflict, match="plugin 'plain' extends Goal with NotStrawberry"):
        schema_with(("plain", contributing(Goal=NotStrawberry)))
