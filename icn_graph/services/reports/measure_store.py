"""Stored measure values: recompute them from visits, and read the monthly counts back.

``refresh_measures`` recomputes every registered measure for some centers and replaces those
centers' rows in ``measure_values`` inside the caller's transaction: readers see the old values
or the new ones, never a mix. After an import, ``refresh_center_measures`` does it for the
imported center in a transaction of its own.

Refreshes of one center are serialized: on PostgreSQL each refresh first takes a transaction
advisory lock per center (``REFRESH_LOCK``, the center's id), so two imports of one center
finishing together refresh one after the other, the second reading the visits the first
committed, instead of both inserting the same (measure, center, month) rows. SQLite serializes
writers itself.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.db.database import Database
from icn_graph.db.types import utcnow
from icn_graph.errors import NotFound
from icn_graph.models import Center, MeasureValue
from icn_graph.reports.measures.frames import load_visits_frame
from icn_graph.reports.measures.monthly import OUTPUT_COLUMNS
from icn_graph.reports.measures.registry import Measure, MeasureRegistry
from icn_graph.services.reports.disclosure.publish import republish
from icn_graph.services.reports.errors import MeasureComputationError

__all__ = [
    "MeasureComputationError",
    "MonthlyCount",
    "RefreshSummary",
    "load_monthly_counts",
    "refresh_center_measures",
    "refresh_measures",
]


@dataclass(frozen=True)
class MonthlyCount:
    center_id: int
    month: date  # the first day of the month
    numerator: int
    denominator: int


@dataclass(frozen=True)
class RefreshSummary:
    center_code: str
    measures: int
    rows: int


REFRESH_LOCK = 0x1C4E
"""The first key of the PostgreSQL advisory lock ``(REFRESH_LOCK, center_id)`` a refresh holds
for each of its centers until its transaction ends."""


async def _lock_centers(session: AsyncSession, center_ids: Collection[int] | None) -> None:
    """Wait for any other refresh of these centers (``None``: every center) to end; PostgreSQL
    only. One statement however many centers; the locks are taken in id order (PostgreSQL
    evaluates a volatile output expression after ORDER BY), so refreshes of overlapping sets of
    centers cannot deadlock."""
    connection = await session.connection()
    if connection.dialect.name != "postgresql":
        return
    statement = select(func.pg_advisory_xact_lock(REFRESH_LOCK, Center.id)).order_by(Center.id)
    if center_ids is not None:
        statement = statement.where(Center.id.in_(sorted(set(center_ids))))
    (await session.execute(statement)).all()


async def refresh_measures(
    session: AsyncSession,
    registry: MeasureRegistry,
    *,
    center_ids: Collection[int] | None = None,
) -> int:
    """Recompute every measure for ``center_ids`` (``None``: all centers) and store the values.

    The centers' stored rows (of every measure key, so a measure no longer registered leaves
    nothing stale) are replaced in the caller's transaction, once any other refresh of them has
    ended (see the module docstring), and the published table's pattern is recomputed
    (``disclosure.republish``). Returns the rows written. A center without visits ends up with no
    rows. A measure whose ``compute`` fails, or whose values break its family (see
    ``Measure.family``), raises ``MeasureComputationError`` and nothing is written.
    """
    if center_ids is not None and not center_ids:
        return 0
    await _lock_centers(session, center_ids)
    visits = await load_visits_frame(session, center_ids)
    computed = [(measure, _computed(measure, visits)) for measure in registry.all()]
    clear = delete(MeasureValue)
    if center_ids is not None:
        clear = clear.where(MeasureValue.center_id.in_(sorted(set(center_ids))))
    await session.execute(clear)
    computed_at = utcnow()
    rows = [
        (measure.key, center_id, month, numerator, denominator, computed_at)
        for measure, values in computed
        for center_id, month, numerator, denominator in zip(
            values["center_id"].tolist(),
            values["month"].dt.date.tolist(),
            values["numerator"].tolist(),
            values["denominator"].tolist(),
            strict=True,
        )
    ]
    if rows:
        await _insert(session, rows)
    await republish(session, registry)
    return len(rows)


_STORED_COLUMNS = ("measure_key", "center_id", "month", "numerator", "denominator", "computed_at")


async def _insert(session: AsyncSession, rows: Sequence[tuple[object, ...]]) -> None:
    """Bulk insert in the session's transaction: COPY on PostgreSQL, executemany elsewhere."""
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        driver: Any = (await connection.get_raw_connection()).driver_connection  # asyncpg's
        await driver.copy_records_to_table(
            MeasureValue.__tablename__, records=rows, columns=_STORED_COLUMNS
        )
        return
    await session.execute(
        insert(MeasureValue), [dict(zip(_STORED_COLUMNS, row, strict=True)) for row in rows]
    )


