"""Who may introspect (docs/api.md, "Browser apps on another origin").

``ICN_INTROSPECTION=false``: anonymous clients may not introspect the schema, and the errors
they get do not suggest names from it either ("Cannot query field 'netwrk' on type 'Query'.",
without "Did you mean 'network'?"). Signed-in clients always may (code generators and the
explorer send a token); ``__typename`` is not introspection and stays allowed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from graphql import GraphQLError
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
