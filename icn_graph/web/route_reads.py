"""GETs to the app's routes read in one unit of work, as GraphQL requests do.

A route's reads (``Database.session`` and ``Database.reading``) share one connection, checked out
at the first read, in one read-only transaction (``Database.read_unit``). Connections are not
pinged before use, so after a failover the pool may hand out one that died: a read that lost its
connection runs the route again, once, on a fresh one, if the route wrote nothing and has sent
nothing yet: whether it raised or answered (a route's own 503), that attempt's answer (and its
background task) is dropped. Otherwise the error goes on to ``UnexpectedErrors`` (a JSON 503).
The connection goes back to the pool as the answer starts, as ``GraphQLApp``'s does.

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


class _RunAgain(BaseException):
    """Raised from ``send`` at the start of an answer given after the connection was lost: it
    stops the response there, before its body and background task, and the route runs again.
    A ``BaseException``, so that nothing between here and the route catches it."""


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
        sent = False
        try:
            async with self.db.read_unit() as unit:
                unit.runs_again_if_lost = not last

                async def watched(message: Message) -> None:
                    nonlocal sent
                    if message["type"] == "http.response.start":
                        if not last and unit.may_run_again:
                            raise _RunAgain  # its answer (its own 503, say) is never sent
                        # The connection goes back now, not after the body and any background
                        # task; a later read takes a connection of its own.
                        await unit.close()
                    sent = True
                    await send(message)

                # A copy: routing writes into the scope (a Mount's root_path), and a second run
                # must route from the start.
                await self.app(dict(scope), receive, watched)
        except _RunAgain:
            return True
        except BaseException as error:
            if not (isinstance(error, Exception) or stray_cancellation(error)):
                raise
            if last or sent or not unit.may_run_again:
                raise
            return True
        return False
