"""The GraphQL schema: thin Strawberry types whose resolvers call services."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import AddValidationRules, MaxTokensLimiter
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

from icn_graph.db.busy import POOL_ADVICE, no_connection_free
from icn_graph.errors import ServiceError
from icn_graph.events.registry import RegisteredEventType
from icn_graph.events.registry import event_types as installed_event_types
from icn_graph.plugins.contributions import SchemaContribution
from icn_graph.schema.connections import describe_connections
from icn_graph.schema.document_cache import CachedDocuments, DocumentCache
from icn_graph.schema.errors import ErrorPolicy
from icn_graph.schema.fast_fields import resolve_plainly
from icn_graph.schema.limits.introspection import AnonymousIntrospection, OneSchemaField
from icn_graph.schema.limits.introspection_answers import IntrospectionAnswers
from icn_graph.schema.limits.metering import OperationMetering
from icn_graph.schema.limits.operation_choice import OperationChoice
from icn_graph.schema.limits.query_length import QueryLengthLimit
from icn_graph.schema.merge import SchemaConflict, merge_roots
from icn_graph.schema.nodes import check_node_types
from icn_graph.schema.notifications.kinds import add_kind_field, notification_kinds
from icn_graph.schema.owners import ErrorOwners
from icn_graph.schema.read_only import ReadOnlyTokens
from icn_graph.schema.type_extensions import (
    ExtensionField,
    check_extended_types,
    collect_extensions,
)
from icn_graph.schema.type_names import find_duplicated_type_name, type_name_conflict
from icn_graph.schema.valid_text import ValidText

log = logging.getLogger("icn_graph.graphql")

MAX_DEPTH = 10
MAX_ALIASES = 15
MAX_TOKENS = 2000
DEPTH_RULE = depth_rule(MAX_DEPTH, None)
ALIASES_RULE = aliases_rule(MAX_ALIASES)


class IcnSchema(strawberry.Schema):
    """Strawberry's schema, plus the fields plugins add to existing types."""

    owners = ErrorOwners({}, {}, {})

    def __init__(
        self, *, extensions_by_type: Mapping[str, Sequence[ExtensionField]], **options: Any
    ) -> None:
        # Set before Strawberry converts the types: it asks ``get_fields`` while doing so.
        self.extensions_by_type = extensions_by_type
        self.introspection_answers = IntrospectionAnswers()
        self.documents = DocumentCache()
        super().__init__(**options)
        describe_connections(self)
        resolve_plainly(self._schema, self.config.info_class)

    def get_fields(self, type_definition: StrawberryObjectDefinition) -> list[StrawberryField]:
        own = super().get_fields(type_definition)
        if type_definition.is_input or type_definition.is_interface:
            return own  # not extendable: ``check_extended_types`` says so after the build
        added = self.extensions_by_type.get(type_definition.name)
        return [*own, *(extension.field for extension in added)] if added else own

    def get_field_for_type(self, field_name: str, type_name: str) -> StrawberryField | None:
        added = self.extensions_by_type.get(type_name, ())
        return next(
            (extension.field for extension in added if extension.graphql_name == field_name),
            None,
        ) or super().get_field_for_type(field_name, type_name)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Problems the caller can fix are answers, not incidents: log only the unexpected.
        # A pool that had no connection free is load, not a bug: once, without a traceback.
        busy = [error for error in errors if no_connection_free(error.original_error)]
        if busy:
            log.warning(
                "%d field(s) failed: %s; %s", len(busy), busy[0].original_error, POOL_ADVICE
            )
        unexpected = [
            error
            for error in errors
            if error.original_error is not None
            and not isinstance(error.original_error, ServiceError | GraphQLError)
            and not no_connection_free(error.original_error)
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
    contributions: Sequence[tuple[str, SchemaContribution]],
    *,
    event_types: Iterable[RegisteredEventType] | None = None,
    **options: Any,
) -> strawberry.Schema:
    """The schema from the contributions of core's internal plugins and installed plugins.

    ``event_types`` make ``NotificationKind`` (by default the registry in use: the one the
    last plugin host loaded installed).

    Anything two contributors both claim (a root field, a type name, a field of an extended
    type) or a plugin's ``Node`` type that ``node(id:)`` could not refetch stops start-up with
    a :class:`SchemaConflict` naming the plugins.
    """
    roots = merge_roots(contributions)
    config: StrawberryConfig = options.setdefault("config", StrawberryConfig())
    extensions_by_type = collect_extensions(contributions, config.name_converter)
    add_kind_field(
        extensions_by_type,
        notification_kinds(event_types if event_types is not None else installed_event_types()),
    )
    try:
        schema = IcnSchema(
            query=roots.query,
            mutation=roots.mutation,
            subscription=roots.subscription,
            types=roots.types,
            extensions=[
                QueryLengthLimit,
                CachedDocuments,
                OperationChoice,
                AnonymousIntrospection,
                # The same rule classes on every request: they are part of the validity key.
                lambda: AddValidationRules([DEPTH_RULE, ALIASES_RULE, OneSchemaField]),
                lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
                ReadOnlyTokens,
                ValidText,
                OperationMetering,
                ErrorPolicy,
            ],
            extensions_by_type=extensions_by_type,
            **options,
        )
    except Exception as error:
        duplicate = find_duplicated_type_name(error)
        if duplicate is None:
            raise
        raise type_name_conflict(duplicate, contributions) from None
    check_extended_types(
        extensions_by_type, schema.get_type_by_name, contributions, config.name_converter
    )
    check_node_types(schema, contributions)
    schema.owners = ErrorOwners.of(contributions, schema.root_field_owners(contributions))
    return schema


__all__ = ["SchemaConflict", "build_schema"]
