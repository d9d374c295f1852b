# mypy: disable-error-code="untyped-decorator"
"""A read-ahead path that names a field its type lacks (a Python name for a camelCase one) is an
error naming it, not a page that silently goes back to a task per row."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Awaitable

import pytest
import strawberry
from graphql import build_schema

from icn_graph.db.database import Database
from icn_graph.plugin_api import (
    Info,
    Person,
    PersonType,
    SchemaContribution,
    hookimpl,
    loaded,
    read_ahead,
)
from icn_graph.schema.lookahead import _check_path
from icn_graph.testing import GraphQLClient, make_person, token_for


def _person(row: Person | None) -> PersonType | None:
    return PersonType.from_model(row) if row else None


@strawberry.type(description="A row pointing at a person.")
class PathsRow:
    person_pk: strawberry.Private[int]

    @strawberry.field(description="The person.", graphql_type=PersonType | None)
    def person_shown(self, info: Info) -> PersonType | Awaitable[PersonType | None] | None:
        return loaded(info.context.loaders.person, self.person_pk, _person)


async def _rows(info: Info, path: tuple[str, ...]) -> list[PathsRow]:
    pk = info.context.viewer.require_member()
    await read_ahead(info, (info.context.loaders.person, [pk], [path]))
    return [PathsRow(person_pk=pk)]


@strawberry.type
class PathsQuery:
    @strawberry.field(description="Read ahead by the field's GraphQL name.")
    async def paths_spelt(self, info: Info) -> list[PathsRow] | None:
        return await _rows(info, ("personShown", "displayName"))

    @strawberry.field(description="Read ahead by the field's Python name.")
    async def paths_misspelt(self, info: Info) -> list[PathsRow] | None:
        return await _rows(info, ("person_shown",))


@hookimpl
def register_schema() -> SchemaContribution:
    return SchemaContribution(query=PathsQuery)


@pytest.fixture
def icn_plugins() -> list[tuple[str, object]]:
    return [("paths", sys.modules[__name__])]


async def test_a_path_the_type_lacks_is_an_error_naming_it(
    db: Database, client: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    reader = await make_person(db, display_name="Maria Lopez")
    token = await token_for(db, reader)
    shown = {"personShown": {"displayName": "Maria Lopez"}}
    spelt = await client.data("{ pathsSpelt { personShown { displayName } } }", token=token)
    assert spelt == {"pathsSpelt": [shown]}

    fields = "personShown { displayName }"
    both = f"{{ pathsMisspelt {{ {fields} }} pathsSpelt {{ {fields} }} }}"
    with caplog.at_level(logging.ERROR):
        body = await client.execute(both, token=token)
    assert body["data"] == {"pathsMisspelt": None, "pathsSpelt": [shown]}
    [error] = body["errors"]
    assert error["path"] == ["pathsMisspelt"]
    logged = "\n".join(record.getMessage() + str(record.exc_info) for record in caplog.records)
    assert "read_ahead: PathsRow has no field 'person_shown' (at PathsRow)" in logged


SCHEMA = build_schema(
    """
    type Query { things: ThingConnection page: [Shape] }
    type ThingConnection { edges: [ThingEdge] nodes: [Thing] }
    type ThingEdge { node: Thing }
    interface Thing { name: String }
    type Box implements Thing { name: String item: Cover }
    type Bag implements Thing { name: String item: Strap }
    type Cover { colour: String }
    type Strap { length: Int }
    union Shape = Box | Bag
    """
)


@pytest.mark.parametrize(
    ("field", "path"),
    [
        ("things", ("edges", "node", "name")),
        ("things", ("nodes", "name")),
        # a field of one implementation only, as an inline fragment reaches it
        ("things", ("nodes", "item", "colour")),
        # the same name with a different type in each member of a union
        ("page", ("item", "colour")),
        ("page", ("item", "length")),
        ("page", ("__typename",)),
    ],
)
def test_paths_through_connections_interfaces_and_unions_are_valid(
    field: str, path: tuple[str, ...]
) -> None:
    query_type = SCHEMA.query_type
    assert query_type is not None
    _check_path(SCHEMA, query_type.fields[field].type, path)


@pytest.mark.parametrize(
    ("field", "path", "message"),
    [
        ("things", ("edges", "name"), "ThingEdge has no field 'name' (at ThingConnection.edges)"),
        ("page", ("item", "size"), "Cover | Strap has no field 'size' (at Shape.item)"),
        ("things", ("nodes", "item_colour"), "Thing has no field 'item_colour'"),
    ],
)
def test_a_path_no_type_on_its_way_has_is_refused(
    field: str, path: tuple[str, ...], message: str
) -> None:
    query_type = SCHEMA.query_type
    assert query_type is not None
    with pytest.raises(ValueError, match=re.escape(message)):
        _check_path(SCHEMA, query_type.fields[field].type, path)