def _computed(measure: Measure, visits: pd.DataFrame) -> pd.DataFrame:
    """The measure's output, refused (naming the measure) unless it is monthly counts."""

    def refuse(problem: str) -> MeasureComputationError:
        return MeasureComputationError(f"measure '{measure.key}': compute {problem}")

    try:
        values = measure.compute(visits)
    except Exception as error:
        raise refuse(f"failed: {error!r}") from error

    if not isinstance(values, pd.DataFrame):
        raise refuse(f"returned {type(values).__name__}, not a DataFrame")
    missing = [column for column in OUTPUT_COLUMNS if column not in values.columns]
    if missing:
        raise refuse(f"returned no column(s) {', '.join(missing)}")
    values = values.loc[:, list(OUTPUT_COLUMNS)]
    if values[["center_id", "numerator", "denominator"]].isna().any().any():
        raise refuse("returned blank counts")
    numerator = values["numerator"].to_numpy(dtype=np.int64)
    denominator = values["denominator"].to_numpy(dtype=np.int64)
    if (numerator < 0).any() or (numerator > denominator).any():
        raise refuse("returned a numerator below 0 or above its denominator")
    if not pd.api.types.is_datetime64_any_dtype(values["month"]):
        raise refuse("returned months that are not datetime64")
    if (values["month"].dt.day != 1).any():
        raise refuse("returned a month that is not the first day of a month")
    if values.duplicated(["center_id", "month"]).any():
        raise refuse("returned a center and month twice")
    return values


async def refresh_center_measures(
    db: Database, registry: MeasureRegistry, center_code: str
) -> RefreshSummary:
    """Refresh the measures of the center ``center_code`` in a transaction of its own."""
    async with db.transaction() as session:
        wanted = center_code.strip().upper()
        center = await session.scalar(select(Center).where(func.upper(Center.short_code) == wanted))
        if center is None:
            raise NotFound(f"No center with code '{center_code.strip()}'.", field="center")
        rows = await refresh_measures(session, registry, center_ids=[center.id])
    return RefreshSummary(center.short_code, len(registry), rows)


async def load_monthly_counts(
    session: AsyncSession,
    measure_key: str,
    *,
    center_ids: Collection[int] | None,
    start: date | None,
    end: date | None,
) -> list[MonthlyCount]:
    """Stored counts of ``measure_key`` by center then month, months from ``start``'s month
    through ``end``'s month (both optional), for ``center_ids`` (``None``: every center)."""
    if center_ids is not None and not center_ids:
        return []
    statement = select(
        MeasureValue.center_id,
        MeasureValue.month,
        MeasureValue.numerator,
        MeasureValue.denominator,
    ).where(MeasureValue.measure_key == measure_key)
    if center_ids is not None:
        statement = statement.where(MeasureValue.center_id.in_(sorted(set(center_ids))))
    if start is not None:
        statement = statement.where(MeasureValue.month >= start.replace(day=1))
    if end is not None:
        statement = statement.where(MeasureValue.month <= end)
    statement = statement.order_by(MeasureValue.center_id, MeasureValue.month)
    result = await session.execute(statement)
    return [MonthlyCount(*row) for row in result.all()]
