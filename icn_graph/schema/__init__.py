"""The GraphQL schema: thin Strawberry types whose resolvers call services."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.types import ExecutionContext

from icn_graph.errors import ServiceError
from icn_graph.plugins.contributions import SchemaContribution
from icn_graph.schema.errors import ErrorPolicy
from icn_graph.schema.merge import SchemaConflict, merge_roots

log = logging.getLogger("icn_graph.graphql")

MAX_DEPTH = 10
MAX_ALIASES = 15
MAX_TOKENS = 2000


class IcnSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Problems the caller can fix are answers, not incidents: log only the unexpected.
        unexpected = [
            error
            for error in errors
            if error.original_error is not None
            and not isinstance(error.original_error, ServiceError | GraphQLError)
        ]
        for error in unexpected:
            log.error("unexpected error in %s", error.path, exc_info=error.original_error)


def build_schema(
    contributions: Sequence[tuple[str, SchemaContribution]], **options: Any
) -> strawberry.Schema:
    """The schema from the contributions of core's internal plugins and installed plugins."""
    roots = merge_roots(contributions)
    return IcnSchema(
        query=roots.query,
        mutation=roots.mutation,
        subscription=roots.subscription,
        types=roots.types,
        extensions=[
            lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
            lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
            lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
            ErrorPolicy,
        ],
        **options,
    )


__all__ = ["SchemaConflict", "build_schema"]
