"""Turning due notifications into outgoing mail (the worker's second step).

- Immediate: when the earliest PENDING notification of a (person, followed subject) pair is
  due, all the pair's PENDING notifications go into one message, so a burst of activity becomes
  one email: 5 registrations for a session its watcher follows are one message about the session
  (see ``roll_up``). Every message of a pair keeps the subject line of the pair's first one, so
  renaming the subject does not split the thread.
- Digests: one message per person with all their due digest notifications, grouped by followed
  subject.
- Links open subjects in the front-end (``ICN_APP_URL``) or the explorer, and every message links
  to the person's signed "manage your email" page (see ``links`` and ``manage_tokens``).
- A notification read in the app before its mail is composed is SKIPPED, never mailed; one of a
  person deactivated since it was planned is NONE.
- Events are mailed as they read when the mail is composed (``current``): a message edited
  meanwhile goes as edited; one withdrawn (hidden by a moderator) is not mailed (NONE).
- A suppressed address gets a SUPPRESSED mail row (kept for the record), never a delivery;
  such rows count as composed, and a ``ComposeTally`` counts them apart for the worker's log.

Composed notifications are QUEUED with the message's ``mail_id``, in the same transaction as the
message, and only if they are still PENDING: a second worker composing at the same moment (or
a person reading the notification meanwhile) makes this batch roll back rather than mail twice.
On PostgreSQL the due rows are locked with ``FOR UPDATE SKIP LOCKED``, so workers take disjoint
batches.
"""

from __future__ import annotations

import logging
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.errors import BadInput
from icn_graph.events import Event
from icn_graph.events.stored import stored_events
from icn_graph.ids import parse_global_id
from icn_graph.models import Person
from icn_graph.notifications.mail import agenda_slots, details
from icn_graph.notifications.mail.addressed import summary_for
from icn_graph.notifications.mail.current import as_mailed
from icn_graph.notifications.mail.headers import (
    Envelope,
    Sender,
    build_message,
    new_message_id,
    one_line,
    thread_root_id,
)
from icn_graph.notifications.mail.links import MailLinks
from icn_graph.notifications.mail.manage_tokens import make_link_token
from icn_graph.notifications.mail.render import (
    AgendaSlot,
    MailContext,
    MailItem,
    MailRenderer,
    MailSection,
    local_time,
    renderer_for,
)
from icn_graph.notifications.mail.reply_address import reply_address
from icn_graph.notifications.mail.shown_once import shown_once
from icn_graph.notifications.mail.tokens import make_token
from icn_graph.notifications.models import (
    DeliveryMode,
    EmailStatus,
    MailKind,
    MailStatus,
    Notification,
    OutgoingMail,
)
from icn_graph.notifications.reply_handlers import reply_handlers
from icn_graph.notifications.subjects import SubjectInfo, describe_subjects, label_of
from icn_graph.plugins.manager import PluginHost

log = logging.getLogger(__name__)

DIGESTS = (DeliveryMode.DAILY_DIGEST, DeliveryMode.WEEKLY_DIGEST)


class _Raced(Exception):
    """Another worker (or a reader) changed a notification while this batch was composed."""


@dataclass(frozen=True)
class _Batch:
    """Everything read for one compose run."""

    people: dict[int, Person]
    events: dict[int, Event]
    notes: dict[int, str]
    subjects: dict[str, SubjectInfo | None]
    suppressed: set[str]
    # (person, followed subject) -> the subject line of the thread's first message.
    thread_subjects: dict[tuple[int, str], str]
    # Agenda items the events are about, as they are now (by primary key).
    agenda_items: dict[int, agenda_slots.ItemNow]


@dataclass
class ComposeTally:
    """Of the messages compose runs wrote, those SUPPRESSED at once (never to be sent)."""

    suppressed: int = 0


async def compose_due_mail(
    db: Database,
    settings: Settings,
    *,
    now: datetime,
    plugins: PluginHost | None = None,
    limit: int = 500,
    tally: ComposeTally | None = None,
) -> int:
    """Compose the mail that is due at ``now``; how many messages were written (suppressed
    ones included: ``tally`` counts those once they are committed)."""
    renderer = renderer_for(plugins)
    written = ComposeTally()
    try:
        async with db.transaction() as session:
            composed = await _compose(
                session, settings, renderer, now=now, limit=limit, tally=written
            )
    except _Raced:
        log.info("composing raced with another worker; the next tick composes again")
        return 0
    if tally is not None:
        tally.suppressed += written.suppressed
    return composed


