"""GETs to the app's routes read in one unit of work, as GraphQL requests do.

A route's reads (``Database.session`` and ``Database.reading``) share one connection, checked out
at the first read, in one read-only transaction (``Database.read_unit``). Connections are not
pinged before use, so after a failover the pool may hand out one that died: a read that lost its
connection runs the route again, once, on a fresh one, if the route wrote nothing and has sent
nothing yet: whether it raised or answered (a route's own 503), that attempt's answer is
dropped. Otherwise the error goes on to ``UnexpectedErrors`` (a JSON 503).

Only GET and HEAD (a route's reads; its writes are POSTs, which are never run twice) and not
``/graphql``, whose ``GraphQLApp`` runs its own unit and retry.
"""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from icn_graph.db.connection_errors import stray_cancellation
from icn_graph.db.database import Database

log = logging.getLogger(__name__)

READ_METHODS = frozenset({"GET", "HEAD"})


class RouteReads:
    def __init__(self, app: ASGIApp, db: Database, own_units: frozenset[str]) -> None:
        self.app = app
        self.db = db
        self.own_units = own_units  # paths whose app runs its own read unit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in READ_METHODS
            or scope["path"] in self.own_units
        ):
            await self.app(scope, receive, send)
            return
        if await self._run(scope, receive, send, last=False):
            log.warning(
                "a read of %s lost its database connection; running it again", scope["path"]
            )
            await self._run(scope, receive, send, last=True)

    async def _run(self, scope: Scope, receive: Receive, send: Send, *, last: bool) -> bool:
        """Run the route in a read unit; True if it lost its connection before answering
        anything and wrote nothing (then nothing was sent: unless ``last``, it should run
        again)."""
        sent = again = False
        try:
            async with self.db.read_unit() as unit:

                async def watched(message: Message) -> None:
                    nonlocal sent, again
                    # A route that answered after losing its connection (its own 503, say)
                    # and wrote nothing: that answer is dropped, the route runs again.
                    if message["type"] == "http.response.start" and not last:
                        again = unit.lost and not unit.wrote
                    if not again:
                        sent = True
                        await send(message)

                await self.app(scope, receive, watched)
        except BaseException as error:
            if not (isinstance(error, Exception) or stray_cancellation(error)):
                raise
            if last or sent or not unit.lost or unit.wrote:
                raise
            return True
        return again
