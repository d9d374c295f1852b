"""Plugins' fields on existing object types (``SchemaContribution.extend``).

The extended types stay the classes core (or a plugin) defined: the schema only publishes more
fields for them (see ``IcnSchema.get_fields``). So every place that returns a ``Goal``, the
``Node`` interface, ``is_type_of`` and ``Connection[Goal]`` keep working unchanged, and a
schema built without the plugin has exactly core's fields.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from strawberry.schema.name_converter import NameConverter
from strawberry.types.base import StrawberryObjectDefinition, get_object_definition
from strawberry.types.field import StrawberryField
from strawberry.types.private import is_private

from icn_graph.plugins.contributions import SchemaContribution
from icn_graph.schema.merge import SchemaConflict
from icn_graph.schema.ownership import owner_of

ROOTS = frozenset({"Query", "Mutation", "Subscription"})


@dataclass(frozen=True)
class ExtensionField:
    owner: str  # the contributing plugin
    type_name: str  # the extended GraphQL type
    graphql_name: str
    field: StrawberryField


def _fields_of(owner: str, type_name: str, extension: type) -> list[StrawberryField]:
    definition = get_object_definition(extension)
    if definition is None or definition.is_input or definition.is_interface:
        raise SchemaConflict(
            f"plugin '{owner}' extends {type_name} with {extension.__qualname__}, "
            "which is not a @strawberry.type"
        )
    fields = [field for field in definition.fields if not is_private(field.type)]
    for field in fields:
        if field.base_resolver is None:
            raise SchemaConflict(
                f"plugin '{owner}': the field {type_name}.{field.python_name} that "
                f"{extension.__qualname__} adds has no resolver; an extension field must "
                "compute its value from `root`, the object it extends"
            )
    return fields


def collect_extensions(
    contributions: Sequence[tuple[str, SchemaContribution]], names: NameConverter
) -> dict[str, list[ExtensionField]]:
    """Every plugin's extension fields by extended type name; two plugins adding one field
    name to one type stop start-up naming both."""
    found: dict[str, list[ExtensionField]] = {}
    for owner, contribution in contributions:
        for type_name, extension in contribution.extend.items():
            if type_name in ROOTS:
                raise SchemaConflict(
                    f"plugin '{owner}' extends {type_name}; contribute root fields with "
                    f"SchemaContribution({type_name.lower()}=...) instead"
                )
            added = found.setdefault(type_name, [])
            for field in _fields_of(owner, type_name, extension):
                name = names.get_graphql_name(field)
                taken = next((f for f in added if f.graphql_name == name), None)
                if taken is not None:
                    raise SchemaConflict(
                        f"{type_name}.{name} is defined by both '{taken.owner}' and '{owner}'; "
                        "rename one, or disable one of the plugins (ICN_DISABLED_PLUGINS)"
                    )
                added.append(ExtensionField(owner, type_name, name, field))
    return found


def check_extended_types(
    extensions: Mapping[str, Sequence[ExtensionField]],
    lookup: Callable[[str], object | None],
    contributions: Sequence[tuple[str, SchemaContribution]],
    names: NameConverter,
) -> None:
    """Each extended type exists in the built schema (``lookup`` by GraphQL name), is an
    object type, and has none of the names its extensions add."""
    for type_name, fields in extensions.items():
        if not fields:
            continue
        definition = lookup(type_name)
        if definition is None:
            raise SchemaConflict(
                f"plugin '{fields[0].owner}' extends the type {type_name}, which the schema "
                "does not have"
            )
        if (
            not isinstance(definition, StrawberryObjectDefinition)
            or definition.is_input
            or definition.is_interface
        ):
            raise SchemaConflict(
                f"plugin '{fields[0].owner}' extends {type_name}, which is not an object type; "
                "only object types (Goal, Center, Person, Viewer, ...) can be extended"
            )
        own = {
            names.get_graphql_name(field)
            for field in definition.fields
            if not is_private(field.type)
        }
        for added in fields:
            if added.graphql_name in own:
                raise SchemaConflict(
                    f"{type_name}.{added.graphql_name} is defined by both "
                    f"'{owner_of(definition.origin, contributions)}' and '{added.owner}'; "
                    "rename the plugin's field"
                )
