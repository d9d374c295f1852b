"""Operations that only introspect are answered off the event loop, the latest few from memory.

graphql-core computes an introspection answer synchronously, field by field: the standard
introspection query takes a tenth of a second or more, during which a process answering on its
event loop answers nothing else (``/healthz`` included). An operation whose root fields are all
``__schema``, ``__type`` or ``__typename`` reads nothing but the schema, so it runs in a worker
thread instead: one thread, so that introspection computed for several clients at once takes
turns there rather than competing with the event loop for the interpreter. As the answer depends
only on the schema and the request, the answers to the last ``KEPT`` such requests are kept: the
same query from a code generator or the explorer is answered without computing it again.
Operations that also ask for data run as usual (their introspection is bounded by its cost, like
everything else).
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from graphql import (
    ExecutionResult,
    FragmentDefinitionNode,
    OperationType,
    execute_sync,
    get_operation_ast,
)
from strawberry.types import ExecutionContext

from icn_graph.schema.limits.introspection import root_fields

INTROSPECTION_FIELDS = frozenset({"__schema", "__type", "__typename"})
KEPT = 4
_THREAD = ThreadPoolExecutor(max_workers=1, thread_name_prefix="introspection")

_Request = tuple[str, str | None, str]


class IntrospectionAnswers:
    """One per schema: the answers are the schema's."""

    def __init__(self, kept: int = KEPT) -> None:
        self.kept = kept
        self._answers: OrderedDict[_Request, dict[str, Any]] = OrderedDict()

    async def answer(self, context: ExecutionContext) -> ExecutionResult | None:
        """The result of a query that only introspects; ``None`` for any other operation."""
        document = context.graphql_document
        if document is None or context.query is None:
            return None
        operation = get_operation_ast(document, context.operation_name)
        if operation is None or operation.operation is not OperationType.QUERY:
            return None
        fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        names = {field.name.value for field in root_fields(operation.selection_set, fragments.get)}
        if not names <= INTROSPECTION_FIELDS or names <= {"__typename"}:
            return None

        variables = json.dumps(context.variables or {}, sort_keys=True, default=str)
        request = (context.query, context.operation_name, variables)
        data = self._answers.get(request)
        if data is not None:
            self._answers.move_to_end(request)
            return ExecutionResult(data=data)
        run = functools.partial(
            execute_sync,
            context.schema._schema,
            document,
            variable_values=context.variables,
            operation_name=context.operation_name,
        )
        result = await asyncio.get_running_loop().run_in_executor(_THREAD, run)
        if result.data is not None and not result.errors:
            self._answers[request] = result.data
            while len(self._answers) > self.kept:
                self._answers.popitem(last=False)
        return result
