"""Turning an ``Authorization`` header into a Viewer."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.services.tokens import TokenUse, viewer_for_token
from icn_graph.services.viewer import Viewer


def token_use(settings: Settings) -> TokenUse:
    return TokenUse(touch_seconds=settings.token_touch_seconds, session_days=settings.session_days)


async def viewer_from_headers(
    db: Database,
    headers: Mapping[str, str],
    use: TokenUse | None = None,
    *,
    now: datetime | None = None,
) -> Viewer:
    header = headers.get("authorization")
    if header is None or not header.strip():
        return Viewer.anonymous()
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return Viewer.anonymous(rejected_token=True)
    return await viewer_for_token(db, token.strip(), use=use, now=now)
