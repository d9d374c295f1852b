"""Refetching Learning Session objects by global ID (merged into ``node``'s fetchers)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from icn_graph.schema.context import Info
from icn_graph.schema.learning_sessions import loaders
from icn_graph.schema.learning_sessions.agenda import AgendaItem
from icn_graph.schema.learning_sessions.registrations import Registration
from icn_graph.schema.learning_sessions.sessions import LearningSession
from icn_graph.schema.relay import Node


async def _learning_session(info: Info, pk: int) -> Node | None:
    row = await loaders.learning_session(info).load(pk)
    return LearningSession.from_model(row) if row else None


async def _agenda_item(info: Info, pk: int) -> Node | None:
    row = await loaders.agenda_item(info).load(pk)
    return AgendaItem.from_model(row) if row else None


async def _registration(info: Info, pk: int) -> Node | None:
    row = await loaders.registration(info).load(pk)
    return Registration.from_model(row) if row else None


FETCHERS: dict[str, Callable[[Info, int], Awaitable[Node | None]]] = {
    "LearningSession": _learning_session,
    "AgendaItem": _agenda_item,
    "Registration": _registration,
}
