"""Unsubscribe tokens: ``<person id>.<scope>.<expiry>.<signature>``, signed with ICN_SECRET_KEY.

The scope is a subject's global ID (stop mail about that subject: the follow is muted) or
``all`` (stop all notification mail: delivery OFF). The signature is HMAC-SHA256 over the person,
the address the mail went to, the scope and the expiry, so a token can be neither forged nor
re-scoped, and mail sent to an old address cannot change the choices of the person's new one.
The expiry is LINK_DAYS after the mail was composed: long, because people unsubscribe from
old mail (see docs/operations.md); an expiry further out than that is refused, so a token forged
with a leaked key cannot live forever either. Signatures are compared in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from icn_graph.errors import BadInput
from icn_graph.ids import parse_global_id

ALL_MAIL = "all"
LINK_DAYS = 365
# Clock differences between the worker that signs and the web process that reads.
SLACK_SECONDS = 3600
_PURPOSE = b"icn-graph unsubscribe v2"
_SHAPE = re.compile(
    r"^(?P<person>[1-9][0-9]{0,9})\.(?P<scope>[A-Za-z0-9_-]{1,100})\.(?P<expires>[0-9]{1,12})"
    r"\.(?P<sig>[A-Za-z0-9_-]{43})$"
)


class InvalidToken(BadInput):
    """The link was altered, truncated, signed with another key, or is for an old address."""


class ExpiredToken(BadInput):
    """A genuine link, too old to use."""


@dataclass(frozen=True)
class UnsubscribeScope:
    person_id: int
    # A subject's global ID, or None for all mail.
    subject_id: str | None

    @property
    def scope(self) -> str:
        return self.subject_id or ALL_MAIL


def _signature(secret: str, person_id: int, email_key: str, scope: str, expires: int) -> str:
    key = hmac.new(secret.encode(), _PURPOSE, hashlib.sha256).digest()
    message = f"{person_id}:{email_key}:{scope}:{expires}"
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def make_token(
    secret: str, person_id: int, email_key: str, subject_id: str | None, *, now: datetime
) -> str:
    """A token for mail composed at ``now`` to the address ``email_key``."""
    scope = subject_id or ALL_MAIL
    expires = int((now + timedelta(days=LINK_DAYS)).timestamp())
    return (
        f"{person_id}.{scope}.{expires}.{_signature(secret, person_id, email_key, scope, expires)}"
    )


def invalid_token() -> InvalidToken:
    return InvalidToken(
        "This unsubscribe link is not valid: it may have been altered or cut short, or your "
        "email address has changed since it was sent. Use the link from the most recent email, "
        "or change your notification preferences after signing in.",
        field="token",
    )


def token_person(token: str) -> int:
    """The person a well-formed token names (not yet verified: see :func:`read_token`)."""
    match = _SHAPE.match(token)
    if match is None:
        raise invalid_token()
    return int(match["person"])


def read_token(secret: str, token: str, email_key: str, *, now: datetime) -> UnsubscribeScope:
    """The scope a genuine, unexpired token for the address ``email_key`` names;
    :class:`InvalidToken` or :class:`ExpiredToken` for anything else."""
    match = _SHAPE.match(token)
    if match is None:
        raise invalid_token()
    person_id, scope, expires = int(match["person"]), match["scope"], int(match["expires"])
    expected = _signature(secret, person_id, email_key, scope, expires)
    if not hmac.compare_digest(expected.encode(), match["sig"].encode()):
        raise invalid_token()
    if expires > now.timestamp() + LINK_DAYS * 86400 + SLACK_SECONDS:
        raise invalid_token()
    if expires < now.timestamp():
        raise ExpiredToken(
            "This unsubscribe link has expired. Use the link in a more recent email, or change "
            "your notification preferences after signing in.",
            field="token",
        )
    if scope == ALL_MAIL:
        return UnsubscribeScope(person_id, None)
    try:
        parse_global_id(scope, field="token")
    except BadInput as error:
        raise invalid_token() from error
    return UnsubscribeScope(person_id, scope)
