"""Each client's cost budget: a leaky bucket, as Shopify's GraphQL API keeps one per app.

A bucket holds up to ``capacity`` points and refills at ``restore_rate`` points a second. An
operation may run when its cost fits in what is available; running takes its cost out. Buckets
live in this process: each API process keeps its own (a client spread over N processes gets up
to N buckets). A bucket that has refilled is the same as no bucket, so full ones are dropped and
memory stays bounded by the clients active in the last ``capacity / restore_rate`` seconds.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ThrottleStatus:
    maximum_available: int
    currently_available: int
    restore_rate: float

    def as_json(self) -> dict[str, float]:
        return {
            "maximumAvailable": self.maximum_available,
            "currentlyAvailable": self.currently_available,
            "restoreRate": self.restore_rate,
        }


@dataclass(frozen=True)
class Withdrawal:
    granted: bool
    status: ThrottleStatus
    # When refused: seconds until the bucket holds the cost asked for.
    retry_after: float = 0.0


class CostBudget:
    # Past this many buckets, full ones are swept out before a new one is made.
    SWEEP_AT = 10_000

    def __init__(
        self,
        capacity: int,
        restore_rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.capacity = capacity
        self.restore_rate = restore_rate
        self.clock = clock
        # client key -> (points available, when that was computed)
        self._buckets: dict[str, tuple[float, float]] = {}

    def available(self, key: str) -> float:
        level, then = self._buckets.get(key, (float(self.capacity), self.clock()))
        return min(float(self.capacity), level + (self.clock() - then) * self.restore_rate)

    def withdraw(self, key: str, cost: int) -> Withdrawal:
        """Take ``cost`` from ``key``'s bucket if it holds that much; otherwise take nothing."""
        now = self.clock()
        level = self.available(key)
        if cost > level:
            wait = (cost - level) / self.restore_rate
            return Withdrawal(False, self._status(level), retry_after=wait)
        level -= cost
        if key not in self._buckets and len(self._buckets) >= self.SWEEP_AT:
            self._sweep()
        self._buckets[key] = (level, now)
        return Withdrawal(True, self._status(level))

    def status(self, key: str) -> ThrottleStatus:
        return self._status(self.available(key))

    def _status(self, level: float) -> ThrottleStatus:
        return ThrottleStatus(self.capacity, math.floor(level), self.restore_rate)

    def _sweep(self) -> None:
        full = [key for key in self._buckets if self.available(key) >= self.capacity]
        for key in full:
            del self._buckets[key]
