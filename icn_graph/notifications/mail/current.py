"""Events as mail shows them when it is composed, not only as they were recorded.

What an event carries can change after it was recorded and before its mail is composed: a
message edited, or hidden by a moderator. Each event type says how it reads now
(``DomainEvent.as_mailed``, one call per type in the batch); an event it withdraws is left out of
mail. An event type whose ``as_mailed`` fails has its events withdrawn from this mail (logged):
mailing what may have been hidden is worse than one missed notification mail.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.events import DomainEvent, Event

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MailedEvents:
    """The events to mail, by id, as they read now, and the ids of those withdrawn."""

    events: dict[int, Event]
    withdrawn: set[int]


async def as_mailed(session: AsyncSession, stored: Mapping[int, Event]) -> MailedEvents:
    by_type: dict[type[DomainEvent], list[tuple[int, Event]]] = defaultdict(list)
    for event_id, event in stored.items():
        by_type[type(event.data)].append((event_id, event))
    events: dict[int, Event] = {}
    withdrawn: set[int] = set()
    for event_type, pairs in by_type.items():
        try:
            current = list(await event_type.as_mailed(session, [e.data for _, e in pairs]))
            if len(current) != len(pairs):
                raise ValueError(f"returned {len(current)} events for {len(pairs)}")
        except Exception:
            log.exception("%s.as_mailed failed: its events are left out of mail", event_type)
            withdrawn.update(event_id for event_id, _ in pairs)
            continue
        for (event_id, event), data in zip(pairs, current, strict=True):
            if data is None:
                withdrawn.add(event_id)
            else:
                events[event_id] = (
                    event if data is event.data else dataclasses.replace(event, data=data)
                )
    return MailedEvents(events, withdrawn)
