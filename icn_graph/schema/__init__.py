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
from icn_graph.schema.owners import ErrorOwners

log = logging.getLogger("icn_graph.graphql")

MAX_DEPTH = 10
MAX_ALIASES = 15
MAX_TOKENS = 2000


class IcnSchema(strawberry.Schema):
    owners = ErrorOwners({}, {}, {})

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
            owner = self.owners.owner_of(error) or "unknown"
            log.error(
                "unexpected error in %s (plugin %s)",
                ".".join(str(key) for key in error.path or ()),
                owner,
                exc_info=error.original_error,
                extra={"plugin": owner},
            )

    def root_field_owners(
        self, contributions: Sequence[tuple[str, SchemaContribution]]
    ) -> dict[str, str]:
        """GraphQL name of each root field → the plugin (or core area) that contributed it."""
        owners: dict[str, str] = {}
        for plugin, contribution in contributions:
            for root in (contribution.query, contribution.mutation, contribution.subscription):
                definition = getattr(root, "__strawberry_definition__", None)
                for field in definition.fields if definition else ():
                    owners[self.config.name_converter.get_graphql_name(field)] = plugin
        return owners


def build_schema(
    contributions: Sequence[tuple[str, SchemaContribution]], **options: Any
) -> strawberry.Schema:
    """The schema from the contributions of core's internal plugins and installed plugins."""
    roots = merge_roots(contributions)
    schema = IcnSchema(
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
    schema.owners = ErrorOwners.of(contributions, schema.root_field_owners(contributions))
    return schema


__all__ = ["SchemaConflict", "build_schema"]
