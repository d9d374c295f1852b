"""The audit log of identified reads: every read or export of a center's identified data by
someone outside that center (or through a public link) adds one ``IdentifiedRead`` with one
``IdentifiedReadCenter`` per center it showed, in the read's own transaction.

The caller commits the rows with the read; when they cannot be written the read fails, so no
identified value is ever shown unaudited. Rows are never updated or deleted.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.db.types import utcnow
from icn_graph.errors import Unavailable
from icn_graph.models.stewardship import IdentifiedRead, IdentifiedReadCenter
from icn_graph.services.viewer import Viewer

log = logging.getLogger(__name__)


class ReadChannel(enum.StrEnum):
    """How identified data was read."""

    GRAPHQL = "GRAPHQL"
    PNG = "PNG"
    SVG = "SVG"
    VEGA_LITE = "VEGA_LITE"
    CSV = "CSV"


class ReadSubject(enum.StrEnum):
    """What was read."""

    REPORT = "REPORT"
    DATA_VIEW = "DATA_VIEW"
    KEY_RESULT = "KEY_RESULT"
    COMPARISON = "COMPARISON"


CHANNELS = frozenset(ReadChannel)
SUBJECTS = frozenset(ReadSubject)


class AuditUnavailable(Unavailable):
    """The audit row of an identified read could not be written, so the read is refused."""

    def __init__(self) -> None:
        super().__init__(
            "This read shows identified center data and could not be recorded in the audit log "
            "of identified reads, so nothing is shown; try again shortly."
        )


@dataclass(frozen=True)
class ShownCenter:
    center_id: int
    consent_id: int | None
    """``None``: shown by role (network staff, data managers), not under a consent."""


async def record_identified_read(
    session: AsyncSession,
    *,
    reader_id: int | None,
    link_id: int | None,
    channel: str,
    subject: str,
    measure_key: str | None,
    centers: Sequence[ShownCenter],
    view_id: int | None = None,
    at: datetime | None = None,
) -> None:
    """Adds the IdentifiedRead and its IdentifiedReadCenter rows to ``session`` (flushes); the
    caller commits it with the read. No-op when ``centers`` is empty.

    A center listed twice is recorded once (the first consent given for it wins). When the
    database refuses the rows, :class:`AuditUnavailable` (the caller's transaction then rolls
    back, and the read shows nothing).
    """
    if not centers:
        return
    if reader_id is None and link_id is None:
        raise ValueError("an identified read needs a reader or a public link")
    if channel not in CHANNELS:
        raise ValueError(f"unknown read channel {channel!r}")
    if subject not in SUBJECTS:
        raise ValueError(f"unknown read subject {subject!r}")
    read = IdentifiedRead(
        at=at if at is not None else utcnow(),
        reader_id=reader_id,
        link_id=link_id,
        channel=str(channel),
        subject=str(subject),
        measure_key=measure_key,
        view_id=view_id,
    )
    consents: dict[int, int | None] = {}
    for shown in centers:
        consents.setdefault(shown.center_id, shown.consent_id)
    try:
        session.add(read)
        await session.flush()
        # One INSERT for every center of the read, however many.
        await session.execute(
            insert(IdentifiedReadCenter),
            [
                {"read_id": read.id, "center_id": center_id, "consent_id": consent_id}
                for center_id, consent_id in consents.items()
            ],
        )
    except (SQLAlchemyError, OSError) as error:
        log.error("cannot record an identified read, refusing it: %s", error)
        raise AuditUnavailable() from error


def shown_by_role(viewer: Viewer, center_ids: Collection[int]) -> list[ShownCenter]:
    """The centers of ``center_ids`` whose identified data ``viewer`` reads from outside (by
    network role, under no consent), in order; a center's own team is never audited."""
    own = viewer.center_ids
    return [
        ShownCenter(center_id, None)
        for center_id in dict.fromkeys(center_ids)
        if center_id not in own
    ]


async def record_role_read(
    session: AsyncSession,
    viewer: Viewer,
    *,
    channel: str,
    subject: str,
    measure_key: str | None,
    center_ids: Collection[int],
) -> None:
    """Record that ``viewer`` read the identified data of ``center_ids`` by role (staff, data
    managers): their own centers are left out, and nothing is written when none is left."""
    shown = shown_by_role(viewer, center_ids)
    if not shown:
        return
    await record_identified_read(
        session,
        reader_id=viewer.require_member(),
        link_id=None,
        channel=channel,
        subject=subject,
        measure_key=measure_key,
        centers=shown,
    )
