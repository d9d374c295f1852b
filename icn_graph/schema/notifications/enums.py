"""The notification enums, registered with Strawberry once (imported by every module here)."""

from __future__ import annotations

import strawberry

from icn_graph.notifications.models import DeliveryMode, FollowLevel, FollowReason

FollowLevelEnum = strawberry.enum(
    FollowLevel,
    name="FollowLevel",
    description="WATCHING: the subject and everything in it; NORMAL: the subject itself; "
    "MUTED: nothing, even where another follow would notify.",
)
FollowReasonEnum = strawberry.enum(
    FollowReason,
    name="FollowReason",
    description="Why a person follows a subject: they chose to (MANUAL), or they created it, "
    "are assigned to it or belong to it.",
)
DeliveryModeEnum = strawberry.enum(
    DeliveryMode,
    name="DeliveryMode",
    description="How notifications are mailed: each by itself after a short batching delay, "
    "in a daily or weekly digest, or not at all (they still show in the app).",
)
