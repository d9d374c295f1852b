"""What browser front-ends on other origins get: CORS for the origins in ``ICN_CORS_ORIGINS``.

Credentials (cookies) are never allowed: the API signs requests in with an ``Authorization``
header, which a page can only send after a preflight that this middleware answers. A preflight
from an origin that is not on the list gets a JSON refusal with no ``Access-Control-*`` header,
so the browser blocks the request. Websockets follow the same list (``GraphQLApp``).
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp

from icn_graph.web.graphql_app import request_error

ALLOWED_METHODS = ("GET", "POST")
ALLOWED_HEADERS = ("Authorization", "Content-Type")
# Browsers cap it (Chrome at 2 hours, Firefox at 24): one preflight per origin and URL per cap.
PREFLIGHT_MAX_AGE = 7200


class ApiCors(CORSMiddleware):
    def __init__(self, app: ASGIApp, *, origins: list[str]) -> None:
        super().__init__(
            app,
            allow_origins=origins,
            allow_methods=ALLOWED_METHODS,
            allow_headers=ALLOWED_HEADERS,
            allow_credentials=False,
            max_age=PREFLIGHT_MAX_AGE,
        )

    def preflight_response(self, request_headers: Headers) -> Response:
        answer = super().preflight_response(request_headers)
        if answer.status_code < 400:
            return answer
        origin = request_headers["origin"]
        if not self.is_allowed_origin(origin):
            return request_error(
                403, f"Pages on {origin} may not call this API (it is not in ICN_CORS_ORIGINS)."
            )
        return request_error(
            400,
            "Cross-origin requests may use GET or POST with the headers "
            f"{', '.join(ALLOWED_HEADERS)} only.",
        )
