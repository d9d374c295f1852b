"""Measure families and the counts a family's cell discloses.

A family's cell at one center (or the network) and month is the vector ``(n, y_1, ..., y_K)``:
the shared denominator and each member's numerator. Publishing it tells a reader every count
that is a linear form of that vector (:attr:`Family.quantities`): the denominator, each
numerator, each complement ``n - y_k``, and for each nesting (``y_sub`` within ``y_sup``,
directly or through other members) the difference ``y_sup - y_sub`` (patients in remission on
steroids) and its complement ``n - (y_sup - y_sub)``. Every one of them is a count of patients
(or visits), never negative, and each is what the small-cell rule protects.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, TypeAlias

from icn_graph.lazy import lazy_module
from icn_graph.reports.measures.registry import MeasureRegistry
from icn_graph.services.reports.disclosure.small_cells import SMALLEST_SHOWN_COUNT

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
else:
    np = lazy_module("numpy")

IntArray: TypeAlias = "npt.NDArray[np.int64]"


@dataclass(frozen=True)
class Quantity:
    """One count a family's cell discloses: ``coefficients @ (n, y_1, ..., y_K)``."""

    label: str
    coefficients: tuple[int, ...]


@dataclass(frozen=True)
class Family:
    """The measures published together: shared denominator, ``nestings`` as (sub, sup) indexes
    into ``members`` (transitively closed)."""

    key: str
    members: tuple[str, ...]
    nestings: tuple[tuple[int, int], ...] = ()

    @property
    def width(self) -> int:
        """Length of a cell's vector: the denominator and one numerator per member."""
        return 1 + len(self.members)

    @cached_property
    def quantities(self) -> tuple[Quantity, ...]:
        width = self.width

        def form(label: str, terms: dict[int, int]) -> Quantity:
            coefficients = [0] * width
            for index, coefficient in terms.items():
                coefficients[index] += coefficient
            return Quantity(label, tuple(coefficients))

        found = [form("denominator", {0: 1})]
        for index, key in enumerate(self.members, start=1):
            found.append(form(f"{key} numerator", {index: 1}))
            found.append(form(f"{key} complement", {0: 1, index: -1}))
        for sub, sup in self.nestings:
            names = f"{self.members[sup]} - {self.members[sub]}"
            found.append(form(f"{names} numerator", {sup + 1: 1, sub + 1: -1}))
            found.append(form(f"{names} complement", {0: 1, sup + 1: -1, sub + 1: 1}))
        return tuple(found)

    @cached_property
    def matrix(self) -> IntArray:
        """The quantities as rows: ``matrix @ cell`` is every count the cell discloses."""
        return np.array([q.coefficients for q in self.quantities], dtype=np.int64)


def family_of(registry: MeasureRegistry, family_key: str, present: Iterable[str]) -> Family:
    """The family ``family_key`` restricted to the ``present`` measure keys (those with values),
    in registration order (keys no longer registered last, sorted), nestings closed over the
    members present."""
    present = set(present)
    registered = [m.key for m in registry.all() if m.key in present]
    members = tuple(registered + sorted(present - set(registered)))
    index = {key: position for position, key in enumerate(members)}
    nestings: list[tuple[int, int]] = []
    for key in members:
        outer = registry.get(key).nested_in if key in registry else None
        while outer is not None:
            if outer in index:
                nestings.append((index[key], index[outer]))
            outer = registry.get(outer).nested_in
    return Family(family_key, members, tuple(sorted(nestings)))


def family_key_of(registry: MeasureRegistry, measure_key: str) -> str:
    """The family a stored measure key is published with (its own key once unregistered)."""
    return registry.get(measure_key).family_key if measure_key in registry else measure_key


def small_entries(values: Sequence[int] | IntArray) -> int:
    """How many of ``values`` are small counts (1 to 10)."""
    array = np.asarray(values)
    return int(np.count_nonzero((array >= 1) & (array < SMALLEST_SHOWN_COUNT)))
