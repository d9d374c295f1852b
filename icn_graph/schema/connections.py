"""Relay cursor connections over a service ``Page``.

``Connection[Center]`` becomes the GraphQL type ``CenterConnection`` (and ``CenterEdge``):
:func:`describe_connections` gives each such type a description naming its node type.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

import strawberry
from strawberry.types.base import StrawberryObjectDefinition

from icn_graph.services.pagination import LazyCursor, Page

NodeT = TypeVar("NodeT")
ModelT = TypeVar("ModelT")


CONNECTION_DESCRIPTION = (
    "A page of a listing of {node} objects: its items (`nodes`, or `edges` with their "
    "cursors), where the page sits (`pageInfo`) and how many items match in all (`totalCount`)."
)
EDGE_DESCRIPTION = "One {node} in a page of a listing, with its cursor."


@strawberry.type(description="Where a page sits in the whole listing.")
class PageInfo:
    has_next_page: bool = strawberry.field(
        description="Whether more items follow this page: ask again with `after: endCursor`."
    )
    has_previous_page: bool = strawberry.field(
        description="Whether items come before this page (it was asked for with `after`). "
        "Listings page forward only."
    )
    start_cursor: str | None = strawberry.field(
        description="The cursor of the page's first item; null when the page is empty."
    )
    end_cursor: str | None = strawberry.field(
        description="The cursor of the page's last item, to pass as `after` for the next page; "
        "null when the page is empty."
    )


def _edge_cursor(self: Edge[Any]) -> str:
    return str(self.lazy_cursor)


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str = strawberry.field(
        resolver=_edge_cursor,
        description="Opaque; pass it as `after` to get the items that follow this one.",
    )
    node: NodeT = strawberry.field(description="The item at this place in the listing.")
    # Encoded when asked for (see LazyCursor).
    lazy_cursor: strawberry.Private[str | LazyCursor]


@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]] = strawberry.field(
        description="The page's items, in order, each with its cursor."
    )
    page_info: PageInfo = strawberry.field(
        description="Whether more items follow, and the cursors at the page's two ends."
    )
    page: strawberry.Private[Page[object]]

    @strawberry.field(description="How many items match the filter, across all pages.")
    async def total_count(self) -> int:
        return await self.page.count_total()

    @strawberry.field(description="The nodes of this page, without cursors.")
    def nodes(self) -> list[NodeT]:
        return [edge.node for edge in self.edges]


def connection_from_page(
    page: Page[ModelT], to_node: Callable[[ModelT], NodeT]
) -> Connection[NodeT]:
    edges = [Edge(lazy_cursor=cursor, node=to_node(item)) for cursor, item in page.items]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=str(edges[0].lazy_cursor) if edges else None,
            end_cursor=str(edges[-1].lazy_cursor) if edges else None,
        ),
        page=page,  # type: ignore[arg-type]
    )


_GENERICS: dict[type, tuple[str, str]] = {
    Connection: (CONNECTION_DESCRIPTION, "Connection"),
    Edge: (EDGE_DESCRIPTION, "Edge"),
}


def describe_connections(schema: strawberry.Schema) -> None:
    """Describe every type made from ``Connection[X]`` or ``Edge[X]`` in ``schema``: Strawberry
    copies the generic's (lack of a) description to each, so it is filled in once built."""
    for name, concrete in schema.schema_converter.type_map.items():
        definition = concrete.definition
        if not isinstance(definition, StrawberryObjectDefinition) or definition.description:
            continue
        generic = definition.concrete_of.origin if definition.concrete_of else None
        found = _GENERICS.get(generic) if generic is not None else None
        if found is None:
            continue
        template, suffix = found
        schema._schema.type_map[name].description = template.format(node=name.removesuffix(suffix))
