"""Global IDs: ``base64url("TypeName:pk")``, opaque to clients, carrying their type.

Shared by the GraphQL layer (Relay ``Node.id``) and by events, which name their subject this way.
"""

from __future__ import annotations

import base64


def to_global_id(type_name: str, pk: int) -> str:
    raw = f"{type_name}:{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")
