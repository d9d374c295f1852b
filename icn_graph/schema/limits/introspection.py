"""``ICN_INTROSPECTION=false``: anonymous clients may not introspect the schema.

Signed-in clients always may (code generators and the explorer send a token); ``__typename``
is not introspection and stays allowed.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions import SchemaExtension

from icn_graph.config import Settings
from icn_graph.services.viewer import Viewer


class AnonymousIntrospection(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        context = self.execution_context.context
        settings = getattr(context, "settings", None)
        viewer = getattr(context, "viewer", None)
        if (
            isinstance(settings, Settings)
            and not settings.introspection
            and not (isinstance(viewer, Viewer) and viewer.is_authenticated)
        ):
            self.execution_context.validation_rules = (
                *self.execution_context.validation_rules,
                NoSchemaIntrospectionCustomRule,
            )
        yield
