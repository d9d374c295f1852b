"""The suppression pattern of one family and month: which centers' cells, and whether the
network's, are hidden from everyone outside each center.

1. **Primary**: a cell (center or network) is hidden when any count it discloses is small
   (``families.Family.quantities``: numerators, denominator, complements, nesting differences).
2. **Complementary**, with the network total as the margin. With the network published, the
   hidden centers' sum ``H`` is known to everyone, and each center's own team knows its own cell
   too; up to ``INSIDER_CENTERS`` teams may pool what they see (a parent partner of one center
   and a clinician of another). The pattern is safe when ``H`` discloses no small count and,
   for every set ``T`` of at most ``INSIDER_CENTERS`` hidden centers, neither does ``H - T``
   (what T's teams learn about the other hidden centers). Then no hidden cell is pinned to a
   small count or narrowed below the protection width (the audit proves it by linear
   programming). While unsafe, the smallest center (by denominator, then id)
   whose hiding removes violations is hidden too (a center that removes none: the smallest);
   centers without patients never help and are never picked.
   A center whose cell was published before with its current counts (``known``: anyone may
   have saved it) protects no one: it is never picked, and hiding it leaves it known.
3. When no choice of centers is safe, the network's cell is hidden instead (and the centers
   hidden for their own counts only): without the margin nothing links the centers.

The pattern depends only on the values, never on who reads them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING

from icn_graph.lazy import lazy_module
from icn_graph.services.reports.disclosure.families import Family, IntArray, small_entries

if TYPE_CHECKING:
    import numpy as np
else:
    np = lazy_module("numpy")

INSIDER_CENTERS = 2
"""How many centers' teams the pattern assumes may pool their own cells against the others."""


def insider_sets(centers: Sequence[int]) -> Iterator[tuple[int, ...]]:
    """Every set of 1 to ``INSIDER_CENTERS`` of ``centers`` that leaves at least one out."""
    for size in range(1, min(INSIDER_CENTERS, len(centers) - 1) + 1):
        yield from combinations(centers, size)


def insider_sums(stacked: IntArray) -> IntArray:
    """The sum of the rows of ``stacked`` (one hidden center's cell each) for every insider set
    of ``insider_sets``, one row per set."""
    count = len(stacked)
    sums = [
        stacked[np.array(list(combinations(range(count), size)))].sum(axis=1)
        for size in range(1, min(INSIDER_CENTERS, count - 1) + 1)
    ]
    return np.concatenate(sums)


@dataclass(frozen=True)
class Suppression:
    hidden_centers: frozenset[int]
    network_hidden: bool
    primary: frozenset[int]
    """The centers hidden for their own counts (the rest of ``hidden_centers`` complement them)."""


def suppress(
    family: Family, cells: Mapping[int, Sequence[int]], known: frozenset[int] = frozenset()
) -> Suppression:
    """The pattern for one family and month; ``cells``: center id -> ``(n, y_1, ..., y_K)``;
    ``known``: centers whose cells were published before with these counts."""
    vectors = {center: np.asarray(cell, dtype=np.int64) for center, cell in cells.items()}
    matrix = family.matrix

    def discloses_small(vector: IntArray) -> int:
        return small_entries(matrix @ vector)

    primary = frozenset(c for c, vector in vectors.items() if discloses_small(vector))
    network = sum(vectors.values(), np.zeros(family.width, dtype=np.int64))
    if discloses_small(network):
        return Suppression(primary, True, primary)
    hidden = set(primary)
    candidates = sorted(
        (
            c
            for c, vector in vectors.items()
            if c not in hidden and c not in known and vector[0] > 0
        ),
        key=lambda c: (int(vectors[c][0]), c),
    )

    def violations(hidden_centers: set[int]) -> int:
        centers = sorted(hidden_centers - known)  # a known cell hidden is still known
        if not centers:
            return 0
        stacked = np.stack([vectors[c] for c in centers])
        total = stacked.sum(axis=0)
        found = discloses_small(total)
        if len(centers) == 1:
            return found + 1  # one hidden center is the network minus the published ones
        # What every insider set's teams learn of the others, all at once (one matrix product).
        return found + small_entries((total - insider_sums(stacked)) @ matrix.T)

    current = violations(hidden)
    while current:
        if not candidates:
            return Suppression(primary, True, primary)
        scored = ((violations(hidden | {c}), c) for c in candidates)
        pick = next((c for count, c in scored if count < current), candidates[0])
        hidden.add(pick)
        candidates.remove(pick)
        current = violations(hidden)
    return Suppression(frozenset(hidden), False, primary)
