"""A document with several operations runs only the one ``operationName`` names.

Strawberry would run the first when no name is sent; the GraphQL spec says that is an error. It
is refused at validation, so nothing runs and nothing is priced or charged: the cost is computed
only once the operation is known.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import GraphQLError, OperationDefinitionNode
from strawberry.extensions import SchemaExtension

OPERATION_NAME_REQUIRED = (
    "operationName is required when the document has several operations: send the name of the "
    "one to run ({names})."
)


class OperationChoice(SchemaExtension):
    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        operations = [
            definition
            for definition in (document.definitions if document is not None else ())
            if isinstance(definition, OperationDefinitionNode)
        ]
        # Strawberry fills ``operation_name`` with the first operation's: what was sent is this.
        sent = getattr(context, "_provided_operation_name", None)
        if len(operations) > 1 and sent is None and not context.pre_execution_errors:
            names = ", ".join(
                operation.name.value if operation.name else "(anonymous)"
                for operation in operations
            )
            # Errors already present skip validation and end the operation before it runs.
            context.pre_execution_errors = [
                GraphQLError(OPERATION_NAME_REQUIRED.format(names=names))
            ]
        yield
