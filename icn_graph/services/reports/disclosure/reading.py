"""Reading the published table: the one way a measure value reaches anyone outside the code
that computes it (reports, charts, CSV, key results linked to measures, plugins).

Every reader gets each stored count with its ``published`` flag and shows it to a viewer only
through :func:`shows`: a center's own team sees everything of their center (``Disclosure.FULL``);
anyone else who may see the center at all (``access.disclosure_for``) sees exactly the published
cells, the same cells for everyone. The network total is read from ``network_values``, published
or not for everyone alike.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.models import MeasureValue, NetworkValue
from icn_graph.services.reports.access import Disclosure


@dataclass(frozen=True)
class PublishedCount:
    month: date  # the first day of the month
    numerator: int
    denominator: int
    published: bool
    """Whether readers outside the center (or anyone, for the network) may see it."""


def shows(disclosure: Disclosure | None, count: PublishedCount) -> bool:
    """Whether a reader with ``disclosure`` of the series sees ``count``."""
    if disclosure is None:
        return False
    return disclosure is Disclosure.FULL or count.published


async def load_series(
    session: AsyncSession,
    measure_key: str,
    center_id: int | None,
    *,
    start: date | None = None,
    end: date | None = None,
) -> list[PublishedCount]:
    """A center's (``None``: the network's) stored months of ``measure_key``, in order, from
    ``start``'s month through ``end``'s month (both optional)."""
    if center_id is None:
        table: type[MeasureValue] | type[NetworkValue] = NetworkValue
        statement = select(
            NetworkValue.month,
            NetworkValue.numerator,
            NetworkValue.denominator,
            NetworkValue.published,
        ).where(NetworkValue.measure_key == measure_key)
    else:
        table = MeasureValue
        statement = select(
            MeasureValue.month,
            MeasureValue.numerator,
            MeasureValue.denominator,
            MeasureValue.published,
        ).where(MeasureValue.measure_key == measure_key, MeasureValue.center_id == center_id)
    if start is not None:
        statement = statement.where(table.month >= start.replace(day=1))
    if end is not None:
        statement = statement.where(table.month <= end)
    rows = await session.execute(statement.order_by(table.month))
    return [PublishedCount(*row) for row in rows.all()]


async def load_center_series(
    session: AsyncSession,
    measure_key: str,
    center_ids: Collection[int],
    *,
    start: date | None = None,
    end: date | None = None,
) -> dict[int, list[PublishedCount]]:
    """:func:`load_series` for many centers in one query: each center's months, in order (a
    center without stored months is left out)."""
    found: dict[int, list[PublishedCount]] = {}
    if not center_ids:
        return found
    statement = select(
        MeasureValue.center_id,
        MeasureValue.month,
        MeasureValue.numerator,
        MeasureValue.denominator,
        MeasureValue.published,
    ).where(
        MeasureValue.measure_key == measure_key,
        MeasureValue.center_id.in_(sorted(set(center_ids))),
    )
    if start is not None:
        statement = statement.where(MeasureValue.month >= start.replace(day=1))
    if end is not None:
        statement = statement.where(MeasureValue.month <= end)
    rows = await session.execute(statement.order_by(MeasureValue.center_id, MeasureValue.month))
    for center_id, month, numerator, denominator, published in rows.all():
        count = PublishedCount(month, numerator, denominator, published)
        found.setdefault(center_id, []).append(count)
    return found


async def latest_counts(
    session: AsyncSession, sources: Collection[tuple[str, int | None]]
) -> dict[tuple[str, int | None], PublishedCount]:
    """The latest stored month of each (measure key, center id or ``None`` for the network):
    two queries however many sources. Rows come oldest first, so whatever plan the database
    picks for the join, the month kept for a series is its latest."""
    found: dict[tuple[str, int | None], PublishedCount] = {}
    centers = {(key, center) for key, center in sources if center is not None}
    networks = {key for key, center in sources if center is None}
    if centers:
        latest = (
            select(
                MeasureValue.measure_key,
                MeasureValue.center_id,
                func.max(MeasureValue.month).label("month"),
            )
            .where(
                MeasureValue.measure_key.in_(sorted({key for key, _ in centers})),
                MeasureValue.center_id.in_(sorted({center for _, center in centers})),
            )
            .group_by(MeasureValue.measure_key, MeasureValue.center_id)
            .subquery()
        )
        rows = await session.execute(
            select(
                MeasureValue.measure_key,
                MeasureValue.center_id,
                MeasureValue.month,
                MeasureValue.numerator,
                MeasureValue.denominator,
                MeasureValue.published,
            )
            .join(
                latest,
                and_(
                    MeasureValue.measure_key == latest.c.measure_key,
                    MeasureValue.center_id == latest.c.center_id,
                    MeasureValue.month == latest.c.month,
                ),
            )
            .order_by(MeasureValue.month)
        )
        for key, center_id, month, numerator, denominator, published in rows:
            if (key, center_id) in centers:
                found[(key, center_id)] = PublishedCount(month, numerator, denominator, published)
    if networks:
        latest = (
            select(NetworkValue.measure_key, func.max(NetworkValue.month).label("month"))
            .where(NetworkValue.measure_key.in_(sorted(networks)))
            .group_by(NetworkValue.measure_key)
            .subquery()
        )
        network_rows = await session.execute(
            select(
                NetworkValue.measure_key,
                NetworkValue.month,
                NetworkValue.numerator,
                NetworkValue.denominator,
                NetworkValue.published,
            )
            .join(
                latest,
                and_(
                    NetworkValue.measure_key == latest.c.measure_key,
                    NetworkValue.month == latest.c.month,
                ),
            )
            .order_by(NetworkValue.month)
        )
        for key, month, numerator, denominator, published in network_rows:
            found[(key, None)] = PublishedCount(month, numerator, denominator, published)
    return found
