"""Data views as they are shown: their files (signed in, and through public links)."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.routing import BaseRoute, Route

from icn_graph.plugins.hookspecs import hookimpl
from icn_graph.web import data_views


@hookimpl
def register_routes() -> Sequence[BaseRoute]:
    # The public path first: "/data-views/{file}" would not match it (a file name has no "/"),
    # but the order says which one a reader of this list should look at.
    return [
        Route(data_views.PUBLIC_PATH, data_views.public_view_file, methods=data_views.METHODS),
        Route(data_views.VIEW_PATH, data_views.view_file, methods=data_views.METHODS),
    ]
