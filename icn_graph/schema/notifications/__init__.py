"""Following and notifications in the schema: types, viewer/person fields and the mutations."""

from icn_graph.schema.notifications.mutations import NotificationMutations
from icn_graph.schema.notifications.queries import (
    person_following,
    viewer_notifications,
    viewer_preferences,
)
from icn_graph.schema.notifications.types import (
    FollowEntry,
    Notification,
    NotificationConnection,
    NotificationPreferences,
)

__all__ = [
    "FollowEntry",
    "Notification",
    "NotificationConnection",
    "NotificationMutations",
    "NotificationPreferences",
    "person_following",
    "viewer_notifications",
    "viewer_preferences",
]
