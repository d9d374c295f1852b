"""The notification engine's tables: follows, notifications, preferences, outgoing mail."""

from icn_graph.notifications.models.following import Follow, FollowLevel, FollowReason
from icn_graph.notifications.models.mail import (
    MailKind,
    MailStatus,
    OutgoingMail,
    SuppressedAddress,
)
from icn_graph.notifications.models.notifications import (
    DeliveryMode,
    EmailStatus,
    Notification,
    NotificationPreferences,
)

__all__ = [
    "DeliveryMode",
    "EmailStatus",
    "Follow",
    "FollowLevel",
    "FollowReason",
    "MailKind",
    "MailStatus",
    "Notification",
    "NotificationPreferences",
    "OutgoingMail",
    "SuppressedAddress",
]
