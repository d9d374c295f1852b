"""The plugin's event types: registered in plugin.py, recorded by the services.

Events about a thread have the thread as their subject, so core's notification engine threads
their mail on it (one mail thread per person and thread, its subject the thread's title) and
reaches only people the thread's audience lets see it. Edits and hidden messages have the message
as their subject (a type nobody follows): they feed ``threadActivity`` without mailing anyone.

Messages' events carry what mail shows later: who wrote it, the writer's local time, the
Markdown source and its sanitized HTML. Mail composed later reads the message again
(``as_mailed``): a message edited meanwhile is mailed as edited, a hidden one is not mailed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Protocol, Self, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_codesign.models import Message
from icn_graph.plugin_api import DomainEvent, SubjectRef, event_type


class _CarriesMessage(Protocol):
    @property
    def message(self) -> SubjectRef: ...
    @property
    def body(self) -> str: ...


M = TypeVar("M", bound=_CarriesMessage)


async def _as_messages_now(session: AsyncSession, events: Sequence[M]) -> list[M | None]:
    """Each event with its message's current text; None for a message hidden or gone."""
    ids = {event.message.pk for event in events}
    rows = await session.execute(
        select(Message.id, Message.body, Message.body_html, Message.hidden_at).where(
            Message.id.in_(ids)
        )
    )
    now = {pk: (body, html) for pk, body, html, hidden_at in rows if hidden_at is None}
    shown: list[M | None] = []
    for event in events:
        current = now.get(event.message.pk)
        if current is None:
            shown.append(None)
        elif current[0] == event.body:
            shown.append(event)
        else:
            body, html = current
            shown.append(dataclasses.replace(event, body=body, body_html=html))  # type: ignore[type-var]
    return shown


def _mailed_message(event: _CarriesMessage) -> str:
    """A message posted and mentioning the reader shows once in their mail, as the mention."""
    return f"Message:{event.message.pk}"


@event_type("thread.started", subject="thread")
class ThreadStarted(DomainEvent):
    """Someone started a co-design thread."""

    thread: SubjectRef
    title: str
    audience: str
    attached_to: str | None = None  # the global ID of the Node it is attached to

    def summary(self, actor: str, title: str) -> str:
        return f"{actor} started the thread {title}"


# The text stays out of Notification.data: the message may be edited or hidden since.
@event_type("thread.message_posted", subject="thread", withheld=["body", "body_html"])
class MessagePosted(DomainEvent):
    """Someone posted a message in a co-design thread."""

    thread: SubjectRef
    title: str
    message: SubjectRef
    author_name: str
    # When it was written, in the writer's own time zone ("Tue 3 Mar 2026, 11:05 PM EST").
    written_local: str
    body: str
    body_html: str

    def summary(self, actor: str, title: str) -> str:
        return f"{actor} wrote in {title}"

    @property
    def mailed_once_as(self) -> str:
        return _mailed_message(self)

    @classmethod
    async def as_mailed(
        cls, session: AsyncSession, events: Sequence[Self]
    ) -> Sequence[Self | None]:
        return await _as_messages_now(session, events)


@event_type("thread.mentioned", subject="thread", personal=True, withheld=["body", "body_html"])
class Mentioned(DomainEvent):
    """A message in a co-design thread mentioned someone."""

    thread: SubjectRef
    title: str
    message: SubjectRef
    person: SubjectRef  # who was mentioned: they alone hear of it (personal)
    author_name: str
    written_local: str
    body: str
    body_html: str

    def summary(self, actor: str, title: str) -> str:
        return f"{actor} mentioned you in {title}"

    @property
    def mailed_once_as(self) -> str:
        return _mailed_message(self)

    @classmethod
    async def as_mailed(
        cls, session: AsyncSession, events: Sequence[Self]
    ) -> Sequence[Self | None]:
        return await _as_messages_now(session, events)


@event_type("thread.invited", subject="thread")
class Invited(DomainEvent):
    """Someone was invited to a co-design thread."""

    thread: SubjectRef
    title: str
    person: SubjectRef  # who was invited: they hear of it
    person_name: str

    def summary(self, actor: str, title: str) -> str:
        return f"{actor} invited {self.person_name} to {title}"


@event_type("thread.left", subject="thread")
class Left(DomainEvent):
    """Someone left a co-design thread."""

    thread: SubjectRef
    title: str
    leaver: SubjectRef  # the Person who left
    person_name: str

    def summary(self, actor: str, title: str) -> str:
        return f"{self.person_name} left {title}"


@event_type("thread_message.edited", subject="message")
class MessageEdited(DomainEvent):
    """A message in a co-design thread was edited (its earlier text is kept)."""

    message: SubjectRef
    thread: SubjectRef


@event_type("thread_message.hidden", subject="message", withheld=["reason"])
class MessageHidden(DomainEvent):
    """Network staff hid a message in a co-design thread, giving a reason."""

    message: SubjectRef
    thread: SubjectRef
    reason: str


EVENT_TYPES: tuple[type[DomainEvent], ...] = (
    ThreadStarted,
    MessagePosted,
    Mentioned,
    Invited,
    Left,
    MessageEdited,
    MessageHidden,
)
