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

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Delete, and_, delete, func, insert, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from icn_graph.db.database import Database
from icn_graph.db.types import utcnow
from icn_graph.errors import NotFound
from icn_graph.lazy import lazy_module
from icn_graph.models import Center, MeasureValue, Visit
from icn_graph.reports.measures.frames import load_visits_frame
from icn_graph.reports.measures.monthly import OUTPUT_COLUMNS
from icn_graph.reports.measures.registry import Measure, MeasureRegistry
from icn_graph.services.reports.disclosure.publish import republish
from icn_graph.services.reports.errors import MeasureComputationError
from icn_graph.services.reports.refresh_window import (
    Span,
    affected_months,
    history_start,
    month_number,
    month_start,
)

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
else:
    np = lazy_module("numpy")
    pd = lazy_module("pandas")

__all__ = [
    "MeasureComputationError",
    "MonthlyCount",
    "RefreshSummary",
    "Refreshed",
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


@dataclass(frozen=True)
class Refreshed:
    """What a refresh rewrote: the rows stored, and per center the months whose stored values
    were replaced or removed (every measure's)."""

    rows: int
    months: dict[int, frozenset[date]]

    @property
    def network_months(self) -> frozenset[date]:
        """The months rewritten at any center."""
        return frozenset(month for months in self.months.values() for month in months)


StoredRow = tuple[str, int, date, int, int, datetime]
"""A ``measure_values`` row: measure key, center id, month, numerator, denominator, when."""

CHUNK_VISITS = 200_000
"""A full refresh loads and computes the centers a chunk at a time, each chunk holding at most
this many visits (a bigger center is a chunk of its own), so memory stays bounded however many
visits the network has; the computed values of all chunks are written at the end."""


async def refresh_measures(
    session: AsyncSession,
    registry: MeasureRegistry,
    *,
    center_ids: Collection[int] | None = None,
    visit_months: Mapping[int, Collection[date]] | None = None,
) -> int:
    """Recompute the measures and store the values; returns the rows written.

    Without ``visit_months``, every month of ``center_ids`` (``None``: all centers) is
    recomputed and the centers' stored rows (of every measure key, so a measure no longer
    registered leaves nothing stale) are replaced; a center without visits ends up with no
    rows. With ``visit_months`` (center id -> months, any day in each, in which an import added
    or changed visits), only those centers are refreshed, and of each only the months those
    visits can change (see ``refresh_window``): the result is the same as a full refresh of
    the centers, provided their stored values were up to date before the import. Then the
    published table's pattern of the months rewritten is recomputed (``disclosure.republish``).

    Runs in the caller's transaction, once any other refresh of the centers has ended (see the
    module docstring). A measure whose ``compute`` fails, or whose values break its family (see
    ``Measure.family``), raises ``MeasureComputationError`` and nothing is written.
    """
    await session.flush()  # the caller's pending visits count
    if visit_months is not None:
        await _lock_centers(session, visit_months.keys())
        refreshed = await _refresh_months(session, registry, visit_months)
    else:
        if center_ids is not None and not center_ids:
            return 0
        await _lock_centers(session, center_ids)
        refreshed = await _refresh_all(session, registry, center_ids)
    # The published pattern of a month spans every center: recompute the months rewritten
    # anywhere (all of them after a refresh of every center, which also drops stale months).
    everything = visit_months is None and center_ids is None
    await republish(session, registry, None if everything else refreshed.network_months)
    return refreshed.rows


async def _refresh_all(
    session: AsyncSession, registry: MeasureRegistry, center_ids: Collection[int] | None
) -> Refreshed:
    """Every month of the centers, a chunk of centers at a time."""
    rows: list[StoredRow] = []
    computed_at = utcnow()
    for chunk in await _center_chunks(session, center_ids):
        visits = await load_visits_frame(session, chunk)
        for measure in registry.all():
            rows.extend(_stored_rows(measure.key, _computed(measure, visits), computed_at))
        del visits
    months = await _stored_months(session, center_ids)
    disclosed = await _disclosed_counts(session, center_ids)
    clear = delete(MeasureValue)
    if center_ids is not None:
        clear = clear.where(MeasureValue.center_id.in_(sorted(set(center_ids))))
    await session.execute(clear)
    if rows:
        await _insert(session, rows, disclosed)
    for _, center_id, month, *_ in rows:
        months.setdefault(center_id, set()).add(month)
    return Refreshed(len(rows), {center: frozenset(found) for center, found in months.items()})


async def _center_chunks(
    session: AsyncSession, center_ids: Collection[int] | None
) -> list[list[int]]:
    """The centers with visits, grouped so that each group has at most ``CHUNK_VISITS``."""
    statement = select(Visit.center_id, func.count()).group_by(Visit.center_id)
    if center_ids is not None:
        statement = statement.where(Visit.center_id.in_(sorted(set(center_ids))))
    chunks: list[list[int]] = []
    size = CHUNK_VISITS
    for center_id, visits in (await session.execute(statement.order_by(Visit.center_id))).all():
        if size + visits > CHUNK_VISITS:
            chunks.append([])
            size = 0
        chunks[-1].append(center_id)
        size += visits
    return chunks


async def _stored_months(
    session: AsyncSession, center_ids: Collection[int] | None
) -> dict[int, set[date]]:
    statement = select(MeasureValue.center_id, MeasureValue.month).distinct()
    if center_ids is not None:
        statement = statement.where(MeasureValue.center_id.in_(sorted(set(center_ids))))
    months: dict[int, set[date]] = {}
    for center_id, month in (await session.execute(statement)).all():
        months.setdefault(center_id, set()).add(month)
    return months


async def _refresh_months(
    session: AsyncSession,
    registry: MeasureRegistry,
    visit_months: Mapping[int, Collection[date]],
) -> Refreshed:
    """Only the months the imported visits can change, center by center."""
    computed_at = utcnow()
    plans = [
        await _center_refresh(session, registry, center_id, months, computed_at)
        for center_id, months in sorted(visit_months.items())
        if months
    ]
    disclosed = await _disclosed_counts(session, [plan.center_id for plan in plans])
    for plan in plans:  # everything computed: now write
        await session.execute(plan.clear)
    rows = [row for plan in plans for row in plan.rows]
    if rows:
        await _insert(session, rows, disclosed)
    return Refreshed(len(rows), {plan.center_id: plan.months for plan in plans})


@dataclass(frozen=True)
class _CenterRefresh:
    center_id: int
    rows: list[StoredRow]
    clear: Delete
    months: frozenset[date]


async def _center_refresh(
    session: AsyncSession,
    registry: MeasureRegistry,
    center_id: int,
    visit_months: Collection[date],
    computed_at: datetime,
) -> _CenterRefresh:
    """The new rows of the months of ``center_id`` that visits in ``visit_months`` can change,
    and the statement that removes the rows they replace."""
    keys = registry.keys()
    stale = MeasureValue.measure_key.not_in(keys) if keys else true()
    span = await _visit_span(session, center_id)
    if span is None:  # no visits: nothing to store
        gone = (await _stored_months(session, [center_id])).get(center_id, set())
        clear = delete(MeasureValue).where(MeasureValue.center_id == center_id)
        return _CenterRefresh(center_id, [], clear, frozenset(gone))
    stored = await _stored_spans(session, center_id)
    touched = {month_number(month) for month in visit_months}
    affected: dict[str, frozenset[int] | None] = {}
    for measure in registry.all():
        window = measure.window_months
        known = stored.get(measure.key)
        affected[measure.key] = (
            None if window is None else affected_months(touched, window, span, known)
        )
    starts = [
        history_start(months, registry.get(key).window_months or 1)
        for key, months in affected.items()
        if months
    ]
    partial_history = all(months is not None for months in affected.values())
    since = month_start(min(starts)) if partial_history and starts else None
    recent = await load_visits_frame(session, [center_id], since=since)
    everything = recent if since is None else None
    rows: list[StoredRow] = []
    conditions: list[ColumnElement[bool]] = [stale]
    rewritten: set[int] = set()
    for measure in registry.all():
        wanted_months = affected[measure.key]
        if wanted_months is not None and not wanted_months:
            continue
        values = _computed(measure, recent)
        kept = _stored_rows(measure.key, values, computed_at, wanted_months)
        if wanted_months is not None and len(kept) != len(wanted_months):
            # The recent visits' span misses some month (a gap at its start): use them all.
            if everything is None:
                everything = await load_visits_frame(session, [center_id])
            kept = _stored_rows(
                measure.key, _computed(measure, everything), computed_at, wanted_months
            )
        rows.extend(kept)
        wanted = MeasureValue.measure_key == measure.key
        if wanted_months is None:
            conditions.append(wanted)
            rewritten.update(span.months())
            if measure.key in stored:
                rewritten.update(stored[measure.key].months())
        else:
            dates = sorted(month_start(month) for month in wanted_months)
            conditions.append(and_(wanted, MeasureValue.month.in_(dates)))
            rewritten.update(wanted_months)
    clear = delete(MeasureValue).where(MeasureValue.center_id == center_id, or_(*conditions))
    return _CenterRefresh(
        center_id, rows, clear, frozenset(month_start(month) for month in rewritten)
    )


async def _visit_span(session: AsyncSession, center_id: int) -> Span | None:
    statement = select(func.min(Visit.visit_date), func.max(Visit.visit_date)).where(
        Visit.center_id == center_id
    )
    first, last = (await session.execute(statement)).one()
    if first is None:
        return None
    return Span(month_number(_as_date(first)), month_number(_as_date(last)))


async def _stored_spans(session: AsyncSession, center_id: int) -> dict[str, Span]:
    statement = (
        select(MeasureValue.measure_key, func.min(MeasureValue.month), func.max(MeasureValue.month))
        .where(MeasureValue.center_id == center_id)
        .group_by(MeasureValue.measure_key)
    )
    return {
        key: Span(month_number(_as_date(first)), month_number(_as_date(last)))
        for key, first, last in (await session.execute(statement)).all()
    }


def _as_date(value: date | str) -> date:
    """A date from an aggregate: SQLite's min()/max() of a date column return its text."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def _stored_rows(
    key: str,
    values: pd.DataFrame,
    computed_at: datetime,
    months: frozenset[int] | None = None,
) -> list[StoredRow]:
    """Rows of ``measure_values`` from a measure's output, only of ``months`` when given."""
    if months is not None:
        numbers = values["month"].to_numpy().astype("datetime64[M]").astype(np.int64)
        values = values[np.isin(numbers, np.fromiter(months, dtype=np.int64, count=len(months)))]
    return [
        (key, center_id, month, numerator, denominator, computed_at)
        for center_id, month, numerator, denominator in zip(
            values["center_id"].tolist(),
            values["month"].dt.date.tolist(),
            values["numerator"].tolist(),
            values["denominator"].tolist(),
            strict=True,
        )
    ]


_STORED_COLUMNS = (
    "measure_key",
    "center_id",
    "month",
    "numerator",
    "denominator",
    "computed_at",
    "disclosed",
)

DisclosedCount = tuple[str, int, date, int, int]
"""A cell once published with these counts: measure key, center id, month, numerator,
denominator."""


async def _disclosed_counts(
    session: AsyncSession, center_ids: Collection[int] | None
) -> set[DisclosedCount]:
    """The disclosed cells of ``center_ids`` (``None``: every center), before a refresh
    replaces them: a row stored again with the same counts stays disclosed (readers may have
    saved it; see ``MeasureValue.disclosed``)."""
    statement = select(
        MeasureValue.measure_key,
        MeasureValue.center_id,
        MeasureValue.month,
        MeasureValue.numerator,
        MeasureValue.denominator,
    ).where(MeasureValue.disclosed)
    if center_ids is not None:
        statement = statement.where(MeasureValue.center_id.in_(sorted(set(center_ids))))
    return {
        (key, center_id, _as_date(month), numerator, denominator)
        for key, center_id, month, numerator, denominator in (await session.execute(statement))
    }


async def _insert(
    session: AsyncSession, rows: Sequence[StoredRow], disclosed: set[DisclosedCount]
) -> None:
    """Bulk insert in the session's transaction: COPY on PostgreSQL, executemany elsewhere;
    each row disclosed when it was before with the same counts."""
    records = [(*row, (row[0], row[1], row[2], row[3], row[4]) in disclosed) for row in rows]
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        driver: Any = (await connection.get_raw_connection()).driver_connection  # asyncpg's
        await driver.copy_records_to_table(
            MeasureValue.__tablename__, records=records, columns=_STORED_COLUMNS
        )
        return
    await session.execute(
        insert(MeasureValue), [dict(zip(_STORED_COLUMNS, row, strict=True)) for row in records]
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
    db: Database,
    registry: MeasureRegistry,
    center_code: str,
    *,
    visit_months: Collection[date] | None = None,
) -> RefreshSummary:
    """Refresh the measures of the center ``center_code`` in a transaction of its own: every
    month, or with ``visit_months`` (the months of visits just imported) only the months those
    visits can change."""
    async with db.transaction() as session:
        wanted = center_code.strip().upper()
        center = await session.scalar(select(Center).where(func.upper(Center.short_code) == wanted))
        if center is None:
            raise NotFound(f"No center with code '{center_code.strip()}'.", field="center")
        if visit_months is None:
            rows = await refresh_measures(session, registry, center_ids=[center.id])
        else:
            rows = await refresh_measures(session, registry, visit_months={center.id: visit_months})
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
