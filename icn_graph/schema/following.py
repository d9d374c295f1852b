"""``Followable``: how closely the viewer follows an object, on every object one can follow, so a
front-end draws its Follow button without a second query (one query per page, not per object)."""

from __future__ import annotations

import strawberry

from icn_graph.notifications import following
from icn_graph.notifications.models import FollowLevel
from icn_graph.schema import follow_level as _registered  # noqa: F401 (FollowLevel, first)
from icn_graph.schema.context import Info
from icn_graph.schema.relay import Node

HEARING = frozenset({FollowLevel.WATCHING, FollowLevel.NORMAL})


async def _viewer_level(info: Info, subject_id: str) -> FollowLevel | None:
    person_id = info.context.viewer.person_id
    if person_id is None:
        return None
    loader = info.context.loaders.get("viewer_follow_level", following.follow_levels)
    return await loader.load((person_id, subject_id))


@strawberry.interface(
    description="An object a person can follow (`follow`, `unfollow`): a center, person, goal, "
    "Learning Session, agenda item, data request, ..."
)
class Followable(Node):
    @strawberry.field(
        description="How closely you follow this: WATCHING, NORMAL or MUTED; null when you do "
        "not follow it or are not signed in."
    )
    async def viewer_follow_level(self, info: Info) -> FollowLevel | None:
        return await _viewer_level(info, self.global_id)

    @strawberry.field(
        description="Whether you hear about this: you follow it WATCHING or NORMAL (false when "
        "MUTED, not following, or not signed in)."
    )
    async def viewer_is_following(self, info: Info) -> bool:
        return await _viewer_level(info, self.global_id) in HEARING
