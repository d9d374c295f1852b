"""``threads`` on core's types: a Learning Session's, an agenda item's, a goal's threads, and a
center's (attached to it, or for its team). Only those the viewer may see; one query for every
object of the response."""

from __future__ import annotations

from typing import Annotated

import strawberry

from icn_codesign.schema import loaders
from icn_codesign.schema.threads import Thread
from icn_graph.plugin_api import (
    AgendaItemType,
    CenterType,
    GoalType,
    Info,
    LearningSessionType,
)

MAX_THREADS = 100
DESCRIPTION = "Co-design threads about it that the viewer may see, most recently active first."
First = Annotated[
    int, strawberry.argument(description="How many threads, the most recently active: up to 100.")
]


async def _threads_of(info: Info, subject_id: str, first: int) -> list[Thread] | None:
    info.context.viewer.require_member()
    rows = await loaders.threads_of_subjects(info).load(subject_id)
    return [Thread.from_row(row) for row in rows[: max(0, min(first, MAX_THREADS))]]


@strawberry.type
class LearningSessionThreads:
    @strawberry.field(description=DESCRIPTION)
    async def threads(
        self, root: LearningSessionType, info: Info, first: First = 20
    ) -> list[Thread] | None:
        return await _threads_of(info, root.global_id, first)


@strawberry.type
class AgendaItemThreads:
    @strawberry.field(description=DESCRIPTION)
    async def threads(
        self, root: AgendaItemType, info: Info, first: First = 20
    ) -> list[Thread] | None:
        return await _threads_of(info, root.global_id, first)


@strawberry.type
class GoalThreads:
    @strawberry.field(description=DESCRIPTION)
    async def threads(self, root: GoalType, info: Info, first: First = 20) -> list[Thread] | None:
        return await _threads_of(info, root.global_id, first)


@strawberry.type
class CenterThreads:
    @strawberry.field(
        description="Co-design threads about the center or for its team that the viewer may "
        "see, most recently active first."
    )
    async def threads(self, root: CenterType, info: Info, first: First = 20) -> list[Thread] | None:
        info.context.viewer.require_member()
        rows = await loaders.threads_of_centers(info).load(root.pk)
        return [Thread.from_row(row) for row in rows[: max(0, min(first, MAX_THREADS))]]


EXTENSIONS: dict[str, type] = {
    "LearningSession": LearningSessionThreads,
    "AgendaItem": AgendaItemThreads,
    "Goal": GoalThreads,
    "Center": CenterThreads,
}