async def compose_history_mail(
    session: AsyncSession, settings: Settings, *, now: datetime, plugins: PluginHost | None
) -> int:
    """Compose, in ``session``'s transaction, the mail due at ``now`` (a moment in the past
    that history is played at, see ``notifications.history``), as historical mail: dated
    ``now``, and only ever written to the mail folder. How many messages were written."""
    return await _compose(
        session,
        settings,
        renderer_for(plugins),
        now=now,
        limit=500,
        tally=ComposeTally(),
        historical=True,
    )


async def _compose(
    session: AsyncSession,
    settings: Settings,
    renderer: MailRenderer,
    *,
    now: datetime,
    limit: int,
    tally: ComposeTally,
    historical: bool = False,
) -> int:
    due = await _due(session, now, limit)
    if not due:
        return 0
    pairs = {
        (n.person_id, n.followed_subject_id) for n in due if n.delivery == DeliveryMode.IMMEDIATE
    }
    groups: dict[tuple[int, str], list[Notification]] = defaultdict(list)
    digests: dict[int, list[Notification]] = defaultdict(list)
    for notification in await _with_pending_of(session, due, pairs):
        if notification.delivery == DeliveryMode.IMMEDIATE:
            groups[(notification.person_id, notification.followed_subject_id)].append(notification)
        elif notification.delivery in DIGESTS:
            digests[notification.person_id].append(notification)

    everything = [n for group in (*groups.values(), *digests.values()) for n in group]
    # Planned before their person was deactivated: never mailed (fan-out plans none after).
    inactive = await _deactivated(session, {n.person_id for n in everything})
    of_inactive = [n for n in everything if n.person_id in inactive]
    everything = [n for n in everything if n.person_id not in inactive]
    unread = [n for n in everything if n.read_at is None]
    mailed_events = await as_mailed(
        session, await stored_events(session, {n.event_id for n in unread})
    )
    withdrawn = [n for n in unread if n.event_id in mailed_events.withdrawn]
    unread = [n for n in unread if n.event_id not in mailed_events.withdrawn]
    # Claimed first: if anything changed meanwhile, nothing is written.
    unmailed = [n for n in due if n.delivery not in (DeliveryMode.IMMEDIATE, *DIGESTS)]
    # Delivery OFF, or what the event carried was withdrawn (a hidden message): nothing to mail.
    await _claim(session, [*unmailed, *withdrawn, *of_inactive], EmailStatus.NONE)
    await _claim(session, [n for n in everything if n.read_at is not None], EmailStatus.SKIPPED)
    await _claim(session, unread, EmailStatus.QUEUED)
    batch = await _read_batch(session, unread, set(groups), mailed_events.events)
    composer = _Composer(session, settings, renderer, batch, now, historical=historical)
    to_mail = {n.id for n in unread}
    for (person_id, subject_id), group in groups.items():
        mailed = [n for n in group if n.id in to_mail]
        if mailed:
            composer.immediate(person_id, subject_id, mailed)
    for person_id, group in digests.items():
        mailed = [n for n in group if n.id in to_mail]
        if mailed:
            composer.digest(person_id, mailed)
    written = await composer.write()
    tally.suppressed += sum(d.row.status == MailStatus.SUPPRESSED for d in composer.drafts)
    return written


