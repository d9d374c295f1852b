"""Who may introspect, and how much one operation may (docs/api.md, "Limits").

``ICN_INTROSPECTION=false``: anonymous clients may not introspect the schema, and the errors
they get do not suggest names from it either ("Cannot query field 'netwrk' on type 'Query'.",
without "Did you mean 'network'?"). Signed-in clients always may (code generators and the
explorer send a token); ``__typename`` is not introspection and stays allowed.

One operation may select ``__schema`` once: the answer is the whole schema, and a client that
needs it twice needs it once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import StreamExecutionResult

from icn_graph.config import Settings
from icn_graph.errors import ServiceError
from icn_graph.services.viewer import Viewer

# What graphql-core appends to a message to suggest names: " Did you mean 'network'?", " Did
# you mean the enum value 'STAFF'?", " Did you mean to use an inline fragment on 'Center'?".
_SUGGESTION = re.compile(r" Did you mean [^?]*\?")


def _hide_suggestions(result: object) -> None:
    for error in getattr(result, "errors", None) or ():
        if isinstance(error, GraphQLError) and not isinstance(error.original_error, ServiceError):
            error.message = _SUGGESTION.sub("", error.message)


class AnonymousIntrospection(SchemaExtension):
    _closed = False

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context.context
        settings = getattr(context, "settings", None)
        viewer = getattr(context, "viewer", None)
        self._closed = (
            isinstance(settings, Settings)
            and not settings.introspection
            and not (isinstance(viewer, Viewer) and viewer.is_authenticated)
        )
        if self._closed:
            self.execution_context.validation_rules = (
                *self.execution_context.validation_rules,
                NoSchemaIntrospectionCustomRule,
            )
        yield
        if self._closed:
            _hide_suggestions(self.execution_context.result)

    def on_stream_result(self, result: StreamExecutionResult) -> Iterator[None]:
        # Over a websocket each result is sent before the operation ends.
        if self._closed:
            _hide_suggestions(result)
        yield


def root_fields(
    selection_set: SelectionSetNode,
    fragment: Callable[[str], FragmentDefinitionNode | None],
) -> list[FieldNode]:
    """The fields an operation selects at its root, through fragments (``@skip`` or not)."""
    fields: list[FieldNode] = []
    pending = list(selection_set.selections)
    spread: set[str] = set()
    while pending:
        selection = pending.pop(0)
        if isinstance(selection, FieldNode):
            fields.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            pending[:0] = selection.selection_set.selections
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in spread:
            spread.add(selection.name.value)
            definition = fragment(selection.name.value)
            if definition is not None:
                pending[:0] = definition.selection_set.selections
    return fields


class OneSchemaField(ValidationRule):
    """At most one ``__schema`` (one response key: the same key twice merges into one)."""

    def enter_operation_definition(self, node: OperationDefinitionNode, *_args: Any) -> None:
        fields = [
            field
            for field in root_fields(node.selection_set, self.context.get_fragment)
            if field.name.value == "__schema"
        ]
        keys = list(dict.fromkeys((field.alias or field.name).value for field in fields))
        if len(keys) > 1:
            self.report_error(
                GraphQLError(
                    f"An operation may select `__schema` once; this one selects it {len(keys)}"
                    f" times ({', '.join(keys)}). Ask for everything in one `__schema` field.",
                    fields,
                )
            )
