"""``icn-graph audit export``: the audit log of identified reads as CSV, one row per read and
center, oldest first. For operators (the command runs with the database's own rights; no
viewer is involved)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import IO

from sqlalchemy import func, select

from icn_graph.db.database import Database
from icn_graph.errors import BadInput, NotFound
from icn_graph.ids import to_global_id
from icn_graph.models import Center, Person
from icn_graph.models.stewardship import IdentifiedRead, IdentifiedReadCenter

COLUMNS = (
    "read_id",
    "at",
    "reader_email",
    "link_id",
    "channel",
    "subject",
    "measure",
    "view_id",
    "center",
    "consent_id",
)
BATCH = 1000


@dataclass(frozen=True)
class ExportRange:
    since: date
    """First day (UTC), included."""
    until: date | None = None
    """Last day (UTC), included; ``None``: up to now."""
    center_code: str | None = None
    """Only this center's rows (short code, any case)."""

    def __post_init__(self) -> None:
        if self.until is not None and self.until < self.since:
            raise BadInput(
                f"--until: {self.until.isoformat()} is before --since {self.since.isoformat()}.",
                field="until",
            )


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


async def export_reads(db: Database, wanted: ExportRange, out: IO[str]) -> int:
    """Write the header and the rows of ``wanted`` to ``out``; the number of rows written."""
    writer = csv.writer(out, lineterminator="\n")
    async with db.session() as session:
        center_id: int | None = None
        if wanted.center_code is not None:
            code = wanted.center_code.strip()
            center_id = await session.scalar(
                select(Center.id).where(func.upper(Center.short_code) == code.upper())
            )
            if center_id is None:
                raise NotFound(f"--center: no center has the short code '{code[:40]}'.")
        statement = (
            select(
                IdentifiedRead.id,
                IdentifiedRead.at,
                Person.email,
                IdentifiedRead.link_id,
                IdentifiedRead.channel,
                IdentifiedRead.subject,
                IdentifiedRead.measure_key,
                IdentifiedRead.view_id,
                Center.short_code,
                IdentifiedReadCenter.consent_id,
            )
            .join(IdentifiedReadCenter, IdentifiedReadCenter.read_id == IdentifiedRead.id)
            .join(Center, Center.id == IdentifiedReadCenter.center_id)
            .outerjoin(Person, Person.id == IdentifiedRead.reader_id)
            .where(IdentifiedRead.at >= _start_of(wanted.since))
            .order_by(IdentifiedRead.at, IdentifiedRead.id, Center.short_code)
        )
        if wanted.until is not None:
            statement = statement.where(
                IdentifiedRead.at < _start_of(wanted.until + timedelta(days=1))
            )
        if center_id is not None:
            statement = statement.where(IdentifiedReadCenter.center_id == center_id)
        writer.writerow(COLUMNS)
        written = 0
        result = await session.stream(statement.execution_options(yield_per=BATCH))
        async for row in result:
            read_id, at, email, link_id, channel, subject, measure, view_id, code, consent = row
            writer.writerow(
                (
                    to_global_id("IdentifiedRead", read_id),
                    at.isoformat(),
                    email or "",
                    "" if link_id is None else to_global_id("DataViewLink", link_id),
                    channel,
                    subject,
                    measure or "",
                    "" if view_id is None else to_global_id("DataView", view_id),
                    code,
                    "" if consent is None else to_global_id("DisplayConsent", consent),
                )
            )
            written += 1
    return written
