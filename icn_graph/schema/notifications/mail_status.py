"""``notificationDelivery``: how notification mail is doing. Staff only."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry

from icn_graph.notifications.mail import status as service
from icn_graph.notifications.models import MailStatus
from icn_graph.schema.context import Info
from icn_graph.schema.described_enums import described_enum

described_enum(
    MailStatus,
    name="MailStatus",
    description="Where a notification mail stands.",
    values={
        MailStatus.QUEUED: "Waiting to be sent (retries after a temporary refusal wait here too).",
        MailStatus.SENDING: "Being handed to the mail server by a worker.",
        MailStatus.SENT: "Accepted by the mail server.",
        MailStatus.FAILED: "Refused for good (a 5xx answer); the address is now suppressed.",
        MailStatus.DEAD: "Refused for the time being (4xx) until the retry limit: given up.",
        MailStatus.SUPPRESSED: "Not attempted: the address is suppressed.",
    },
)


@strawberry.type(description="A message that failed or was dead-lettered.")
class ProblemMail:
    to_address: str = strawberry.field(description="Who it was for.")
    subject_line: str = strawberry.field(description="Its Subject header.")
    status: MailStatus = strawberry.field(description="FAILED or DEAD.")
    attempts: int = strawberry.field(description="How many times sending was tried.")
    last_error: str = strawberry.field(description="The SMTP server's last answer.")
    created_at: datetime = strawberry.field(description="When it was composed (UTC).")

    @classmethod
    def from_service(cls, mail: service.ProblemMail) -> ProblemMail:
        return cls(
            to_address=mail.to_address,
            subject_line=mail.subject_line,
            status=mail.status,
            attempts=mail.attempts,
            last_error=mail.last_error,
            created_at=mail.created_at,
        )


@strawberry.type(
    description="An address that refused mail permanently; it gets none until changed."
)
class SuppressedAddress:
    email: str = strawberry.field(description="The address, in lower case.")
    reason: str = strawberry.field(description="The refusal that suppressed it.")
    smtp_code: int | None = strawberry.field(
        description="The SMTP reply code of that refusal (e.g. 550); null if none."
    )
    created_at: datetime = strawberry.field(description="When it was suppressed (UTC).")


@strawberry.type(description="Notification mail: queue depth, deliveries, failures, dead letters.")
class NotificationDelivery:
    pending_notifications: int = strawberry.field(
        description="Notifications whose mail is planned but not composed yet."
    )
    due_notifications: int = strawberry.field(description="Of those, how many are due now.")
    queued_mail: int = strawberry.field(description="Messages waiting to be sent (retries too).")
    sending_mail: int = strawberry.field(description="Messages a worker is sending right now.")
    sent_last_24h: int = strawberry.field(description="Messages sent in the last 24 hours.")
    failed: int = strawberry.field(description="Messages refused permanently (5xx).")
    dead: int = strawberry.field(description="Messages dead-lettered after their last retry.")
    suppressed_address_count: int = strawberry.field(
        description="Addresses that get no mail, in all."
    )
    recent_failures: list[ProblemMail] = strawberry.field(
        description="The newest FAILED messages (at most 20)."
    )
    dead_letters: list[ProblemMail] = strawberry.field(
        description="The newest DEAD messages (at most 20)."
    )
    suppressed_addresses: list[SuppressedAddress] = strawberry.field(
        description="The most recently suppressed addresses (at most 20)."
    )


async def resolve_notification_delivery(info: Info) -> NotificationDelivery:
    info.context.viewer.require_staff("see notification delivery")
    found = await service.delivery_status(info.context.db, now=datetime.now(UTC))
    return NotificationDelivery(
        pending_notifications=found.pending_notifications,
        due_notifications=found.due_notifications,
        queued_mail=found.queued_mail,
        sending_mail=found.sending_mail,
        sent_last_24h=found.sent_last_24h,
        failed=found.failed,
        dead=found.dead,
        suppressed_address_count=found.suppressed_addresses,
        recent_failures=[ProblemMail.from_service(mail) for mail in found.recent_failures],
        dead_letters=[ProblemMail.from_service(mail) for mail in found.dead_letters],
        suppressed_addresses=[
            SuppressedAddress(
                email=entry.email,
                reason=entry.reason,
                smtp_code=entry.smtp_code,
                created_at=entry.created_at,
            )
            for entry in found.suppressions
        ],
    )
