"""What a cache may keep of a GET to ``/graphql`` (a persisted query, or ``?query=``).

Only an anonymous answer without errors is the same for everyone: a CDN may keep it for
``ICN_PUBLIC_CACHE_SECONDS``. An answer to a token (even one that matched nothing) is the
caller's own (``private, no-store``), and one with errors is never kept: a cached
``PersistedQueryNotFound`` would keep answering a query after its client registered it.
``Vary: Authorization`` on every GET answer keeps a cache from serving one kind for the other.
"""

from __future__ import annotations

from icn_graph.services.viewer import Viewer


def get_cache_headers(viewer: Viewer, has_errors: bool, public_seconds: int) -> dict[str, str]:
    """The caching headers of a GET's answer to ``viewer`` (as its ``Authorization`` made it)."""
    if viewer.is_authenticated or viewer.rejected_token:
        control = "private, no-store"
    elif has_errors or public_seconds <= 0:
        control = "no-store"
    else:
        control = f"public, max-age={public_seconds}"
    return {"Cache-Control": control, "Vary": "Authorization"}
