"""What a cache may keep of a GET to ``/graphql`` (a persisted query, or ``?query=``).

Only an anonymous answer without errors is the same for everyone: a CDN may keep it for
``ICN_PUBLIC_CACHE_SECONDS``. An answer to a token is the viewer's own (``private, no-store``),
and one with errors is never kept: a cached ``PersistedQueryNotFound`` would keep answering a
query after its client registered it. ``Vary: Authorization`` on every GET answer keeps a cache
from serving one kind for the other.
"""

from __future__ import annotations

from collections.abc import Mapping


def get_cache_headers(
    request_headers: Mapping[str, str], has_errors: bool, public_seconds: int
) -> dict[str, str]:
    """The caching headers of a GET's answer."""
    authorization = request_headers.get("authorization")
    if authorization is not None and authorization.strip():
        control = "private, no-store"
    elif has_errors or public_seconds <= 0:
        control = "no-store"
    else:
        control = f"public, max-age={public_seconds}"
    return {"Cache-Control": control, "Vary": "Authorization"}
