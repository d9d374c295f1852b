"""How errors reach clients: known problems keep their message and get ``extensions.code``;
anything unexpected is logged in full and shown only as "Unexpected error."."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import StreamExecutionResult

from icn_graph.db.busy import BUSY, no_connection_free
from icn_graph.errors import ErrorCode, ServiceError

log = logging.getLogger(__name__)

MASKED_MESSAGE = "Unexpected error."


def present(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if original is None:
        # Syntax and validation errors (including the abuse limits): the message is the help.
        if "code" not in (error.extensions or {}):
            code = (
                "GRAPHQL_PARSE_FAILED"
                if error.message.startswith("Syntax Error")
                else ("GRAPHQL_VALIDATION_FAILED")
            )
            error.extensions = {**(error.extensions or {}), "code": code}
        return error
    if isinstance(original, ServiceError):
        extensions: dict[str, object] = {"code": original.code.value}
        if original.field:
            extensions["field"] = original.field
        return _shown_as(error, original.message, extensions, original)
    if isinstance(original, GraphQLError):
        return error
    if no_connection_free(original):  # logged once per operation: IcnSchema.process_errors
        return _shown_as(error, BUSY, {"code": ErrorCode.SERVICE_UNAVAILABLE.value})
    return _shown_as(error, MASKED_MESSAGE, {"code": "INTERNAL_SERVER_ERROR"})


def _shown_as(
    error: GraphQLError,
    message: str,
    extensions: dict[str, object],
    original: Exception | None = None,
) -> GraphQLError:
    """``error`` where it happened, with the message and extensions the client sees."""
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=original,
        extensions=extensions,
    )


def _present_all(result: object) -> None:
    errors = getattr(result, "errors", None)
    if result is not None and errors:
        result.errors = [present(error) for error in errors]  # type: ignore[attr-defined]


class ErrorPolicy(SchemaExtension):
    """Applies :func:`present` to every error of an operation.

    Over HTTP the whole result exists when the operation ends. Over a websocket
    (``graphql-transport-ws``) results are *streamed*: each one is sent to the client before the
    operation ends, so each must be presented in ``on_stream_result`` or internals would leak.
    """

    _streamed = False  # set per instance; strawberry makes one instance per operation

    def on_operation(self) -> Iterator[None]:
        self._streamed = False
        yield
        if not self._streamed:
            _present_all(self.execution_context.result)

    def on_stream_result(self, result: StreamExecutionResult) -> Iterator[None]:
        self._streamed = True
        _present_all(result)
        for part in (
            *(getattr(result, "incremental", None) or ()),
            *(getattr(result, "completed", None) or ()),
        ):
            _present_all(part)
        yield
