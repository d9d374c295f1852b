"""Notification, Follow and NotificationPreferences types; subjects and actors come via loaders."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from datetime import datetime
from inspect import isawaitable
from typing import TypeVar, cast

import strawberry
from strawberry.scalars import JSON

from icn_graph.errors import BadInput
from icn_graph.events.shown import shown_data
from icn_graph.ids import parse_global_id
from icn_graph.models import Person as PersonRow
from icn_graph.notifications import inbox, models
from icn_graph.notifications.mail.links import MailLinks
from icn_graph.notifications.preferences import format_clock
from icn_graph.notifications.schedule import EffectivePreferences
from icn_graph.notifications.summaries import one_line, summarize
from icn_graph.schema.connections import Connection, connection_from_page
from icn_graph.schema.context import Info
from icn_graph.schema.loaders import loaded
from icn_graph.schema.notifications import enums, loaders
from icn_graph.schema.people import Person
from icn_graph.schema.relay import Node
from icn_graph.services.pagination import Page

T = TypeVar("T")

__all__ = [
    "DeliveryOverride",
    "FollowEntry",
    "Notification",
    "NotificationConnection",
    "NotificationPreferences",
    "enums",
]


async def resolve_subject(info: Info, subject_id: str) -> Node | None:
    """The object ``subject_id`` names, through this request's loaders; None if it is gone."""
    from icn_graph.schema.nodes import fetch_node  # here: nodes imports every type module

    try:
        type_name, pk = parse_global_id(subject_id)
    except BadInput:
        return None
    return await fetch_node(info, type_name, pk)


def actor_pk(actor_id: str | None) -> int | None:
    """The person an event's actor names, or None for the system (or anything else)."""
    if actor_id is None:
        return None
    try:
        type_name, pk = parse_global_id(actor_id)
    except BadInput:
        return None
    return pk if type_name == "Person" else None


def _data(found: inbox.InboxEvent | None) -> JSON | None:
    if found is None or found.hidden:
        return None
    return cast("JSON | None", shown_data(found.event.data))


def _summary(
    event_type: str, found: inbox.InboxEvent | None, actor: PersonRow | None, title: str | None
) -> str:
    name = actor.display_name if actor else None
    if found is None:  # cannot happen while notifications reference their events
        return one_line(f"{name or 'Someone'}: {event_type}")
    return summarize(found.event.data, name, title)


async def _summary_once_loaded(
    event_type: str,
    found: Awaitable[inbox.InboxEvent | None] | inbox.InboxEvent | None,
    actor: Awaitable[PersonRow | None] | PersonRow | None,
    title: Awaitable[str | None] | str | None,
) -> str:
    # Gathered, so that a failed load leaves no other's error unretrieved.
    event, person, subject_title = await asyncio.gather(_at(found), _at(actor), _at(title))
    return _summary(event_type, event, person, subject_title)


async def _at(value: Awaitable[T] | T) -> T:
    return await cast("Awaitable[T]", value) if isawaitable(value) else value


@strawberry.type(description="Something that happened to a subject the viewer follows.")
class Notification(Node):
    type_name = "Notification"

    event_type: str = strawberry.field(
        name="type",
        description=(
            "The event type's name, one of `eventTypes { name }` (e.g. goal.checked_in or"
            " agenda_item.assigned; plugins add their own). Switch on `kind`, the same as an"
            " enum."
        ),
    )
    reason: str = strawberry.field(
        description="Why the viewer got it, e.g. 'You follow this goal.'"
    )
    subject_id: strawberry.ID = strawberry.field(
        description="The subject's global ID; it stays when the subject is deleted."
    )
    created_at: datetime = strawberry.field(description="When it was made (UTC).")
    read_at: datetime | None = strawberry.field(
        description="When the viewer read it (UTC); null while unread."
    )
    event_pk: strawberry.Private[int]
    actor_id: strawberry.Private[str | None]

    @classmethod
    def from_model(cls, row: models.Notification) -> Notification:
        return cls(
            pk=row.id,
            event_type=row.type,
            reason=row.reason,
            subject_id=strawberry.ID(row.subject_id),
            created_at=row.created_at,
            read_at=row.read_at,
            event_pk=row.event_id,
            actor_id=row.actor_id,
        )

    @strawberry.field(description="Whether the viewer has read it (then no mail goes for it).")
    def read(self) -> bool:
        return self.read_at is not None

    # Each field but `subject` answers at once when the page read its rows ahead
    # (``queries.viewer_notifications``); otherwise (a mutation's payload, a live notification)
    # it awaits its loaders.

    @strawberry.field(description="What happened, in one line of plain text.", graphql_type=str)
    def summary(self, info: Info) -> str | Awaitable[str]:
        found = loaded(loaders.event(info), self.event_pk)
        actor = self._actor(info)
        title = loaded(loaders.subject_title(info), self.subject_id)
        if isawaitable(found) or isawaitable(actor) or isawaitable(title):
            return _summary_once_loaded(self.event_type, found, actor, title)
        return _summary(self.event_type, found, actor, title)

    @strawberry.field(
        description="What happened, as data: the event's fields as a JSON object, under their "
        "names in `eventTypes { fields }` (objects as global IDs, enums by value, dates in "
        "ISO 8601), less those its type keeps out (`inData: false`). Null when you may no "
        "longer see the subject, or for an UNKNOWN kind.",
        graphql_type=JSON | None,
    )
    def data(self, info: Info) -> JSON | Awaitable[JSON | None] | None:
        return loaded(loaders.event(info), self.event_pk, _data)

    @strawberry.field(
        description="Where it opens: the same link its mail has, the subject in the front-end "
        "(ICN_APP_URL and the type's path) or else in the explorer; the app's home (or the "
        "explorer) once the subject is gone or hidden from you.",
        graphql_type=str,
    )
    def url(self, info: Info) -> str | Awaitable[str]:
        links = MailLinks(info.context.settings)

        def opening(title: str | None) -> str:
            return links.removed() if title is None else links.subject(self.subject_id)

        return loaded(loaders.subject_title(info), self.subject_id, opening)

    @strawberry.field(
        description="The subject's path in the front-end app (`/goals/R29hbDox`), for apps "
        "that route by themselves; null for a type with no path there, or once the subject is "
        "gone or hidden from you.",
        graphql_type=str | None,
    )
    def app_path(self, info: Info) -> str | Awaitable[str | None] | None:
        settings = info.context.settings

        def path(title: str | None) -> str | None:
            return None if title is None else MailLinks(settings).app_path(self.subject_id)

        return loaded(loaders.subject_title(info), self.subject_id, path)

    @strawberry.field(description="What it is about; null once that is deleted.")
    async def subject(self, info: Info) -> Node | None:
        return await resolve_subject(info, self.subject_id)

    @strawberry.field(description="Who did it; null for the system.", graphql_type=Person | None)
    def actor(self, info: Info) -> Person | Awaitable[Person | None] | None:
        return Person.of(info, actor_pk(self.actor_id))

    def _actor(self, info: Info) -> PersonRow | Awaitable[PersonRow | None] | None:
        pk = actor_pk(self.actor_id)
        return None if pk is None else loaded(info.context.loaders.person, pk)


