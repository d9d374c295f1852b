"""Whatever escapes a route is still answered in the API's JSON error shape.

Starlette answers an exception that escapes a route with a plain-text 500, and a
``CancelledError`` (not an ``Exception``) goes past it to the server, which answers the same.
Both happen when PostgreSQL kills a connection in the middle of a request: the driver raises, or
raises a stray ``CancelledError`` (see ``db.connection_errors``). Here:

- a database connection problem (or a stray ``CancelledError``): ``503 SERVICE_UNAVAILABLE``,
  worth retrying;
- anything else: ``500 INTERNAL_SERVER_ERROR`` with the masked message GraphQL errors use, the
  traceback in the log;
- a real cancellation (the server stopping requests at shutdown) goes on up, answered by no one;
- once a response has started nothing can be added to it: the error goes on to the server, which
  closes the connection;
- a websocket is closed with 1013 (try again later) or 1011 (internal error), before or after
  its handshake.
"""

from __future__ import annotations

import contextlib
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from icn_graph.db.busy import POOL_ADVICE, no_connection_free, unavailable_message
from icn_graph.db.connection_errors import connection_lost, stray_cancellation
from icn_graph.schema.errors import MASKED_MESSAGE
from icn_graph.web.graphql_app import TRY_AGAIN_LATER, request_error

log = logging.getLogger(__name__)

# RFC 6455 close code 1011: the server met an unexpected condition.
INTERNAL_ERROR = 1011


class UnexpectedErrors:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        started = False
        closed = False

        async def watched(message: Message) -> None:
            nonlocal started, closed
            if message["type"] in ("http.response.start", "websocket.accept"):
                started = True
            elif message["type"] == "websocket.close":
                closed = True
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except BaseException as error:
            if not (isinstance(error, Exception) or stray_cancellation(error)):
                raise
            lost = connection_lost(error) or no_connection_free(error)
            where = f"{scope.get('method', 'WEBSOCKET')} {scope.get('path', '')}"
            if no_connection_free(error):
                log.warning("%s: %s; %s", where, error, POOL_ADVICE)
            elif lost:
                log.warning("%s: the database connection was lost: %r", where, error)
            else:
                log.error("%s: unexpected error", where, exc_info=error)
            if scope["type"] == "websocket":
                if not closed:
                    code = TRY_AGAIN_LATER if lost else INTERNAL_ERROR
                    # The client may be gone already: then there is no one to tell.
                    with contextlib.suppress(Exception):
                        await send({"type": "websocket.close", "code": code})
                return
            if started:
                raise
            status, message = (503, unavailable_message(error)) if lost else (500, MASKED_MESSAGE)
            await request_error(status, message)(scope, receive, send)
