"""What a batch of announced notifications needs to be shown to its connected recipients, read
in set-based queries whatever the number of recipients.

One session: the notifications (one query), their events (one), their subjects' descriptions
(one per subject type) and their actors (one). Who may see a subject is decided from each
recipient's viewer as the subject type says: nothing to read for core's types, which every
member sees; a restricted type (data requests, plugins' types) asks its ``visible`` once per
recipient, as fan-out does.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, Integer, any_, cast, select
from sqlalchemy.dialects.postgresql import ARRAY

from icn_graph.db.database import Database
from icn_graph.errors import BadInput
from icn_graph.events import Event
from icn_graph.events.stored import stored_events
from icn_graph.ids import parse_global_id
from icn_graph.models import Person
from icn_graph.notifications.inbox import InboxEvent, as_seen
from icn_graph.notifications.models import Notification
from icn_graph.notifications.realtime.live import Announcement
from icn_graph.notifications.subjects import (
    SubjectInfo,
    describe_subjects,
    is_restricted,
    visible_to_each,
)
from icn_graph.services.viewer import Viewer


@dataclass(frozen=True)
class LiveNotification:
    """The columns of a notification that showing it reads (no ORM object: a batch is big)."""

    id: int
    person_id: int
    event_id: int
    type: str
    subject_id: str
    actor_id: str | None
    reason: str
    created_at: datetime
    read_at: datetime | None


COLUMNS = (
    Notification.id,
    Notification.person_id,
    Notification.event_id,
    Notification.type,
    Notification.subject_id,
    Notification.actor_id,
    Notification.reason,
    Notification.created_at,
    Notification.read_at,
)


@dataclass
class LiveBatch:
    """The announced notifications of connected recipients, and what showing them needs."""

    notifications: list[LiveNotification] = field(default_factory=list)
    events: dict[int, Event] = field(default_factory=dict)
    subjects: dict[str, SubjectInfo] = field(default_factory=dict)
    actors: dict[int, Person] = field(default_factory=dict)
    # Per person: the subjects (of a restricted type, or gone) they may not see.
    hidden: dict[int, set[str]] = field(default_factory=dict)

    def sees(self, person_id: int, subject_id: str) -> bool:
        return subject_id in self.subjects and subject_id not in self.hidden.get(person_id, ())

    def event_for(self, person_id: int, event_id: int) -> InboxEvent | None:
        event = self.events.get(event_id)
        if event is None:
            return None
        subject_id = event.subject_id
        hidden = is_restricted(subject_id) and not self.sees(person_id, subject_id)
        return as_seen(event, hidden=hidden)

    def title_for(self, person_id: int, subject_id: str) -> str | None:
        info = self.subjects.get(subject_id)
        if info is None:
            return None
        if is_restricted(subject_id) and not self.sees(person_id, subject_id):
            return None
        return info.title


def _person_pk(actor_id: str | None) -> int | None:
    if actor_id is None:
        return None
    try:
        type_name, pk = parse_global_id(actor_id)
    except BadInput:
        return None
    return pk if type_name == "Person" else None


def _among(db: Database, ids: list[int]) -> ColumnElement[bool]:
    """``Notification.id`` among ``ids``: on PostgreSQL as ``= ANY(array)``, one statement text
    for any number of ids (prepared once per connection, where ``IN (...)`` would be prepared
    again for each new count)."""
    if db.engine.dialect.name == "postgresql":
        return Notification.id == any_(cast(ids, ARRAY(Integer)))
    return Notification.id.in_(ids)


async def load_live_batch(
    db: Database, announced: Collection[Announcement], viewers: Mapping[int, Viewer]
) -> LiveBatch:
    """The announced notifications whose person is among ``viewers`` (those connected here),
    oldest first, with their events, subjects and actors. A notification that no longer
    exists, or whose person is not the one announced, is left out."""
    wanted = {(person, notification) for person, notification in announced if person in viewers}
    if not wanted:
        return LiveBatch()
    batch = LiveBatch()
    async with db.session() as session:
        ids = sorted({notification for _, notification in wanted})
        rows = await session.execute(
            select(*COLUMNS).where(_among(db, ids)).order_by(Notification.id)
        )
        batch.notifications = [
            LiveNotification(*row) for row in rows if (row.person_id, row.id) in wanted
        ]
        batch.events = await stored_events(session, {row.event_id for row in batch.notifications})
        subject_ids = {row.subject_id for row in batch.notifications}
        batch.subjects = await describe_subjects(session, subject_ids)
        actor_pks = {pk for row in batch.notifications if (pk := _person_pk(row.actor_id))}
        if actor_pks:
            people = await session.scalars(select(Person).where(Person.id.in_(actor_pks)))
            batch.actors = {person.id: person for person in people}
        restricted = {subject_id for subject_id in subject_ids if is_restricted(subject_id)}
        if restricted:
            readers = {row.person_id for row in batch.notifications}
            described = [batch.subjects[s] for s in restricted if s in batch.subjects]
            seen = await visible_to_each(
                session, {person: viewers[person] for person in readers}, described
            )
            batch.hidden = {person: restricted - seen.get(person, set()) for person in readers}
    return batch


__all__ = ["InboxEvent", "LiveBatch", "LiveNotification", "load_live_batch"]
