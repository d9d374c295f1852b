"""The static cost of an operation, computed from its parsed document before it runs.

In the spirit of GitHub's and Shopify's GraphQL limits, a cost counts the objects an operation
can make the server load (docs/api.md, "Query cost"):

- each object costs 1 (a report, a data view's rendering or a center comparison more: they are
  computed from months of data), times the number of times it can occur: the product of the
  page sizes above it (``first``, else the argument's default; ``nodes(ids:)``: the number of
  ids; a list without paging: its size in ``LIST_SIZES``, else ``ASSUMED_LIST_SIZE``);
- scalars, enums, ``__typename`` and connection edges (the item is counted by its node) cost 0;
- introspection (``__schema``, ``__type``) costs by the size of its answer: a point for every
  ``FIELDS_PER_POINT`` fields in it (``introspection_cost.py``);
- each top-level field of a mutation costs ``MUTATION_COST`` more.

Fragments and aliases count as what they select: an alias selects again, a fragment counts for
the objects of its type condition (for a field of an interface or union type, the most costly of
the possible types). Fields that merge (the same response key twice) count once, as they run once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from graphql import (
    BooleanValueNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionNode,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_object_type,
)

from icn_graph.schema.limits.introspection_cost import IntrospectionCount, points

# The weight of one object of these types; every other object weighs 1.
TYPE_WEIGHTS: Mapping[str, int] = {
    # Each is months of registry data through the measures and the disclosure policy: about
    # as long to compute as a hundred plain objects take to load (a few milliseconds).
    "Report": 100,
    "DataViewRendering": 100,
    # Every center's funnel point.
    "CenterComparison": 300,
}
MUTATION_COST = 10
# Lists without paging (a person's memberships, a goal's key results) are assumed this long...
ASSUMED_LIST_SIZE = 3
# ...except these, which are longer: a care team, an agenda, a funnel's centers.
LIST_SIZES: Mapping[str, int] = {
    "Center.members": 20,
    "LearningSession.agenda": 30,
    "DataView.centers": 20,
    "DataRequest.centers": 20,
    "Funnel.points": 70,
}
# The resolvers refuse larger pages and longer `nodes(ids:)` lists (BAD_USER_INPUT); a request
# for more is costed at the most that could run.
MAX_PAGE = 100
PAGE_ARGUMENTS = ("first", "last", "limit")


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> int:
    """The cost of the operation ``operation_name`` picks in a valid ``document``."""
    operation = _pick_operation(document, operation_name)
    if operation is None:
        return 0
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0
    walk = _CostWalk(schema, document, operation, variables or {})
    cost = walk.object_cost(root, (operation.selection_set,), page_size=0)
    if operation.operation is OperationType.MUTATION:
        cost += MUTATION_COST * walk.root_field_count(root, operation.selection_set)
    return cost


def _pick_operation(
    document: DocumentNode, operation_name: str | None
) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name and o.name.value == operation_name), None)


class _CostWalk:
    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.variables = dict(variables)
        for definition in operation.variable_definitions or ():
            name = definition.variable.name.value
            if name not in self.variables and definition.default_value is not None:
                self.variables[name] = self._literal(definition.default_value)
        self._memo: dict[tuple[tuple[int, ...], str, int], int] = {}
        self.introspection = IntrospectionCount(schema, self._collect)

    def selection_cost(
        self,
        parent: GraphQLNamedType,
        selection_sets: tuple[SelectionSetNode, ...],
        page_size: int,
    ) -> int:
        """The cost of one object of ``parent`` (for an abstract type: its costliest kind)."""
        if is_abstract_type(parent):
            kinds: Iterable[GraphQLObjectType] = self.schema.get_possible_types(parent)
        elif is_object_type(parent):
            kinds = (parent,)
        else:
            return 0
        return max((self.object_cost(kind, selection_sets, page_size) for kind in kinds), default=0)

    def object_cost(
        self,
        kind: GraphQLObjectType,
        selection_sets: tuple[SelectionSetNode, ...],
        page_size: int,
    ) -> int:
        key = (tuple(id(selection) for selection in selection_sets), kind.name, page_size)
        if key not in self._memo:
            self._memo[key] = 0  # a fragment cycle (invalid anyway) ends here
            fields = self._collect(kind, selection_sets)
            self._memo[key] = sum(
                self._field_cost(kind, nodes, page_size) for nodes in fields.values()
            )
        return self._memo[key]

    def root_field_count(self, root: GraphQLObjectType, selection_set: SelectionSetNode) -> int:
        return len(self._collect(root, (selection_set,)))

    def _collect(
        self, kind: GraphQLObjectType, selection_sets: tuple[SelectionSetNode, ...]
    ) -> dict[str, list[FieldNode]]:
        """Fields by response key, as execution merges them (fragments that apply included)."""
        fields: dict[str, list[FieldNode]] = {}
        visited: set[str] = set()
        pending: list[SelectionNode] = [s for ss in selection_sets for s in ss.selections]
        while pending:
            selection = pending.pop(0)
            if not self._included(selection):
                continue
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                fields.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                if condition is None or self._applies(condition.name.value, kind):
                    pending.extend(selection.selection_set.selections)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if name in visited or fragment is None:
                    continue
                visited.add(name)
                if self._applies(fragment.type_condition.name.value, kind):
                    pending.extend(fragment.selection_set.selections)
        return fields

    def _applies(self, condition: str, kind: GraphQLObjectType) -> bool:
        if condition == kind.name:
            return True
        condition_type = self.schema.get_type(condition)
        return is_abstract_type(condition_type) and self.schema.is_sub_type(
            condition_type,
            kind,
        )

    def _field_cost(self, parent: GraphQLObjectType, nodes: list[FieldNode], page_size: int) -> int:
        node = nodes[0]
        name = node.name.value
        if name == "__typename":
            return 0
        if name in ("__schema", "__type"):
            return self._introspection_cost(nodes)
        definition = parent.fields.get(name)
        if definition is None:
            return 0  # not in the schema: validation has refused the document already
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            return 0
        count = self._occurrences(parent, name, definition, node, page_size)
        child_page = self._page_size(definition, node) if _is_connection(named) else 0
        weight = 0 if named.name.endswith("Edge") else TYPE_WEIGHTS.get(named.name, 1)
        selection_sets = tuple(n.selection_set for n in nodes if n.selection_set)
        return count * (weight + self.selection_cost(named, selection_sets, child_page))

    def _introspection_cost(self, nodes: list[FieldNode]) -> int:
        selection_sets = tuple(n.selection_set for n in nodes if n.selection_set)
        node = nodes[0]
        if node.name.value == "__schema":
            fields = self.introspection.schema_fields(selection_sets)
        else:
            arguments = node.arguments or ()
            name = next((self._literal(a.value) for a in arguments if a.name.value == "name"), None)
            fields = self.introspection.named_type_fields(selection_sets, name)
        return points(1 + fields)  # its own field too

    def _occurrences(
        self,
        parent: GraphQLObjectType,
        name: str,
        definition: GraphQLField,
        node: FieldNode,
        page_size: int,
    ) -> int:
        """How many objects the field returns for one parent."""
        if not is_list_type(get_nullable_type(definition.type)):
            return 1
        if _is_connection(parent) and name in ("edges", "nodes"):
            return page_size
        if "ids" in definition.args:
            ids = self._argument(definition, node, "ids")
            return min(len(ids), MAX_PAGE) if isinstance(ids, list) else 0
        if any(argument in definition.args for argument in PAGE_ARGUMENTS):
            return self._page_size(definition, node)
        return LIST_SIZES.get(f"{parent.name}.{name}", ASSUMED_LIST_SIZE)

    def _page_size(self, definition: GraphQLField, node: FieldNode) -> int:
        sizes = [
            self._argument(definition, node, argument)
            for argument in PAGE_ARGUMENTS
            if argument in definition.args
        ]
        given = [max(size, 0) for size in sizes if _is_int(size)]
        return min(max(given), MAX_PAGE) if given else MAX_PAGE

    def _argument(self, definition: GraphQLField, node: FieldNode, name: str) -> Any:
        for argument in node.arguments or ():
            if argument.name.value == name:
                return self._literal(argument.value)
        return definition.args[name].default_value

    def _literal(self, value: ValueNode) -> Any:
        if isinstance(value, VariableNode):
            return self.variables.get(value.name.value)
        if isinstance(value, IntValueNode):
            return max(int(value.value), 0)
        if isinstance(value, BooleanValueNode | StringValueNode):
            return value.value
        if isinstance(value, ListValueNode):
            return [self._literal(item) for item in value.values]
        return None

    def _included(self, selection: SelectionNode) -> bool:
        """``@skip`` / ``@include`` as execution reads them."""
        for directive in selection.directives or ():
            condition = next(
                (a.value for a in directive.arguments or () if a.name.value == "if"), None
            )
            value = self._literal(condition) if condition is not None else None
            if directive.name.value == "skip" and value is True:
                return False
            if directive.name.value == "include" and value is False:
                return False
        return True


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_connection(named: GraphQLNamedType) -> bool:
    return is_object_type(named) and named.name.endswith("Connection")
