"""How far a goal has come: each key result's progress, and the goal's as their mean.

A key result's progress is ``(current - start) / (target - start)`` as a percentage, clamped to
0-100, so a decreasing measure (target below start, e.g. days to first visit) works the same
way as an increasing one. When start equals target there is no distance to cover: progress is
100 once the current value equals the target, else 0.

:func:`current_value` is the one place a key result's current value is read. Without a measure
it is the value recorded by the latest check-in (or at creation). With ``measure_key`` set it
comes from data: the measure's latest stored month, as a percentage (value times 100), for the
goal's center (the network total for a person's goal), as the disclosure policy lets the reader
see it (``services/reports/disclosure``), exactly as the report shows it:

- the center's own team sees its value whatever the counts;
- network staff and data managers see it when the cell is published;
- everyone sees the network total's month when it is published;
- anyone else, or a hidden month, or no data yet: the recorded value, as without a measure.

:func:`measure_readings` fetches the latest months for many key results at once (loaders). A
value from another center's data that the reader will see (network staff and data managers) is an
identified read: it is recorded in the audit log in the same transaction, one audit read per
measure for the whole batch, and when that cannot be written the batch fails.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from icn_graph.db.database import Database
from icn_graph.models import Goal, KeyResult
from icn_graph.services.reports.access import Disclosure, disclosure_for
from icn_graph.services.reports.disclosure.reading import PublishedCount, latest_counts, shows
from icn_graph.services.stewardship.read_audit import ReadChannel, ReadSubject, record_role_read
from icn_graph.services.viewer import Viewer


@dataclass(frozen=True)
class MeasureSource:
    """Where a linked key result's data comes from: a measure for a center (``None``: the
    network aggregate)."""

    measure_key: str
    center_id: int | None


MeasureReading = PublishedCount
"""A measure's latest stored month for one source, with its published flag."""


def visible_percent(
    viewer: Viewer, source: MeasureSource, reading: MeasureReading | None
) -> float | None:
    """The reading as a percentage if ``viewer`` may see it (see the module docstring)."""
    if reading is None or reading.denominator == 0:
        return None
    disclosure: Disclosure | None = Disclosure.SUPPRESSED
    if source.center_id is not None:
        disclosure = disclosure_for(viewer, source.center_id)
    if not shows(disclosure, reading):
        return None
    return reading.numerator / reading.denominator * 100.0


def current_value(key_result: KeyResult, measured: float | None = None) -> float:
    """The current value of ``key_result``: ``measured`` (from :func:`visible_percent`) when
    there is one, else the recorded value."""
    return measured if measured is not None else key_result.current_value


@dataclass(frozen=True)
class MeasureLink:
    """A key result's link: its measure and its goal (whose owner picks the source)."""

    measure_key: str
    goal_id: int


@dataclass(frozen=True)
class Measured:
    source: MeasureSource
    reading: MeasureReading | None


async def measure_readings(
    db: Database, viewer: Viewer, links: Sequence[MeasureLink]
) -> list[Measured | None]:
    """Each link's source and latest stored month, in order (``None`` for a missing goal), for
    ``viewer``; the identified ones ``viewer`` will see are audited (module docstring).

    At most three queries however many links: the goals' centers, and the latest month per
    center source and per network source; then at most two inserts per measure for the audit.
    """
    async with db.transaction() as session:
        goal_ids = {link.goal_id for link in links}
        result = await session.execute(select(Goal.id, Goal.center_id).where(Goal.id.in_(goal_ids)))
        owners = {goal_id: center_id for goal_id, center_id in result}
        sources = {
            link: MeasureSource(link.measure_key, owners[link.goal_id])
            for link in links
            if link.goal_id in owners
        }
        found = await latest_counts(
            session, {(source.measure_key, source.center_id) for source in sources.values()}
        )
        shown: dict[str, list[int]] = {}
        for source in dict.fromkeys(sources.values()):
            reading = found.get((source.measure_key, source.center_id))
            if (
                source.center_id is not None
                and visible_percent(viewer, source, reading) is not None
            ):
                shown.setdefault(source.measure_key, []).append(source.center_id)
        for measure_key, center_ids in shown.items():
            await record_role_read(
                session,
                viewer,
                channel=ReadChannel.GRAPHQL,
                subject=ReadSubject.KEY_RESULT,
                measure_key=measure_key,
                center_ids=center_ids,
            )
    return [
        Measured(sources[link], found.get((sources[link].measure_key, sources[link].center_id)))
        if link in sources
        else None
        for link in links
    ]


def progress_percent(start: float, target: float, current: float) -> float:
    """Progress from ``start`` towards ``target`` at ``current``, as 0-100."""
    if target == start:
        return 100.0 if current == target else 0.0
    ratio = (current - start) / (target - start)
    return max(0.0, min(100.0, ratio * 100.0))


def key_result_progress(key_result: KeyResult, measured: float | None = None) -> float:
    return progress_percent(
        key_result.start_value, key_result.target_value, current_value(key_result, measured)
    )


def goal_progress(
    key_results: Iterable[KeyResult], measured: Mapping[int, float | None] | None = None
) -> float | None:
    """The mean of the key results' progress; None for a goal without key results.

    ``measured``: key result id -> value from data (see :func:`visible_percent`).
    """
    values = [
        key_result_progress(key_result, (measured or {}).get(key_result.id))
        for key_result in key_results
    ]
    if not values:
        return None
    return sum(values) / len(values)
