"""Plain fields resolved the way stock graphql-core resolves them: one call per field.

Strawberry resolves a field without a resolver through three calls (its wrapper, the field's
``get_result``, the configured default resolver), a sync method without arguments through its
argument conversion and extension chain, and serializes an enum value by scanning the enum's
members. On a list of a thousand rows these are most of what Strawberry adds to graphql-core.
Once the schema is built, :func:`resolve_plainly` gives every plain field a resolver that reads
the attribute at once, every sync ``def field(self[, info])`` a resolver that calls it at once,
and every enum a lookup table. Nothing changes in what is answered: the same attribute is read,
the same method called with the same ``Info``, the same name written.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

from graphql import GraphQLEnumType, GraphQLObjectType, GraphQLSchema
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

Resolver = Callable[..., Any]


def _attribute(name: str) -> Resolver:
    def resolve(source: Any, _info: Any) -> Any:
        return getattr(source, name)

    # Strawberry (and its extensions) treat a default resolver as "no resolver".
    resolve._is_default = True  # type: ignore[attr-defined]
    return resolve


def _method(field: StrawberryField, info_class: type) -> Resolver | None:
    """A resolver calling ``field``'s method directly, if it is a sync ``def f(self[, info])``
    with no GraphQL arguments and no field extensions."""
    resolver = field.base_resolver
    if resolver is None or field.extensions or field.arguments or field.is_async:
        return None
    if resolver.self_parameter is None or resolver.root_parameter or resolver.parent_parameter:
        return None
    method = resolver.wrapped_func
    if not callable(method):
        return None
    info_parameter = resolver.info_parameter
    if len(resolver.signature.parameters) != 1 + (info_parameter is not None):
        return None
    if info_parameter is None:

        def resolve_self(source: Any, _info: Any) -> Any:
            return method(source)

        return resolve_self
    name = info_parameter.name

    def resolve(source: Any, info: Any) -> Any:
        return method(source, **{name: info_class(_raw_info=info, _field=field)})

    return resolve


def _fast_resolver(field: Any, info_class: type) -> Resolver | None:
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(definition, StrawberryField):
        return None
    if not definition.is_basic_field:
        return _method(definition, info_class)
    if definition.default_resolver is not getattr:  # a configured default resolver: keep it
        return None
    return _attribute(definition.python_name)


def _fast_enum(enum_type: GraphQLEnumType) -> None:
    wrapped = getattr(enum_type, "wrapped_cls", None)
    if not (isinstance(wrapped, type) and issubclass(wrapped, enum.Enum)):
        return
    names: dict[Any, str] = {}
    for name, value in enum_type.values.items():
        for member in wrapped:
            if member.value == value.value:
                names[member] = name
    slow = enum_type.coerce_output_value

    def coerce_output_value(output_value: Any) -> Any:
        try:
            return names[output_value]
        except (KeyError, TypeError):
            return slow(output_value)

    # Instance attributes: graphql-core calls these on the type object.
    enum_type.coerce_output_value = coerce_output_value  # type: ignore[method-assign]
    enum_type.serialize = coerce_output_value  # type: ignore[method-assign]


def resolve_plainly(schema: GraphQLSchema, info_class: type) -> None:
    """Give ``schema``'s plain fields and argument-less sync methods a one-call resolver and its
    enums a lookup table; ``info_class``: the schema's ``Info`` (its config's)."""
    for named in schema.type_map.values():
        if isinstance(named, GraphQLEnumType):
            _fast_enum(named)
        if not isinstance(named, GraphQLObjectType) or named.name.startswith("__"):
            continue
        for field in named.fields.values():
            fast = _fast_resolver(field, info_class)
            if fast is not None:
                field.resolve = fast
