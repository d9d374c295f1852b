"""How many replies by email a person sent lately (the rate limit), from ``inbound_mail``."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.notifications.models import InboundMail, InboundOutcome

WINDOW = timedelta(hours=1)
RATE_LIMITED = "rate_limited"  # the field of a rate-limit refusal's reason


async def recent_replies(session: AsyncSession, person_id: int, now: datetime) -> int:
    """The person's verified replies (posted or refused) received in the last hour."""
    count = await session.scalar(
        select(func.count())
        .select_from(InboundMail)
        .where(
            InboundMail.person_id == person_id,
            InboundMail.received_at > now - WINDOW,
            InboundMail.outcome != InboundOutcome.IGNORED,
        )
    )
    return int(count or 0)


async def told_about_limit(session: AsyncSession, person_id: int, now: datetime) -> bool:
    """Whether the person was already mailed about the rate limit in the last hour (once is
    enough: a runaway script must not make us one)."""
    found = await session.scalar(
        select(InboundMail.id)
        .where(
            InboundMail.person_id == person_id,
            InboundMail.received_at > now - WINDOW,
            InboundMail.replied.is_(True),
            InboundMail.reason.startswith(f"{RATE_LIMITED}:"),
        )
        .limit(1)
    )
    return found is not None
