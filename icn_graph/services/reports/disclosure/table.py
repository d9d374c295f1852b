"""The published table: every family's cells per month, center by center, with the network
total as the margin, and whether each cell is published. What the pattern is computed on and
what the audit checks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from icn_graph.reports.measures.registry import MeasureRegistry
from icn_graph.services.reports.disclosure.families import Family, family_key_of, family_of
from icn_graph.services.reports.errors import MeasureComputationError


@dataclass(frozen=True)
class StoredCell:
    """One stored value: a measure at a center and month."""

    id: int
    measure_key: str
    center_id: int
    month: date
    numerator: int
    denominator: int
    published: bool = False
    disclosed: bool = False
    """Published before with these very counts (``MeasureValue.disclosed``)."""


@dataclass
class FamilyMonth:
    """A family's cells in one month: per center the cell vector ``(n, y_1, ..., y_K)`` and
    which members are published; the network's published members; the centers whose cells
    were published before with their current counts (known to anyone who saved them)."""

    family: Family
    month: date
    cells: dict[int, tuple[int, ...]] = field(default_factory=dict)
    published: dict[int, tuple[bool, ...]] = field(default_factory=dict)
    network_published: tuple[bool, ...] = ()
    ids: dict[int, tuple[int, ...]] = field(default_factory=dict)
    disclosed: set[int] = field(default_factory=set)

    @property
    def network(self) -> tuple[int, ...]:
        """The network total's vector: the sum over centers."""
        return tuple(sum(cell[i] for cell in self.cells.values()) for i in range(self.family.width))


def family_months(registry: MeasureRegistry, stored: Iterable[StoredCell]) -> list[FamilyMonth]:
    """Group stored values by family and month. Refuses (``MeasureComputationError`` naming the
    measures, center and month) values that break what a family declares: a member without a
    value where another has one, different denominators, a nested numerator above its outer
    measure's."""
    grouped: dict[tuple[str, date], dict[int, dict[str, StoredCell]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    for cell in stored:
        key = (family_key_of(registry, cell.measure_key), cell.month)
        grouped[key][cell.center_id][cell.measure_key] = cell
    result: list[FamilyMonth] = []
    for (family_key, month), centers in sorted(grouped.items()):
        present = {measure for by_measure in centers.values() for measure in by_measure}
        family = family_of(registry, family_key, present)
        group = FamilyMonth(family, month)
        for center_id, by_measure in sorted(centers.items()):
            cells = [by_measure.get(measure) for measure in family.members]
            found = [cell for cell in cells if cell is not None]
            where = f"center {center_id}, {month:%Y-%m}"
            if len(found) != len(cells):
                missing = [m for m, c in zip(family.members, cells, strict=True) if c is None]
                raise MeasureComputationError(
                    f"measure '{missing[0]}' (family '{family_key}') has no value for {where} "
                    f"where '{found[0].measure_key}' has one"
                )
            denominators = {cell.denominator for cell in found}
            if len(denominators) > 1:
                raise MeasureComputationError(
                    f"measures of family '{family_key}' have different denominators for {where}: "
                    + ", ".join(f"{c.measure_key} {c.denominator}" for c in found)
                )
            for sub, sup in family.nestings:
                if found[sub].numerator > found[sup].numerator:
                    raise MeasureComputationError(
                        f"measure '{found[sub].measure_key}' is nested in "
                        f"'{found[sup].measure_key}' but its numerator is larger for {where} "
                        f"({found[sub].numerator} > {found[sup].numerator})"
                    )
            group.cells[center_id] = (found[0].denominator, *(c.numerator for c in found))
            group.published[center_id] = tuple(c.published for c in found)
            group.ids[center_id] = tuple(c.id for c in found)
            if all(c.disclosed for c in found):
                group.disclosed.add(center_id)
        result.append(group)
    return result
