"""History that mails as it would have: a demo's past played through the notification engine.

``recording_history`` stores a past and tells nobody. ``MailedHistory`` plays one as it was
lived, step by step: what a step does is recorded at the step's time, as history (no live
consumer, ``on_event`` or subscription hears of it), and then goes through the engine's own
consumers at that time: automatic follows, and fan-out to the followers, planned with each
person's preferences, quiet hours and batching window. Before the next step, and when the story
ends, the mail that was due meanwhile is composed at the moment it was due, so its ``Date`` is
then and a burst on one thread is one message, threaded like any other.

That mail is *historical*: the worker writes it to the mail folder (ICN_MAIL_DIR) and never
sends it over SMTP, whatever ICN_SMTP_HOST says. Once the story ends, its notifications are
marked read (they were read back then), so nobody's inbox fills with them.

Meant for a demo loader's transaction (``load_demo_data``), where no other mail is due in the
past: composing at a past moment takes every notification due by then.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.config import Settings
from icn_graph.events import Event, recording_history
from icn_graph.events.models import OutboxEvent
from icn_graph.notifications.auto_follow import follow_automatically_all
from icn_graph.notifications.consumers import notification_consumers
from icn_graph.notifications.mail.compose import compose_history_mail
from icn_graph.notifications.models import EmailStatus, Notification
from icn_graph.plugins.manager import PluginHost


class MailedHistory:
    """Steps of a story, each at its own time (``at``), mailed as they would have been; call
    ``finish`` after the last one."""

    def __init__(
        self, session: AsyncSession, settings: Settings, plugins: PluginHost | None
    ) -> None:
        self.session = session
        self.settings = settings
        self.plugins = plugins
        self.event_ids: list[int] = []
        self.mails = 0
        self.clock: datetime | None = None

    @asynccontextmanager
    async def at(self, when: datetime) -> AsyncIterator[None]:
        """What the block records happened at ``when`` (aware; steps go forward in time)."""
        if self.clock is not None and when < self.clock:
            raise ValueError(f"history goes forward: {when} is before {self.clock}")
        await self._compose_due(until=when)
        self.clock = when
        mark = await self.session.scalar(select(func.coalesce(func.max(OutboxEvent.id), 0)))
        with recording_history(self.session, when):
            yield
        await self.session.flush()
        rows = await self.session.scalars(
            select(OutboxEvent).where(OutboxEvent.id > mark).order_by(OutboxEvent.id)
        )
        events = [Event.from_row(row) for row in rows]
        if not events:
            return
        self.event_ids.extend(row_id for event in events if (row_id := event.id) is not None)
        await follow_automatically_all(self.session, events)
        for consumer in notification_consumers(self.settings):
            await consumer(self.session, events, when)

    async def finish(self) -> int:
        """Compose the mail still waiting, mark the story's notifications read; how many
        messages the story made."""
        await self._compose_due(until=None)
        if self.event_ids and self.clock is not None:
            await self.session.execute(
                update(Notification)
                .where(Notification.event_id.in_(self.event_ids), Notification.read_at.is_(None))
                .values(read_at=self.clock)
                .execution_options(synchronize_session=False)
            )
        return self.mails

    async def _compose_due(self, *, until: datetime | None) -> None:
        """Compose, at each moment mail fell due (up to ``until``), what was due then."""
        if not self.event_ids:
            return
        previous: datetime | None = None
        while True:
            query = select(func.min(Notification.email_due_at)).where(
                Notification.email_status == EmailStatus.PENDING,
                Notification.event_id.in_(self.event_ids),
            )
            if until is not None:
                query = query.where(Notification.email_due_at <= until)
            due = await self.session.scalar(query)
            if due is None:
                return
            if previous is not None and due <= previous:
                raise RuntimeError(f"mail due at {due} was not composed")
            previous = due
            self.clock = max(self.clock or due, due)
            self.mails += await compose_history_mail(
                self.session, self.settings, now=due, plugins=self.plugins
            )
