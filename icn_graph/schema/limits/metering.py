"""Query cost, the client's budget and the execution timeout, applied to every operation.

After validation and before anything runs, the operation's static cost (``cost.py``) is
compared with ``ICN_MAX_QUERY_COST`` and taken from the client's budget (``budget.py``; a
person's, or a client address's when anonymous). Queries then run under ``ICN_REQUEST_TIMEOUT``
(those that only introspect in a worker thread: ``introspection_answers.py``). An operation
refused before it runs (over the limit, throttled, a read-only token's mutation) is charged
nothing. Every result carries ``extensions.cost``::

    {"requested": 152, "actual": 152, "limit": 25000, "remaining": 49848,
     "throttleStatus": {"maximumAvailable": 50000, "currentlyAvailable": 49848,
                        "restoreRate": 2500.0}}

``actual`` is what was charged: the requested cost (the server does not re-measure what ran),
or 0.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from typing import Any

from graphql import GraphQLError
from starlette.responses import Response
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from icn_graph.config import Settings
from icn_graph.schema.document_cache import DocumentCache, cost_key
from icn_graph.schema.limits.budget import CostBudget, ThrottleStatus
from icn_graph.schema.limits.cost import operation_cost
from icn_graph.schema.limits.introspection_answers import IntrospectionAnswers
from icn_graph.services.viewer import Viewer

MAX_COST_EXCEEDED = "MAX_COST_EXCEEDED"
THROTTLED = "THROTTLED"
TIMEOUT = "TIMEOUT"


def client_key(context: object) -> str | None:
    """Whose budget pays: the signed-in person, or the client address of an anonymous caller."""
    viewer = getattr(context, "viewer", None)
    if isinstance(viewer, Viewer) and viewer.person_id is not None:
        return f"person:{viewer.person_id}"
    request = getattr(context, "request", None)
    client = getattr(request, "client", None)
    host = getattr(client, "host", None)
    return f"address:{host}" if host else None


class OperationMetering(SchemaExtension):
    requested = 0
    charged = 0
    _status: ThrottleStatus | None = None

    def _settings(self) -> Settings | None:
        settings = getattr(self.execution_context.context, "settings", None)
        return settings if isinstance(settings, Settings) else None

    def _budget(self) -> tuple[CostBudget, str] | None:
        context = self.execution_context.context
        budget = getattr(context, "budget", None)
        key = client_key(context)
        return (budget, key) if isinstance(budget, CostBudget) and key else None

    async def on_execute(self) -> AsyncIterator[None]:
        settings = self._settings()
        context = self.execution_context
        if settings is None or context.graphql_document is None:
            yield
            return
        self.requested = self._cost()
        if context.result is not None:
            # Answered before it ran: a refusal (ReadOnlyTokens), which costs nothing.
            yield
            return
        limit = settings.max_query_cost
        if self.requested > limit:
            raise GraphQLError(
                f"This operation costs {self.requested:,} points; one operation may cost at "
                f"most {limit:,}. Ask for fewer items (a smaller `first`, fewer `nodes` ids, "
                "fewer aliases or nested lists) or split it into several requests.",
                extensions={"code": MAX_COST_EXCEEDED, "cost": self.requested, "limit": limit},
            )
        self._withdraw()
        if context.operation_type is not OperationType.QUERY:
            # Writes are not cut off midway, and a subscription's setup is all that runs here.
            yield
            return
        try:
            async with asyncio.timeout(settings.request_timeout):
                answers = getattr(context.schema, "introspection_answers", None)
                if isinstance(answers, IntrospectionAnswers):
                    context.result = await answers.answer(context)
                yield
        except TimeoutError:
            raise GraphQLError(
                f"The query ran longer than {settings.request_timeout:g} seconds and was "
                "stopped. Ask for fewer items, or retry later.",
                extensions={"code": TIMEOUT, "timeoutSeconds": settings.request_timeout},
            ) from None

    def _cost(self) -> int:
        """The operation's cost, walked once per text, operation and variables."""
        context = self.execution_context
        assert context.graphql_document is not None
        cache = getattr(context.schema, "documents", None)
        costs = cache.costs if isinstance(cache, DocumentCache) else None
        key = cost_key(context.query, context.operation_name, context.variables)
        if costs is not None and key is not None and (kept := costs.get(key)) is not None:
            return kept
        cost = operation_cost(
            context.schema._schema,
            context.graphql_document,
            context.operation_name,
            context.variables,
        )
        if costs is not None and key is not None:
            costs.put(key, cost)
        return cost

    def _withdraw(self) -> None:
        payer = self._budget()
        if payer is None:
            self.charged = self.requested
            return
        budget, key = payer
        withdrawal = budget.withdraw(key, self.requested)
        self._status = withdrawal.status
        if withdrawal.granted:
            self.charged = self.requested
            return
        retry_after = math.ceil(withdrawal.retry_after)
        response = getattr(self.execution_context.context, "response", None)
        if isinstance(response, Response):
            response.headers["Retry-After"] = str(retry_after)
        raise GraphQLError(
            f"Throttled: this operation costs {self.requested:,} points and your budget holds "
            f"{withdrawal.status.currently_available:,} now. It refills at "
            f"{budget.restore_rate:g} points a second: retry in {retry_after} s.",
            extensions={
                "code": THROTTLED,
                "cost": self.requested,
                "retryAfterSeconds": retry_after,
            },
        )

    def get_results(self) -> dict[str, Any]:
        settings = self._settings()
        if settings is None:
            return {}
        status = self._status
        if status is None and (payer := self._budget()) is not None:
            status = payer[0].status(payer[1])
        cost: dict[str, Any] = {
            "requested": self.requested,
            "actual": self.charged,
            "limit": settings.max_query_cost,
            "remaining": status.currently_available if status else None,
        }
        if status is not None:
            cost["throttleStatus"] = status.as_json()
        return {"cost": cost}
