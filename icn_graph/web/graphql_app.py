"""The ``/graphql`` endpoint: POST for operations, GET for queries or the explorer, websockets."""

from __future__ import annotations

import logging

from cross_web import HTTPException
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.schema import build_schema
from icn_graph.schema.context import Context
from icn_graph.web.auth import viewer_from_headers
from icn_graph.web.graphiql import render_explorer

log = logging.getLogger(__name__)


class GraphQLApp(GraphQL[Context, None]):
    def __init__(self, db: Database, settings: Settings) -> None:
        super().__init__(
            build_schema(),
            graphql_ide="graphiql",
            allow_queries_via_get=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        )
        self.db = db
        self.settings = settings

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        try:
            viewer = await viewer_from_headers(self.db, request.headers)
        except (SQLAlchemyError, OSError) as error:
            log.error("cannot authenticate the request: database unavailable: %s", error)
            raise HTTPException(503, "The database is unavailable; try again shortly.") from error
        return Context(
            db=self.db, viewer=viewer, settings=self.settings, request=request, response=response
        )

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(render_explorer(self.settings.network_name))
