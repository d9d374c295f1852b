"""The suppression rule over every small table: no shown group has 1 to 4 answers, and what the
union of every role's view can compute (overall minus the shown groups) is never a group of
fewer than 5 answers, nor a single hidden group."""

from __future__ import annotations

import itertools

from icn_panels.models import FEEDBACK_ROLES, FeedbackRole
from icn_panels.suppression import COMPLEMENT, TOO_FEW, publish


def _table(counts: tuple[int, ...]) -> dict[FeedbackRole, list[int]]:
    # Everyone in a group answered 3, but for one who answered 5: a distribution to protect.
    return {
        role: [0, 0, n - 1, 0, 1] if n else [0] * 5
        for role, n in zip(FEEDBACK_ROLES, counts, strict=True)
    }


def test_no_hidden_group_can_be_worked_out_from_the_rest() -> None:
    for counts in itertools.product(range(9), repeat=len(FEEDBACK_ROLES)):
        table = publish(_table(counts))
        shown = [cell for cell in table.by_role if not cell.suppressed]
        hidden = [cell for cell in table.by_role if cell.suppressed]
        for cell, n in zip(table.by_role, counts, strict=True):
            if 0 < n < 5:
                assert cell.reason == TOO_FEW, counts
            if not cell.suppressed:
                assert cell.count == n, counts
        total = sum(counts)
        if 0 < total < 5:
            assert table.overall.reason == TOO_FEW
            continue
        if table.overall.suppressed:
            continue
        assert table.overall.count == total
        residual = total - sum(cell.count or 0 for cell in shown)
        assert residual == 0 or (residual >= 5 and len(hidden) >= 2), counts
        if hidden:
            # The distribution left over is that of the hidden groups together, never one.
            assert table.overall.distribution is not None
            assert sum(table.overall.distribution) == total


def test_the_smallest_group_shown_is_hidden_as_well_and_the_overall_kept() -> None:
    table = publish(_table((6, 20, 3, 0)))
    reasons = {cell.role: cell.reason for cell in table.by_role}
    assert reasons == {
        FeedbackRole.NETWORK_STAFF: COMPLEMENT,
        FeedbackRole.CARE_TEAM: None,
        FeedbackRole.PARENT_PARTNER: TOO_FEW,
        FeedbackRole.PATIENT_PARTNER: None,
    }
    assert table.overall.count == 29
    # Each group: all 3s but one 5, so 29 answers sum to 3 * 29 + 2 * 3 = 93.
    assert table.overall.mean == 3.21
    assert table.overall.distribution == (0, 0, 26, 0, 3)


def test_two_small_groups_together_under_5_take_a_third_with_them() -> None:
    table = publish(_table((2, 2, 0, 9)))
    reasons = {cell.role: cell.reason for cell in table.by_role}
    assert reasons[FeedbackRole.NETWORK_STAFF] == TOO_FEW
    assert reasons[FeedbackRole.CARE_TEAM] == TOO_FEW
    assert reasons[FeedbackRole.PATIENT_PARTNER] == COMPLEMENT
    assert table.overall.count == 13


def test_no_answers_is_shown_as_none() -> None:
    table = publish({})
    assert table.overall.count == 0
    assert table.overall.mean is None
    assert not any(cell.suppressed for cell in table.by_role)
