"""Calendar feeds over HTTP, for calendar apps that subscribe to a URL and send no header:

- ``GET /calendar/{secret}/mine.ics``: the feed owner's own sessions and agenda items;
- ``GET /calendar/{secret}/learning-sessions/{id}/agenda.ics``: a session's agenda, exactly as
  ``/learning-sessions/{id}/agenda.ics`` answers the owner's bearer token.

The secret stands for its owner, read-only (``services/calendar_feeds.py``). An unknown, revoked
or deactivated owner's secret is one and the same 404, checked before anything else, so nothing
tells them apart. The address is a credential: responses say ``Referrer-Policy: no-referrer``
and are cached by nobody but the client (``private``), which asks again each time.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from icn_graph.db.unavailable import log_unavailable
from icn_graph.errors import BadInput, NotFound
from icn_graph.ids import parse_global_id
from icn_graph.services.calendar_feeds import FEED_PATH, MINE, feed_viewer
from icn_graph.services.learning_sessions.calendar import AgendaCalendar, agenda_calendar
from icn_graph.services.learning_sessions.my_calendar import my_calendar
from icn_graph.services.viewer import Viewer
from icn_graph.web.calendar import ICS_TYPE
from icn_graph.web.calendar import PATH as AGENDA_PATH
from icn_graph.web.graphql_app import READ_METHODS, request_error

log = logging.getLogger(__name__)

MINE_PATH = FEED_PATH + MINE
SESSION_PATH = FEED_PATH + AGENDA_PATH
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
HEADERS = {"Cache-Control": "private, no-cache", "Referrer-Policy": "no-referrer"}
NO_FEED = "No calendar feed has this address: it may have been reset or revoked."
NO_SESSION = "No Learning Session has that ID."

Render = Callable[[Viewer], Awaitable[AgendaCalendar]]


def _error(status: int, message: str, *, allow: str | None = None) -> JSONResponse:
    """The API's JSON error, with the feed's headers (no Referer, no shared cache)."""
    response = request_error(status, message, allow=allow)
    response.headers.update(HEADERS)
    return response


async def _serve(request: Request, render: Render) -> Response:
    """The calendar ``render`` makes for the feed's owner, or the JSON error."""
    if request.method not in ("GET", "HEAD"):
        return _error(405, f"{request.method} is not allowed here; use GET.", allow=READ_METHODS)
    db = request.app.state.db
    try:
        owner = await feed_viewer(db, request.path_params["secret"], now=request.app.state.clock())
        if owner is None:
            return _error(404, NO_FEED)
        calendar = await render(owner)
    except NotFound:
        return _error(404, NO_SESSION)
    except (SQLAlchemyError, OSError) as error:
        return _error(503, log_unavailable(log, "serve a calendar feed", error))
    return Response(
        calendar.content,
        media_type=ICS_TYPE,
        headers={
            **HEADERS,
            "Content-Disposition": f'attachment; filename="{calendar.filename}"',
        },
    )


async def mine_ics(request: Request) -> Response:
    network_name = request.app.state.settings.network_name

    async def render(owner: Viewer) -> AgendaCalendar:
        return await my_calendar(request.app.state.db, owner, network_name=network_name)

    return await _serve(request, render)


async def session_ics(request: Request) -> Response:
    network_name = request.app.state.settings.network_name

    async def render(owner: Viewer) -> AgendaCalendar:
        try:
            type_name, pk = parse_global_id(request.path_params["id"], field="id")
        except BadInput:
            raise NotFound(NO_SESSION) from None
        if type_name != "LearningSession":
            raise NotFound(NO_SESSION)
        return await agenda_calendar(request.app.state.db, owner, pk, network_name=network_name)

    return await _serve(request, render)
