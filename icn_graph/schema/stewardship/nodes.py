"""Refetching data requests, data views and decisions with ``node(id:)`` (as far as the viewer
may see them; otherwise they read as not found)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from icn_graph.schema.context import Info
from icn_graph.schema.relay import Node
from icn_graph.schema.stewardship.types import load_consent, load_request, load_view


async def _request(info: Info, pk: int) -> Node | None:
    return await load_request(info, pk)


async def _view(info: Info, pk: int) -> Node | None:
    return await load_view(info, pk)


async def _consent(info: Info, pk: int) -> Node | None:
    return await load_consent(info, pk)


STEWARDSHIP_FETCHERS: dict[str, Callable[[Info, int], Awaitable[Node | None]]] = {
    "DataRequest": _request,
    "DataView": _view,
    "DisplayConsent": _consent,
}
