"""Look-ahead: whether the query selects a field below the one being resolved.

A resolver that knows its children's data will be asked for can read it for the whole page at
once, before the children resolve (``loaders.loaded``), so each child answers without a
coroutine or a task of its own. Reading ahead changes what is read when, never what is shown:
``@skip`` and ``@include`` are not evaluated, so at worst something is read and not shown.
"""

from __future__ import annotations

from collections.abc import Mapping

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)

from icn_graph.schema.context import Info


def selects(info: Info, *paths: tuple[str, ...]) -> bool:
    """Whether the field being resolved selects any of ``paths`` below it, each path the field
    names as the query spells them (not aliases), through fragments:
    ``selects(info, ("edges", "node", "keyResults"), ("nodes", "keyResults"))``."""
    raw = info._raw_info
    walked: dict[tuple[str, tuple[str, ...]], bool] = {}
    return any(
        _selects(node.selection_set, path, raw.fragments, walked)
        for node in raw.field_nodes
        for path in paths
    )


def _selects(
    selection_set: SelectionSetNode | None,
    path: tuple[str, ...],
    fragments: Mapping[str, FragmentDefinitionNode],
    walked: dict[tuple[str, tuple[str, ...]], bool],
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
