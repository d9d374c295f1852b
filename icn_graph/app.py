"""``create_app(settings)``: the Starlette application. Its lifespan owns the database engine."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.responses import RedirectResponse
from starlette.routing import Mount, Route, WebSocketRoute

from icn_graph.config import Settings, get_settings
from icn_graph.db.database import Database
from icn_graph.web.graphiql import ASSETS_PATH, explorer_assets
from icn_graph.web.graphql_app import GraphQLApp
from icn_graph.web.health import healthz, readyz


def create_app(settings: Settings | None = None, *, db: Database | None = None) -> Starlette:
    """The ASGI app. Pass ``db`` to share an engine (tests); otherwise the lifespan makes one."""
    settings = settings or get_settings()
    database = db or Database.from_url(settings.database_url_value)
    owns_database = db is None
    graphql = GraphQLApp(database, settings)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.db = database
        app.state.settings = settings
        try:
            yield
        finally:
            if owns_database:
                await database.dispose()

    app = Starlette(
        routes=[
            Route("/", lambda request: RedirectResponse("/graphql")),
            Route("/graphql", graphql),  # every method: unsupported ones get a JSON 405
            WebSocketRoute("/graphql", graphql),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Mount(ASSETS_PATH, app=explorer_assets(), name="graphiql-assets"),
        ],
        lifespan=lifespan,
    )
    app.state.db = database
    app.state.settings = settings
    return app
