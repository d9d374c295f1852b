"""How delivery is doing: queue depth, recent sends, failures, dead letters, suppressed addresses.

Shown by ``icn-graph notifications status`` and, to staff, by ``notificationDelivery`` in GraphQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from icn_graph.db.database import Database
from icn_graph.notifications.models import (
    EmailStatus,
    MailStatus,
    Notification,
    OutgoingMail,
    SuppressedAddress,
)

LISTED = 20


@dataclass(frozen=True)
class ProblemMail:
    id: int
    to_address: str
    subject_line: str
    status: MailStatus
    attempts: int
    last_error: str
    created_at: datetime


@dataclass(frozen=True)
class Suppression:
    email: str
    reason: str
    smtp_code: int | None
    created_at: datetime


@dataclass(frozen=True)
class DeliveryStatus:
    pending_notifications: int
    due_notifications: int
    queued_mail: int
    sending_mail: int
    sent_last_24h: int
    failed: int
    dead: int
    suppressed_addresses: int
    recent_failures: list[ProblemMail]
    dead_letters: list[ProblemMail]
    suppressions: list[Suppression]


async def delivery_status(db: Database, *, now: datetime, listed: int = LISTED) -> DeliveryStatus:
    async with db.session() as session:
        pending, due = (
            await session.execute(
                select(
                    func.count(),
                    func.count().filter(Notification.email_due_at <= now),
                ).where(Notification.email_status == EmailStatus.PENDING)
            )
        ).one()
        rows = await session.execute(
            select(OutgoingMail.status, func.count()).group_by(OutgoingMail.status)
        )
        by_status: dict[MailStatus, int] = {status: count for status, count in rows}
        sent_recently = await session.scalar(
            select(func.count()).where(
                OutgoingMail.status == MailStatus.SENT,
                OutgoingMail.sent_at >= now - timedelta(hours=24),
            )
        )
        suppressed_count = await session.scalar(select(func.count()).select_from(SuppressedAddress))

        async def problems(status: MailStatus) -> list[ProblemMail]:
            rows = await session.scalars(
                select(OutgoingMail)
                .where(OutgoingMail.status == status)
                .order_by(OutgoingMail.id.desc())
                .limit(listed)
            )
            return [
                ProblemMail(
                    id=row.id,
                    to_address=row.to_address,
                    subject_line=row.subject_line,
                    status=row.status,
                    attempts=row.attempts,
                    last_error=row.last_error or "",
                    created_at=row.created_at,
                )
                for row in rows
            ]

        suppressions = await session.scalars(
            select(SuppressedAddress).order_by(SuppressedAddress.created_at.desc()).limit(listed)
        )
        return DeliveryStatus(
            pending_notifications=pending,
            due_notifications=due,
            queued_mail=by_status.get(MailStatus.QUEUED, 0),
            sending_mail=by_status.get(MailStatus.SENDING, 0),
            sent_last_24h=sent_recently or 0,
            failed=by_status.get(MailStatus.FAILED, 0),
            dead=by_status.get(MailStatus.DEAD, 0),
            suppressed_addresses=suppressed_count or 0,
            recent_failures=await problems(MailStatus.FAILED),
            dead_letters=await problems(MailStatus.DEAD),
            suppressions=[
                Suppression(row.email_key, row.reason, row.smtp_code, row.created_at)
                for row in suppressions
            ],
        )


def status_report(status: DeliveryStatus) -> str:
    """The CLI's text."""
    lines = [
        f"notifications waiting for mail: {status.pending_notifications} "
        f"({status.due_notifications} due now)",
        f"mail queued: {status.queued_mail} (being sent: {status.sending_mail})",
        f"sent in the last 24 h: {status.sent_last_24h}",
        f"failed (refused permanently): {status.failed}",
        f"dead letters (retries exhausted): {status.dead}",
        f"suppressed addresses: {status.suppressed_addresses}",
    ]
    for title, mails in (
        ("dead letters", status.dead_letters),
        ("failures", status.recent_failures),
    ):
        if mails:
            lines.append(f"latest {title}:")
            lines.extend(
                f"  #{mail.id} to {mail.to_address}, {mail.attempts} attempts: {mail.last_error}"
                for mail in mails
            )
    if status.suppressions:
        lines.append("suppressed:")
        lines.extend(
            f"  {entry.email} ({entry.smtp_code or '-'}): {entry.reason}"
            for entry in status.suppressions
        )
    return "\n".join(lines)
