"""A cap on the length of a GraphQL document, comments and whitespace included.

The token limit (``MaxTokensLimiter``) does not count comments, and the lexer must still read
them: a 20 MB document that is one ``#`` comment took seconds of the event loop to refuse. The
length is known without reading anything, so an over-long document is refused before parsing.
"""

from __future__ import annotations

from collections.abc import Iterator

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLError,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
)
from strawberry.extensions import SchemaExtension

from icn_graph.config import Settings

QUERY_TOO_LONG = "QUERY_TOO_LONG"


def _placeholder(operation_name: str | None) -> DocumentNode:
    """``query <name> { __typename }``: parsed in place of the refused document, so that the
    operation the request names exists and nothing of the client's text is read."""
    selection = SelectionSetNode(selections=(FieldNode(name=NameNode(value="__typename")),))
    operation = OperationDefinitionNode(
        operation=OperationType.QUERY,
        name=NameNode(value=operation_name) if operation_name is not None else None,
        variable_definitions=(),
        directives=(),
        selection_set=selection,
    )
    return DocumentNode(definitions=(operation,))


class QueryLengthLimit(SchemaExtension):
    _refusal: GraphQLError | None = None

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        settings = getattr(context.context, "settings", None)
        limit = settings.max_query_length if isinstance(settings, Settings) else None
        query = context.query or ""
        if limit is not None and len(query) > limit:
            self._refusal = GraphQLError(
                f"The document is {len(query):,} characters long; at most {limit:,} are "
                "accepted (comments and whitespace count). Send a shorter document.",
                extensions={"code": QUERY_TOO_LONG, "length": len(query), "limit": limit},
            )
            # Setting the document skips parsing (as strawberry's ParserCache does).
            context.graphql_document = _placeholder(context.operation_name)
        yield

    def on_validate(self) -> Iterator[None]:
        if self._refusal is not None:
            # Errors already present skip validation and end the operation before it runs.
            self.execution_context.pre_execution_errors = [self._refusal]
        yield
