"""Relay global IDs and the ``Node`` interface.

A global ID is ``base64url("TypeName:pk")``: opaque to clients, stable, and carrying its type,
so ``node(id)`` can find any object and a Person ID can never be mistaken for a Center ID.
"""

from __future__ import annotations

import base64
import binascii
from typing import ClassVar

import strawberry

from icn_graph import ids
from icn_graph.services.errors import BadInput
from icn_graph.services.pagination import MAX_ROW_ID

MAX_ID_LENGTH = 100


def to_global_id(type_name: str, pk: int) -> strawberry.ID:
    return strawberry.ID(ids.to_global_id(type_name, pk))


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
        raise problem  # no row has such a key, and PostgreSQL refuses to compare one
    return type_name, int(pk)


def expect_global_id(value: str, type_name: str, *, field: str) -> int:
    """The pk inside ``value``, which must be an ID of ``type_name``."""
    found_type, pk = parse_global_id(value, field=field)
    if found_type != type_name:
        raise BadInput(
            f"{field}: expected the ID of a {type_name}, got the ID of a {found_type}.", field=field
        )
    return pk


@strawberry.interface(description="An object with a globally unique, opaque ID.")
class Node:
    pk: strawberry.Private[int]
    type_name: ClassVar[str]

    @strawberry.field(description="Globally unique, opaque ID; pass it to `node` to refetch.")
    def id(self) -> strawberry.ID:
        return to_global_id(self.type_name, self.pk)
