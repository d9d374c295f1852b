"""Signed links to a person's "manage your email" page, and the page form's CSRF tokens.

A link token is ``<person id>.<expiry>.<signature>``: HMAC-SHA256 (key derived from
ICN_SECRET_KEY for this purpose alone) over the person, their current address and the expiry (a
Unix time, ICN_MANAGE_LINK_DAYS after the mail was composed). Every mail carries a fresh link;
an old one stops working when it expires or when the person's address changes (mail forwarded
from an old address cannot change the new one's choices). An expiry further out than
ICN_MANAGE_LINK_DAYS from now (plus SLACK_SECONDS) is refused: no link, even one forged with a
leaked key, outlives the configured window.

The form on the page carries a CSRF token, ``<expiry>.<signature>`` over the person, the link's
expiry and the form's own (FORM_SECONDS after the page was shown): a POST without one, with a
forged or an expired one, changes nothing. A GET never changes anything (mail scanners fetch
links).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from icn_graph.errors import BadInput

FORM_SECONDS = 2 * 3600
# Clock differences between the worker that signs links and the web process that reads them.
SLACK_SECONDS = 3600
_LINK = b"icn-graph manage-email link v1"
_FORM = b"icn-graph manage-email form v1"
_LINK_SHAPE = re.compile(
    r"^(?P<person>[1-9][0-9]{0,9})\.(?P<expires>[0-9]{1,12})\.(?P<sig>[A-Za-z0-9_-]{43})$"
)
_FORM_SHAPE = re.compile(r"^(?P<expires>[0-9]{1,12})\.(?P<sig>[A-Za-z0-9_-]{43})$")


class InvalidLink(BadInput):
    """The link was altered, cut short, signed with another key, or is for an old address."""


class ExpiredLink(BadInput):
    """A genuine link, too old to use."""


@dataclass(frozen=True)
class ManageLink:
    person_id: int
    expires: int  # Unix time


def _sign(secret: str, purpose: bytes, message: str) -> str:
    key = hmac.new(secret.encode(), purpose, hashlib.sha256).digest()
    digest = hmac.new(key, message.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _same(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode())


def make_link_token(
    secret: str, person_id: int, email_key: str, *, now: datetime, days: int
) -> str:
    expires = int((now + timedelta(days=days)).timestamp())
    return f"{person_id}.{expires}.{_sign(secret, _LINK, f'{person_id}:{email_key}:{expires}')}"


def link_person(token: str) -> int:
    """The person a well-formed token names (not yet verified: see :func:`read_link_token`)."""
    match = _LINK_SHAPE.match(token)
    if match is None:
        raise invalid_link()
    return int(match["person"])


def invalid_link() -> InvalidLink:
    return InvalidLink(
        "This link does not work: it may have been altered or cut short, or your email address "
        "has changed since it was sent. Use the link in your most recent notification email.",
        field="token",
    )


def read_link_token(
    secret: str, token: str, email_key: str, *, now: datetime, days: int
) -> ManageLink:
    """The link ``token`` is, for the person whose address is ``email_key`` now; links are
    issued for ``days`` days, so a longer-lived one is refused."""
    match = _LINK_SHAPE.match(token)
    if match is None:
        raise invalid_link()
    person_id, expires = int(match["person"]), int(match["expires"])
    if not _same(_sign(secret, _LINK, f"{person_id}:{email_key}:{expires}"), match["sig"]):
        raise invalid_link()
    if expires > now.timestamp() + days * 86400 + SLACK_SECONDS:
        raise invalid_link()
    if expires < now.timestamp():
        raise ExpiredLink(
            "This link has expired. Every notification email has a fresh one: use the link in "
            "your most recent notification email.",
            field="token",
        )
    return ManageLink(person_id, expires)


def make_form_token(secret: str, link: ManageLink, *, now: datetime) -> str:
    expires = int(now.timestamp()) + FORM_SECONDS
    message = f"{link.person_id}:{link.expires}:{expires}"
    return f"{expires}.{_sign(secret, _FORM, message)}"


def form_token_valid(secret: str, link: ManageLink, token: str, *, now: datetime) -> bool:
    """True for a form token this page issued for ``link``, not yet expired."""
    match = _FORM_SHAPE.match(token)
    if match is None:
        return False
    expires = int(match["expires"])
    message = f"{link.person_id}:{link.expires}:{expires}"
    return _same(_sign(secret, _FORM, message), match["sig"]) and expires >= now.timestamp()
