"""Sending queued mail (the worker's third step): claim with a lease, deliver, record the outcome.

- A claim moves QUEUED rows whose ``next_attempt_at`` has passed (and SENDING rows whose lease
  expired: their sender died) to SENDING under this worker's lease and counts an attempt. On
  PostgreSQL candidates are locked ``FOR UPDATE SKIP LOCKED``, so workers take disjoint rows.
- The lease runs from the time of the claim, and before each message the sender renews it (only
  while the row is still SENDING under its own name): a batch that takes longer than one lease
  (a slow SMTP server) keeps its rows. If the lease was lost anyway (the worker stalled longer
  than a lease, and another worker took the rows over), the rest of the batch is left to the new
  holder, and the outcome of the message in flight is not recorded over the new holder's.
- Each outcome is committed on its own, right after its message: a worker killed mid-batch
  leaves its delivered messages SENT and the rest to be claimed again once the lease lapses. A
  message the server accepted just before the kill is the one that can go out twice. (These
  commits do not wait for the disk: a crash of the database server itself, not of the worker,
  could forget the last few outcomes and re-send those messages.)
- 4xx (and connection problems): QUEUED again after an exponential backoff (ICN_MAIL_RETRY_SECONDS
  doubling, capped at ICN_MAIL_RETRY_MAX_SECONDS), DEAD after ICN_MAIL_MAX_ATTEMPTS.
- 5xx: FAILED, and the address is suppressed: later mail to it is SUPPRESSED, never attempted,
  until the person changes their address. An address this worker cannot send at all (not ASCII,
  and the server offers no SMTPUTF8) is FAILED but not suppressed.
- Historical mail (what a demo's past would have sent, see ``notifications.history``) is always
  written to the mail folder (ICN_MAIL_DIR), never handed to the SMTP transport.
- Anything else a transport raises (a bug, an unexpected library error) counts as a temporary
  failure of that message alone; the rest of the batch still goes out.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.notifications.mail.transport import (
    CONNECTION_PROBLEM,
    DeliveryRefused,
    FolderTransport,
    MailTransport,
    envelope_sender,
)
from icn_graph.notifications.models import MailStatus, OutgoingMail, SuppressedAddress

log = logging.getLogger(__name__)


@dataclass
class SendTally:
    """What became of the messages a sender claimed: for the worker's log line. A refusal
    (5xx, or an address that cannot be sent) counts as failed, never as sent."""

    sent: int = 0
    failed: int = 0
    retrying: int = 0
    dead: int = 0
    suppressed: int = 0

    def count(self, status: MailStatus) -> None:
        match status:
            case MailStatus.SENT:
                self.sent += 1
            case MailStatus.FAILED:
                self.failed += 1
            case MailStatus.QUEUED:
                self.retrying += 1
            case MailStatus.DEAD:
                self.dead += 1
            case MailStatus.SUPPRESSED:
                self.suppressed += 1
            case _:
                pass


@dataclass(frozen=True)
class _Claimed:
    id: int
    to_address: str
    message: str
    attempts: int
    historical: bool


def retry_delay(settings: Settings, attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: base, 2 x base, 4 x base ... capped."""
    seconds = settings.mail_retry_seconds * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.mail_retry_max_seconds))


def _claimable(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(OutgoingMail.status == MailStatus.QUEUED, OutgoingMail.next_attempt_at <= now),
        and_(OutgoingMail.status == MailStatus.SENDING, OutgoingMail.lease_until <= now),
    )


