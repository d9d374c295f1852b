"""Mail received by ``icn-graph mail-in``: one row per (message, reply address), whatever became
of it. It makes an MTA's retry a no-op (the unique Message-ID and recipient), counts a person's
replies for the rate limit, and is the audit of what was refused and why.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from icn_graph.db.base import Base
from icn_graph.db.types import UTCDateTime, utcnow
from icn_graph.models.columns import enum_column


class InboundOutcome(enum.StrEnum):
    POSTED = "POSTED"  # the handler posted the new text (``reason``: files_not_kept, if any)
    IGNORED = "IGNORED"  # an auto-reply or a bounce: nothing posted, nobody told
    REFUSED = "REFUSED"  # not posted; ``reason`` says why (the sender is told if verified)


class InboundMail(Base):
    __tablename__ = "inbound_mail"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The message's Message-ID, or "<sha256:...>" of its bytes when it has none; prefixed "~"
    # when the sender was not verified (such a row never blocks a verified reply's).
    message_id: Mapped[str] = mapped_column(String(250))
    # The reply address it was delivered to (lower case), or "" when it named none.
    recipient: Mapped[str] = mapped_column(String(254))
    # The verified sender; None when the sender could not be verified.
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), default=None
    )
    subject_id: Mapped[str] = mapped_column(String(100), default="")
    from_address: Mapped[str] = mapped_column(String(254), default="")
    size: Mapped[int] = mapped_column(default=0)
    outcome: Mapped[InboundOutcome] = mapped_column(enum_column(InboundOutcome, "inbound_outcome"))
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    # A refusal mail (or, for a post, the notice that its files were not kept) was queued.
    replied: Mapped[bool] = mapped_column(default=False)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("message_id", "recipient"),
        Index("ix_inbound_mail_person_id_received_at", "person_id", "received_at"),
    )
