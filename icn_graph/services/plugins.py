"""What staff may see of the installed plugins: state, hooks, settings and recent failures."""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select

from icn_graph.db.database import Database
from icn_graph.plugins.dispatch import EventDispatcher
from icn_graph.plugins.manager import PluginHost, PluginInfo
from icn_graph.plugins.models import PluginError
from icn_graph.services.viewer import Viewer

MAX_RECENT_ERRORS = 50


class PluginState(enum.StrEnum):
    ACTIVE = "ACTIVE"
    PAUSED = "PAUSED"
    DISABLED = "DISABLED"


@dataclass(frozen=True)
class PluginStatus:
    info: PluginInfo
    state: PluginState


def plugin_statuses(
    viewer: Viewer, host: PluginHost, dispatcher: EventDispatcher | None
) -> list[PluginStatus]:
    viewer.require_staff("see plugins")
    statuses = []
    for info in host.describe():
        if not info.enabled:
            state = PluginState.DISABLED
        elif dispatcher is not None and dispatcher.paused(info.name):
            state = PluginState.PAUSED
        else:
            state = PluginState.ACTIVE
        statuses.append(PluginStatus(info, state))
    return statuses


async def recent_errors(
    db: Database, plugins: Iterable[str], limit: int
) -> dict[str, list[PluginError]]:
    """The newest ``limit`` failures of each plugin, in one query (callers checked the viewer)."""
    names = sorted(set(plugins))
    limit = max(0, min(limit, MAX_RECENT_ERRORS))
    grouped: dict[str, list[PluginError]] = defaultdict(list)
    if not names or limit == 0:
        return grouped
    rank = (
        func.row_number()
        .over(
            partition_by=PluginError.plugin,
            order_by=(PluginError.occurred_at.desc(), PluginError.id.desc()),
        )
        .label("rank")
    )
    ranked = select(PluginError.id, rank).where(PluginError.plugin.in_(names)).subquery()
    statement = (
        select(PluginError)
        .join(ranked, ranked.c.id == PluginError.id)
        .where(ranked.c.rank <= limit)
        .order_by(PluginError.occurred_at.desc(), PluginError.id.desc())
    )
    async with db.session() as session:
        for error in await session.scalars(statement):
            grouped[error.plugin].append(error)
    return grouped
