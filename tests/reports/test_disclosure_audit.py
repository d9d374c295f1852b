"""The audit proves the published table: no hidden count can be derived from everything every
reader sees, alone or pooled with the teams of up to two centers.

- The demo network's table passes; the old per-viewer rule's fails, with the review's two
  attacks among its exposures (ORF-CH 2008-05 from the network total, BGR-UCH 2007-04 from
  remission minus steroid-free remission).
- Random networks (Hypothesis: centers, months, small counts, nested measures) pass; the old
  rule fails on the first one it can, and the audit's shortcuts (feasible points) agree with
  solving every interval.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from icn_graph.db.database import Database
from icn_graph.reports.measures.builtin import core_registry
from icn_graph.services.reports.disclosure import FamilyMonth, publish_groups, suppress
from icn_graph.services.reports.disclosure.audit import (
    PROTECTION_WIDTH,
    audit,
    audit_database,
    exposes,
)
from icn_graph.services.reports.disclosure.families import Family
from icn_graph.services.reports.disclosure.publish import load_stored
from icn_graph.services.reports.disclosure.table import family_months
from tests.reports.disclosure_tables import (
    apply_old_per_viewer_rule,
    load_demo_file,
    random_networks,
)

RANDOM = settings(
    max_examples=500,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """The full demo network, loaded once for this module (SQLite: the table is the same on
    PostgreSQL, and loading it twice would double the module's time)."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    return path, load_demo_file(path)


async def _demo_groups(path: Path) -> list[FamilyMonth]:
    db = Database.from_url("sqlite+aiosqlite:///" + str(path))
    try:
        async with db.session() as session:
            return family_months(core_registry(), await load_stored(session))
    finally:
        await db.dispose()


def test_the_exposure_rule() -> None:
    assert PROTECTION_WIDTH == 6
    assert exposes(3, 3)  # published, or pinned
    assert exposes(1, 10)  # known to be small
    assert exposes(0, 10)  # known to be at most 10
    assert exposes(8, 12)  # within +-2
    assert not exposes(0, 0)  # zero may show
    assert not exposes(11, 11)  # so may 11 or more
    assert not exposes(500, 503)
    assert not exposes(5, 11)  # anything from 5 to 11: +-3
    assert not exposes(0, float("inf"))


async def test_the_demo_network_passes_the_audit(demo: tuple[Path, dict[str, int]]) -> None:
    path, _ = demo
    db = Database.from_url("sqlite+aiosqlite:///" + str(path))
    try:
        async with db.session() as session:
            result = await audit_database(session, core_registry())
    finally:
        await db.dispose()
    assert result.passed, [exposure.describe() for exposure in result.exposures[:10]]
    assert result.family_months == 2 * 86  # two families, 2007-01 to 2014-02
    assert 0 < result.hidden_cells < result.cells


async def test_the_old_per_viewer_rule_fails_on_the_demo(
    demo: tuple[Path, dict[str, int]],
) -> None:
    path, centers = demo
    groups = await _demo_groups(path)
    apply_old_per_viewer_rule(groups)
    result = audit(groups)
    assert not result.passed
    found = {
        (e.family, e.month, e.center_id, e.quantity, e.insiders): (e.low, e.high)
        for e in result.exposures
    }
    # Across viewers: the network total minus the published centers is ORF-CH's 13/22, so the
    # 9 of its patients not in remission (22 and 13 themselves may show).
    orf = centers["ORF-CH"]
    may_2008 = date(2008, 5, 1)
    assert found[("remission", may_2008, orf, "remission_rate complement", None)] == (9, 9)
    # Across measures: remission minus steroid-free remission at BGR-UCH in 2007-04 is 3.
    difference = "remission_rate - steroid_free_remission numerator"
    bgr = centers["BGR-UCH"]
    assert found[("remission", date(2007, 4, 1), bgr, difference, None)] == (3, 3)


@RANDOM
@given(random_networks())
def test_random_networks_pass_the_audit(groups: list[FamilyMonth]) -> None:
    publish_groups(groups)
    result = audit(groups)
    assert result.passed, [exposure.describe() for exposure in result.exposures[:5]]


@settings(RANDOM, max_examples=25)
@given(random_networks(max_centers=4, max_months=1))
def test_the_shortcuts_agree_with_solving_every_interval(groups: list[FamilyMonth]) -> None:
    """On the old rule's tables (which expose counts), certifying by feasible points finds
    exactly the exposures that solving both programs of every count finds."""
    apply_old_per_viewer_rule(groups)

    def exposures(exact: bool) -> set[tuple[object, ...]]:
        return {
            (e.family, e.month, e.center_id, e.quantity, e.insiders, e.low, e.high)
            for e in audit(groups, exact=exact).exposures
        }

    assert exposures(exact=False) == exposures(exact=True)


def test_the_old_rule_fails_where_the_new_pattern_hides_more() -> None:
    """Three centers, one small: the old rule showed the other two and the network; the new
    pattern hides both others as well (so that no team of one or two centers can subtract)."""
    family = Family("f", ("a",))
    cells: dict[int, tuple[int, ...]] = {1: (100, 50), 2: (90, 40), 3: (5, 3)}
    old = FamilyMonth(family, date(2024, 1, 1), dict(cells))
    apply_old_per_viewer_rule([old])
    assert old.published == {1: (True,), 2: (True,), 3: (False,)}
    assert {(e.center_id, e.quantity) for e in audit([old]).exposures} >= {
        (3, "a numerator"),
        (3, "denominator"),
    }

    pattern = suppress(family, cells)
    assert (pattern.hidden_centers, pattern.network_hidden) == (frozenset({3}), True)
    four = {**cells, 4: (80, 30)}
    pattern = suppress(family, four)
    assert pattern.primary == frozenset({3})
    assert (pattern.hidden_centers, pattern.network_hidden) == (frozenset({1, 2, 3, 4}), False)
    new = FamilyMonth(family, date(2024, 1, 1), four)
    publish_groups([new])
    assert audit([new]).passed


def test_complementary_cells_are_the_smallest_that_protect() -> None:
    """Of six centers with one small, the three smallest others are hidden (the pattern needs
    four hidden centers so that two teams pooling still face two unknowns), never the largest."""
    family = Family("f", ("a",))
    cells = {1: (500, 250), 2: (40, 20), 3: (60, 30), 4: (4, 2), 5: (30, 15), 6: (45, 20)}
    pattern = suppress(family, cells)
    assert pattern.hidden_centers == frozenset({2, 4, 5, 6})
    assert not pattern.network_hidden
    assert suppress(family, cells) == pattern  # deterministic
