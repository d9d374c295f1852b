"""A circuit breaker per plugin: repeated failures pause its event handling for a cool-down."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class CircuitBreaker:
    threshold: int
    cooldown_seconds: float
    clock: Callable[[], float] = time.monotonic
    failures: int = 0
    open_until: float = 0.0

    def allows(self) -> bool:
        """Closed, or open with the cool-down over (then one call is let through to probe)."""
        return self.clock() >= self.open_until

    @property
    def paused(self) -> bool:
        return not self.allows()

    def succeeded(self) -> None:
        self.failures = 0
        self.open_until = 0.0

    def failed(self) -> None:
        self.failures += 1
        if self.failures >= self.threshold:
            self.open_until = self.clock() + self.cooldown_seconds
