"""The answer to a path the server does not serve: a JSON 404 in the API's error shape, naming
the path and where the API is (it was Starlette's plain-text "Not Found")."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from icn_graph.web.graphql_app import request_error

_DEFAULT_DETAIL = "Not Found"


async def not_found(request: Request, problem: Exception) -> Response:
    """Starlette's handler for a 404 (``exception_handlers={404: ...}``); a route's own reason
    for a 404 is kept."""
    detail = problem.detail if isinstance(problem, HTTPException) else _DEFAULT_DETAIL
    if detail and detail != _DEFAULT_DETAIL:
        return request_error(404, detail)
    # Shown escaped by request_error if odd; cut so that a huge path is not echoed whole.
    path = request.url.path
    shown = path if len(path) <= 200 else path[:200] + "..."
    return request_error(404, f"Nothing is served at {shown}; the GraphQL API is at /graphql.")
