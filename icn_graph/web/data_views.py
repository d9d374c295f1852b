"""A data view's files, computed at every read:

- ``GET /data-views/{DataView ID}.png|.svg|.vl.json|.csv`` with a bearer token: the view as
  the caller may read it (``services/stewardship/view_access.py``): 401 without a valid token,
  404 for a view that does not exist or that the caller may not know of, 403 (saying why) for a
  view the caller may know of that does not render now;
- ``GET /data-views/public/{token}.png|.svg|.vl.json|.csv`` without a token: the published
  PUBLIC view a valid link opens; every token that opens nothing (made up, expired, revoked,
  its view no longer published) gets the very same 404.

Nothing is cached (``Cache-Control: no-store``): a consent revoked, a request or link expired,
changes the next response. A read that shows a center by name is written to the audit log in
the read's transaction, or it fails.
"""

from __future__ import annotations

import logging

import anyio.to_thread
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from icn_graph.db.database import Database
from icn_graph.db.unavailable import log_unavailable
from icn_graph.errors import BadInput, Forbidden, NotFound, Unauthenticated, Unavailable
from icn_graph.ids import parse_global_id
from icn_graph.reports.measures.registry import MeasureRegistry
from icn_graph.services.data_views.rendering import Rendering
from icn_graph.services.data_views.view_files import FileFormat, filename, render_file
from icn_graph.services.data_views.view_reads import read_public_view, read_view
from icn_graph.web.auth import token_use, viewer_from_headers
from icn_graph.web.graphql_app import READ_METHODS, request_error

log = logging.getLogger(__name__)

VIEW_PATH = "/data-views/{file}"
PUBLIC_PATH = "/data-views/public/{file}"
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
NO_STORE = {"Cache-Control": "no-store"}
NO_PUBLIC_VIEW = "Nothing is published at this link."
FORMATS = ", ".join(f".{file_format.value}" for file_format in FileFormat)


def _split(file: str) -> tuple[str, FileFormat | None]:
    """``<name>.<extension>`` (the extension may hold a dot: ``vl.json``)."""
    name, _, extension = file.partition(".")
    try:
        return name, FileFormat(extension)
    except ValueError:
        return name, None


def _error(status: int, code: str, message: str) -> JSONResponse:
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status, headers=NO_STORE)


def _request_error(status: int, message: str) -> Response:
    response = request_error(status, message, allow=READ_METHODS if status == 405 else None)
    response.headers.update(NO_STORE)
    return response


async def _file(rendering: Rendering, file_format: FileFormat) -> Response:
    if file_format in (FileFormat.PNG, FileFormat.SVG):
        content = await anyio.to_thread.run_sync(render_file, rendering, file_format)
    else:
        content = render_file(rendering, file_format)
    disposition = "inline" if file_format is not FileFormat.CSV else "attachment"
    headers = {
        **NO_STORE,
        "Content-Disposition": f'{disposition}; filename="{filename(rendering, file_format)}"',
    }
    return Response(content, media_type=file_format.media_type, headers=headers)


async def view_file(request: Request) -> Response:
    if request.method not in ("GET", "HEAD"):
        return _request_error(405, f"{request.method} is not allowed here; use GET.")
    name, file_format = _split(request.path_params["file"])
    db: Database = request.app.state.db
    registry: MeasureRegistry = request.app.state.measures
    try:
        viewer = await viewer_from_headers(
            db, request.headers, token_use(request.app.state.settings)
        )
        viewer.require_member()  # before looking anything up: no 404s for strangers
        if file_format is None:
            raise NotFound(f"Data views are served as {FORMATS}.")
        try:
            type_name, view_id = parse_global_id(name, field="id")
        except BadInput:
            type_name, view_id = "", 0
        if type_name != "DataView":
            raise NotFound("No data view has that ID, or it is not yours to see.")
        rendering = await read_view(db, viewer, registry, view_id, channel=file_format.channel)
    except Unauthenticated as problem:
        response = _request_error(401, problem.message)
        response.headers["WWW-Authenticate"] = 'Bearer realm="icn-graph"'
        return response
    except Forbidden as problem:
        return _request_error(403, problem.message)
    except NotFound as problem:
        return _error(404, "NOT_FOUND", problem.message)
    except Unavailable as problem:  # the read could not be audited: nothing is sent
        return _request_error(503, problem.message)
    except (SQLAlchemyError, OSError) as error:
        return _request_error(503, log_unavailable(log, "serve a data view", error))
    return await _file(rendering, file_format)


async def public_view_file(request: Request) -> Response:
    if request.method not in ("GET", "HEAD"):
        return _request_error(405, f"{request.method} is not allowed here; use GET.")
    token, file_format = _split(request.path_params["file"])
    if file_format is None:
        return _error(404, "NOT_FOUND", NO_PUBLIC_VIEW)
    db: Database = request.app.state.db
    registry: MeasureRegistry = request.app.state.measures
    try:
        rendering = await read_public_view(db, registry, token, channel=file_format.channel)
    except Unavailable as problem:  # the read could not be audited: nothing is sent
        return _request_error(503, problem.message)
    except (SQLAlchemyError, OSError) as error:
        return _request_error(503, log_unavailable(log, "serve a public data view", error))
    if rendering is None:
        return _error(404, "NOT_FOUND", NO_PUBLIC_VIEW)
    return await _file(rendering, file_format)
