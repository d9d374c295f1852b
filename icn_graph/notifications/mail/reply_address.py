"""Reply addresses: ``reply+<token>@<ICN_MAIL_REPLY_DOMAIN>``, bound to a reader and a subject.

The token is 25 bytes in lower-case base32 (40 characters, so the local part is 46, well under
RFC 5321's 64, and survives MTAs that fold case): a version byte, the person's id, a 4-byte tag
of the subject's type, the subject's primary key, and 12 bytes (96 bits) of HMAC-SHA256, keyed
for this purpose alone from ICN_SECRET_KEY, over the version, the person and the subject's full
global ID. A token can be neither forged nor moved to another person or subject; a tag resolves
only to a type that accepts replies now.

Reply addresses do not expire: people answer months-old mail in a long conversation. What keeps
an old address from being abused is that mail to it is posted only when it comes from the
person's current address (see ``mail_in.verify``) and the subject's handler still lets them
post.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct
from dataclasses import dataclass

from icn_graph.ids import MAX_ROW_ID, parse_global_id, to_global_id
from icn_graph.notifications.reply_handlers import ReplyHandlerRegistry, type_tag

LOCAL_PREFIX = "reply+"
_VERSION = 1
_PURPOSE = b"icn-graph reply-by-email v1"
_LAYOUT = struct.Struct(">BI4sI")  # version, person, type tag, pk
_MAC_BYTES = 12
TOKEN_LENGTH = 40  # base32 of 25 bytes, no padding


@dataclass(frozen=True)
class ReplyTarget:
    person_id: int
    subject_id: str


def _mac(secret: str, version: int, person_id: int, subject_id: str) -> bytes:
    key = hmac.new(secret.encode(), _PURPOSE, hashlib.sha256).digest()
    message = f"{version}:{person_id}:{subject_id}".encode()
    return hmac.new(key, message, hashlib.sha256).digest()[:_MAC_BYTES]


def reply_token(secret: str, person_id: int, subject_id: str) -> str:
    type_name, pk = parse_global_id(subject_id, field="subject_id")
    head = _LAYOUT.pack(_VERSION, person_id, type_tag(type_name), pk)
    raw = head + _mac(secret, _VERSION, person_id, subject_id)
    return base64.b32encode(raw).decode().lower()


def reply_address(secret: str, domain: str, person_id: int, subject_id: str) -> str:
    return f"{LOCAL_PREFIX}{reply_token(secret, person_id, subject_id)}@{domain}"


def split_reply_address(address: str, domain: str) -> str | None:
    """The token of ``reply+<token>@domain`` (any case), or None for any other address."""
    local, at, host = address.strip().strip("<>").rpartition("@")
    if not at or host.lower() != domain.lower() or not local.lower().startswith(LOCAL_PREFIX):
        return None
    token = local[len(LOCAL_PREFIX) :].lower()
    return token if len(token) == TOKEN_LENGTH and token.isalnum() else None


def read_reply_token(secret: str, token: str, registry: ReplyHandlerRegistry) -> ReplyTarget | None:
    """The person and subject a genuine token names; None for anything else (altered, signed
    with another key, or for a type that no longer accepts replies)."""
    if len(token) != TOKEN_LENGTH:
        return None
    try:
        raw = base64.b32decode(token.upper())
    except (binascii.Error, ValueError):
        return None
    head, mac = raw[: _LAYOUT.size], raw[_LAYOUT.size :]
    if len(head) != _LAYOUT.size or len(mac) != _MAC_BYTES:
        return None
    version, person_id, tag, pk = _LAYOUT.unpack(head)
    type_name = registry.type_named_by(tag)
    if version != _VERSION or type_name is None or not 0 < pk <= MAX_ROW_ID or person_id < 1:
        return None
    subject_id = to_global_id(type_name, pk)
    if not hmac.compare_digest(mac, _mac(secret, version, person_id, subject_id)):
        return None
    return ReplyTarget(person_id, subject_id)


def read_reply_address(
    secret: str, address: str, domain: str, registry: ReplyHandlerRegistry
) -> ReplyTarget | None:
    token = split_reply_address(address, domain)
    return read_reply_token(secret, token, registry) if token is not None else None
