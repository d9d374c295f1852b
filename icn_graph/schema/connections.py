"""Relay cursor connections over a service ``Page``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

import strawberry

from icn_graph.services.pagination import Page

NodeT = TypeVar("NodeT")
ModelT = TypeVar("ModelT")


@strawberry.type(description="Where a page sits in the whole listing.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
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
    edges = [Edge(cursor=cursor, node=to_node(item)) for cursor, item in page.items]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=page.has_previous_page,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        page=page,  # type: ignore[arg-type]
    )
