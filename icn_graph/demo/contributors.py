"""Core features that add to the demo network, in order; each runs in the demo's transaction."""

from __future__ import annotations

from icn_graph.demo.context import DemoContributor
from icn_graph.demo.follows import contribute as contribute_follows
from icn_graph.demo.goals import contribute as contribute_goals
from icn_graph.demo.learning_sessions import contribute as contribute_learning_sessions
from icn_graph.demo.visits import contribute as contribute_visits

CORE_CONTRIBUTORS: list[DemoContributor] = []
CORE_CONTRIBUTORS.append(contribute_goals)
CORE_CONTRIBUTORS.append(contribute_learning_sessions)
CORE_CONTRIBUTORS.append(contribute_follows)  # after the rows it follows
CORE_CONTRIBUTORS.append(contribute_visits)
