"""What a plugin hands to core from its hooks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class SchemaContribution:
    """Strawberry types whose fields are merged into the root types, plus any extra types.

    ``query``, ``mutation`` and ``subscription`` are ``@strawberry.type`` classes; their fields
    become fields of ``Query``, ``Mutation`` and ``Subscription``. ``types`` lists types reachable
    only through interfaces or unions that the schema must know about.

    ``extend`` adds fields to existing object types, by GraphQL type name:
    ``{"Goal": GoalKudos}`` where ``GoalKudos`` is a ``@strawberry.type`` class whose fields all
    have resolvers. Each resolver gets the object being extended as its ``root`` argument (a
    core ``Goal``, with ``root.pk`` its primary key and ``root.global_id`` its ID). The class
    itself never appears in the schema. A field name the type already has (from core or another
    plugin) stops start-up with an error naming both.
    """

    query: type | None = None
    mutation: type | None = None
    subscription: type | None = None
    types: Sequence[type] = field(default_factory=tuple)
    extend: Mapping[str, type] = field(default_factory=dict)


@dataclass(frozen=True)
class MigrationLocation:
    """A plugin's Alembic revisions: a folder of scripts and the package whose tables they own.

    Each plugin migrates on its own version table, by default ``alembic_version_<plugin>``, so
    installing, removing or downgrading one never touches core's history or another plugin's.
    ``version_table`` names it explicitly (core's internal plugin keeps Alembic's
    ``alembic_version``; a renamed plugin can keep the table of its old name).
    """

    path: Path
    owns_module: str
    version_table: str | None = None
