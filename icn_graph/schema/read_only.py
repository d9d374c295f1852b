"""Read-only tokens: a mutation sent with one is refused before anything runs."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import ExecutionResult, GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from icn_graph.errors import ErrorCode

READ_ONLY_MESSAGE = (
    "This personal access token is read-only: it cannot run mutations. Make one without "
    "readOnly to change things."
)


class ReadOnlyTokens(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        context = self.execution_context.context
        viewer = getattr(context, "viewer", None)
        if (
            viewer is not None
            and viewer.read_only
            and self.execution_context.operation_type is OperationType.MUTATION
        ):
            # A result set before execution is the answer: strawberry runs no resolver.
            self.execution_context.result = ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(READ_ONLY_MESSAGE, extensions={"code": ErrorCode.FORBIDDEN.value})
                ],
            )
        yield
