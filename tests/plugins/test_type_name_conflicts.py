"""Two contributors publishing one GraphQL type name stop start-up with one message naming both
(instead of Strawberry's long traceback naming neither)."""

from __future__ import annotations

import re

import pytest
import strawberry

from icn_graph.config import Settings
from icn_graph.host import load_plugins
from icn_graph.plugins import SchemaContribution, hookimpl
from icn_graph.schema import SchemaConflict, build_schema
from tests.plugins import kudos_twins


def plugin_with(query: type) -> object:
    @hookimpl
    def register_schema() -> SchemaContribution:
        return SchemaContribution(query=query)

    return type("Plugin", (), {"register_schema": staticmethod(register_schema)})


def build(*plugins: tuple[str, object]) -> strawberry.Schema:
    host = load_plugins(
        Settings(_env_file=None),  # type: ignore[call-arg]
        extra=plugins,
        discover=False,
    )
    return build_schema(host.schema_contributions())


def test_two_plugins_defining_one_type_name_stop_start_up_naming_both() -> None:
    with pytest.raises(SchemaConflict) as raised:
        build(
            ("kudos-a", plugin_with(kudos_twins.FirstQuery)),
            ("kudos-b", plugin_with(kudos_twins.SecondQuery)),
        )

    message = str(raised.value)
    assert message.startswith(
        "the GraphQL type Kudos is defined by both 'kudos-a' "
        "(tests.plugins.kudos_twins.FirstKudos) and 'kudos-b' "
        "(tests.plugins.kudos_twins.SecondKudos)"
    ), message
    assert "\n" not in message
    assert raised.value.__cause__ is None
    assert raised.value.__suppress_context__


def test_a_plugin_type_named_like_a_core_type_names_core_and_the_plugin() -> None:
    with pytest.raises(
        SchemaConflict,
        match=re.escape(
            "the GraphQL type Goal is defined by both 'core.goals' "
            "(icn_graph.schema.goals.types.Goal) and 'impostor' "
            "(tests.plugins.kudos_twins.ImpostorGoal)"
        ),
    ):
        build(("impostor", plugin_with(kudos_twins.ImpostorQuery)))


def test_an_enum_named_like_a_core_enum_names_core_and_the_plugin() -> None:
    with pytest.raises(
        SchemaConflict,
        match=r"the GraphQL type GoalStatus is defined by both 'core\.goals' .* and 'statuses'",
    ):
        build(("statuses", plugin_with(kudos_twins.StatusQuery)))


def test_one_plugin_reusing_another_plugins_type_is_no_conflict() -> None:
    schema = build(
        ("kudos-a", plugin_with(kudos_twins.FirstQuery)),
        ("kudos-reader", plugin_with(kudos_twins.ReaderQuery)),
    )
    assert "firstKudos: Kudos" in schema.as_str()
    assert "readKudos: Kudos" in schema.as_str()
