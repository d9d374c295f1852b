"""The notification enums, registered with Strawberry once (imported by every module here)."""

from __future__ import annotations

from icn_graph.notifications.models import DeliveryMode, FollowLevel, FollowReason
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
