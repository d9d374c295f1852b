"""``FollowLevel`` registered with Strawberry, where ``Followable`` (imported by the directory's
types) can import it without importing the notification schema, which imports those types."""

from __future__ import annotations

from icn_graph.notifications.models import FollowLevel
from icn_graph.schema.described_enums import described_enum

FollowLevelEnum = described_enum(
    FollowLevel,
    name="FollowLevel",
    description="WATCHING: the subject and everything in it; NORMAL: the subject itself; "
    "MUTED: nothing, even where another follow would notify.",
    values={
        FollowLevel.WATCHING: "The subject and everything in it (a center's goals, a "
        "session's agenda items).",
        FollowLevel.NORMAL: "The subject itself.",
        FollowLevel.MUTED: "Nothing, even where another follow would notify.",
    },
)
