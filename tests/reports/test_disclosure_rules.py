"""The published suppression pattern, computed directly (no database): the subtraction rule
(hidden cells must not be recoverable as the network minus what is shown), complementary
suppression by the smallest center, insiders pooling their own cells, known cells, and the
counts a family of measures discloses. A brute-force oracle, written independently of the
pattern's matrix arithmetic, checks every pattern it publishes with the network shown."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Mapping, Sequence
from datetime import date
from itertools import combinations

import numpy as np
import pytest

from icn_graph.reports.measures.builtin import core_registry
from icn_graph.services.reports.disclosure.families import (
    Family,
    family_key_of,
    family_of,
    small_entries,
)
from icn_graph.services.reports.disclosure.pattern import (
    INSIDER_CENTERS,
    Suppression,
    insider_sets,
    insider_sums,
    suppress,
)
from icn_graph.services.reports.disclosure.small_cells import is_small_count
from icn_graph.services.reports.disclosure.table import StoredCell, family_months
from icn_graph.services.reports.errors import MeasureComputationError
from tests.reports.disclosure_tables import RANDOM_REGISTRY

ONE = Family("remission", ("remission",))
NESTED = Family("remission", ("remission", "steroid_free"), ((1, 0),))


def _disclosed(family: Family, cell: Sequence[int]) -> list[int]:
    """Every count a cell discloses, spelled out by hand (not through ``family.matrix``)."""
    n, *numerators = cell
    counts = [n]
    for y in numerators:
        counts += [y, n - y]
    for sub, sup in family.nestings:
        difference = numerators[sup] - numerators[sub]
        counts += [difference, n - difference]
    return counts


def _small(family: Family, cell: Sequence[int]) -> bool:
    return any(is_small_count(count) for count in _disclosed(family, cell))


def _sum(cells: Sequence[Sequence[int]], width: int) -> list[int]:
    return [sum(cell[i] for cell in cells) for i in range(width)]


def _safe(
    family: Family, cells: Mapping[int, Sequence[int]], pattern: Suppression, known: frozenset[int]
) -> bool:
    """With the network shown: no hidden cell is the network minus the shown ones, and neither
    the hidden total nor what any insider set learns of the others discloses a small count."""
    hidden = sorted(pattern.hidden_centers - known)
    if not hidden:
        return True
    if len(hidden) == 1:
        return False
    width = family.width
    if _small(family, _sum([cells[c] for c in hidden], width)):
        return False
    for size in range(1, min(INSIDER_CENTERS, len(hidden) - 1) + 1):
        for insiders in combinations(hidden, size):
            others = [cells[c] for c in hidden if c not in insiders]
            if _small(family, _sum(others, width)):
                return False
    return True


def test_a_center_hidden_alone_is_the_network_minus_the_rest() -> None:
    # A = 50/100 shown, C = 0/5 hidden: publishing the network (50/105) would give C away.
    pattern = suppress(ONE, {1: (100, 50), 2: (5, 0)})
    assert pattern == Suppression(frozenset({2}), True, frozenset({2}))


def test_nothing_small_hides_nothing() -> None:
    pattern = suppress(ONE, {1: (100, 50), 2: (50, 25), 3: (60, 30)})
    assert pattern == Suppression(frozenset(), False, frozenset())


def test_the_smallest_center_complements_a_small_one() -> None:
    cells = {1: (100, 50), 2: (5, 2), 3: (60, 30), 4: (200, 100), 5: (80, 40)}
    pattern = suppress(ONE, cells)
    assert pattern.primary == {2}
    assert not pattern.network_hidden
    assert 3 in pattern.hidden_centers  # the smallest other center (60 patients) first
    assert 4 not in pattern.hidden_centers  # the largest is not needed
    assert _safe(ONE, cells, pattern, frozenset())


def test_ties_between_centers_of_one_size_go_to_the_lower_id() -> None:
    cells = {1: (5, 2), 7: (60, 30), 3: (60, 30), 9: (60, 30), 4: (500, 250)}
    pattern = suppress(ONE, cells)
    assert 3 in pattern.hidden_centers
    assert 4 not in pattern.hidden_centers
    assert _safe(ONE, cells, pattern, frozenset())


def test_centers_without_patients_never_complement() -> None:
    pattern = suppress(ONE, {1: (100, 50), 2: (5, 0), 3: (0, 0), 4: (70, 35)})
    assert 3 not in pattern.hidden_centers
    assert pattern.network_hidden  # hiding 4 alone leaves 2 + 4 open to 4's own team


def test_a_known_cell_protects_no_one() -> None:
    cells = {1: (100, 50), 2: (5, 0), 3: (60, 30), 4: (70, 35)}
    assert suppress(ONE, cells).hidden_centers == {1, 2, 3, 4}
    known = suppress(ONE, cells, known=frozenset({3}))
    assert known == Suppression(frozenset({2}), True, frozenset({2}))
    assert suppress(ONE, cells, known=frozenset({1, 3, 4})).network_hidden


def test_a_small_network_hides_the_network_and_only_the_small_centers() -> None:
    pattern = suppress(ONE, {1: (3, 1), 2: (4, 2)})
    assert pattern == Suppression(frozenset({1, 2}), True, frozenset({1, 2}))
    assert suppress(ONE, {1: (30, 30), 2: (40, 38)}).network_hidden  # complement 2


def test_a_nested_difference_is_a_count_too() -> None:
    # 40 in remission, 35 of them steroid-free: 5 on steroids is small.
    pattern = suppress(NESTED, {1: (100, 40, 35), 2: (100, 50, 20), 3: (100, 50, 25)})
    assert 1 in pattern.primary
    assert pattern.primary == {1}


# Networks where one step of the greedy choice decides the pattern (found by comparing the rule
# with each of its mutants, tests/mutation): known centers and centers without patients are
# never candidates, candidates go smallest denominator first, each pick must lower the count of
# violations, and insiders learn the hidden sum minus their own cells.
PINNED_PATTERNS = [
    pytest.param(
        {
            1: (31, 2),
            2: (400, 388),
            3: (0, 0),
            4: (0, 0),
            5: (145, 85),
            6: (103, 56),
            7: (35, 6),
            8: (284, 99),
            9: (139, 62),
        },
        {4, 7},
        Suppression(frozenset({1, 5, 6, 7, 9}), False, frozenset({1, 7})),
        id="known-and-empty-centers-are-never-picked",
    ),
    pytest.param(
        {
            1: (7, 3),
            2: (34, 0),
            3: (0, 0),
            4: (255, 43),
            5: (76, 39),
            6: (0, 0),
            7: (97, 12),
            8: (50, 17),
        },
        {3, 8},
        Suppression(frozenset({1, 2, 4, 5, 7}), False, frozenset({1})),
        id="a-center-with-patients-but-no-numerator-is-a-candidate",
    ),
    pytest.param(
        {
            1: (118, 65),
            2: (255, 183),
            3: (10, 4),
            4: (3, 2),
            5: (269, 51),
            6: (6, 4),
            7: (124, 7),
            8: (147, 0),
            9: (10, 5),
        },
        {2, 6, 8},
        Suppression(frozenset({1, 3, 4, 6, 7, 9}), False, frozenset({3, 4, 6, 7, 9})),
        id="smallest-denominator-first-not-smallest-numerator",
    ),
    pytest.param(
        {1: (380, 115), 2: (62, 59), 3: (78, 78), 4: (9, 9)},
        {4},
        Suppression(frozenset({2, 4}), True, frozenset({2, 4})),
        id="insiders-learn-the-hidden-sum-minus-their-own",
    ),
    pytest.param(
        {
            1: (0, 0),
            2: (369, 170),
            3: (7, 7),
            4: (4, 1),
            5: (34, 27),
            6: (147, 77),
            7: (64, 29),
            8: (11, 11),
        },
        set(),
        Suppression(frozenset({2, 3, 4, 5, 6, 7}), False, frozenset({3, 4, 5})),
        id="a-pick-must-lower-the-violations",
    ),
    pytest.param(
        {
            1: (28, 0),
            2: (11, 6),
            3: (214, 27),
            4: (138, 35),
            5: (374, 133),
            6: (0, 0),
            7: (11, 0),
        },
        set(),
        Suppression(frozenset({2, 3, 4, 5, 7}), False, frozenset({2})),
        id="one-hidden-center-is-one-violation-more-than-its-own-counts",
    ),
]


@pytest.mark.parametrize(("cells", "known", "expected"), PINNED_PATTERNS)
def test_the_greedy_choice_of_complements(
    cells: dict[int, tuple[int, ...]], known: set[int], expected: Suppression
) -> None:
    pattern = suppress(ONE, cells, frozenset(known))
    assert pattern == expected
    if not pattern.network_hidden:
        assert _safe(ONE, cells, pattern, frozenset(known))


@pytest.mark.parametrize("seed", range(40))
def test_every_pattern_with_the_network_shown_is_safe(seed: int) -> None:
    rng = random.Random(seed)
    family = NESTED if seed % 2 else ONE
    cells: dict[int, tuple[int, ...]] = {}
    for center in range(1, rng.randint(2, 7) + 1):
        n = rng.choice([0, rng.randint(1, 12), rng.randint(11, 150)])
        remission = rng.randint(0, n)
        cells[center] = (n, remission, rng.randint(0, remission))[: family.width]
    known = frozenset(c for c in cells if rng.random() < 0.2)
    pattern = suppress(family, cells, known)
    assert {c for c, cell in cells.items() if _small(family, cell)} == pattern.primary
    assert pattern.primary <= pattern.hidden_centers
    network = _sum(list(cells.values()), family.width)
    if _small(family, network):
        assert pattern.network_hidden
    if pattern.network_hidden:
        assert pattern.hidden_centers == pattern.primary
    else:
        assert _safe(family, cells, pattern, known)
        assert not (pattern.hidden_centers - pattern.primary) & known


def test_insider_sets_are_every_pool_of_up_to_two_that_leaves_someone_out() -> None:
    assert list(insider_sets([1])) == []
    assert list(insider_sets([1, 2])) == [(1,), (2,)]
    assert list(insider_sets([1, 2, 3])) == [(1,), (2,), (3,), (1, 2), (1, 3), (2, 3)]
    assert len(list(insider_sets(list(range(6))))) == 6 + 15


def test_insider_sums_follow_insider_sets() -> None:
    stacked = np.array([[1, 0], [10, 1], [100, 2], [1000, 3]], dtype=np.int64)
    expected = [
        [int(stacked[list(s)].sum(axis=0)[i]) for i in range(2)] for s in insider_sets(range(4))
    ]
    assert insider_sums(stacked).tolist() == expected
    assert insider_sums(stacked[:2]).tolist() == [[1, 0], [10, 1]]


def test_the_counts_a_family_discloses() -> None:
    assert NESTED.width == 3
    labels = [q.label for q in NESTED.quantities]
    assert labels == [
        "denominator",
        "remission numerator",
        "remission complement",
        "steroid_free numerator",
        "steroid_free complement",
        "remission - steroid_free numerator",
        "remission - steroid_free complement",
    ]
    cell = np.array([100, 40, 35], dtype=np.int64)
    assert (NESTED.matrix @ cell).tolist() == [100, 40, 60, 35, 65, 5, 95]
    assert sorted(_disclosed(NESTED, (100, 40, 35))) == sorted([100, 40, 60, 35, 65, 5, 95])


def test_small_entries_count_one_to_ten() -> None:
    assert small_entries([-1, 0, 1, 10, 11, 5]) == 3
    assert small_entries(np.array([], dtype=np.int64)) == 0


# The table the pattern is computed on ---------------------------------------------------------

JAN, FEB = date(2024, 1, 1), date(2024, 2, 1)
REMISSION = ("remission_rate", "steroid_free_remission", "sustained_remission")


def _cells(
    center: int, when: date, n: int, *numerators: int, first_id: int = 1, **flags: bool
) -> list[StoredCell]:
    return [
        StoredCell(first_id + i, key, center, when, y, n, **flags)
        for i, (key, y) in enumerate(zip(REMISSION, numerators, strict=False))
    ]


def test_a_family_is_its_registered_members_present_with_their_nestings() -> None:
    registry = core_registry()
    family = family_of(registry, "remission", {"sustained_remission", "remission_rate", "gone"})
    assert family == Family(
        "remission", ("remission_rate", "sustained_remission", "gone"), ((1, 0),)
    )
    everything = family_of(registry, "remission", REMISSION)
    assert everything.nestings == ((1, 0), (2, 0))
    assert family_key_of(registry, "steroid_free_remission") == "remission"
    assert family_key_of(registry, "pre_visit_planning_rate") == "pre_visit_planning_rate"
    assert family_key_of(registry, "unregistered") == "unregistered"


def test_nestings_are_closed_over_the_members_present() -> None:
    """innermost < inner < outer: with inner absent, innermost is still nested in outer."""
    registry = RANDOM_REGISTRY
    chain = family_of(registry, "f", {"outer", "inner", "innermost"})
    assert chain == Family("f", ("outer", "inner", "innermost"), ((1, 0), (2, 0), (2, 1)))
    skipping = family_of(registry, "f", {"outer", "innermost"})
    assert skipping == Family("f", ("outer", "innermost"), ((1, 0),))


def test_no_cells_is_nothing_hidden() -> None:
    family = family_of(core_registry(), "remission", REMISSION)
    assert suppress(family, {}) == Suppression(frozenset(), False, frozenset())


def test_family_months_group_cells_by_family_month_and_center() -> None:
    stored = [
        *_cells(2, FEB, 40, 20, 10, 5, first_id=10),
        *_cells(1, JAN, 50, 30, 20, 10, first_id=20, published=True, disclosed=True),
        *_cells(2, JAN, 60, 40, 30, 20, first_id=30, disclosed=True),
        StoredCell(40, "pre_visit_planning_rate", 1, JAN, 7, 9, published=True),
    ]
    stored[-2] = dataclasses.replace(stored[-2], disclosed=False)  # one member not disclosed
    months = family_months(core_registry(), stored)
    assert [(m.family.key, m.month) for m in months] == [
        ("pre_visit_planning_rate", JAN),
        ("remission", JAN),
        ("remission", FEB),
    ]
    january = months[1]
    assert january.family.members == REMISSION
    assert january.cells == {1: (50, 30, 20, 10), 2: (60, 40, 30, 20)}
    assert january.network == (110, 70, 50, 30)
    assert january.published == {1: (True, True, True), 2: (False, False, False)}
    assert january.ids == {1: (20, 21, 22), 2: (30, 31, 32)}
    assert january.disclosed == {1}
    assert months[0].cells == {1: (9, 7)}
    assert months[0].published == {1: (True,)}
    assert months[2].cells == {2: (40, 20, 10, 5)}
    assert months[2].disclosed == set()


@pytest.mark.parametrize(
    ("stored", "message"),
    [
        (
            [*_cells(2, JAN, 50, 30, 20, 10), *_cells(3, JAN, 50, 30, 20)],
            "measure 'sustained_remission' (family 'remission') has no value for center 3, "
            "2024-01 where 'remission_rate' has one",
        ),
        (
            [*_cells(3, JAN, 50, 30, 20, 10)[:2], StoredCell(9, REMISSION[2], 3, JAN, 10, 49)],
            "measures of family 'remission' have different denominators for center 3, 2024-01: "
            "remission_rate 50, steroid_free_remission 50, sustained_remission 49",
        ),
        (
            _cells(3, JAN, 50, 30, 31, 10),
            "measure 'steroid_free_remission' is nested in 'remission_rate' but its numerator "
            "is larger for center 3, 2024-01 (31 > 30)",
        ),
    ],
    ids=["missing member", "two denominators", "nested above its outer measure"],
)
def test_family_months_refuse_values_that_break_the_family(
    stored: list[StoredCell], message: str
) -> None:
    with pytest.raises(MeasureComputationError) as refused:
        family_months(core_registry(), stored)
    assert str(refused.value) == message


def test_a_nested_numerator_equal_to_its_outer_one_is_fine() -> None:
    [month] = family_months(core_registry(), _cells(3, JAN, 50, 30, 30, 30))
    assert month.cells == {3: (50, 30, 30, 30)}
