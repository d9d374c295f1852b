"""One figure of ``make bench``: a measurement of ours beside its anchor, measured interleaved
in the same run, and the target it is held to. Every benchmark module that ``make bench`` runs
exposes ``def figures(quick: bool) -> list[Figure]`` (``quick``: the size that fits 2 cores in
a few minutes); the runner prints them as one table."""

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

    @property
    def ratio(self) -> float:
        return self.ours / self.anchor if self.anchor else float("nan")

    @property
    def meets_target(self) -> bool | None:
        if self.target is None:
            return None
        return self.ratio >= self.target if self.higher_is_better else self.ratio <= self.target
