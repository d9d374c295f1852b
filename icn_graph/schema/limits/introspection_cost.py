"""What introspection (``__schema``, ``__type``) costs: the size of its answer, from the schema.

Introspection reads no data, but graphql-core computes its answer field by field, all of it
synchronous work, and one ``__schema`` answer for the standard introspection query holds some
16,000 fields. So introspection is priced by the number of fields its answer holds (every key:
leaves, nulls and ``__typename`` included), ``FIELDS_PER_POINT`` to a point (docs/api.md, "Query
cost").

The count is exact where the types are known: ``__schema { types }``, ``__type(name:)``, the
root types, the directives, and the ``type { ofType { ... } }`` chains of their fields,
arguments and input fields, which follow how deeply each type is wrapped (``[Goal!]!``: three).
So the standard introspection query costs what it returns. Below a type reached through a
reference (a field's type, ``interfaces``, ``possibleTypes``) the type is not known: its lists
count at their longest in the schema, an upper bound like the rest of the cost. Deprecated items
count whether or not ``includeDeprecated`` asks for them. graphql-core refuses more than two
nested introspection lists (``MaxIntrospectionDepthRule``), which bounds what remains.
"""

from __future__ import annotations

import math
import weakref
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from graphql import (
    FieldNode,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLType,
    SelectionSetNode,
    is_enum_type,
    is_input_object_type,
    is_interface_type,
    is_object_type,
    is_union_type,
    is_wrapping_type,
)

# About 10 µs a field on a busy two-core machine: 20,000 points of introspection took half a
# second there (the default limit is 25,000), and the standard introspection query costs about
# 5,400 on core's schema (6,500 with the contributed plugins), so a schema can grow a lot before
# code generators and the explorer cannot read it.
FIELDS_PER_POINT = 3

Selections = tuple[SelectionSetNode, ...]
Collect = Callable[[GraphQLObjectType, Selections], dict[str, list[FieldNode]]]


def points(fields: int) -> int:
    """The cost of an introspection answer of ``fields`` fields."""
    return math.ceil(fields / FIELDS_PER_POINT)


class _Typed(Protocol):
    @property
    def type(self) -> GraphQLType: ...


# How many references (the types of fields, arguments, input fields) are wrapped how deeply:
# ``(4, 2)`` is four plain types and two ``X!``. ``None``: not known, any depth.
Depths = tuple[int, ...] | None


@dataclass(frozen=True)
class _Shape:
    """What the lists in a type's answer hold."""

    fields: int = 0
    field_types: Depths = ()
    args: int = 0  # of all its fields together (a directive's: its own)
    arg_types: Depths = ()
    interfaces: int = 0
    possible_types: int = 0
    enum_values: int = 0
    input_fields: int = 0
    input_types: Depths = ()


@dataclass(frozen=True)
class _SchemaShape:
    types: dict[str, _Shape]  # types of the same shape share one object
    shapes: tuple[tuple[_Shape, int], ...]  # each shape, and how many types have it
    largest: _Shape  # each list at its longest over all types, references of any depth
    directives: _Shape
    deepest: int  # the most wrappers around a referenced type: ``[Goal!]!`` has three


def _depth(type_: GraphQLType) -> int:
    depth = 0
    while is_wrapping_type(type_):
        type_ = type_.of_type
        depth += 1
    return depth


def _depths(items: Iterable[_Typed]) -> tuple[int, ...]:
    depths = [_depth(item.type) for item in items]
    return tuple(depths.count(depth) for depth in range(max(depths, default=-1) + 1))


def _shape(schema: GraphQLSchema, named: GraphQLNamedType) -> _Shape:
    if is_object_type(named) or is_interface_type(named):
        fields = list(named.fields.values())
        args = [arg for field in fields for arg in field.args.values()]
        return _Shape(
            fields=len(fields),
            field_types=_depths(fields),
            args=len(args),
            arg_types=_depths(args),
            interfaces=len(named.interfaces),
            possible_types=len(schema.get_possible_types(named)) if is_interface_type(named) else 0,
        )
    if is_union_type(named):
        return _Shape(possible_types=len(schema.get_possible_types(named)))
    if is_enum_type(named):
        return _Shape(enum_values=len(named.values))
    if is_input_object_type(named):
        inputs = list(named.fields.values())
        return _Shape(input_fields=len(inputs), input_types=_depths(inputs))
    return _Shape()


def _schema_shape(schema: GraphQLSchema) -> _SchemaShape:
    shared: dict[_Shape, _Shape] = {}
    types = {
        name: shared.setdefault(shape, shape)
        for name, named in schema.type_map.items()
        for shape in (_shape(schema, named),)
    }
    shapes = types.values()
    directive_args = [arg for directive in schema.directives for arg in directive.args.values()]
    references = [
        depths
        for shape in (*shapes, _Shape(arg_types=_depths(directive_args)))
        for depths in (shape.field_types, shape.arg_types, shape.input_types)
    ]
    return _SchemaShape(
        types=types,
        shapes=tuple(Counter(shapes).items()),
        largest=_Shape(
            fields=max(shape.fields for shape in shapes),
            field_types=None,
            args=max(shape.args for shape in shapes),
            arg_types=None,
            interfaces=max(shape.interfaces for shape in shapes),
            possible_types=max(shape.possible_types for shape in shapes),
            enum_values=max(shape.enum_values for shape in shapes),
            input_fields=max(shape.input_fields for shape in shapes),
            input_types=None,
        ),
        directives=_Shape(
            fields=len(schema.directives),
            args=len(directive_args),
            arg_types=_depths(directive_args),
        ),
        deepest=max(len(depths or ()) for depths in references) - 1,
    )


