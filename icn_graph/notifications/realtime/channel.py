"""The PostgreSQL ``NOTIFY`` channel that carries new notifications between processes.

A message is ``"<person_id>:<notification_id>"``: enough to route it to the person's
subscribers, who then load the notification itself (so nothing private travels in the message).
"""

from __future__ import annotations

CHANNEL = "icn_notifications"


def encode(person_id: int, notification_id: int) -> str:
    return f"{person_id}:{notification_id}"


def decode(message: str) -> tuple[int, int] | None:
    """``(person_id, notification_id)``, or None for a message this version does not understand."""
    person, _, notification = message.partition(":")
    if not (person.isdigit() and notification.isdigit()):
        return None
    return int(person), int(notification)
