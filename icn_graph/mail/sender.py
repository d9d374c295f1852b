"""Sending queued mail (the worker's third step): claim with a lease, deliver, record the outcome.

- A claim moves QUEUED rows whose ``next_attempt_at`` has passed (and SENDING rows whose lease
  expired: their sender died) to SENDING under this worker's lease and counts an attempt. On
  PostgreSQL candidates are locked ``FOR UPDATE SKIP LOCKED``, so workers take disjoint rows.
- Each outcome is committed on its own, right after its message: a worker killed mid-batch
  leaves its delivered messages SENT and the rest to be claimed again once the lease lapses. A
  message the server accepted just before the kill is the one that can go out twice. (These
  commits do not wait for the disk: a crash of the database server itself, not of the worker,
  could forget the last few outcomes and re-send those messages.)
- 4xx (and connection problems): QUEUED again after an exponential backoff (ICN_MAIL_RETRY_SECONDS
  doubling, capped at ICN_MAIL_RETRY_MAX_SECONDS), DEAD after ICN_MAIL_MAX_ATTEMPTS.
- 5xx: FAILED, and the address is suppressed: later mail to it is SUPPRESSED, never attempted,
  until the person changes their address.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.mail.transport import DeliveryRefused, MailTransport, envelope_sender
from icn_graph.models import MailStatus, OutgoingMail, SuppressedAddress

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Claimed:
    id: int
    to_address: str
    message: str
    attempts: int


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
            OutgoingMail.id, OutgoingMail.to_address, OutgoingMail.message, OutgoingMail.attempts
        )
    )
    options: dict[str, Any] = {"synchronize_session": False}
    rows = await session.execute(statement, execution_options=options)
    return sorted((_Claimed(*row) for row in rows), key=lambda claimed: claimed.id)


async def send_due_mail(
    db: Database,
    settings: Settings,
    transport: MailTransport,
    *,
    now: datetime,
    worker_id: str,
    lease_seconds: float = 60,
    limit: int = 100,
) -> int:
    """Claim and send up to ``limit`` messages; how many were claimed."""
    async with db.transaction() as session:
        claimed = await claim_mail(
            session, now=now, worker_id=worker_id, lease_seconds=lease_seconds, limit=limit
        )
    if not claimed:
        return 0
    sender = envelope_sender(settings)
    suppressed = await _suppressed(db, {mail.to_address.lower() for mail in claimed})
    async with _outcomes(db) as outcomes:
        for mail in claimed:
            if mail.to_address.lower() in suppressed:
                await outcomes.finish(mail.id, MailStatus.SUPPRESSED)
                continue
            if mail.attempts > settings.mail_max_attempts:
                # Claimed again and again by senders that died before finishing: give up.
                error = "no outcome recorded after the last attempts (the sender stopped each time)"
                await outcomes.finish(mail.id, MailStatus.DEAD, last_error=error)
                continue
            try:
                await transport.send(sender, mail.to_address, mail.message)
            except DeliveryRefused as refused:
                suppressed |= await _refused(db, outcomes, settings, mail, refused, now)
            else:
                await outcomes.finish(mail.id, MailStatus.SENT, sent_at=now, last_error=None)
    return len(claimed)


# Outcome commits wait for the database's own process, not for the disk: still durable if the
# worker dies (what the lease protects against), at a fraction of the cost per message.
_RELAXED = {
    "postgresql": ("SET synchronous_commit TO off", "RESET synchronous_commit"),
    "sqlite": ("PRAGMA synchronous = NORMAL", "PRAGMA synchronous = FULL"),
}


@asynccontextmanager
async def _outcomes(db: Database) -> AsyncIterator[_Outcomes]:
    """Each outcome is one autocommitted UPDATE on a connection kept for the batch, committed
    before the next message goes out, so a killed worker re-sends at most the one in flight."""
    relax, restore = _RELAXED.get(db.dialect, ("", ""))
    async with db.engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        if relax:
            await autocommit.execute(text(relax))
        try:
            yield _Outcomes(autocommit)
        finally:
            if restore:
                await autocommit.execute(text(restore))


class _Outcomes:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def finish(self, mail_id: int, status: MailStatus, **values: Any) -> None:
        await self.connection.execute(
            update(OutgoingMail)
            .where(OutgoingMail.id == mail_id)
            .values(status=status, lease_until=None, leased_by=None, **values)
        )


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
    if refused.permanent:
        log.warning("mail %s to %s refused permanently: %s", mail.id, mail.to_address, error)
        key = mail.to_address.lower()
        for attempt in (1, 2):
            try:
                async with db.transaction() as session:
                    await session.execute(
                        update(OutgoingMail)
                        .where(OutgoingMail.id == mail.id)
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
