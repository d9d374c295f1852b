"""An invitation link's secret: 256 bits with its own prefix, stored only as its SHA-256 hash.
An unknown, used, expired or withdrawn link gets one and the same refusal."""

from __future__ import annotations

import secrets

from icn_graph.errors import InvalidInput, UserError, UserErrorCode
from icn_graph.services.tokens import MAX_TOKEN_LENGTH

INVITATION_PREFIX = "icninv_"

INVITATION_REFUSED = (
    "This invitation link is unknown, already used, expired or withdrawn; ask whoever invited "
    "you for a new one."
)


class InvitationRefused(InvalidInput):
    """Unknown, used, expired or withdrawn (or for an account that was deactivated): one answer."""

    def __init__(self) -> None:
        super().__init__([UserError("token", INVITATION_REFUSED, UserErrorCode.INVALID)])


def new_invitation_secret() -> str:
    return INVITATION_PREFIX + secrets.token_urlsafe(32)


def cleaned_secret(secret: str) -> str:
    """``secret`` trimmed; :class:`InvitationRefused` if it cannot be an invitation's."""
    secret = secret.strip()
    if not secret.startswith(INVITATION_PREFIX) or len(secret) > MAX_TOKEN_LENGTH:
        raise InvitationRefused()
    return secret
