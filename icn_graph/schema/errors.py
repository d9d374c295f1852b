"""How errors reach clients: known problems keep their message and get ``extensions.code``;
anything unexpected is logged in full and shown only as "Unexpected error."."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from icn_graph.services.errors import ServiceError

log = logging.getLogger(__name__)

MASKED_MESSAGE = "Unexpected error."


def present(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if original is None:
        # Syntax and validation errors (including the abuse limits): the message is the help.
        return error
    if isinstance(original, ServiceError):
        extensions: dict[str, object] = {"code": original.code.value}
        if original.field:
            extensions["field"] = original.field
        return GraphQLError(
            original.message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=original,
            extensions=extensions,
        )
    if isinstance(original, GraphQLError):
        return error
    return GraphQLError(
        MASKED_MESSAGE,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": "INTERNAL_SERVER_ERROR"},
    )


class ErrorPolicy(SchemaExtension):
    """Applies :func:`present` to every error of an operation."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if result is not None and errors:
            result.errors = [present(error) for error in errors]
