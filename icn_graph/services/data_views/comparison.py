"""The center-comparison funnel for network staff and data managers, for their own use.

Every center with a stored month of the measure in the period is placed by name (stewards see
every center identified, as in reports), from its published months only: the same cells anyone
outside a center sees, summed over the period, around the network's rate over its published
months. Nothing here needs a consent, and nothing of it is shown to anyone else: other members
get FORBIDDEN. Each read is an identified read of subject COMPARISON, listing every placed
center but the reader's own, with no consent (shown by role).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from icn_graph.db.database import Database
from icn_graph.db.types import utcnow
from icn_graph.errors import BadInput, Forbidden
from icn_graph.models import Center, MeasureValue
from icn_graph.reports import MAX_MONTHS
from icn_graph.reports.measures.registry import Measure, MeasureRegistry
from icn_graph.services.data_views.rendering import (
    FunnelSource,
    RenderedFunnel,
    SeriesKind,
    build_funnel,
)
from icn_graph.services.reports.disclosure.reading import PublishedCount, load_series
from icn_graph.services.reports.report import find_measure
from icn_graph.services.stewardship.access import is_steward
from icn_graph.services.stewardship.read_audit import (
    ReadSubject,
    ShownCenter,
    record_identified_read,
)
from icn_graph.services.viewer import Viewer


@dataclass(frozen=True)
class Comparison:
    measure: Measure
    first_month: date
    last_month: date
    funnel: RenderedFunnel


def _months(start: date, end: date) -> tuple[date, date]:
    first, last = start.replace(day=1), end.replace(day=1)
    if last < first:
        raise BadInput(
            f"to: the last month ({last:%Y-%m}) is before the first ({first:%Y-%m}).", field="to"
        )
    span = (last.year - first.year) * 12 + last.month - first.month + 1
    if span > MAX_MONTHS:
        raise BadInput(f"from: a comparison covers at most {MAX_MONTHS} months.", field="from")
    return first, last


async def center_comparison(
    db: Database,
    viewer: Viewer,
    registry: MeasureRegistry,
    measure_key: str,
    start: date,
    end: date,
    *,
    channel: str,
    now: datetime | None = None,
) -> Comparison:
    """Every center's published months of ``measure_key`` from ``start`` to ``end`` (any day of
    each month) as a funnel, for a steward; audited."""
    viewer.require_member()
    if not is_steward(viewer):
        raise Forbidden("Only network staff and network data managers compare centers by name.")
    measure = find_measure(registry, measure_key)
    first, last = _months(start, end)
    async with db.transaction() as session:
        rows = await session.execute(
            select(
                MeasureValue.center_id,
                Center.name,
                MeasureValue.month,
                MeasureValue.numerator,
                MeasureValue.denominator,
                MeasureValue.published,
            )
            .join(Center, Center.id == MeasureValue.center_id)
            .where(
                MeasureValue.measure_key == measure.key,
                MeasureValue.month >= first,
                MeasureValue.month <= last,
            )
        )
        names: dict[int, str] = {}
        shown: dict[int, list[PublishedCount]] = defaultdict(list)
        for center_id, name, month, numerator, denominator, published in rows:
            names[center_id] = name
            if published and denominator > 0:
                shown[center_id].append(PublishedCount(month, numerator, denominator, published))
        network = await load_series(session, measure.key, None, start=first, end=last)
        order = sorted(names, key=lambda center_id: names[center_id].casefold())
        sources = [FunnelSource(names[c], SeriesKind.NAMED, shown[c]) for c in order]
        funnel = build_funnel(sources, network)
        placed = {entry.label for entry in funnel.entries}
        await record_identified_read(
            session,
            reader_id=viewer.person_id,
            link_id=None,
            channel=channel,
            subject=ReadSubject.COMPARISON,
            measure_key=measure.key,
            centers=[
                ShownCenter(center_id, None)
                for center_id in order
                if names[center_id] in placed and center_id not in viewer.center_ids
            ],
            at=now or utcnow(),
        )
    return Comparison(measure, first, last, funnel)