_shapes: weakref.WeakKeyDictionary[GraphQLSchema, _SchemaShape] = weakref.WeakKeyDictionary()


def _schema_shape_of(schema: GraphQLSchema) -> _SchemaShape:
    """Computed once per schema."""
    shape = _shapes.get(schema)
    if shape is None:
        shape = _shapes[schema] = _schema_shape(schema)
    return shape


_ROOT_TYPES = {
    "queryType": "query_type",
    "mutationType": "mutation_type",
    "subscriptionType": "subscription_type",
}


class _Selection:
    """Merged selections, and what they select of one introspection type."""

    __slots__ = ("fields", "key", "sets")

    def __init__(self, sets: Selections) -> None:
        self.sets = sets
        self.key = tuple(id(selection_set) for selection_set in sets)
        self.fields: dict[str, list[tuple[str, _Selection]]] = {}


class IntrospectionCount:
    """Counts the fields of introspection answers. ``collect`` merges a selection's fields by
    response key as execution does (fragments, ``@skip``/``@include``)."""

    def __init__(self, schema: GraphQLSchema, collect: Collect) -> None:
        self.schema = schema
        self.collect = collect
        self.shape = _schema_shape_of(schema)
        self._memo: dict[tuple[tuple[int, ...], int, int], int] = {}

    def _fields(self, kind: str, selection: _Selection) -> list[tuple[str, _Selection]]:
        """The field name and nested selection of each response key."""
        fields = selection.fields.get(kind)
        if fields is None:
            introspection_type = self.schema.get_type(kind)
            assert isinstance(introspection_type, GraphQLObjectType)
            collected = self.collect(introspection_type, selection.sets)
            fields = selection.fields[kind] = [
                (nodes[0].name.value, _Selection(_nested(nodes))) for nodes in collected.values()
            ]
        return fields

    def schema_fields(self, selection_sets: Selections) -> int:
        """Fields in the answer of ``__schema { ... }``, below its own."""
        fields = self._fields("__Schema", _Selection(selection_sets))
        total = len(fields)
        for name, nested in fields:
            if name == "types":
                shapes = self.shape.shapes
                total += sum(times * self._type_fields(nested, 0, shape) for shape, times in shapes)
            elif name == "directives":
                total += self._members("__Directive", nested, self.shape.directives)
            elif name in _ROOT_TYPES:
                root: GraphQLObjectType | None = getattr(self.schema, _ROOT_TYPES[name])
                if root is not None:
                    total += self._type_fields(nested, 0, self.shape.types[root.name])
        return total

    def named_type_fields(self, selection_sets: Selections, name: object) -> int:
        """Fields in the answer of ``__type(name: ...) { ... }``, below its own."""
        selection = _Selection(selection_sets)
        if not isinstance(name, str):
            return self._type_fields(selection, 0, self.shape.largest)  # a variable not given
        shape = self.shape.types.get(name)
        return self._type_fields(selection, 0, shape) if shape is not None else 0

    def _type_fields(self, selection: _Selection, depth: int, shape: _Shape) -> int:
        """Fields in the answer for a ``__Type`` wrapped ``depth`` times (``[Goal!]!``: 3)
        around a named type of that shape."""
        key = (selection.key, depth, id(shape))
        total = self._memo.get(key)
        if total is not None:
            return total
        fields = self._fields("__Type", selection)
        total = len(fields)
        for name, nested in fields:
            if name == "ofType":
                if depth > 0:
                    total += self._type_fields(nested, depth - 1, self.shape.largest)
            elif depth > 0:
                continue  # a wrapper's lists are null
            elif name == "fields":
                total += self._members("__Field", nested, shape)
            elif name == "inputFields":
                inputs = _Shape(fields=shape.input_fields, field_types=shape.input_types)
                total += self._members("__InputValue", nested, inputs)
            elif name == "interfaces":
                total += shape.interfaces * self._type_fields(nested, 0, self.shape.largest)
            elif name == "possibleTypes":
                total += shape.possible_types * self._type_fields(nested, 0, self.shape.largest)
            elif name == "enumValues":
                total += shape.enum_values * len(self._fields("__EnumValue", nested))
        self._memo[key] = total
        return total

    def _members(self, kind: str, selection: _Selection, shape: _Shape) -> int:
        """Fields in the answers for a list of ``shape.fields`` fields, input values or
        directives, of which the arguments are ``shape.args``."""
        if shape.fields == 0:
            return 0
        fields = self._fields(kind, selection)
        total = shape.fields * len(fields)
        for name, nested in fields:
            if name == "type":
                total += self._references(nested, shape.fields, shape.field_types)
            elif name == "args":
                arguments = _Shape(fields=shape.args, field_types=shape.arg_types)
                total += self._members("__InputValue", nested, arguments)
        return total

    def _references(self, selection: _Selection, count: int, depths: Depths) -> int:
        """Fields in the answers for ``count`` types wrapped ``depths`` deep."""
        unknown = self.shape.largest
        if depths is None:
            wrappings = range(self.shape.deepest + 1)
            return count * max(self._type_fields(selection, depth, unknown) for depth in wrappings)
        return sum(
            times * self._type_fields(selection, depth, unknown)
            for depth, times in enumerate(depths)
            if times
        )


def _nested(nodes: list[FieldNode]) -> Selections:
    return tuple(node.selection_set for node in nodes if node.selection_set)
