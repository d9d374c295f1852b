"""The audit: prove that no hidden count can be recovered from the published table.

The attacker knows everything anyone can be shown: every published cell of every family, month,
center and the network (the union of what every role sees), and, in turn, everything the teams
of up to ``pattern.INSIDER_CENTERS`` centers see of their own centers (their cells in full: a
parent partner of one center pooling with a clinician of another, "insiders"). For every count
a cell discloses (``families.Family.quantities``) the audit computes the interval of values
consistent with that knowledge, by linear programming (``scipy.optimize.linprog``, HiGHS) under
the constraints anyone can state:

- the network total is the sum of the centers, for every published network cell;
- ``0 <= y <= n`` for every numerator; ``y_sub <= y_sup`` for every nesting;
- every known cell fixed at its value: published now, or published before with its current
  counts (``disclosed``: a reader may have saved it).

A count is **exposed** when its interval ``[low, high]`` (integers) contains a count from 1 to
10 and either lies within 0-10 (the reader learns the count is small) or is narrower than
``PROTECTION_WIDTH`` (the reader learns it within +-3). An interval holding no count from 1 to
10 (a count pinned at 0, or at 11 or more) reveals nothing the small-cell rule protects: such
counts may be published. A published count from 1 to 10 is exposed outright.

Most intervals need no program: feasible points (checked against every constraint) bound an
interval from inside, and a count they show to reach 11 or more and to vary by the protection
width is protected whatever the exact bounds. Points tried: the true values, one center holding
the whole unknown share of the others, one center grown without bound where no published total
holds it back, and every optimum solved so far. Everything else is solved exactly; ``exact=True``
solves every interval.

Families (different denominators) and months share no published constraint, so each family
and month is audited on its own.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from scipy.optimize import linprog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.models import NetworkValue
from icn_graph.reports.measures.registry import MeasureRegistry
from icn_graph.services.reports.disclosure.families import Quantity
from icn_graph.services.reports.disclosure.pattern import insider_sets
from icn_graph.services.reports.disclosure.publish import load_stored
from icn_graph.services.reports.disclosure.small_cells import SMALLEST_SHOWN_COUNT
from icn_graph.services.reports.disclosure.table import FamilyMonth, family_months

PROTECTION_WIDTH = 6
"""A hidden count that may be small must stay uncertain by at least +-3."""

NETWORK = -1
"""The network's place where a center id is expected."""

_TOLERANCE = 1e-6
_RAY = 1000

Component = tuple[int, int]
"""(center id, index into the cell vector: 0 the denominator, k the k-th member's numerator)."""


class AuditError(RuntimeError):
    """The published table contradicts itself (no values satisfy it)."""


@dataclass(frozen=True)
class Exposure:
    family: str
    month: date
    center_id: int | None
    """``None``: the network's cell."""
    quantity: str
    low: float
    high: float
    insiders: frozenset[int] | None
    """The centers whose own teams, pooling their cells, could derive it; ``None``: anyone."""

    def describe(self) -> str:
        where = "network" if self.center_id is None else f"center {self.center_id}"
        who = (
            "anyone"
            if self.insiders is None
            else "the teams of centers " + ", ".join(map(str, sorted(self.insiders)))
        )
        return (
            f"{self.family} {self.month:%Y-%m} {where}: {self.quantity} in "
            f"[{self.low:g}, {self.high:g}] for {who}"
        )


@dataclass
class AuditResult:
    family_months: int = 0
    cells: int = 0
    """Center cells (one per measure, center and month)."""
    hidden_cells: int = 0
    network_cells: int = 0
    network_hidden: int = 0
    intervals: int = 0
    """Linear programs solved (at most two per hidden count and view)."""
    certified: int = 0
    """Hidden counts shown protected by feasible points (checked ones, or those of earlier
    programs) without solving both of their programs."""
    seconds: float = 0.0
    exposures: list[Exposure] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.exposures

    def summary(self) -> str:
        return (
            f"{self.family_months} family-months, {self.cells} center cells, "
            f"{self.hidden_cells} hidden; {self.network_cells} network cells, "
            f"{self.network_hidden} hidden; {self.intervals} linear programs solved, "
            f"{self.certified} counts certified by feasible points, in {self.seconds:.1f} s; "
            f"{len(self.exposures)} exposed counts"
        )


def exposes(low: float, high: float) -> bool:
    """Whether an integer interval of a count exposes a small count (module docstring)."""
    small_high = SMALLEST_SHOWN_COUNT - 1
    if high < 1 or low > small_high:
        return False
    return high <= small_high or high - low < PROTECTION_WIDTH


def audit(groups: Iterable[FamilyMonth], *, exact: bool = False) -> AuditResult:
    """Audit the published table given as family-months (their ``published`` flags set).
    ``exact``: solve both programs of every hidden count, certifying nothing by points."""
    started = time.perf_counter()
    result = AuditResult()
    for group in groups:
        _audit_group(group, result, exact=exact)
    result.seconds = time.perf_counter() - started
    return result


