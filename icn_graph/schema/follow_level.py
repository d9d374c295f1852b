"""``FollowLevel`` registered with Strawberry, where ``Followable`` (imported by the directory's
types) can import it without importing the notification schema, which imports those types."""

from __future__ import annotations

import strawberry

from icn_graph.notifications.models import FollowLevel

FollowLevelEnum = strawberry.enum(
    FollowLevel,
    name="FollowLevel",
    description="WATCHING: the subject and everything in it; NORMAL: the subject itself; "
    "MUTED: nothing, even where another follow would notify.",
)
