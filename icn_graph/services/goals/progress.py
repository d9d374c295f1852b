"""How far a goal has come: each key result's progress, and the goal's as their mean.

A key result's progress is ``(current - start) / (target - start)`` as a percentage, clamped to
0-100, so a decreasing measure (target below start, e.g. days to first visit) works the same
way as an increasing one. When start equals target there is no distance to cover: progress is
100 once the current value equals the target, else 0.

:func:`current_value` is the one place a key result's current value is read. Today it is the
value recorded by the latest check-in (or at creation); a later issue will compute it from a
measure when ``KeyResult.measure_key`` is set, without touching the arithmetic or its callers.
"""

from __future__ import annotations

from collections.abc import Iterable

from icn_graph.models import KeyResult


def current_value(key_result: KeyResult) -> float:
    """The current value of ``key_result``: the stored one, whatever ``measure_key`` says."""
    return key_result.current_value


def progress_percent(start: float, target: float, current: float) -> float:
    """Progress from ``start`` towards ``target`` at ``current``, as 0-100."""
    if target == start:
        return 100.0 if current == target else 0.0
    ratio = (current - start) / (target - start)
    return max(0.0, min(100.0, ratio * 100.0))


def key_result_progress(key_result: KeyResult) -> float:
    return progress_percent(
        key_result.start_value, key_result.target_value, current_value(key_result)
    )


def goal_progress(key_results: Iterable[KeyResult]) -> float | None:
    """The mean of the key results' progress; None for a goal without key results."""
    values = [key_result_progress(key_result) for key_result in key_results]
    if not values:
        return None
    return sum(values) / len(values)
