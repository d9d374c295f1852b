"""Published tables for the disclosure tests: the demo's, the old per-viewer rule's, and random
networks (Hypothesis)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from hypothesis import strategies as st
from sqlalchemy import select

from icn_graph.db import migrations
from icn_graph.db.database import Database
from icn_graph.demo import load_demo
from icn_graph.demo.present import STORY_TODAY
from icn_graph.host import core_host
from icn_graph.models import Center
from icn_graph.reports.measures.registry import Direction, Measure, MeasureRegistry
from icn_graph.services.reports.disclosure import (
    FamilyMonth,
    StoredCell,
    family_months,
    reveals_small_count,
)


def load_demo_file(path: Path) -> dict[str, int]:
    """The full demo network in a SQLite file; its centers' ids by short code."""

    url = "sqlite+aiosqlite:///" + str(path)
    migrations.upgrade(url)

    async def load() -> dict[str, int]:
        db = Database.from_url(url)
        try:
            await load_demo(db, plugins=core_host(), today=STORY_TODAY)
            async with db.session() as session:
                rows = await session.execute(select(Center.short_code, Center.id))
                return {code: center_id for code, center_id in rows}
        finally:
            await db.dispose()

    return asyncio.run(load())


def apply_old_per_viewer_rule(groups: Sequence[FamilyMonth]) -> None:
    """Set the flags the old per-viewer rule published to the union of its readers: a center's
    cell per measure unless it revealed a small count; the network's unless its own counts did
    (a reader on no center's team saw it then, whatever staff saw of the centers)."""
    for group in groups:
        network = group.network
        for center_id, cell in group.cells.items():
            n, numerators = cell[0], cell[1:]
            group.published[center_id] = tuple(not reveals_small_count(y, n) for y in numerators)
        group.network_published = tuple(not reveals_small_count(y, network[0]) for y in network[1:])


def _compute_nothing(visits: object) -> object:
    raise AssertionError("the disclosure tests never compute")


def _measure(key: str, family: str | None = None, nested_in: str | None = None) -> Measure:
    return Measure(
        key=key,
        title=key,
        definition=key,
        unit="%",
        direction=Direction.HIGHER_IS_BETTER,
        compute=_compute_nothing,  # type: ignore[arg-type]
        family=family,
        nested_in=nested_in,
    )


RANDOM_REGISTRY = MeasureRegistry(
    [
        (
            "tests",
            [
                _measure("outer", "f", None),
                _measure("inner", "f", "outer"),
                _measure("innermost", "f", "inner"),
                _measure("side", "f", "outer"),
                _measure("alone"),
            ],
        )
    ]
)
"""A family of four (outer > inner > innermost, outer > side) and a measure of its own."""

_SMALLISH = st.one_of(st.integers(0, 12), st.integers(0, 60))


@st.composite
def random_networks(
    draw: st.DrawFn, max_centers: int = 9, max_months: int = 3
) -> list[FamilyMonth]:
    """A network of 1 to ``max_centers`` centers over 1 to ``max_months`` months, counts mostly
    small, nestings respected."""
    centers = draw(st.integers(1, max_centers))
    months = [date(2024, month, 1) for month in range(1, draw(st.integers(1, max_months)) + 1)]
    cells: list[StoredCell] = []
    for month in months:
        for center_id in range(1, centers + 1):
            if draw(st.integers(0, 9)) == 0:
                continue  # no data that month
            n = draw(_SMALLISH)
            outer = draw(st.integers(0, n))
            inner = draw(st.integers(0, outer))
            values = {
                "outer": outer,
                "inner": inner,
                "innermost": draw(st.integers(0, inner)),
                "side": draw(st.integers(0, outer)),
            }
            for key, y in values.items():
                cells.append(StoredCell(len(cells) + 1, key, center_id, month, y, n))
            alone_n = draw(_SMALLISH)
            alone_y = draw(st.integers(0, alone_n))
            cells.append(StoredCell(len(cells) + 1, "alone", center_id, month, alone_y, alone_n))
    return family_months(RANDOM_REGISTRY, cells)
