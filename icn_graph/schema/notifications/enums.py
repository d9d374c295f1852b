"""The notification enums, registered with Strawberry once (imported by every module here).

FollowLevel is registered in ``schema/follow_level.py`` (``Followable`` needs it first)."""

from __future__ import annotations

from icn_graph.notifications.models import DeliveryMode, FollowReason
from icn_graph.schema.described_enums import described_enum
from icn_graph.schema.follow_level import FollowLevelEnum

FollowReasonEnum = described_enum(
    FollowReason,
    name="FollowReason",
    description="Why a person follows a subject: they chose to (MANUAL), or they created it, "
    "are assigned to it or belong to it.",
    values={
        FollowReason.MANUAL: "They chose to (`follow`).",
        FollowReason.CREATED: "They created it.",
        FollowReason.ASSIGNED: "They are assigned to it: a goal they own, an agenda item they "
        "are on.",
        FollowReason.MEMBER: "They belong to it: their center, a session they registered for, "
        "a data request they were told of.",
        FollowReason.CONTRIBUTED: "They took part: checked in on or closed a goal, commented "
        "on or proposed for a data request.",
    },
)
DeliveryModeEnum = described_enum(
    DeliveryMode,
    name="DeliveryMode",
    description="How notifications are mailed: each by itself after a short batching delay, "
    "in a daily or weekly digest, or not at all (they still show in the app).",
    values={
        DeliveryMode.IMMEDIATE: "Each by itself, after a short batching delay (outside quiet "
        "hours).",
        DeliveryMode.DAILY_DIGEST: "One mail a day, at the digest hour.",
        DeliveryMode.WEEKLY_DIGEST: "One mail a week, on the digest weekday at the digest hour.",
        DeliveryMode.OFF: "No mail; notifications still show in the app.",
    },
)

__all__ = ["DeliveryModeEnum", "FollowLevelEnum", "FollowReasonEnum"]
