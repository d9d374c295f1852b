"""The directory as loaded, for the demo parts built on it (goals, Learning Sessions, plugins)."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.config import Settings
from icn_graph.demo.generator import DemoNetwork

if TYPE_CHECKING:
    from icn_graph.plugins.manager import PluginHost

SMALL_VISIT_SCALE = 0.02
"""About 400 registry patients: for tests that need the demo network but not its reports."""


@dataclass(frozen=True)
class DemoContext:
    """The generated network plus the database ids its rows got.

    ``center_ids[i]`` is the id of ``network.centers[i]``; likewise ``person_ids`` for people.
    ``persona_ids`` maps "staff", "clinician" and "parent" to their person ids.
    ``visit_scale`` scales the demo's registry patients (1.0: about 20,000; tests that need no
    visits pass a small one to stay fast). ``settings`` and ``plugins`` are the loading
    command's, for a story played with its mail (``MailedHistory``). ``today`` is the demo's
    present (``icn_graph.demo.present``): the 2014 story is history and the network goes on up
    to this day.
    """

    seed: int
    network: DemoNetwork
    center_ids: tuple[int, ...]
    person_ids: tuple[int, ...]
    persona_ids: dict[str, int]
    visit_scale: float = 1.0
    settings: Settings = field(default_factory=Settings)
    plugins: PluginHost | None = None
    today: date = field(default_factory=date.today)

    def rng(self, part: str) -> random.Random:
        """A generator of its own for each part, so adding one part never reshuffles another."""
        return random.Random(f"{self.seed}:{part}")


DemoContributor = Callable[[AsyncSession, DemoContext], Awaitable[None]]
