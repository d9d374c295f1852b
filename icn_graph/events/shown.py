"""What an event shows the reader of its notification (``Notification.data``).

Its declared fields as a JSON object, under their declared names (``eventTypes { fields }``),
less those its type withholds (``@event_type(..., withheld=[...])``): values as the outbox
stores them (enums by value, dates in ISO 8601, changes as ``{"field", "old", "new"}``), except
that a ``SubjectRef`` is its global ID, as the API names every object. An event whose type no
installed code declares (or whose payload no longer reads) shows nothing: nobody declared what
in it may be shown.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from icn_graph.events.registry import UnknownEvent
from icn_graph.events.serialize import to_payload
from icn_graph.events.types import DomainEvent, SubjectRef


def _shown(value: object, stored: Any) -> Any:
    if isinstance(value, SubjectRef):
        return value.global_id
    if isinstance(value, tuple | list):
        return [_shown(item, kept) for item, kept in zip(value, stored, strict=True)]
    return stored


def shown_data(event: DomainEvent) -> dict[str, Any] | None:
    """``event``'s fields a notification's reader may see, as JSON; None for an unknown type."""
    if isinstance(event, UnknownEvent):
        return None
    stored = to_payload(event)
    return {
        f.name: _shown(getattr(event, f.name), stored[f.name])
        for f in dataclasses.fields(event)  # type: ignore[arg-type]
        if f.name not in event.withheld
    }
