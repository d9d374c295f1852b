"""Turning an ``Authorization`` header into a Viewer."""

from __future__ import annotations

from collections.abc import Mapping

from icn_graph.db.database import Database
from icn_graph.services.tokens import viewer_for_token
from icn_graph.services.viewer import Viewer


async def viewer_from_headers(db: Database, headers: Mapping[str, str]) -> Viewer:
    header = headers.get("authorization")
    if header is None or not header.strip():
        return Viewer.anonymous()
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return Viewer.anonymous(rejected_token=True)
    return await viewer_for_token(db, token.strip())
