"""``node`` and ``nodes``: refetch any object by its global ID.

Core's types are refetched through ``FETCHERS``; a plugin's ``Node`` type through its
``resolve_nodes(info, pks)`` classmethod, batched per request (one call for all the IDs of that
type in one ``nodes``). ``check_node_types`` makes sure at start-up that every ``Node`` in the
schema can be refetched.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any

import strawberry
from strawberry.types.base import StrawberryObjectDefinition

from icn_graph.db.database import Database
from icn_graph.errors import BadInput, NotFound
from icn_graph.plugins.contributions import SchemaContribution
from icn_graph.schema.centers import Center
from icn_graph.schema.context import Info
from icn_graph.schema.goals import GOAL_FETCHERS
from icn_graph.schema.learning_sessions import FETCHERS as LEARNING_SESSION_FETCHERS
from icn_graph.schema.memberships import Membership
from icn_graph.schema.merge import SchemaConflict
from icn_graph.schema.ownership import owner_of
from icn_graph.schema.people import Person
from icn_graph.schema.relay import Node, node_refetcher, parse_global_id
from icn_graph.schema.stewardship.nodes import STEWARDSHIP_FETCHERS

MAX_NODES = 100

Fetch = Callable[[Info, int], Awaitable[Node | None]]


async def _center(info: Info, pk: int) -> Node | None:
    row = await info.context.loaders.center.load(pk)
    return Center.from_model(row) if row else None


async def _person(info: Info, pk: int) -> Node | None:
    row = await info.context.loaders.person.load(pk)
    return Person.from_model(row) if row else None


async def _membership(info: Info, pk: int) -> Node | None:
    row = await info.context.loaders.membership.load(pk)
    return Membership.from_model(row) if row else None


FETCHERS: dict[str, Fetch] = {"Center": _center, "Person": _person, "Membership": _membership}
FETCHERS.update(GOAL_FETCHERS)
FETCHERS.update(LEARNING_SESSION_FETCHERS)
FETCHERS.update(STEWARDSHIP_FETCHERS)

# Core's Node types that ``node(id:)`` does not refetch: a notification is read only through
# its recipient's ``viewer.notifications``.
NOT_REFETCHED = frozenset({"Notification"})


async def _plugin_node(info: Info, type_name: str, pk: int) -> Node | None:
    definition = info.schema.get_type_by_name(type_name)
    node_type = definition.origin if isinstance(definition, StrawberryObjectDefinition) else None
    refetcher = node_refetcher(node_type)
    if node_type is None or refetcher is None:
        return None
    resolve = refetcher

    async def batch(_: Database, pks: list[int]) -> Sequence[Any]:
        return await resolve(info, pks)

    found: Node | None = await info.context.loaders.get(f"node:{type_name}", batch).load(pk)
    if found is not None and not isinstance(found, node_type):
        raise TypeError(
            f"{type_name}.resolve_nodes returned a {type(found).__name__}, not a {type_name}"
        )
    return found


async def fetch_node(info: Info, type_name: str, pk: int) -> Node | None:
    """The object of type ``type_name`` with primary key ``pk``, if the viewer may see it."""
    fetch = FETCHERS.get(type_name)
    return await fetch(info, pk) if fetch else await _plugin_node(info, type_name, pk)


async def _fetch(info: Info, global_id: str, field: str) -> Node:
    type_name, pk = parse_global_id(global_id, field=field)
    found = await fetch_node(info, type_name, pk)
    if found is None:
        raise NotFound(f"Nothing has the ID '{global_id}'.", field=field)
    return found


async def resolve_node(
    info: Info,
    id: Annotated[
        strawberry.ID,
        strawberry.argument(
            description="Any object's `id`; one that names nothing you may see is NOT_FOUND."
        ),
    ],
) -> Node | None:
    info.context.viewer.require_member()
    return await _fetch(info, id, "id")


async def resolve_nodes(
    info: Info,
    ids: Annotated[
        list[strawberry.ID],
        strawberry.argument(
            description="Up to 100 IDs; the answer has one entry per ID, in the same order."
        ),
    ],
) -> list[Node | None]:
    info.context.viewer.require_member()
    if len(ids) > MAX_NODES:
        raise BadInput(f"ids: at most {MAX_NODES} IDs at once (got {len(ids)}).", field="ids")
    fetched = await asyncio.gather(
        *(_fetch(info, global_id, f"ids[{index}]") for index, global_id in enumerate(ids)),
        return_exceptions=True,
    )
    for outcome in fetched:
        if isinstance(outcome, BaseException) and not isinstance(outcome, BadInput | NotFound):
            raise outcome
    # graphql-core reports an Exception inside a list as that item's error, the item itself null.
    return fetched  # type: ignore[return-value]


def check_node_types(
    schema: strawberry.Schema, contributions: Sequence[tuple[str, SchemaContribution]]
) -> None:
    """Every object type implementing ``Node`` can be refetched by ``node(id:)``: its
    ``type_name`` is its GraphQL name and core fetches it or it has ``resolve_nodes``."""
    for concrete in list(schema.schema_converter.type_map.values()):
        definition = concrete.definition
        if not isinstance(definition, StrawberryObjectDefinition) or definition.is_interface:
            continue
        origin = definition.origin
        if not (isinstance(origin, type) and issubclass(origin, Node)):
            continue
        name = definition.name
        declared = getattr(origin, "type_name", None)
        if declared != name:
            raise SchemaConflict(
                f"plugin '{owner_of(origin, contributions)}': the Node type {name} must set "
                f'`type_name = "{name}"` (it has {declared!r}), or its IDs cannot be refetched'
            )
        if name not in FETCHERS.keys() | NOT_REFETCHED and node_refetcher(origin) is None:
            raise SchemaConflict(
                f"plugin '{owner_of(origin, contributions)}': the Node type {name} has no "
                "`resolve_nodes(cls, info, pks)` classmethod, so node(id:) cannot refetch it"
            )
