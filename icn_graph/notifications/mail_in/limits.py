"""How many replies by email a person sent lately (the rate limit), from ``inbound_mail``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.notifications.models import InboundMail, InboundOutcome

WINDOW = timedelta(hours=1)
RATE_LIMITED = "rate_limited"  # the code a rate-limit refusal's reason starts with


@dataclass(frozen=True)
class Recent:
    replies: int  # verified replies (posted or refused) received in the last hour
    # Whether the person was already mailed about the limit in that hour (once is enough: a
    # runaway script must not make us one).
    told: bool


async def recent(session: AsyncSession, person_id: int, now: datetime) -> Recent:
    """The person's last hour of replies, in one query."""
    told_row = and_(InboundMail.replied.is_(True), InboundMail.reason.startswith(RATE_LIMITED))
    replies, told = (
        await session.execute(
            select(func.count(), func.coalesce(func.max(case((told_row, 1), else_=0)), 0)).where(
                InboundMail.person_id == person_id,
                InboundMail.received_at > now - WINDOW,
                InboundMail.outcome != InboundOutcome.IGNORED,
            )
        )
    ).one()
    return Recent(int(replies), bool(told))
