"""One received message, from bytes to a post (or a recorded reason why not).

Every message delivered to a reply address leaves one ``inbound_mail`` row, whatever becomes of
it, written in the transaction that does it: the handler's post, a refusal and the mail telling
the sender, or the note that it was ignored. A second delivery of the same message (an MTA
retrying after a lost answer) finds the row and does nothing. A failure that may pass (the
database unreachable) raises :class:`TemporaryFailure` and records nothing, so the MTA's retry
gets a clean second chance.

A message the email package fails on is refused as unreadable (recorded, not answered).

Order of checks: automatic (ignored), reply address, sender (unverified, or deactivated:
refused without an answer), then, for a verified person, rate limit, size, text and the handler
(refused with an answer). Whatever the outcome, its row is written first in its transaction: a
message received before (the same Message-ID to the same address) stops there, having done
nothing. Only a verified delivery is recorded under the plain Message-ID (see ``_Record.key``):
anyone can write any Message-ID, and must not pre-empt the reply that will carry it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.errors import ServiceError
from icn_graph.ids import parse_global_id
from icn_graph.models import Person
from icn_graph.notifications.mail.reply_address import ReplyTarget, read_reply_address
from icn_graph.notifications.mail_in.attachments import file_names
from icn_graph.notifications.mail_in.classify import automatic
from icn_graph.notifications.mail_in.limits import RATE_LIMITED, Recent, recent
from icn_graph.notifications.mail_in.parse import (
    MAX_PARTS,
    ParsedMail,
    Unreadable,
    parse,
    reply_address_in,
    unparsed,
)
from icn_graph.notifications.mail_in.refusal import (
    Answered,
    queue_files_not_kept,
    queue_refusal,
)
from icn_graph.notifications.mail_in.text import new_text
from icn_graph.notifications.mail_in.verify import from_address, unverified
from icn_graph.notifications.models import InboundMail, InboundOutcome
from icn_graph.notifications.reply_handlers import (
    InboundReply,
    ReplyHandlerRegistry,
    reply_handlers,
)
from icn_graph.services.viewers import viewers_of

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


class TemporaryFailure(Exception):
    """Nothing was recorded; the MTA should deliver the message again later."""


@dataclass(frozen=True)
class Outcome:
    outcome: InboundOutcome
    reason: str | None = None
    duplicate: bool = False  # delivered before: nothing done this time
    replied: bool = False  # a refusal mail was queued for the sender


class _Duplicate(Exception):
    pass


class _OverLimit(Exception):
    pass


def _wall_clock() -> datetime:
    return datetime.now(UTC)


class MailReceiver:
    """Receives replies for one database with the reply handlers in use (or ``registry``)."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        registry: ReplyHandlerRegistry | None = None,
        clock: Clock = _wall_clock,
    ) -> None:
        if not settings.mail_reply_domain:
            raise ValueError("ICN_MAIL_REPLY_DOMAIN is not set: there are no reply addresses")
        self.db = db
        self.settings = settings
        self.registry = registry if registry is not None else reply_handlers()
        self.clock = clock
        self.secret = settings.secret_key.get_secret_value()

    @property
    def domain(self) -> str:
        return self.settings.mail_reply_domain

    def target_of(self, address: str) -> ReplyTarget | None:
        """The person and subject a genuine reply address names (an SMTP RCPT check)."""
        return read_reply_address(self.secret, address, self.domain, self.registry)

    async def receive(
        self,
        raw: bytes,
        *,
        size: int | None = None,
        recipient: str | None = None,
        envelope_sender: str | None = None,
    ) -> Outcome:
        """Handle one message. ``size``: its real size when ``raw`` was cut at the limit;
        ``recipient``: the envelope recipient, if known (else found in the headers);
        ``envelope_sender``: ``MAIL FROM`` if known ("" for ``<>``; else ``Return-Path``)."""
        try:
            return await self._receive(raw, size, recipient, envelope_sender)
        except _Duplicate:
            return Outcome(InboundOutcome.IGNORED, "delivered before", duplicate=True)
        except (OperationalError, InterfaceError, OSError, TimeoutError) as error:
            raise TemporaryFailure(f"{type(error).__name__}: {error}") from error

    async def _receive(
        self, raw: bytes, size: int | None, recipient: str | None, envelope_sender: str | None
    ) -> Outcome:
        now = self.clock()
        limit = self.settings.mail_in_max_bytes
        total = len(raw) if size is None else size
        try:
            # Parsing and reading the text are CPU work: in a thread, not on the event loop
            # the listener's other connections are served on.
            mail = await asyncio.to_thread(
                parse, raw[: limit + 1] if total > limit else raw, size=total
            )
        except Unreadable as error:  # recorded and done with: retrying would fail the same way
            log.warning("mail-in: refused a message to %s: %s", recipient or "-", error)
            record = _Record(unparsed(raw, total), (recipient or "").lower()[:254], now)
            return await self._record(record, InboundOutcome.REFUSED, f"unreadable: {error}")
        address = (recipient or reply_address_in(mail.message, self.domain) or "").lower()
        record = _Record(mail, address, now)
        if envelope_sender is None:
            return_path = mail.message.get("Return-Path")
            envelope_sender = None if return_path is None else str(return_path)
        robot = automatic(mail.message, envelope_sender)
        target = self.target_of(address) if address and robot is None else None
        # What to read, on one connection: who it is, how many replies lately. (A message
        # received before is found when its row is written: see _claim.)
        person: Person | None = None
        lately = Recent(0, False)
        if target is not None:
            async with self.db.session() as session:
                person = await session.get(Person, target.person_id)
                if person is not None:
                    lately = await recent(session, person.id, now)
        if robot is not None:
            log.info("mail-in: ignored %s to %s: %s", mail.key, address or "-", robot)
            return await self._record(record, InboundOutcome.IGNORED, f"automatic: {robot}")
        if target is None:
            reason = "bad_address: no valid reply address (altered, or no longer accepted)"
            log.warning("mail-in: refused %s to %s: %s", mail.key, address or "-", reason)
            return await self._record(record, InboundOutcome.REFUSED, reason)
        record.subject_id = target.subject_id
        if person is None:
            problem: str | None = "the person is gone"
        elif person.deactivated_at is not None:  # like a revoked token: refused, unanswered
            problem = "the person's account is deactivated"
        else:
            problem = unverified(mail.message, envelope_sender, person.email_key)
        if person is None or problem is not None:
            log.warning("mail-in: refused %s to %s: %s", mail.key, address, problem)
            return await self._record(record, InboundOutcome.REFUSED, f"unverified: {problem}")
        record.person_id = person.id
        if lately.replies >= self.settings.mail_in_max_per_hour:
            return await self._over_limit(record, person)
        return await self._post(record, person, target)

    async def _over_limit(self, record: _Record, person: Person) -> Outcome:
        per_hour = self.settings.mail_in_max_per_hour
        reason = (
            f"you sent more than {per_hour} replies by email in the last hour. Wait a "
            "little, or post in the app."
        )
        return await self._refuse(record, person, RATE_LIMITED, reason, once_an_hour=True)

    async def _post(self, record: _Record, person: Person, target: ReplyTarget) -> Outcome:
        mail, now = record.mail, record.now
        if mail.too_many_parts:
            reason = (
                f"it has more than {MAX_PARTS} parts (attachments, images), and replies by "
                "email can only post text. Send only your text."
            )
            return await self._refuse(record, person, "too_many_parts", reason)
        if not mail.complete:
            reason = (
                f"it is {mail.size:,} bytes, more than the {self.settings.mail_in_max_bytes:,} "
                "a reply by email may be. Send only your text, without attachments."
            )
            return await self._refuse(record, person, "too_large", reason)
        try:
            text = await asyncio.to_thread(new_text, mail.message)
        except ServiceError as unpostable:
            code = unpostable.field or "text"
            return await self._refuse(record, person, code, unpostable.message)
        type_name, _pk = parse_global_id(target.subject_id)
        handler = self.registry.get(type_name)
        if handler is None:  # a type whose plugin stopped accepting replies since the token
            return await self._refuse(record, person, "closed", "replies are not accepted here.")
        reply = InboundReply(person.id, target.subject_id, text.text, mail.message_id, now)
        try:
            async with self.db.transaction() as session:
                # Counted again, one reply of the person's at a time (their row locked; on SQLite
                # the insert takes the write lock): replies arriving at once all read the count
                # above before any was written.
                await session.get(Person, person.id, with_for_update=True)
                row = await self._claim(session, record, InboundOutcome.POSTED, None, False)
                lately = await recent(session, person.id, now)
                if lately.replies > self.settings.mail_in_max_per_hour:  # this one included
                    raise _OverLimit
                viewer = (await viewers_of(session, [person.id]))[person.id]
                await handler.handle(session, viewer, reply)
                if text.dropped_files:
                    self._tell_files_not_kept(session, record, person, row, text.dropped_files)
        except _Duplicate:
            raise
        except _OverLimit:
            return await self._over_limit(record, person)
        except ServiceError as refused:
            return await self._refuse(record, person, "refused", refused.message)
        except (OperationalError, InterfaceError, OSError, TimeoutError):
            raise
        except Exception:
            log.exception(
                "mail-in: the reply handler of %s failed on %s", type_name, record.mail.key
            )
            reason = "something went wrong on our side. Please post your reply in the app."
            return await self._refuse(record, person, "error", reason)
        log.info("mail-in: posted %s from person %s to %s", mail.key, person.id, target.subject_id)
        return Outcome(InboundOutcome.POSTED, row.reason, replied=row.replied)

    def _tell_files_not_kept(
        self,
        session: AsyncSession,
        record: _Record,
        person: Person,
        row: InboundMail,
        files: Sequence[str],
    ) -> None:
        """Posted without its files: noted on its row, and the sender told which."""
        names = file_names(files)
        row.reason = f"files_not_kept: {names}"
        row.replied = True
        queue_files_not_kept(session, self.settings, person, record.answered, names)

    async def _refuse(
        self, record: _Record, person: Person, code: str, reason: str, *, once_an_hour: bool = False
    ) -> Outcome:
        """Refused, and the person told why; ``once_an_hour``: unless already told of this in
        the last hour (decided with their row locked, after this refusal's row is written, so
        that of refusals arriving at once only one tells them)."""
        key = record.mail.key
        log.info("mail-in: refused %s from person %s: %s: %s", key, person.id, code, reason)
        async with self.db.transaction() as session:
            if once_an_hour:
                await session.get(Person, person.id, with_for_update=True)
            row = await self._claim(
                session, record, InboundOutcome.REFUSED, f"{code}: {reason}", not once_an_hour
            )
            answer = not once_an_hour or not (await recent(session, person.id, record.now)).told
            if answer:
                row.replied = True
                queue_refusal(session, self.settings, person, record.answered, reason)
        return Outcome(InboundOutcome.REFUSED, reason, replied=answer)

    async def _record(self, record: _Record, outcome: InboundOutcome, reason: str) -> Outcome:
        async with self.db.transaction() as session:
            await self._claim(session, record, outcome, reason, False)
        return Outcome(outcome, reason)

    async def _claim(
        self,
        session: AsyncSession,
        record: _Record,
        outcome: InboundOutcome,
        reason: str | None,
        replied: bool,
    ) -> InboundMail:
        """Write the message's row first in the transaction: a concurrent delivery of the same
        message stops here (the unique key) instead of acting twice."""
        row = InboundMail(
            message_id=record.key,
            recipient=record.address[:254],
            person_id=record.person_id,
            subject_id=record.subject_id,
            from_address=(from_address(record.mail.message) or "")[:254],
            size=record.mail.size,
            outcome=outcome,
            reason=reason,
            replied=replied,
            received_at=record.now,
        )
        session.add(row)
        try:
            await session.flush()
        except IntegrityError as error:
            raise _Duplicate from error
        return row


@dataclass
class _Record:
    mail: ParsedMail
    address: str
    now: datetime
    person_id: int | None = None
    subject_id: str = ""

    @property
    def key(self) -> str:
        """What the row is deduplicated by. A verified delivery's is the message's key; any
        other's is marked ("~"), so a forged message carrying the Message-ID of a reply yet to
        come cannot make that reply a duplicate (a Message-ID starts "<", never "~")."""
        return self.mail.key if self.person_id is not None else f"~{self.mail.key}"

    @property
    def answered(self) -> Answered:
        """The reply, as a refusal or notice answering it names it."""
        return Answered(self.mail.subject, self.mail.message_id, self.subject_id, self.now)
