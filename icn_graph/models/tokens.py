"""Bearer tokens and sign-in links: secrets stored only as SHA-256 hashes.

Three kinds of bearer token share one table: ``CLI`` tokens minted by ``icn-graph token create``,
``SESSION`` tokens issued by signing in (expiring, extended by use) and ``PERSONAL`` access
tokens people make for scripts (a name, an optional expiry, optionally read-only).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, false
from sqlalchemy.orm import Mapped, mapped_column

from icn_graph.db.base import Base
from icn_graph.db.types import UTCDateTime, utcnow
from icn_graph.models.columns import enum_column


class TokenKind(enum.StrEnum):
    CLI = "CLI"
    SESSION = "SESSION"
    PERSONAL = "PERSONAL"


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The CLI's label, or a personal access token's name.
    label: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    kind: Mapped[TokenKind] = mapped_column(
        enum_column(TokenKind, "token_kind"), default=TokenKind.CLI, server_default="CLI"
    )
    # None: never expires (CLI tokens, personal access tokens made without an expiry).
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Written at most once per ICN_TOKEN_TOUCH_SECONDS; a session's expiry moves with it.
    # None: never used.
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    read_only: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The User-Agent that signed in (sessions): what `viewer.sessions` calls the device.
    user_agent: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # The session a personal access token was made with: revoking the session revokes it too.
    # None: made otherwise (a CLI token), or not a personal access token.
    made_by_session_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="SET NULL"), default=None, index=True
    )


class SignInLink(Base):
    """A mailed sign-in link's token: single-use (``used_at``), valid until ``expires_at``."""

    __tablename__ = "sign_in_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    __table_args__ = (Index("ix_sign_in_links_person_id", "person_id"),)
