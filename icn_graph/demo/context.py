"""The directory as loaded, for the demo parts built on it (goals, Learning Sessions, plugins)."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.demo.generator import DemoNetwork


@dataclass(frozen=True)
class DemoContext:
    """The generated network plus the database ids its rows got.

    ``center_ids[i]`` is the id of ``network.centers[i]``; likewise ``person_ids`` for people.
    ``persona_ids`` maps "staff", "clinician" and "parent" to their person ids.
    """

    seed: int
    network: DemoNetwork
    center_ids: tuple[int, ...]
    person_ids: tuple[int, ...]
    persona_ids: dict[str, int]

    def rng(self, part: str) -> random.Random:
        """A generator of its own for each part, so adding one part never reshuffles another."""
        return random.Random(f"{self.seed}:{part}")


DemoContributor = Callable[[AsyncSession, DemoContext], Awaitable[None]]