async def _due(session: AsyncSession, now: datetime, limit: int) -> list[Notification]:
    statement = (
        select(Notification)
        .where(Notification.email_status == EmailStatus.PENDING, Notification.email_due_at <= now)
        .order_by(Notification.email_due_at, Notification.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(await session.scalars(statement))


async def _deactivated(session: AsyncSession, person_ids: set[int]) -> set[int]:
    if not person_ids:
        return set()
    statement = select(Person.id).where(
        Person.id.in_(person_ids), Person.deactivated_at.is_not(None)
    )
    return set(await session.scalars(statement))


async def _with_pending_of(
    session: AsyncSession, due: list[Notification], pairs: set[tuple[int, str]]
) -> list[Notification]:
    """``due`` plus the not-yet-due PENDING immediate notifications of the triggered pairs."""
    found = {n.id: n for n in due}
    if pairs:
        statement = (
            select(Notification)
            .where(
                Notification.email_status == EmailStatus.PENDING,
                Notification.delivery == DeliveryMode.IMMEDIATE,
                Notification.person_id.in_({person for person, _ in pairs}),
                Notification.followed_subject_id.in_({subject for _, subject in pairs}),
                Notification.id.not_in(found),
            )
            .with_for_update(skip_locked=True)
        )
        for notification in await session.scalars(statement):
            if (notification.person_id, notification.followed_subject_id) in pairs:
                found[notification.id] = notification
    return sorted(found.values(), key=lambda n: (n.created_at, n.id))


async def _claim(
    session: AsyncSession, notifications: Sequence[Notification], status: EmailStatus
) -> None:
    """Move still-PENDING ``notifications`` to ``status``; _Raced if any no longer is."""
    if not notifications:
        return
    ids = [n.id for n in notifications]
    result = await session.execute(
        update(Notification)
        .where(Notification.id.in_(ids), Notification.email_status == EmailStatus.PENDING)
        .values(email_status=status)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", len(ids)) != len(ids):
        raise _Raced


async def _thread_subjects(
    session: AsyncSession, pairs: set[tuple[int, str]]
) -> dict[tuple[int, str], str]:
    """The subject line of the first message of each (person, followed subject) thread."""
    if not pairs:
        return {}
    first = (
        select(func.min(OutgoingMail.id))
        .where(
            OutgoingMail.kind == MailKind.IMMEDIATE,
            OutgoingMail.person_id.in_({person for person, _ in pairs}),
            OutgoingMail.thread_subject_id.in_({subject for _, subject in pairs}),
        )
        .group_by(OutgoingMail.person_id, OutgoingMail.thread_subject_id)
    )
    rows = await session.execute(
        select(
            OutgoingMail.person_id, OutgoingMail.thread_subject_id, OutgoingMail.subject_line
        ).where(OutgoingMail.id.in_(first))
    )
    return {
        (person_id, subject_id): line
        for person_id, subject_id, line in rows
        if person_id is not None and (person_id, subject_id) in pairs
    }


async def _read_batch(
    session: AsyncSession,
    notifications: list[Notification],
    pairs: set[tuple[int, str]],
    events: dict[int, Event],
) -> _Batch:
    actor_ids = {pk for n in notifications if (pk := details.person_pk(n.actor_id)) is not None}
    people = await details.people(session, {n.person_id for n in notifications} | actor_ids)
    notes = await details.notes(session, [event.data for event in events.values()])
    wanted = {n.subject_id for n in notifications} | {n.followed_subject_id for n in notifications}
    described = await describe_subjects(session, wanted)
    subjects: dict[str, SubjectInfo | None] = {
        subject_id: described.get(subject_id) for subject_id in wanted
    }
    keys = {people[n.person_id].email_key for n in notifications if n.person_id in people}
    suppressed = await details.suppressed(session, keys)
    threads = await _thread_subjects(session, pairs)
    items = await agenda_slots.items_now(session, [event.data for event in events.values()])
    return _Batch(people, events, notes, subjects, suppressed, threads, items)


@dataclass
class _Draft:
    row: OutgoingMail
    person: Person
    group: list[Notification]
    layout: str
    context: MailContext
    # The thread's subject (immediate mail), or None for a digest.
    subject_id: str | None


class _Composer:
    def __init__(
        self,
        session: AsyncSession,
        settings: Settings,
        renderer: MailRenderer,
        batch: _Batch,
        now: datetime,
        *,
        historical: bool = False,
    ) -> None:
        self.session = session
        self.historical = historical
        self.settings = settings
        self.renderer = renderer
        self.batch = batch
        self.now = now
        self.sender = Sender.parse(settings.mail_from)
        self.links = MailLinks(settings)
        self.secret = settings.secret_key.get_secret_value()
        self.replies = reply_handlers()
        self.drafts: list[_Draft] = []

    def _unsubscribe_token(self, person_id: int, subject_id: str | None) -> str:
        email_key = self.batch.people[person_id].email_key  # bound to the address mailed
        return make_token(self.secret, person_id, email_key, subject_id, now=self.now)

    def _unsubscribe_url(self, person_id: int, subject_id: str | None) -> str:
        return self.links.unsubscribe(self._unsubscribe_token(person_id, subject_id))

    def _manage_url(self, person: Person) -> str:
        days = self.settings.manage_link_days
        token = make_link_token(self.secret, person.id, person.email_key, now=self.now, days=days)
        return self.links.manage(token)

    def _title_of(self, subject_id: str) -> str | None:
        info = self.batch.subjects.get(subject_id)
        return info.title if info is not None else None

    def _section(self, person: Person, subject_id: str, group: list[Notification]) -> MailSection:
        """A followed subject and its notifications, each summarized with its own subject
        (a registration, an agenda item) when that is not the followed one."""
        info = self.batch.subjects.get(subject_id)
        events = [
            self.batch.events[n.event_id]
            for n in group
            if n.event_id in self.batch.events and n.subject_id == subject_id
        ]
        # A subject that is gone is named as its own events last knew it.
        kept = next(
            (e.data.snapshot_title for e in reversed(events) if e.data.snapshot_title), None
        )
        title = info.title if info is not None else kept or "Something that was removed"
        items = []
        for notification in group:
            event = self.batch.events.get(notification.event_id)
            actor = self.batch.people.get(details.person_pk(notification.actor_id) or 0)
            actor_name = actor.display_name if actor is not None else None
            own_title = self._title_of(notification.subject_id)  # None once it is gone
            items.append(
                MailItem(
                    type=notification.type,
                    summary=summary_for(event.data, person.id, actor_name, own_title)
                    if event is not None
                    else notification.type,
                    actor_name=actor_name,
                    when=local_time(notification.created_at, person.timezone),
                    reason=notification.reason,
                    payload=event.payload if event is not None else {},
                    note=details.note_of(event.data, self.batch.notes)
                    if event is not None
                    else None,
                    data=event.data if event is not None else None,
                    changes=details.change_lines(event.data, person.timezone)
                    if event is not None
                    else [],
                    slot=self._slot(event, person),
                )
            )
        return MailSection(
            subject_id=subject_id,
            title=title,
            type_name=info.label if info is not None else label_of(subject_id),
            url=self.links.subject(subject_id) if info is not None else self.links.removed(),
            unsubscribe_url=self._unsubscribe_url(person.id, subject_id),
            items=items,
            in_app=info is not None and self.links.opens_in_app(subject_id),
        )

    def _slot(self, event: Event | None, person: Person) -> AgendaSlot | None:
        pk = agenda_slots.agenda_item_of(event.data) if event is not None else None
        item = self.batch.agenda_items.get(pk) if pk is not None else None
        return agenda_slots.slot_for(item, person.timezone) if item is not None else None

    def _takes_replies(self, subject_id: str | None) -> bool:
        """Whether immediate mail about ``subject_id`` carries a reply address: its type accepts
        replies by email, and ICN_MAIL_REPLY_DOMAIN is set."""
        if not self.settings.mail_reply_domain or subject_id is None:
            return False
        try:
            type_name, _pk = parse_global_id(subject_id)
        except BadInput:
            return False
        return type_name in self.replies

    def _reply_to(self, person_id: int, subject_id: str | None) -> str | None:
        """The signed reply address of an immediate mail whose thread subject takes replies;
        None otherwise."""
        if not self._takes_replies(subject_id) or subject_id is None:
            return None
        return reply_address(self.secret, self.settings.mail_reply_domain, person_id, subject_id)

    def _context(
        self,
        person: Person,
        sections: list[MailSection],
        period: str = "",
        replies_accepted: bool = False,
        replies_right_away: bool = False,
    ) -> MailContext:
        reasons = [item.reason for section in sections for item in section.items if item.reason]
        return MailContext(
            network_name=self.settings.network_name,
            recipient_name=person.display_name,
            sections=sections,
            unsubscribe_url=sections[0].unsubscribe_url
            if len(sections) == 1
            else self._unsubscribe_url(person.id, None),
            unsubscribe_all_url=self._unsubscribe_url(person.id, None),
            preferences_url=self._manage_url(person),
            reasons=list(dict.fromkeys(reasons)),
            period=period,
            replies_accepted=replies_accepted,
            replies_right_away=replies_right_away,
        )

    def immediate(self, person_id: int, subject_id: str, group: list[Notification]) -> None:
        person = self.batch.people[person_id]
        section = self._section(person, subject_id, shown_once(group, self.batch.events))
        accepted = self._reply_to(person_id, subject_id) is not None
        context = self._context(person, [section], replies_accepted=accepted)
        first_line = self.batch.thread_subjects.get((person_id, subject_id))
        subject_line = first_line or f"[{self.settings.network_name}] {section.title}"
        self._draft(
            person, group, MailKind.IMMEDIATE, subject_line, "immediate", context, subject_id
        )

    def digest(self, person_id: int, group: list[Notification]) -> None:
        person = self.batch.people[person_id]
        by_subject: dict[str, list[Notification]] = defaultdict(list)
        for notification in shown_once(group, self.batch.events):
            by_subject[notification.followed_subject_id].append(notification)
        sections = [self._section(person, subject, items) for subject, items in by_subject.items()]
        weekly = all(n.delivery == DeliveryMode.WEEKLY_DIGEST for n in group)
        period = "weekly" if weekly else "daily"
        count = sum(len(items) for items in by_subject.values())
        noun = "update" if count == 1 else "updates"
        subject_line = f"[{self.settings.network_name}] Your {period} digest: {count} {noun}"
        # Mailed right away, some of these conversations would take replies: the footer says so.
        right_away = any(self._takes_replies(subject) for subject in by_subject)
        context = self._context(person, sections, period, replies_right_away=right_away)
        self._draft(person, group, MailKind.DIGEST, subject_line, "digest", context, None)

    def _draft(
        self,
        person: Person,
        group: list[Notification],
        kind: MailKind,
        subject_line: str,
        layout: str,
        context: MailContext,
        subject_id: str | None,
    ) -> None:
        suppressed = person.email_key in self.batch.suppressed
        row = OutgoingMail(
            person_id=person.id,
            to_address=person.email,
            message_id=f"<pending-{secrets.token_hex(16)}>",
            kind=kind,
            thread_subject_id=subject_id or "",
            subject_line=one_line(subject_line, 300),
            message="",
            status=MailStatus.SUPPRESSED if suppressed else MailStatus.QUEUED,
            attempts=0,
            next_attempt_at=self.now,
            created_at=self.now,
            historical=self.historical,
        )
        self.drafts.append(_Draft(row, person, group, layout, context, subject_id))

    async def write(self) -> int:
        """Insert every message (one batch, for their ids), then render each and link its
        notifications: a fixed number of statements however many messages there are."""
        if not self.drafts:
            return 0
        self.session.add_all(draft.row for draft in self.drafts)
        await self.session.flush()
        links: list[dict[str, int]] = []
        for draft in self.drafts:
            self._render(draft)
            links.extend({"id": n.id, "mail_id": draft.row.id} for n in draft.group)
        await self.session.execute(update(Notification), links)
        return len(self.drafts)

    def _topic(self, subject_line: str) -> str:
        """The thread's topic: its (kept) subject line without the network's tag."""
        return subject_line.removeprefix(f"[{self.settings.network_name}] ")

    def _render(self, draft: _Draft) -> None:
        row, person, subject_id = draft.row, draft.person, draft.subject_id
        row.message_id = new_message_id(row.id, self.sender.domain)
        rendered = self.renderer.render(draft.layout, draft.context)
        envelope = Envelope(
            sender=self.sender,
            to_name=person.display_name,
            to_address=person.email,
            subject=row.subject_line,
            message_id=row.message_id,
            date=self.now,
            list_name=f"{self.settings.network_name} notifications",
            unsubscribe_url=self._unsubscribe_url(person.id, subject_id),
            unsubscribe_token=self._unsubscribe_token(person.id, subject_id),
            thread_root=thread_root_id(person.id, subject_id, self.sender.domain)
            if subject_id
            else None,
            thread_topic=self._topic(row.subject_line) if subject_id else None,
            reply_to=self._reply_to(person.id, subject_id),
        )
        try:
            row.message = build_message(envelope, rendered.text, rendered.html)
        except (ValueError, IndexError) as error:
            # An address the email package cannot write (a data problem): recorded, not retried.
            row.status = MailStatus.FAILED
            row.last_error = f"cannot build the message for {parseaddr(person.email)[1]!r}: {error}"
            log.error("mail %s: %s", row.id, row.last_error)