async def audit_database(
    session: AsyncSession, registry: MeasureRegistry, *, exact: bool = False
) -> AuditResult:
    """Audit the published table stored in the database."""
    groups = family_months(registry, await load_stored(session))
    rows = await session.execute(
        select(NetworkValue.measure_key, NetworkValue.month, NetworkValue.published)
    )
    network = {(key, month): published for key, month, published in rows}
    for group in groups:
        group.network_published = tuple(
            network.get((key, group.month), False) for key in group.family.members
        )
    return audit(groups, exact=exact)


def _audit_group(group: FamilyMonth, result: AuditResult, *, exact: bool) -> None:
    members = len(group.family.members)
    result.family_months += 1
    result.cells += members * len(group.cells)
    result.hidden_cells += sum(flags.count(False) for flags in group.published.values())
    result.network_cells += members
    network_published = group.network_published or (False,) * members
    result.network_hidden += network_published.count(False)
    outsider = _View(group, network_published, fixed=None, exact=exact)
    for center_id in group.cells:
        outsider.check(center_id, result)
    outsider.check(NETWORK, result)
    partly_hidden = [c for c, flags in group.published.items() if not all(flags)]
    if any(network_published):
        for insiders in insider_sets(partly_hidden):
            view = _View(group, network_published, fixed=frozenset(insiders), exact=exact)
            for center_id in partly_hidden:
                if center_id not in insiders:
                    view.check(center_id, result)


