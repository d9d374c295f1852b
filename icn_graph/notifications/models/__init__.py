"""The notification engine's tables: follows, notifications, preferences, outgoing mail,
mail received."""

from icn_graph.notifications.models.following import Follow, FollowLevel, FollowReason
from icn_graph.notifications.models.inbound import InboundMail, InboundOutcome
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
    "InboundMail",
    "InboundOutcome",
    "MailKind",
    "MailStatus",
    "Notification",
    "NotificationPreferences",
    "OutgoingMail",
    "SuppressedAddress",
]
