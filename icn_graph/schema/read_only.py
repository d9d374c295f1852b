"""Read-only tokens: a mutation sent with one is refused before anything runs, unless every field
it asks for is a public mutation (those act as nobody, so the token does not matter)."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import (
    DocumentNode,
    ExecutionResult,
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
)
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from icn_graph.errors import ErrorCode
from icn_graph.schema.limits.introspection import root_fields

READ_ONLY_MESSAGE = (
    "This personal access token is read-only: it cannot run mutations. Make one without "
    "readOnly to change things."
)

# Mutations that never act as the viewer: a mailed link's secret (or an email address) is all
# they go by, so they work whatever token is sent, or none.
PUBLIC_MUTATIONS = frozenset({"requestSignIn", "signIn", "acceptInvitation", "confirmEmailChange"})


def only_public_mutations(document: DocumentNode, operation_name: str | None) -> bool:
    """Whether the chosen operation asks only for public mutations (and ``__typename``)."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = next(
        (
            operation
            for operation in operations
            if operation_name is None or (operation.name and operation.name.value == operation_name)
        ),
        None,
    )
    if chosen is None:
        return False
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    names = {field.name.value for field in root_fields(chosen.selection_set, fragments.get)}
    return bool(names - {"__typename"}) and names <= PUBLIC_MUTATIONS | {"__typename"}


class ReadOnlyTokens(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        viewer = getattr(context.context, "viewer", None)
        if (
            viewer is not None
            and viewer.read_only
            and context.operation_type is OperationType.MUTATION
            and context.graphql_document is not None
            and not only_public_mutations(context.graphql_document, context.operation_name)
        ):
            # A result set before execution is the answer: strawberry runs no resolver.
            context.result = ExecutionResult(
                data=None,
                errors=[
                    GraphQLError(READ_ONLY_MESSAGE, extensions={"code": ErrorCode.FORBIDDEN.value})
                ],
            )
        yield
