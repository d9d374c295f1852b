"""The answer to a method a route does not take: a JSON 405 in the API's error shape, its
``Allow`` header in a fixed order, for every route that lists its methods (the mailed-link
pages, plugins' pages) as for ``/graphql`` and the file endpoints."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from icn_graph.web.graphql_app import request_error

_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _allowed(header: str) -> list[str]:
    methods = {method.strip().upper() for method in header.split(",") if method.strip()}
    rank = {method: index for index, method in enumerate(_ORDER)}
    return sorted(methods, key=lambda method: (rank.get(method, len(_ORDER)), method))


async def method_not_allowed(request: Request, problem: Exception) -> Response:
    """Starlette's handler for a 405 (``exception_handlers={405: ...}``)."""
    headers = problem.headers if isinstance(problem, HTTPException) else None
    methods = _allowed((headers or {}).get("Allow", ""))
    if not methods:
        return request_error(405, f"{request.method} is not allowed here.")
    use = f"{', '.join(methods[:-1])} or {methods[-1]}" if len(methods) > 1 else methods[0]
    return request_error(
        405, f"{request.method} is not allowed here; use {use}.", allow=", ".join(methods)
    )
