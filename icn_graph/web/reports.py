"""``GET /reports/{measure}.png`` and ``.csv``: a report as a chart image or a spreadsheet.

``?center=<Center ID or short code>&from=YYYY-MM&to=YYYY-MM&chart=P_CHART|RUN_CHART``; without
``center`` the network aggregate. The same bearer-token authorization and small-cell suppression
as the ``report`` query: 401 without a valid token, 403 for another center's report when the
caller may not see it, 404 for an unknown measure or center, 400 for bad parameters, each in the
API's JSON error shape. Another center's report downloaded by network staff or a data manager is
recorded in the audit log of identified reads (channel PNG or CSV) before anything is sent; when
that cannot be written the answer is a 503 and no file.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from datetime import date

import anyio.to_thread
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from icn_graph.db.database import Database
from icn_graph.db.unavailable import log_unavailable
from icn_graph.errors import BadInput, Forbidden, NotFound, Unauthenticated, Unavailable
from icn_graph.ids import parse_global_id
from icn_graph.models import Center
from icn_graph.reports.measures.registry import MeasureRegistry
from icn_graph.services.reports.png import render_png
from icn_graph.services.reports.report import ChartKind, Report, ReportQuery, build_report
from icn_graph.services.stewardship.read_audit import ReadChannel, ReadSubject
from icn_graph.web.auth import token_use, viewer_from_headers
from icn_graph.web.graphql_app import READ_METHODS, request_error

log = logging.getLogger(__name__)

PATH = "/reports/{measure}.{format}"
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
CSV_COLUMNS = (
    "month",
    "numerator",
    "denominator",
    "value",
    "suppressed",
    "center_line",
    "lower_limit",
    "upper_limit",
)
_MONTH = re.compile(r"\d{4}-\d{2}")
_FORMATS = ("png", "csv")


def _error(status: int, code: str, message: str) -> JSONResponse:
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status)


async def report_file(request: Request) -> Response:
    if request.method not in ("GET", "HEAD"):
        return request_error(
            405, f"{request.method} is not allowed here; use GET.", allow=READ_METHODS
        )
    file_format = request.path_params["format"]
    if file_format not in _FORMATS:
        return _error(404, "NOT_FOUND", "Reports are served as .png or .csv.")
    db: Database = request.app.state.db
    try:
        viewer = await viewer_from_headers(
            db, request.headers, token_use(request.app.state.settings)
        )
        viewer.require_member()  # before looking anything up: no 404s for strangers
        query = ReportQuery(
            measure_key=request.path_params["measure"],
            center_id=await _center_id(db, request.query_params.get("center")),
            start=_month(request.query_params.get("from"), "from"),
            end=_month(request.query_params.get("to"), "to"),
            chart=_chart(request.query_params.get("chart")),
        )
        registry: MeasureRegistry = request.app.state.measures
        if query.measure_key not in registry:
            raise NotFound(f"No measure '{query.measure_key[:64]}'.", field="measure")
        channel = ReadChannel.PNG if file_format == "png" else ReadChannel.CSV
        report = await build_report(
            db, viewer, registry, query, channel=channel, subject=ReadSubject.REPORT
        )
    except Unauthenticated as problem:
        response = request_error(401, problem.message)
        response.headers["WWW-Authenticate"] = 'Bearer realm="icn-graph"'
        return response
    except Forbidden as problem:
        return request_error(403, problem.message)
    except NotFound as problem:
        return _error(404, "NOT_FOUND", problem.message)
    except BadInput as problem:
        return request_error(400, problem.message)
    except Unavailable as problem:  # the read could not be audited: nothing is sent
        return request_error(503, problem.message)
    except (SQLAlchemyError, OSError) as error:
        return request_error(503, log_unavailable(log, "serve a report", error))
    headers = {
        "Content-Disposition": f'attachment; filename="{_filename(report, file_format)}"',
        "Cache-Control": "private, no-cache",
    }
    if file_format == "png":
        image = await anyio.to_thread.run_sync(render_png, report)
        return Response(image, media_type="image/png", headers=headers)
    return Response(report_csv(report), media_type="text/csv; charset=utf-8", headers=headers)


def report_csv(report: Report) -> str:
    """One row per month; hidden values (suppressed, or no data) are blank."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for point in report.points:
        writer.writerow(
            (
                point.month.strftime("%Y-%m"),
                _cell(point.numerator),
                _cell(point.denominator),
                _cell(point.value),
                "true" if point.suppressed else "false",
                _cell(point.center_line),
                _cell(point.lower_limit),
                _cell(point.upper_limit),
            )
        )
    return buffer.getvalue()


def _cell(value: float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, int):
        return str(value)
    return f"{value:.6g}"


def _filename(report: Report, extension: str) -> str:
    subject = report.center.short_code if report.center is not None else "network"
    months = ""
    if report.points:
        first, last = report.points[0].month, report.points[-1].month
        months = f"-{first:%Y-%m}-to-{last:%Y-%m}"
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{report.measure.key}-{subject}{months}")
    return f"{safe}.{extension}"


def _month(text: str | None, name: str) -> date | None:
    if text is None or not text.strip():
        return None
    cleaned = text.strip()
    try:
        if not _MONTH.fullmatch(cleaned):
            raise ValueError
        return date.fromisoformat(f"{cleaned}-01")
    except ValueError:
        raise BadInput(f"{name}: '{cleaned[:20]}' is not a month as YYYY-MM.", field=name) from None


def _chart(text: str | None) -> ChartKind:
    if text is None or not text.strip():
        return ChartKind.P_CHART
    try:
        return ChartKind(text.strip().upper())
    except ValueError:
        allowed = ", ".join(kind.value for kind in ChartKind)
        raise BadInput(f"chart: '{text[:20]}' is not one of {allowed}.", field="chart") from None


async def _center_id(db: Database, text: str | None) -> int | None:
    """The center named by a global ID or a short code; ``None`` for the network."""
    if text is None or not text.strip():
        return None
    cleaned = text.strip()
    try:
        type_name, pk = parse_global_id(cleaned, field="center")
    except BadInput:
        type_name, pk = "", 0
    if type_name == "Center":
        return pk
    async with db.session() as session:
        found = await session.scalar(
            select(Center.id).where(func.upper(Center.short_code) == cleaned.upper())
        )
    if found is None:
        raise NotFound(f"No center with the ID or code '{cleaned[:40]}'.", field="center")
    return int(found)
