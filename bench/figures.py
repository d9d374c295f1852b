"""One figure of ``make bench``: a measurement of ours beside its anchor, measured interleaved
in the same run, and the target it is held to. Every benchmark module that ``make bench`` runs
exposes ``def figures(quick: bool) -> list[Figure]`` (``quick``: the size that fits 2 cores in
a few minutes); the runner (``bench/run.py``) prints them as one table.

A target is a ratio ours / anchor (``target``), an absolute bound on ours in its unit
(``absolute_target``: idle RSS at most 120 MB, p95 under 500 ms), or both; a figure whose
measurement had errors (``errors``: failed requests) misses its target whatever its numbers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    name: str  # what is measured, e.g. "HTTP center page, 1 process"
    ours: float
    anchor: float
    unit: str  # "req/s", "ms", "MB", "s", "rows/s"
    anchor_name: str  # e.g. "raw Starlette + asyncpg + orjson"
    higher_is_better: bool  # req/s and rows/s: True; times and memory: False
    target: float | None  # the ratio ours/anchor must reach (None: reported only)
    note: str = ""
    absolute_target: float | None = None  # ours itself must reach this, in ``unit``
    errors: int = 0  # failed operations while measuring (a target needs 0)

    @property
    def ratio(self) -> float:
        return self.ours / self.anchor if self.anchor else float("nan")

    def _reaches(self, value: float, bound: float) -> bool:
        return value >= bound if self.higher_is_better else value <= bound

    @property
    def meets_target(self) -> bool | None:
        if self.target is None and self.absolute_target is None:
            return None
        if self.errors:
            return False
        ratio_ok = self.target is None or self._reaches(self.ratio, self.target)
        absolute_ok = self.absolute_target is None or self._reaches(self.ours, self.absolute_target)
        return ratio_ok and absolute_ok


class Skipped(Exception):
    """Raised by ``figures()`` when the bench cannot run here (say why: no npm, no node...);
    the runner prints the reason and goes on."""
