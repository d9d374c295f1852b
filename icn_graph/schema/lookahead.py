"""Look-ahead: whether the query selects a field below the one being resolved.

A resolver that knows its children's data will be asked for can read it for the whole page at
once, before the children resolve (``loaders.loaded``), so each child answers without a
coroutine or a task of its own. Reading ahead changes what is read when, never what is shown:
``@skip`` and ``@include`` are not evaluated, so at worst something is read and not shown.

A connection field reads its rows' children ahead in one call::

    page = await ...
    await read_ahead(
        info,
        (info.context.loaders.person, [row.author_id for _, row in page.items],
         in_connection("author")),
    )
    return connection_from_page(page, Message.from_row)

and the child field, a sync ``def`` declared with ``graphql_type=``, answers with
``loaded(loader, key, convert)``: at once when the page read it, else an awaitable.
"""

from __future__ import annotations

import asyncio
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any
from weakref import WeakKeyDictionary

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
)
from strawberry.dataloader import DataLoader

from icn_graph.schema.context import Info

Path = tuple[str, ...]
ReadAhead = tuple[DataLoader[Any, Any], Iterable[Hashable | None], Sequence[Path]]
"""What to read ahead: a loader, the keys of the page's rows, and where the query shows them."""


def in_connection(*fields: str) -> tuple[Path, ...]:
    """The paths from a connection field to a field of its nodes, by both routes a query can
    take: ``in_connection("author")`` is ``("edges", "node", "author"), ("nodes", "author")``."""
    return tuple((*route, field) for route in (("edges", "node"), ("nodes",)) for field in fields)


async def read_ahead(info: Info, *reads: ReadAhead) -> None:
    """For each ``(loader, keys, paths)`` whose paths the query selects below the field being
    resolved, load the keys now: every loader's batch in one go, one statement each (``None``
    keys are skipped). A failure stays in its loader, so each field that needs that value
    reports it and the page itself stays.

    Not in a mutation: its later fields write, and what was read ahead for a field the query
    does not show (``@include(if: false)``) would answer a later field as it was before the
    write. Nor for a loader without a cache (``loaded`` could not find what it read)."""
    raw = info._raw_info
    for _, _, paths in reads:
        for path in paths:
            _check_path(raw.schema, raw.return_type, tuple(path))
    if raw.operation.operation is OperationType.MUTATION:
        return
    pending: list[Any] = []
    for loader, keys, paths in reads:
        wanted = [key for key in dict.fromkeys(keys) if key is not None]
        if wanted and loader.cache and selects(info, *paths):
            pending.extend(loader.load(key) for key in wanted)
    if pending:
        await asyncio.gather(*pending, return_exceptions=True)


# Paths found valid, per schema: a path is checked once, not on every page.
_checked: WeakKeyDictionary[GraphQLSchema, set[tuple[str, Path]]] = WeakKeyDictionary()


def _check_path(schema: GraphQLSchema, return_type: GraphQLOutputType, path: Path) -> None:
    """Raise when ``path`` names a field no type on its way has: a misspelt path (a Python
    name such as ``open_goal_count`` for ``openGoalCount``) would otherwise read nothing ahead,
    silently, and the page would go back to a task per row. Through a union or an interface,
    a step may name a field of any of its types (as a fragment on one of them would)."""
    named = get_named_type(return_type)
    checked = _checked.setdefault(schema, set())
    if (named.name, path) in checked:
        return
    current: list[GraphQLNamedType] = [named]
    for depth, name in enumerate(path):
        if name == "__typename" and depth == len(path) - 1:
            break
        fields = [
            candidate.fields[name]
            for named_type in current
            for candidate in _object_types(schema, named_type)
            if name in candidate.fields
        ]
        if not fields:
            walked = ".".join((named.name, *path[:depth]))
            types = " | ".join(sorted({named_type.name for named_type in current}))
            raise ValueError(
                f"read_ahead: {types} has no field {name!r} (at {walked}); a path names "
                "fields as the schema spells them, camelCase (openGoalCount), not aliases"
            )
        current = list({id(t): t for t in (get_named_type(f.type) for f in fields)}.values())
    checked.add((named.name, path))


def _object_types(
    schema: GraphQLSchema, named: GraphQLNamedType
) -> list[GraphQLObjectType | GraphQLInterfaceType]:
    """The types whose fields a selection on ``named`` may name (through fragments too)."""
    if isinstance(named, GraphQLObjectType):
        return [named]
    if isinstance(named, GraphQLInterfaceType):
        return [named, *schema.get_possible_types(named)]
    if isinstance(named, GraphQLUnionType):
        return list(schema.get_possible_types(named))
    return []


def selects(info: Info, *paths: Path) -> bool:
    """Whether the field being resolved selects any of ``paths`` below it, each path the field
    names as the query spells them (not aliases), through fragments:
    ``selects(info, ("edges", "node", "keyResults"), ("nodes", "keyResults"))``."""
    raw = info._raw_info
    walked: dict[tuple[str, Path], bool] = {}
    return any(
        _selects(node.selection_set, path, raw.fragments, walked)
        for node in raw.field_nodes
        for path in paths
    )


def _selects(
    selection_set: SelectionSetNode | None,
    path: Path,
    fragments: Mapping[str, FragmentDefinitionNode],
    walked: dict[tuple[str, Path], bool],
) -> bool:
    """``walked``: each fragment's answer for each remaining path, so a fragment spread many
    times (each spreading the next twice, say) is walked once, not once per spread."""
    if selection_set is None or not path:
        return False
    name, rest = path[0], path[1:]
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value == name and (
                not rest or _selects(selection.selection_set, rest, fragments, walked)
            ):
                return True
        elif isinstance(selection, InlineFragmentNode):
            if _selects(selection.selection_set, path, fragments, walked):
                return True
        elif isinstance(selection, FragmentSpreadNode):
            key = (selection.name.value, path)
            if key not in walked:
                walked[key] = False
                fragment = fragments.get(selection.name.value)
                walked[key] = fragment is not None and _selects(
                    fragment.selection_set, path, fragments, walked
                )
            if walked[key]:
                return True
    return False
