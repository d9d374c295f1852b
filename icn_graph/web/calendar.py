"""``GET /learning-sessions/{id}/agenda.ics``: a session's agenda as an iCalendar file.

Members only: send ``Authorization: Bearer icn_...``; without a valid token the answer is a 401
in the API's JSON error shape. An unknown or malformed ID (or another type's ID) is a 404.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from icn_graph.db.unavailable import log_unavailable
from icn_graph.errors import BadInput, NotFound, Unauthenticated
from icn_graph.schema.relay import parse_global_id
from icn_graph.services.learning_sessions.calendar import agenda_calendar
from icn_graph.web.auth import token_use, viewer_from_headers
from icn_graph.web.graphql_app import READ_METHODS, request_error

log = logging.getLogger(__name__)

PATH = "/learning-sessions/{id}/agenda.ics"
# Every method reaches the endpoint, so the unsupported ones get a JSON 405 like /graphql.
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
ICS_TYPE = "text/calendar; charset=utf-8"


def _not_found() -> JSONResponse:
    body = {
        "errors": [
            {"message": "No Learning Session has that ID.", "extensions": {"code": "NOT_FOUND"}}
        ]
    }
    return JSONResponse(body, status_code=404)


async def agenda_ics(request: Request) -> Response:
    if request.method not in ("GET", "HEAD"):
        return request_error(
            405, f"{request.method} is not allowed here; use GET.", allow=READ_METHODS
        )
    db = request.app.state.db
    try:
        viewer = await viewer_from_headers(
            db, request.headers, token_use(request.app.state.settings)
        )
        viewer.require_member()  # before looking anything up: no 404s for strangers
        try:
            type_name, pk = parse_global_id(request.path_params["id"])
        except BadInput:
            return _not_found()
        if type_name != "LearningSession":
            return _not_found()
        settings = request.app.state.settings
        calendar = await agenda_calendar(db, viewer, pk, network_name=settings.network_name)
    except Unauthenticated as problem:
        response = request_error(401, problem.message)
        response.headers["WWW-Authenticate"] = 'Bearer realm="icn-graph"'
        return response
    except NotFound:
        return _not_found()
    except (SQLAlchemyError, OSError) as error:
        return request_error(503, log_unavailable(log, "serve an agenda calendar", error))
    return Response(
        calendar.content,
        media_type=ICS_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="{calendar.filename}"',
            "Cache-Control": "private, no-cache",
        },
    )