async def claim_mail(
    session: AsyncSession, *, now: datetime, worker_id: str, lease_seconds: float, limit: int
) -> list[_Claimed]:
    # The candidates are read (and locked) first, then updated by id: PostgreSQL may evaluate a
    # LIMIT ... SKIP LOCKED subquery inside UPDATE ... WHERE id IN (...) more than once, which
    # can claim more rows than the limit.
    candidates = await session.scalars(
        select(OutgoingMail.id)
        .where(_claimable(now))
        .order_by(OutgoingMail.next_attempt_at, OutgoingMail.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list(candidates)
    if not ids:
        return []
    statement = (
        update(OutgoingMail)
        .where(OutgoingMail.id.in_(ids), _claimable(now))
        .values(
            status=MailStatus.SENDING,
            lease_until=now + timedelta(seconds=lease_seconds),
            leased_by=worker_id,
            attempts=OutgoingMail.attempts + 1,
        )
        .returning(
            OutgoingMail.id,
            OutgoingMail.to_address,
            OutgoingMail.message,
            OutgoingMail.attempts,
            OutgoingMail.historical,
        )
    )
    options: dict[str, Any] = {"synchronize_session": False}
    rows = await session.execute(statement, execution_options=options)
    return sorted((_Claimed(*row) for row in rows), key=lambda claimed: claimed.id)


Clock = Callable[[], datetime]


def wall_clock() -> datetime:
    return datetime.now(UTC)


def _clock_for(now: datetime | None, clock: Clock | None) -> Clock:
    if now is not None and clock is not None:
        raise TypeError("give either now (a fixed, simulated time) or clock, not both")
    if clock is not None:
        return clock
    if now is not None:
        return lambda: now
    return wall_clock


async def send_due_mail(
    db: Database,
    settings: Settings,
    transport: MailTransport,
    *,
    now: datetime | None = None,
    clock: Clock | None = None,
    worker_id: str,
    lease_seconds: float = 60,
    limit: int = 100,
    tally: SendTally | None = None,
) -> int:
    """Claim and send up to ``limit`` messages; how many were claimed. ``tally``, if given,
    counts each outcome recorded (sent, failed, retrying, dead, suppressed).

    Times come from ``clock`` (read at the claim, before each message and at each outcome;
    the wall clock by default), or are all ``now`` when a fixed time is given (tests simulate
    time that way)."""
    clock = _clock_for(now, clock)
    async with db.transaction() as session:
        claimed = await claim_mail(
            session, now=clock(), worker_id=worker_id, lease_seconds=lease_seconds, limit=limit
        )
    if not claimed:
        return 0
    sender = envelope_sender(settings)
    folder = FolderTransport(settings.mail_dir)
    suppressed = await _suppressed(db, {mail.to_address.lower() for mail in claimed})
    async with _outcomes(db, worker_id, tally or SendTally()) as outcomes:
        for index, mail in enumerate(claimed):
            if not await outcomes.renew(mail.id, clock() + timedelta(seconds=lease_seconds)):
                rest = len(claimed) - index
                log.warning(
                    "worker %s lost its lease on mail %s (another worker took it over); "
                    "leaving the %d messages left in its batch to that worker",
                    worker_id,
                    mail.id,
                    rest,
                )
                break
            if mail.to_address.lower() in suppressed:
                await outcomes.finish(mail.id, MailStatus.SUPPRESSED)
                continue
            if mail.attempts > settings.mail_max_attempts:
                # Claimed again and again by senders that died before finishing: give up.
                error = "no outcome recorded after the last attempts (the sender stopped each time)"
                await outcomes.finish(mail.id, MailStatus.DEAD, last_error=error)
                continue
            try:
                # History's mail never reaches a real address, whatever ICN_SMTP_HOST says.
                through = folder if mail.historical else transport
                await through.send(sender, mail.to_address, mail.message)
            except DeliveryRefused as refused:
                suppressed |= await _refused(db, outcomes, settings, mail, refused, clock())
            except Exception as error:  # one message's problem, not the batch's
                log.exception("mail %s to %s: the transport failed", mail.id, mail.to_address)
                unexpected = DeliveryRefused(
                    CONNECTION_PROBLEM, f"unexpected error: {type(error).__name__}: {error}"
                )
                suppressed |= await _refused(db, outcomes, settings, mail, unexpected, clock())
            else:
                await outcomes.finish(mail.id, MailStatus.SENT, sent_at=clock(), last_error=None)
    return len(claimed)


# Outcome commits wait for the database's own process, not for the disk: still durable if the
# worker dies (what the lease protects against), at a fraction of the cost per message.
_RELAXED = {
    "postgresql": ("SET synchronous_commit TO off", "RESET synchronous_commit"),
    "sqlite": ("PRAGMA synchronous = NORMAL", "PRAGMA synchronous = FULL"),
}


@asynccontextmanager
async def _outcomes(db: Database, worker_id: str, tally: SendTally) -> AsyncIterator[_Outcomes]:
    """Each outcome is one autocommitted UPDATE on a connection kept for the batch, committed
    before the next message goes out, so a killed worker re-sends at most the one in flight."""
    relax, restore = _RELAXED.get(db.dialect, ("", ""))
    async with db.engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        if relax:
            await autocommit.execute(text(relax))
        try:
            yield _Outcomes(autocommit, worker_id, tally)
        finally:
            if restore:
                await autocommit.execute(text(restore))


def _held_by(mail_id: int, worker_id: str) -> ColumnElement[bool]:
    """The row is still this worker's: SENDING under its name (not taken over since)."""
    return and_(
        OutgoingMail.id == mail_id,
        OutgoingMail.leased_by == worker_id,
        OutgoingMail.status == MailStatus.SENDING,
    )


class _Outcomes:
    def __init__(self, connection: AsyncConnection, worker_id: str, tally: SendTally) -> None:
        self.connection = connection
        self.worker_id = worker_id
        self.tally = tally

    async def renew(self, mail_id: int, lease_until: datetime) -> bool:
        """Extend this worker's lease on ``mail_id``; False if the lease is no longer its own."""
        result = await self.connection.execute(
            update(OutgoingMail)
            .where(_held_by(mail_id, self.worker_id))
            .values(lease_until=lease_until)
        )
        return bool(result.rowcount)

    async def finish(self, mail_id: int, status: MailStatus, **values: Any) -> bool:
        """Record an outcome, only while the lease is this worker's; False if it was lost (the
        new holder's outcome stands)."""
        result = await self.connection.execute(
            update(OutgoingMail)
            .where(_held_by(mail_id, self.worker_id))
            .values(status=status, lease_until=None, leased_by=None, **values)
        )
        if not result.rowcount:
            log.warning(
                "worker %s lost its lease on mail %s before recording %s; not recorded",
                self.worker_id,
                mail_id,
                status.value,
            )
        else:
            self.tally.count(status)
        return bool(result.rowcount)


async def _suppressed(db: Database, keys: set[str]) -> set[str]:
    async with db.session() as session:
        rows = await session.scalars(
            select(SuppressedAddress.email_key).where(SuppressedAddress.email_key.in_(keys))
        )
        return set(rows)


async def _refused(
    db: Database,
    outcomes: _Outcomes,
    settings: Settings,
    mail: _Claimed,
    refused: DeliveryRefused,
    now: datetime,
) -> set[str]:
    """Record a refusal; the address it suppressed, if any."""
    error = str(refused)[:2000]
    if refused.permanent and not refused.suppress:
        log.warning("mail %s to %s cannot be sent: %s", mail.id, mail.to_address, error)
        await outcomes.finish(mail.id, MailStatus.FAILED, last_error=error)
        return set()
    if refused.permanent:
        log.warning("mail %s to %s refused permanently: %s", mail.id, mail.to_address, error)
        key = mail.to_address.lower()
        for attempt in (1, 2):
            try:
                async with db.transaction() as session:
                    failed = await session.execute(
                        update(OutgoingMail)
                        .where(_held_by(mail.id, outcomes.worker_id))
                        .values(
                            status=MailStatus.FAILED,
                            lease_until=None,
                            leased_by=None,
                            last_error=error,
                        )
                    )
                    if await session.get(SuppressedAddress, key) is None:
                        session.add(
                            SuppressedAddress(
                                email_key=key, reason=error, smtp_code=refused.code, created_at=now
                            )
                        )
                if getattr(failed, "rowcount", 0):
                    outcomes.tally.count(MailStatus.FAILED)
                break
            except IntegrityError:
                if attempt == 2:
                    raise
                # Another worker suppressed the address at the same moment: its row stands.
        return {key}
    if mail.attempts >= settings.mail_max_attempts:
        log.warning(
            "mail %s to %s dead after %d attempts: %s",
            mail.id,
            mail.to_address,
            mail.attempts,
            error,
        )
        await outcomes.finish(mail.id, MailStatus.DEAD, last_error=error)
    else:
        retry_at = now + retry_delay(settings, mail.attempts)
        log.info(
            "mail %s to %s refused for now (%s); retry at %s",
            mail.id,
            mail.to_address,
            error,
            retry_at,
        )
        await outcomes.finish(
            mail.id, MailStatus.QUEUED, next_attempt_at=retry_at, last_error=error
        )
    return set()