class _View:
    """What one attacker knows of a family-month, as a linear program over the unknowns."""

    def __init__(
        self,
        group: FamilyMonth,
        network_published: tuple[bool, ...],
        fixed: frozenset[int] | None,
        *,
        exact: bool = False,
    ) -> None:
        self.exact = exact
        self.group = group
        self.fixed = fixed
        self.network_published = network_published
        self.width = group.family.width
        self.values: dict[Component, int] = {}
        self.variables: dict[Component, int] = {}
        for center_id, cell in group.cells.items():
            flags = group.published[center_id]
            for index, value in enumerate(cell):
                known = (
                    (fixed is not None and center_id in fixed)
                    or center_id in group.disclosed
                    or (any(flags) if index == 0 else flags[index - 1])
                )
                if known:
                    self.values[(center_id, index)] = value
                else:
                    self.variables[(center_id, index)] = len(self.variables)
        upper: list[Mapping[Component, int]] = []
        for center_id in group.cells:
            for index in range(1, self.width):
                upper.append({(center_id, index): 1, (center_id, 0): -1})
            for sub, sup in group.family.nestings:
                upper.append({(center_id, sub + 1): 1, (center_id, sup + 1): -1})
        equal: list[tuple[Mapping[Component, int], int]] = []
        network = group.network
        for index in range(self.width):
            published = any(network_published) if index == 0 else network_published[index - 1]
            if published:
                equal.append(({(c, index): 1 for c in group.cells}, network[index]))
        self.a_ub, self.b_ub = self._rows([(form, 0) for form in upper])
        self.a_eq, self.b_eq = self._rows(equal)
        self.points: list[np.ndarray] = []
        self.seeded = False

    def _reduce(self, form: Mapping[Component, int]) -> tuple[dict[int, int], int]:
        """A linear form as (coefficients of unknowns, constant from known values)."""
        coefficients: dict[int, int] = {}
        constant = 0
        for component, coefficient in form.items():
            if component in self.variables:
                variable = self.variables[component]
                coefficients[variable] = coefficients.get(variable, 0) + coefficient
            else:
                constant += coefficient * self.values[component]
        return {k: v for k, v in coefficients.items() if v}, constant

    def _rows(
        self, forms: list[tuple[Mapping[Component, int], int]]
    ) -> tuple[np.ndarray | None, np.ndarray | None]:
        rows: list[np.ndarray] = []
        bounds: list[float] = []
        for form, right in forms:
            coefficients, constant = self._reduce(form)
            if not coefficients:
                continue
            row = np.zeros(len(self.variables))
            for variable, coefficient in coefficients.items():
                row[variable] = coefficient
            rows.append(row)
            bounds.append(right - constant)
        if not rows:
            return None, None
        return np.vstack(rows), np.array(bounds)

    def _form(self, center_id: int, quantity: Quantity) -> dict[Component, int]:
        centers = list(self.group.cells) if center_id == NETWORK else [center_id]
        return {
            (center, index): coefficient
            for center in centers
            for index, coefficient in enumerate(quantity.coefficients)
            if coefficient
        }

    def check(self, center_id: int, result: AuditResult) -> None:
        """Add an exposure for every count of the cell that this attacker can pin down.

        Feasible points (values for all unknowns at once: checked candidates, and every solved
        program's optimum) bound each interval from inside; a count they already show to reach
        11 or more and to vary by the protection width needs no program of its own."""
        known_total = center_id == NETWORK and all(self.network_published)
        low: float
        high: float
        for quantity in self.group.family.quantities:
            coefficients, constant = self._reduce(self._form(center_id, quantity))
            if known_total:  # the published total itself
                low = high = int(np.dot(quantity.coefficients, self.group.network))
            elif coefficients:
                low, high = self._interval(coefficients, constant, result)
            else:
                low = high = constant
            if exposes(low, high):
                result.exposures.append(
                    Exposure(
                        self.group.family.key,
                        self.group.month,
                        None if center_id == NETWORK else center_id,
                        quantity.label,
                        low,
                        high,
                        self.fixed,
                    )
                )

    def _interval(
        self, coefficients: dict[int, int], constant: int, result: AuditResult
    ) -> tuple[float, float]:
        """The count's integer interval, or an inner interval that already protects it."""
        objective = np.zeros(len(self.variables))
        for variable, coefficient in coefficients.items():
            objective[variable] = coefficient
        if not self.seeded and not self.exact:
            self._seed()
        points = [] if self.exact else self.points
        seen = [constant + float(objective @ point) for point in points]
        low, high = min(seen, default=math.inf), max(seen, default=-math.inf)
        if self._protects(low, high):
            result.certified += 1
            return low, high
        high = _integer(constant - self._optimum(-objective), up=False)
        result.intervals += 1
        if self._protects(low, high):
            result.certified += 1
            return low, high
        low = _integer(constant + self._optimum(objective), up=True)
        result.intervals += 1
        return low, high

    def _seed(self) -> None:
        """Feasible points to start from, checked against the constraints: the true values, and
        for each center with unknowns, the point where it holds everything the others may not
        (its unknowns take the whole residual of the margin, the other centers' take 0)."""
        self.seeded = True
        truth = np.zeros(len(self.variables))
        for (center_id, index), variable in self.variables.items():
            truth[variable] = self.group.cells[center_id][index]
        candidates = [truth]
        unknown_centers = sorted({center_id for center_id, _ in self.variables})
        for holder in unknown_centers:
            point = np.zeros(len(self.variables))
            for (center_id, index), variable in self.variables.items():
                if center_id != holder:
                    continue
                point[variable] = sum(
                    truth[self.variables[(other, index)]]
                    for other in unknown_centers
                    if (other, index) in self.variables
                )
            candidates.append(point)
        candidates.extend(self._rays(truth, unknown_centers))
        self.points.extend(point for point in candidates if self._feasible(point))

    def _rays(self, truth: np.ndarray, centers: list[int]) -> Iterator[np.ndarray]:
        """The true values with one center's cell grown without bound (``_RAY`` more patients:
        all of them in one member and every measure it is nested in, in all members, or in
        none), feasible only when no published total holds that center back."""
        family = self.group.family
        outer: dict[int, set[int]] = {k: {k} for k in range(len(family.members))}
        for sub, sup in family.nestings:
            outer[sub].add(sup)
        grown: list[set[int]] = [set(), set(range(len(family.members)))]
        grown.extend(outer.values())
        for center_id in centers:
            for members in grown:
                point = truth.copy()
                for index in (0, *(k + 1 for k in members)):
                    variable = self.variables.get((center_id, index))
                    if variable is not None:
                        point[variable] += _RAY
                yield point

    def _feasible(self, point: np.ndarray) -> bool:
        if (
            self.a_ub is not None
            and self.b_ub is not None
            and np.any(self.a_ub @ point > self.b_ub + _TOLERANCE)
        ):
            return False
        if (
            self.a_eq is not None
            and self.b_eq is not None
            and np.any(np.abs(self.a_eq @ point - self.b_eq) > _TOLERANCE)
        ):
            return False
        return bool(np.all(point >= 0))

    @staticmethod
    def _protects(low: float, high: float) -> bool:
        """Whether an inner interval (the true one contains it) proves the count protected."""
        return high >= SMALLEST_SHOWN_COUNT and high - low >= PROTECTION_WIDTH

    def _optimum(self, objective: np.ndarray) -> float:
        """min of ``objective . x`` over the feasible unknowns (``-inf`` when unbounded)."""
        solved = linprog(
            objective,
            A_ub=self.a_ub,
            b_ub=self.b_ub,
            A_eq=self.a_eq,
            b_eq=self.b_eq,
            bounds=(0, None),
            method="highs",
        )
        if solved.status == 3:
            return -math.inf
        if solved.status != 0:
            raise AuditError(
                f"{self.group.family.key} {self.group.month:%Y-%m}: the published table has no "
                f"solution ({solved.message})"
            )
        assert solved.x is not None  # status 0: solved
        assert solved.fun is not None
        self.points.append(solved.x)
        return float(solved.fun)


def _integer(bound: float, *, up: bool) -> float:
    """An LP bound of an integer count, rounded inwards (infinite bounds stay)."""
    if not math.isfinite(bound):
        return bound
    return math.ceil(bound - _TOLERANCE) if up else math.floor(bound + _TOLERANCE)
