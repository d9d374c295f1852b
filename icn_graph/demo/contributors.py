"""Core features that add to the demo network, in order; each runs in the demo's transaction."""

from __future__ import annotations

from icn_graph.demo.context import DemoContributor

CORE_CONTRIBUTORS: list[DemoContributor] = []
