"""``notificationAdded`` over a websocket, delivered in O(events) rather than O(subscribers).

Each subscription registers with this process's :class:`~icn_graph.notifications.realtime.live.
LiveRoom` what it selects (its *shape*: the document, the operation and its variables) and its
connection's context. For a batch of announced notifications :class:`LiveDelivery`:

1. takes each subscriber's viewer from its connection's context: the one the connection
   authenticated with, refreshed when that person's tokens or memberships change (the
   revocation topic, web/websocket_auth.py); no token lookup per event;
2. reads what every connected recipient's notification needs in set-based queries
   (notifications/realtime/live_batch.py), whatever the number of subscribers;
3. renders the payload once per group of subscribers that would get the same answer: same
   shape, same event and same *visibility* (nothing, for fields of the notification row alone;
   whether the reader may see the subject, for ``summary``, ``data``, ``url`` and ``appPath``;
   the whole viewer for anything else, such as ``subject { ... }`` or ``actor { ... }``); the
   fields that differ per recipient (``id``, ``reason``, ``createdAt``, ``readAt``, ``read``)
   are then set in a copy for each one;
4. pushes each payload onto the subscriber's queue; the subscription's own task sends it, so a
   slow client holds up nobody else.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, replace
from inspect import isawaitable
from typing import Any

import strawberry
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLIncludeDirective,
    GraphQLScalarType,
    GraphQLSkipDirective,
    InlineFragmentNode,
    SelectionSetNode,
)
from graphql.execution import Executor, VariableValues, execute_subscription_event
from graphql.execution.values import get_directive_values
from strawberry.dataloader import DataLoader

from icn_graph.db.busy import no_connection_free
from icn_graph.ids import to_global_id
from icn_graph.notifications.realtime.live import Announcement, LiveSubscriber
from icn_graph.notifications.realtime.live_batch import LiveBatch, LiveNotification, load_live_batch
from icn_graph.schema.context import Context, Info
from icn_graph.schema.errors import present
from icn_graph.schema.loaders import Loaders
from icn_graph.schema.notifications import Notification
from icn_graph.services.viewer import Viewer

log = logging.getLogger(__name__)

# Fields of the notification row, the same for every reader (per recipient: set per copy).
ROW_FIELDS = frozenset(
    {"id", "type", "kind", "reason", "subjectId", "createdAt", "readAt", "read", "__typename"}
)
# Fields that depend on whether the reader may see the subject, and on nothing else.
SUBJECT_FIELDS = frozenset({"summary", "data", "url", "appPath"})
PER_RECIPIENT = frozenset({"id", "reason", "createdAt", "readAt", "read"})


@dataclass(frozen=True)
class LiveOperation:
    """The websocket operation a subscription runs in (set by web/websocket_auth.py)."""

    id: str
    query: str
    variables: Mapping[str, Any] | None
    operation_name: str | None
    send: Callable[[dict[str, Any]], Awaitable[None]]  # a graphql-transport-ws ``next`` payload


LIVE_OPERATION: ContextVar[LiveOperation | None] = ContextVar("icn_live_operation", default=None)


@dataclass(frozen=True)
class Shape:
    """What a subscription selects, and so how much of the reader its answer depends on."""

    key: tuple[str, str | None, str]
    document: DocumentNode
    operation_name: str | None
    variables: Mapping[str, Any] | None
    root_key: str  # the response key of notificationAdded (its alias, if any)
    patches: tuple[tuple[str, str], ...]  # (response key, field name) set per recipient
    depends_on: str  # "nothing" | "subject" | "viewer"


@dataclass(frozen=True)
class LiveTarget:
    shape: Shape
    context: Context


def _included(node: Any, variables: VariableValues | None) -> bool:
    skip = get_directive_values(GraphQLSkipDirective, node, variables)
    if skip is not None and skip.get("if") is True:
        return False
    include = get_directive_values(GraphQLIncludeDirective, node, variables)
    return not (include is not None and include.get("if") is False)


def _fields(
    selection_set: SelectionSetNode | None,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: VariableValues | None,
    seen: frozenset[str] = frozenset(),
) -> Iterator[FieldNode]:
    """The fields of ``selection_set`` with fragments spread (each named one once per path)."""
    for selection in selection_set.selections if selection_set else ():
        if not _included(selection, variables):
            continue
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set, fragments, variables, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in seen:
                yield from _fields(fragment.selection_set, fragments, variables, seen | {name})


def shape_of(info: Info, operation: LiveOperation) -> Shape:
    raw = info._raw_info  # graphql-core's: the nodes as parsed, fragments included
    variables = raw.variable_values
    fragments = raw.fragments
    fields = [
        field
        for node in raw.field_nodes
        for field in _fields(node.selection_set, fragments, variables)
    ]
    names = {field.name.value for field in fields}
    if any(field.selection_set is not None for field in fields) or not names <= (
        ROW_FIELDS | SUBJECT_FIELDS
    ):
        depends_on = "viewer"
    elif names & SUBJECT_FIELDS:
        depends_on = "subject"
    else:
        depends_on = "nothing"
    patches = tuple(
        sorted(
            {
                ((field.alias or field.name).value, field.name.value)
                for field in fields
                if field.name.value in PER_RECIPIENT
            }
        )
    )
    document = DocumentNode(definitions=(raw.operation, *fragments.values()))
    variables_key = json.dumps(operation.variables or {}, sort_keys=True, default=str)
    return Shape(
        key=(operation.query, operation.operation_name, variables_key),
        document=document,
        operation_name=operation.operation_name,
        variables=operation.variables,
        root_key=raw.path.key if isinstance(raw.path.key, str) else "notificationAdded",
        patches=patches,
        depends_on=depends_on,
    )


def _viewer_key(viewer: Viewer) -> tuple[object, ...]:
    return (
        viewer.person_id,
        viewer.network_role,
        tuple(sorted(viewer.center_roles.items())),
        viewer.read_only,
        viewer.token_kind,
    )


class LiveDelivery:
    """Renders and pushes a batch of announced notifications to this process's subscribers."""

    def __init__(self, schema: Any) -> None:
        # The strawberry schema; its graphql-core schema executes the selections.
        self._schema = schema
        self._graphql_schema = schema._schema
        self.renders = 0  # payloads rendered so far (tests and benchmarks read it)

    async def deliver(
        self, announced: list[Announcement], subscribers: dict[int, list[LiveSubscriber]]
    ) -> None:
        viewers: dict[int, Viewer] = {}
        live: dict[int, list[tuple[LiveSubscriber, LiveTarget]]] = defaultdict(list)
        for person_id, group in subscribers.items():
            for subscriber in group:
                target: LiveTarget = subscriber.shape
                viewer = target.context.viewer
                # The connection's cached viewer: a revoked token has closed the connection (or
                # is closing it); a connection now someone else's hears nothing of this one's.
                if viewer.person_id != person_id:
                    continue
                viewers.setdefault(person_id, viewer)
                live[person_id].append((subscriber, target))
        if not live:
            return
        any_context = next(iter(live.values()))[0][1].context
        batch = await load_live_batch(any_context.db, announced, viewers)
        if not batch.notifications:
            return
        shared = self._shared_loaders(any_context, batch)
        rendered: dict[tuple[object, ...], dict[str, Any]] = {}
        for row in batch.notifications:
            event = batch.events.get(row.event_id)
            for subscriber, target in live.get(row.person_id, ()):
                shape = target.shape
                viewer = target.context.viewer
                key = (shape.key, row.event_id, self._visibility(shape, batch, viewer, row))
                answer = rendered.get(key)
                if answer is None:
                    context = self._render_context(target.context, viewer, shared, batch, row)
                    answer = rendered[key] = await self._render(shape, row, context)
                    if event is None:  # an event that is gone: nothing to share
                        rendered.pop(key)
                subscriber.push(self._for_recipient(shape, answer, row))

    def _visibility(
        self, shape: Shape, batch: LiveBatch, viewer: Viewer, row: LiveNotification
    ) -> tuple[object, ...]:
        if shape.depends_on == "nothing":
            return ()
        if shape.depends_on == "subject":
            return (batch.sees(row.person_id, row.subject_id),)
        return _viewer_key(viewer)

    def _shared_loaders(self, context: Context, batch: LiveBatch) -> Loaders:
        """Loaders of rows any reader may read (people, centers, memberships), shared by every
        render of the batch, with the batch's actors already in."""
        loaders = Loaders(context.db)
        for person_id, person in batch.actors.items():
            loaders.person.prime(person_id, person)
        return loaders

    def _render_context(
        self,
        connection: Context,
        viewer: Viewer,
        shared: Loaders,
        batch: LiveBatch,
        row: LiveNotification,
    ) -> Context:
        context = replace(connection, viewer=viewer)
        loaders = context.loaders
        loaders.center = shared.center
        loaders.person = shared.person
        loaders.membership = shared.membership
        loaders.memberships_of_center = shared.memberships_of_center
        loaders.memberships_of_person = shared.memberships_of_person
        # What the notification fields read, as this reader may see it (schema/notifications/
        # loaders.py names these loaders).
        events: DataLoader[int, Any] = loaders.get("notification_event", _unprimed)
        events.prime(row.event_id, batch.event_for(row.person_id, row.event_id))
        titles: DataLoader[str, Any] = loaders.get("notification_subject_title", _unprimed)
        titles.prime(row.subject_id, batch.title_for(row.person_id, row.subject_id))
        return context

    async def _render(
        self, shape: Shape, row: LiveNotification, context: Context
    ) -> dict[str, Any]:
        self.renders += 1
        executor = Executor.build(
            self._graphql_schema,
            shape.document,
            context_value=context,
            raw_variable_values=dict(shape.variables) if shape.variables else None,
            operation_name=shape.operation_name,
        )
        if isinstance(executor, list):  # variables that no longer coerce: cannot happen
            return {"data": None, "errors": [present(error).formatted for error in executor]}
        result = execute_subscription_event(executor.build_per_event_executor(_shown(row)))
        if isawaitable(result):
            result = await result
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            for error in result.errors:
                if (
                    error.original_error is not None
                    and not isinstance(error.original_error, GraphQLError)
                    and not no_connection_free(error.original_error)
                ):
                    log.error(
                        "a live notification field failed",
                        exc_info=error.original_error,
                    )
            payload["errors"] = [present(error).formatted for error in result.errors]
        return payload

    def _for_recipient(
        self, shape: Shape, answer: dict[str, Any], row: LiveNotification
    ) -> dict[str, Any]:
        data = answer.get("data")
        shown = data.get(shape.root_key) if isinstance(data, dict) else None
        if not shape.patches or not isinstance(shown, dict):
            return answer
        mine = dict(shown)
        for key, name in shape.patches:
            if key in mine:
                mine[key] = self._value(name, row)
        return {**answer, "data": {**data, shape.root_key: mine}}  # type: ignore[dict-item]

    def _value(self, name: str, row: LiveNotification) -> Any:
        if name == "id":
            return to_global_id(Notification.type_name, row.id)
        if name == "reason":
            return row.reason
        if name == "read":
            return row.read_at is not None
        moment = row.created_at if name == "createdAt" else row.read_at
        if moment is None:
            return None
        scalar = self._graphql_schema.get_type("DateTime")
        assert isinstance(scalar, GraphQLScalarType)
        return scalar.serialize(moment)


def _shown(row: LiveNotification) -> Notification:
    return Notification(
        pk=row.id,
        event_type=row.type,
        reason=row.reason,
        subject_id=strawberry.ID(row.subject_id),
        created_at=row.created_at,
        read_at=row.read_at,
        event_pk=row.event_id,
        actor_id=row.actor_id,
    )


async def _unprimed(_db: Any, keys: list[Any]) -> list[Any]:
    """A live render reads only what the batch primed; a miss means nothing to show."""
    return [None for _ in keys]
