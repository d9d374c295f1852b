"""Uploading a center's visits file through the API: who may, and what happens after.

Members of the center with the role ``DATA_MANAGER`` or ``QI_LEAD`` may upload its visits; no
one else may, network staff and data managers included: visits are the center's patients' data,
and whoever may write them may learn from the answer whether a patient visited on a day (a row
``updated`` rather than ``imported``) or add visits that lift a hidden small count over the
threshold and subtract them again. (Joining the center's team instead would make staff one of
its consent deciders, and show them its unsuppressed reports: the center's own people import
its file.) The file goes through the same streaming import
as ``icn-graph import visits`` (every row error at once, nothing written on any); when it is
accepted, the center's stored measures are recomputed right after, so its reports show the new
data. The visits are committed before that: when a measure cannot be computed (a plugin's
``compute`` fails), the upload still reports what it imported, with a user error saying the
measures were not refreshed and naming the measure; the stored values stay as they were.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field, replace
from typing import BinaryIO

from icn_graph.db.database import Database
from icn_graph.errors import BadInput, Forbidden, NotFound, UserError, UserErrorCode
from icn_graph.models import Center, CenterRole
from icn_graph.reports.measures.registry import MeasureRegistry
from icn_graph.services.registry import RowError, VisitImportError, import_visits
from icn_graph.services.reports.measure_store import MeasureComputationError, refresh_measures
from icn_graph.services.viewer import Viewer

UPLOADER_CENTER_ROLES = frozenset({CenterRole.DATA_MANAGER, CenterRole.QI_LEAD})


@dataclass(frozen=True)
class VisitUpload:
    """What an upload did: counts when accepted, every row error (and nothing written) when not."""

    center: Center
    rows_read: int = 0
    imported: int = 0
    updated: int = 0
    ignored_columns: tuple[str, ...] = ()
    measure_rows: int = 0
    """Monthly measure values stored again for the center after the import (only the months
    the imported visits can change)."""
    row_errors: tuple[RowError, ...] = field(default=())
    errors_total: int = 0
    """Every problem found; ``row_errors`` lists the first ones (at most 1,000)."""
    refresh_error: str | None = None
    """Why the center's measures were not recomputed after an accepted import, naming the
    measure; the visits were imported all the same."""

    @property
    def accepted(self) -> bool:
        return not self.row_errors

    @property
    def user_errors(self) -> tuple[UserError, ...]:
        """The problem the caller should hear about beyond the row errors: measures not
        refreshed after the visits were imported."""
        if self.refresh_error is None:
            return ()
        return (UserError("file", self.refresh_error, UserErrorCode.INVALID),)


def may_upload_visits(viewer: Viewer, center_id: int) -> bool:
    return viewer.center_roles.get(center_id) in UPLOADER_CENTER_ROLES


def require_uploader(viewer: Viewer, center_id: int) -> None:
    viewer.require_member()
    if not may_upload_visits(viewer, center_id):
        raise Forbidden(
            "Only this center's data managers and QI leads can import its visits (they are its "
            "patients' data): ask one of them to upload the file."
        )


async def upload_visits(
    db: Database,
    viewer: Viewer,
    registry: MeasureRegistry,
    center_id: int,
    file: BinaryIO | None,
    *,
    secret: str,
) -> VisitUpload:
    """Import the CSV ``file`` (bytes, read as a UTF-8 stream) for the center ``center_id``.

    ``file`` is ``None`` when the request carried no file (e.g. a string in JSON variables).
    """
    viewer.require_member()
    async with db.session() as session:
        center = await session.get(Center, center_id)
    if center is None:
        raise NotFound("No center has that ID.", field="centerId")
    require_uploader(viewer, center_id)
    if file is None:
        raise BadInput(
            "file: send the CSV as a file in a multipart request (the GraphQL multipart "
            "request spec), not as a value in JSON variables.",
            field="file",
        )
    text = io.TextIOWrapper(file, encoding="utf-8-sig", errors="surrogateescape", newline="")
    try:
        summary = await import_visits(db, center.short_code, text, secret=secret)
    except VisitImportError as refused:
        return VisitUpload(
            center=center,
            rows_read=refused.rows_read,
            row_errors=tuple(refused.errors),
            errors_total=refused.total,
        )
    finally:
        text.detach()  # the caller owns (and closes) the upload
    imported = VisitUpload(
        center=center,
        rows_read=summary.rows_read,
        imported=summary.inserted,
        updated=summary.updated,
        ignored_columns=summary.ignored_columns,
    )
    try:
        async with db.transaction() as session:
            stored = await refresh_measures(
                session, registry, visit_months={center.id: summary.months}
            )
    except MeasureComputationError as failed:
        return replace(
            imported,
            refresh_error=(
                f"The visits were imported ({summary.inserted} added, {summary.updated} "
                f"updated), but {center.short_code}'s measures were not refreshed, so its "
                f"reports still show the previous values: {str(failed)[:300]}. Fix or remove that "
                f"measure, then run `icn-graph measures refresh --center {center.short_code}`."
            ),
        )
    return replace(imported, measure_rows=stored)
