"""An invitation's state, read from its times: accepted, withdrawn, expired or pending."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ColumnElement, and_

from icn_graph.models import Invitation


class InvitationState(enum.StrEnum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    EXPIRED = "EXPIRED"
    REVOKED = "REVOKED"


def state_of(invitation: Invitation, now: datetime) -> InvitationState:
    if invitation.accepted_at is not None:
        return InvitationState.ACCEPTED
    if invitation.revoked_at is not None:
        return InvitationState.REVOKED
    if invitation.expires_at <= now:
        return InvitationState.EXPIRED
    return InvitationState.PENDING


def usable(now: datetime) -> ColumnElement[bool]:
    """Rows whose link still works: neither used nor withdrawn, not expired."""
    return and_(
        Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None),
        Invitation.expires_at > now,
    )


def in_state(state: InvitationState, now: datetime) -> ColumnElement[bool]:
    """The SQL twin of :func:`state_of`."""
    if state is InvitationState.PENDING:
        return usable(now)
    if state is InvitationState.ACCEPTED:
        return Invitation.accepted_at.is_not(None)
    if state is InvitationState.REVOKED:
        return and_(Invitation.accepted_at.is_(None), Invitation.revoked_at.is_not(None))
    return and_(
        Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None),
        Invitation.expires_at <= now,
    )
