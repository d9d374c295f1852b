"""Which feedback results may be published: pure computation, no database.

One question (a closing-poll statement, or one agenda item's rating) is published as a small
table: a cell per role group and the overall cell, each with its count, mean and distribution
(how many answered 1, 2, 3, 4, 5). The overall cell is the sum of the role cells.

- **Primary suppression**: a cell of 1 to 4 answers is hidden (``MIN_ANSWERS`` is 5). A cell of
  no answers is shown as such: it tells nothing about anyone.
- **Complementary suppression**: with the overall shown, overall minus the shown groups is the
  sum of the hidden ones. So hidden groups must be at least two, holding together at least 5
  answers; otherwise the smallest shown group with answers is hidden as well (repeatedly), and
  only if none is left is the overall hidden.

Everyone who may see results sees the same cells (members the aggregates, staff the same
aggregates plus comments), so the pattern is checked once, against the union of what every role
sees, never per viewer. Every question is its own table: the closing poll's four statements are
answered together, so they share one pattern; each agenda item's ratings are counted apart and
no published number adds ratings of different items together.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from icn_panels.models import FEEDBACK_ROLES, FeedbackRole

MIN_ANSWERS = 5
SCORES = (1, 2, 3, 4, 5)
TOO_FEW = f"Fewer than {MIN_ANSWERS} answers: hidden so that no one's answer can be told."
COMPLEMENT = (
    f"Hidden as well, so that a group of fewer than {MIN_ANSWERS} answers cannot be worked "
    "out from the overall and the other groups."
)


@dataclass(frozen=True)
class Cell:
    """One group's results for one question; ``role`` None is the overall cell. Hidden cells
    have ``count``, ``mean`` and ``distribution`` None, and a ``reason``."""

    role: FeedbackRole | None
    count: int | None
    mean: float | None
    distribution: tuple[int, ...] | None
    reason: str | None = None

    @property
    def suppressed(self) -> bool:
        return self.reason is not None


@dataclass(frozen=True)
class Table:
    overall: Cell
    by_role: tuple[Cell, ...]


def _shown(role: FeedbackRole | None, distribution: Sequence[int]) -> Cell:
    count = sum(distribution)
    mean = (
        round(sum(score * n for score, n in zip(SCORES, distribution, strict=True)) / count, 2)
        if count
        else None
    )
    return Cell(role, count, mean, tuple(distribution))


def _hidden(role: FeedbackRole | None, reason: str) -> Cell:
    return Cell(role, None, None, None, reason)


def publish(answers: Mapping[FeedbackRole, Sequence[int]]) -> Table:
    """The published table of one question from each role's distribution (five counts, for
    scores 1 to 5; a missing role has no answers)."""
    zero = (0,) * len(SCORES)
    by_role = {role: tuple(answers.get(role, zero)) for role in FEEDBACK_ROLES}
    counts = {role: sum(values) for role, values in by_role.items()}
    overall_values = tuple(sum(values[i] for values in by_role.values()) for i in range(5))
    total = sum(overall_values)
    hidden: dict[FeedbackRole, str] = {
        role: TOO_FEW for role, n in counts.items() if 0 < n < MIN_ANSWERS
    }
    overall_reason = TOO_FEW if 0 < total < MIN_ANSWERS else None
    if overall_reason is None and hidden:
        while len(hidden) < 2 or sum(counts[role] for role in hidden) < MIN_ANSWERS:
            candidates = [role for role in FEEDBACK_ROLES if role not in hidden and counts[role]]
            if not candidates:
                overall_reason = COMPLEMENT
                break
            # The smallest group loses least; ties go to the earlier role, so it is stable.
            smallest = min(candidates, key=lambda role: counts[role])
            hidden[smallest] = COMPLEMENT
    overall = _hidden(None, overall_reason) if overall_reason else _shown(None, overall_values)
    cells = tuple(
        _hidden(role, hidden[role]) if role in hidden else _shown(role, by_role[role])
        for role in FEEDBACK_ROLES
    )
    return Table(overall, cells)
