"""One mail shows a thing once: of notifications whose events show the same (their
``DomainEvent.mailed_once_as``, a message both posted and mentioning the reader), it keeps one,
the personal event's when there is one ("Sam mentioned you", with the message), else the
first. The others are still mailed (linked to the message), only not shown twice."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from icn_graph.events import Event
from icn_graph.notifications.models import Notification


def _key(notification: Notification, events: Mapping[int, Event]) -> str | None:
    event = events.get(notification.event_id)
    return event.data.mailed_once_as if event is not None else None


def _personal(notification: Notification, events: Mapping[int, Event]) -> bool:
    event = events.get(notification.event_id)
    return event is not None and event.data.personal


def shown_once(
    notifications: Sequence[Notification], events: Mapping[int, Event]
) -> list[Notification]:
    """``notifications`` in order, less those another one shows."""
    kept: dict[str, Notification] = {}
    for notification in notifications:
        key = _key(notification, events)
        if key is None:
            continue
        if key not in kept or (
            _personal(notification, events) and not _personal(kept[key], events)
        ):
            kept[key] = notification
    return [n for n in notifications if (key := _key(n, events)) is None or kept[key] is n]
