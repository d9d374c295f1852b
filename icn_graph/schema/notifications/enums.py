"""The notification enums, registered with Strawberry once (imported by every module here).

FollowLevel is registered in ``schema/follow_level.py`` (``Followable`` needs it first)."""

from __future__ import annotations

import strawberry

from icn_graph.notifications.models import DeliveryMode, FollowReason
from icn_graph.schema.follow_level import FollowLevelEnum

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

__all__ = ["DeliveryModeEnum", "FollowLevelEnum", "FollowReasonEnum"]
