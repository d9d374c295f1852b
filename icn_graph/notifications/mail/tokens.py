"""Unsubscribe tokens: ``<person id>.<scope>.<signature>``, signed with ICN_SECRET_KEY.

The scope is a subject's global ID (stop mail about that subject: the follow is muted) or
``all`` (stop all notification mail: delivery OFF). The signature is HMAC-SHA256 over the person
and the scope, so a token can be neither forged nor re-scoped; it is compared in constant time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

from icn_graph.errors import BadInput
from icn_graph.ids import parse_global_id

ALL_MAIL = "all"
_PURPOSE = b"icn-graph unsubscribe v1"
_SHAPE = re.compile(
    r"^(?P<person>[1-9][0-9]{0,9})\.(?P<scope>[A-Za-z0-9_-]{1,100})\.(?P<sig>[A-Za-z0-9_-]{43})$"
)


class InvalidToken(BadInput):
    """The link was altered, truncated or signed with another key."""


@dataclass(frozen=True)
class UnsubscribeScope:
    person_id: int
    # A subject's global ID, or None for all mail.
    subject_id: str | None

    @property
    def scope(self) -> str:
        return self.subject_id or ALL_MAIL


def _signature(secret: str, person_id: int, scope: str) -> str:
    key = hmac.new(secret.encode(), _PURPOSE, hashlib.sha256).digest()
    digest = hmac.new(key, f"{person_id}:{scope}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def make_token(secret: str, person_id: int, subject_id: str | None) -> str:
    scope = subject_id or ALL_MAIL
    return f"{person_id}.{scope}.{_signature(secret, person_id, scope)}"


def read_token(secret: str, token: str) -> UnsubscribeScope:
    """The scope a genuine token names; :class:`InvalidToken` for anything else."""
    refused = InvalidToken(
        "This unsubscribe link is not valid: it may have been altered or cut short. "
        "Use the link from the most recent email, or change your notification preferences "
        "after signing in.",
        field="token",
    )
    match = _SHAPE.match(token)
    if match is None:
        raise refused
    person_id, scope = int(match["person"]), match["scope"]
    expected = _signature(secret, person_id, scope)
    if not hmac.compare_digest(expected.encode(), match["sig"].encode()):
        raise refused
    if scope == ALL_MAIL:
        return UnsubscribeScope(person_id, None)
    try:
        parse_global_id(scope, field="token")
    except BadInput as error:
        raise refused from error
    return UnsubscribeScope(person_id, scope)
