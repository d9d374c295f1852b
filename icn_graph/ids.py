"""Global IDs: ``base64url("TypeName:pk")``, opaque to clients, carrying their type.

Shared by the GraphQL layer (Relay ``Node.id``) and by events, which name their subject this way.
"""

from __future__ import annotations

import base64
import binascii

from icn_graph.errors import BadInput

MAX_ID_LENGTH = 100
# Ids are INTEGER columns: nothing larger exists, and PostgreSQL refuses to compare one.
MAX_ROW_ID = 2**31 - 1


def to_global_id(type_name: str, pk: int) -> str:
    raw = f"{type_name}:{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def parse_global_id(value: str, *, field: str = "id") -> tuple[str, int]:
    """``(type name, pk)``; BAD_USER_INPUT naming ``field`` when ``value`` is not one of ours."""
    problem = BadInput(f"{field}: '{value[:40]}' is not a valid ID.", field=field)
    if len(value) > MAX_ID_LENGTH:
        raise problem
    try:
        decoded = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise problem from error
    type_name, _, pk = decoded.partition(":")
    # ASCII digits only: ``isdigit`` also accepts superscripts (which ``int`` refuses) and other
    # scripts' digits (which would make a second ID for the same object).
    if not type_name.isidentifier() or not (pk.isascii() and pk.isdigit()) or len(pk) > 18:
        raise problem
    if int(pk) > MAX_ROW_ID:
        raise problem
    return type_name, int(pk)
