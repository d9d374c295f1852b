"""Every type, field, argument, input field and enum value of the schema has a description:
core's schema alone, and the schema as served with the first-party plugins (plugins_contrib)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator

import graphql
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
)

from icn_graph.config import Settings
from icn_graph.host import core_schema, load_plugins
from icn_graph.schema import build_schema

# Imported by name so that type-checking this file alone doesn't need the plugins' sources.
CONTRIB_PLUGINS = [
    ("icn-codesign", importlib.import_module("icn_codesign.plugin")),
    ("icn-kudos", importlib.import_module("icn_kudos.plugin")),
    ("icn-panels", importlib.import_module("icn_panels.plugin")),
]


def undescribed(schema: GraphQLSchema) -> Iterator[str]:
    """Each element without a description, as ``kind Type.field(argument)``; introspection
    types (``__Type``, ...) are graphql-core's and left out, built-in scalars are not."""
    for name, named in schema.type_map.items():
        if name.startswith("__"):
            continue
        if not named.description:
            yield f"type {name}"
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                if not field.description:
                    yield f"field {name}.{field_name}"
                for argument_name, argument in field.args.items():
                    if not argument.description:
                        yield f"argument {name}.{field_name}({argument_name})"
        elif isinstance(named, GraphQLInputObjectType):
            for field_name, input_field in named.fields.items():
                if not input_field.description:
                    yield f"input field {name}.{field_name}"
        elif isinstance(named, GraphQLEnumType):
            for value_name, value in named.values.items():
                if not value.description:
                    yield f"enum value {name}.{value_name}"


def _core() -> GraphQLSchema:
    return core_schema()._schema


def _with_contrib_plugins() -> GraphQLSchema:
    host = load_plugins(
        Settings(_env_file=None),  # type: ignore[call-arg]
        extra=CONTRIB_PLUGINS,
        discover=False,
    )
    return build_schema(host.schema_contributions())._schema


@pytest.mark.parametrize(
    "build", [_core, _with_contrib_plugins], ids=["core", "with-contrib-plugins"]
)
def test_everything_in_the_schema_is_described(build: Callable[[], GraphQLSchema]) -> None:
    missing = list(undescribed(build()))
    assert not missing, f"{len(missing)} without a description:\n" + "\n".join(missing)


def test_the_check_sees_a_missing_description() -> None:
    schema = graphql.build_schema(
        '"""The root."""\ntype Query {\n  """Hi."""\n  hello(name: String): String\n}'
    )
    assert list(undescribed(schema)) == ["argument Query.hello(name)"]
