"""``republish``: compute and store the published table's pattern for some months.

Called at the end of every refresh, in the refresh's transaction, so readers see the old values
with the old pattern or the new values with the new one. For each month it recomputes every
family's pattern across all centers (a change at one center can move the complementary cells of
others), marks ``measure_values.published`` and replaces that month's ``network_values`` rows
(the network totals with their own ``published`` flag). Readers only read the flags.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.models import MeasureValue, NetworkValue
from icn_graph.reports.measures.registry import MeasureRegistry
from icn_graph.services.reports.disclosure.pattern import Suppression, suppress
from icn_graph.services.reports.disclosure.table import FamilyMonth, StoredCell, family_months

_CHUNK = 1000
"""Ids per UPDATE statement (bind-parameter limits)."""


@dataclass(frozen=True)
class PublishSummary:
    months: int
    cells: int
    """Stored center cells (one per measure, center and month) in those months."""
    hidden: int
    """Of those, hidden outside their center."""
    complementary: int
    """Hidden only to protect others (not for their own counts)."""
    network_hidden: int
    """Network cells (one per measure and month) hidden."""


async def load_stored(
    session: AsyncSession, months: Collection[date] | None = None
) -> list[StoredCell]:
    """The stored center values of ``months`` (``None``: all), with their published flags."""
    statement = select(
        MeasureValue.id,
        MeasureValue.measure_key,
        MeasureValue.center_id,
        MeasureValue.month,
        MeasureValue.numerator,
        MeasureValue.denominator,
        MeasureValue.published,
        MeasureValue.disclosed,
    )
    if months is not None:
        statement = statement.where(MeasureValue.month.in_(sorted(months)))
    return [StoredCell(*row) for row in (await session.execute(statement)).all()]


async def republish(
    session: AsyncSession,
    registry: MeasureRegistry,
    months: Collection[date] | None = None,
) -> PublishSummary:
    """Recompute and store the pattern of ``months`` (any day in each; ``None``: every month),
    in the caller's transaction. Raises ``MeasureComputationError`` when stored values break
    what their family declares (nothing is written then)."""
    wanted = None if months is None else sorted({month.replace(day=1) for month in months})
    if wanted is not None and not wanted:
        return PublishSummary(0, 0, 0, 0, 0)
    groups = family_months(registry, await load_stored(session, wanted))
    hidden_ids: list[int] = []
    network_rows: list[dict[str, object]] = []
    complementary = network_hidden = cells = 0
    for group, pattern in zip(groups, publish_groups(groups), strict=True):
        cells += sum(len(ids) for ids in group.ids.values())
        for center_id in pattern.hidden_centers:
            hidden_ids.extend(group.ids[center_id])
            if center_id not in pattern.primary:
                complementary += len(group.ids[center_id])
        network_hidden += len(group.family.members) if pattern.network_hidden else 0
        network_rows.extend(_network_rows(group, published=not pattern.network_hidden))

    publish = update(MeasureValue).values(published=True)
    clear = delete(NetworkValue)
    if wanted is not None:
        publish = publish.where(MeasureValue.month.in_(wanted))
        clear = clear.where(NetworkValue.month.in_(wanted))
    await session.execute(publish)
    for chunk in _chunks(sorted(hidden_ids)):
        await session.execute(
            update(MeasureValue).where(MeasureValue.id.in_(chunk)).values(published=False)
        )
    disclose = update(MeasureValue).where(MeasureValue.published).values(disclosed=True)
    if wanted is not None:
        disclose = disclose.where(MeasureValue.month.in_(wanted))
    await session.execute(disclose)
    await session.execute(clear)
    if network_rows:
        await session.execute(insert(NetworkValue), network_rows)
    months_done = len({group.month for group in groups})
    return PublishSummary(months_done, cells, len(hidden_ids), complementary, network_hidden)


def publish_groups(groups: Iterable[FamilyMonth]) -> list[Suppression]:
    """Compute each family-month's pattern and set its ``published`` flags (in memory)."""
    patterns: list[Suppression] = []
    for group in groups:
        pattern = suppress(group.family, group.cells, known=frozenset(group.disclosed))
        members = len(group.family.members)
        for center_id in group.cells:
            group.published[center_id] = (center_id not in pattern.hidden_centers,) * members
        group.network_published = (not pattern.network_hidden,) * members
        patterns.append(pattern)
    return patterns


def _network_rows(group: FamilyMonth, *, published: bool) -> Iterable[dict[str, object]]:
    total = group.network
    for index, measure_key in enumerate(group.family.members, start=1):
        yield {
            "measure_key": measure_key,
            "month": group.month,
            "numerator": total[index],
            "denominator": total[0],
            "published": published,
        }


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]