@strawberry.type(description="The viewer's notifications, a page at a time.")
class NotificationConnection(Connection[Notification]):
    @strawberry.field(description="How many of the viewer's notifications are unread, in all.")
    async def unread_count(self, info: Info) -> int:
        return await inbox.unread_count(info.context.db, info.context.viewer)


def notification_connection(page: Page[models.Notification]) -> NotificationConnection:
    plain = connection_from_page(page, Notification.from_model)
    return NotificationConnection(edges=plain.edges, page_info=plain.page_info, page=plain.page)


@strawberry.type(name="Follow", description="A subject a person follows, and how closely.")
class FollowEntry:
    subject_id: strawberry.ID = strawberry.field(
        description="The subject's global ID; it stays when the subject is deleted."
    )
    level: models.FollowLevel = strawberry.field(description="How closely.")
    reason: models.FollowReason = strawberry.field(description="Why the person follows it.")
    created_at: datetime = strawberry.field(description="Since when (UTC).")

    @classmethod
    def from_model(cls, row: models.Follow) -> FollowEntry:
        return cls(
            subject_id=strawberry.ID(row.subject_id),
            level=row.level,
            reason=row.reason,
            created_at=row.created_at,
        )

    @strawberry.field(description="The followed object; null once it is deleted.")
    async def subject(self, info: Info) -> Node | None:
        return await resolve_subject(info, self.subject_id)


@strawberry.type(description="An event type mailed otherwise than the person's usual delivery.")
class DeliveryOverride:
    event_type: str = strawberry.field(description="e.g. goal.checked_in")
    delivery: models.DeliveryMode = strawberry.field(
        description="How notifications of that type are mailed."
    )


@strawberry.type(description="How and when the viewer gets notification mail.")
class NotificationPreferences:
    delivery: models.DeliveryMode = strawberry.field(
        description="How notifications are mailed, unless overridden by type."
    )
    digest_hour: int = strawberry.field(description="0-23, in the viewer's time zone.")
    digest_weekday: int = strawberry.field(description="Weekly digests: 0 (Monday) to 6 (Sunday).")
    quiet_hours_start: str | None = strawberry.field(
        description="HH:MM in the viewer's time zone; mail due in quiet hours waits for their end."
    )
    quiet_hours_end: str | None = strawberry.field(
        description="HH:MM in the viewer's time zone; null: no quiet hours."
    )
    overrides: list[DeliveryOverride] = strawberry.field(
        description="Event types mailed otherwise than `delivery`, by name."
    )
    timezone: str = strawberry.field(description="The viewer's time zone, which all this uses.")
    is_default: bool = strawberry.field(
        description="True until the viewer changes something: the defaults for their kind apply."
    )

    @classmethod
    def from_service(cls, prefs: EffectivePreferences) -> NotificationPreferences:
        return cls(
            delivery=prefs.delivery,
            digest_hour=prefs.digest_hour,
            digest_weekday=prefs.digest_weekday,
            quiet_hours_start=format_clock(prefs.quiet_hours_start),
            quiet_hours_end=format_clock(prefs.quiet_hours_end),
            overrides=[
                DeliveryOverride(event_type=event_type, delivery=delivery)
                for event_type, delivery in sorted(prefs.overrides.items())
            ],
            timezone=prefs.timezone,
            is_default=prefs.is_default,
        )
