"""graphql-transport-ws with the token checked again before every operation.

A websocket's viewer is fixed when it connects, so without this a token revoked afterwards (or
a session that expired) would keep running queries and mutations on an open connection. Before
each operation the token is looked up again: if it no longer stands for the same person the
connection is closed with 4403 and the operation never runs; otherwise the fresh viewer (roles
may have changed) is the one the operation sees.

A token is refused at ``connection_init`` the same way wherever it came: in that message's
payload (checked by the app's ``on_ws_connect``) or in the handshake's ``Authorization`` header
(checked here, when the payload brings no token of its own to replace it). Either closes the
connection with 4403 rather than carrying on as anonymous. A ``connection_init`` without a
payload, or with ``"payload": null``, brings no token: the connection is anonymous unless the
handshake's header brought one.

Revocation also closes a connection at once, without waiting for its next operation: while a
signed-in connection is open it listens on its person's revocation topic (see
:mod:`icn_graph.notifications.realtime.revocations`) and checks its token again when told (and
every ``recheck_seconds``, for a revocation nobody announced). A change of the person's roles is
announced the same way: the connection goes on with the fresh viewer, which live notifications
are rendered for (schema/live_notifications.py). Lookups go through the process's viewer cache
(web/viewer_cache.py), which the announcement has already emptied of that person.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Mapping
from typing import Any

from cross_web import HTTPException
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    ErrorMessage,
    NextMessage,
    SubscribeMessage,
)

from icn_graph.db.database import forgetting_on_write
from icn_graph.notifications.realtime.broadcaster import Broadcaster
from icn_graph.notifications.realtime.revocations import revocation_topic
from icn_graph.notifications.realtime.topics import TopicOverflow
from icn_graph.schema.context import Context
from icn_graph.schema.live_notifications import LIVE_OPERATION, LiveOperation
from icn_graph.web.http_errors import error_entry

log = logging.getLogger(__name__)

# The close code of a refused token, as at connection_init.
FORBIDDEN_CLOSE = 4403
# How long a token lookup that could not reach the database is answered from memory.
LOOKUP_RETRY_SECONDS = 1.0
REVOKED_REASON = "The API token has been revoked or has expired; sign in again."


async def still_signed_in(context: Context) -> bool:
    """Whether the connection's token still stands for its person (anonymous ones always do)."""
    if context.viewer.person_id is None or context.reauthenticate is None:
        return True
    viewer = await context.reauthenticate()
    if viewer.person_id != context.viewer.person_id:
        return False
    context.viewer = viewer
    return True


def recheck_seconds(viewer_cache_seconds: float) -> float:
    """How often an open websocket checks its token even when nothing was announced: six times
    the viewer cache's lifetime (a minute by default), a minute with the cache off."""
    return 6 * viewer_cache_seconds if viewer_cache_seconds > 0 else 60.0


def brings_a_token(payload: object) -> bool:
    """Whether a ``connection_init`` payload carries a token (good or bad) of its own."""
    return isinstance(payload, dict) and ("Authorization" in payload or "authorization" in payload)


def _runnable(message: SubscribeMessage, operations: Mapping[str, object]) -> bool:
    """A subscribe that would run: a new id, with a query. Any other the protocol's own checks
    close the connection for (4409, 4400), with no token to look up first."""
    payload = message.get("payload")
    return message.get("id") not in operations and isinstance(payload, dict) and "query" in payload


class RevocableTransportWS(BaseGraphQLTransportWSHandler[Context, None]):
    _watcher: asyncio.Task[None] | None = None
    _lookup_failed: tuple[float, HTTPException] | None = None

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        if "payload" in message and message["payload"] is None:
            # graphql-transport-ws allows a null payload: it means what an absent one does.
            message = ConnectionInitMessage(type="connection_init")
        # The context's viewer is still the handshake header's: refused, and not replaced.
        if self.context.viewer.rejected_token and not brings_a_token(message.get("payload")):
            if self.connection_init_timeout_task:
                self.connection_init_timeout_task.cancel()
            await self.websocket.close(code=FORBIDDEN_CLOSE, reason="Forbidden")
            return
        await super().handle_connection_init(message)
        person_id = self.context.viewer.person_id
        broadcaster = self.context.broadcaster
        watching = self._watcher is not None or not self.connection_acknowledged
        if not watching and person_id is not None and broadcaster is not None:
            self._watcher = asyncio.create_task(self._close_when_revoked(broadcaster, person_id))

    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if self.connection_acknowledged and _runnable(message, self.operations):
            try:
                signed_in = await self._still_signed_in()
            except HTTPException as refused:
                # The database is busy or away (the lookup logged which): this operation fails
                # with the reason, as over HTTP; the connection and its subscriptions go on.
                error = error_entry(refused.status_code, refused.reason)
                await self.send_message(
                    ErrorMessage(id=message["id"], type="error", payload=[error])
                )
                return
            if not signed_in:
                await self.websocket.close(code=FORBIDDEN_CLOSE, reason=REVOKED_REASON)
                return
        await super().handle_subscribe(message)

    async def _still_signed_in(self) -> bool:
        """``still_signed_in``; a lookup that failed in the last ``LOOKUP_RETRY_SECONDS`` fails
        again at once instead of trying the database for every message a client sends."""
        failed = self._lookup_failed
        if failed is not None and time.monotonic() - failed[0] < LOOKUP_RETRY_SECONDS:
            raise failed[1]
        try:
            return await still_signed_in(self.context)
        except HTTPException as refused:
            self._lookup_failed = (time.monotonic(), refused)
            raise

    async def run_operation(self, operation: Operation[Context, None]) -> None:
        """Run in the operation's own task; live subscriptions send through ``send``."""

        async def send(payload: dict[str, Any]) -> None:
            message = NextMessage(id=operation.id, type="next", payload=payload)  # type: ignore[typeddict-item]
            await operation.send_operation_message(message)

        LIVE_OPERATION.set(
            LiveOperation(
                operation.id, operation.query, operation.variables, operation.operation_name, send
            )
        )
        # The connection's context, and its loaders, outlive each operation: what an earlier
        # one loaded may have changed since, and a write in this one changes it again.
        self.context.forget_loaded()
        with forgetting_on_write(self.context.forget_loaded):
            await super().run_operation(operation)

    async def _close_when_revoked(self, broadcaster: Broadcaster, person_id: int) -> None:
        """Check the token again whenever the person's tokens or roles change (a message on
        their revocation topic), and every ``recheck_seconds`` in case a revocation went
        unannounced (a row changed by hand, a message lost while the listener reconnected);
        close the connection if the token is gone."""
        topic = revocation_topic(person_id)
        period = recheck_seconds(self.context.settings.viewer_cache_seconds)
        while True:
            with broadcaster.topics.subscribe([topic]) as feed:
                try:
                    while True:
                        with contextlib.suppress(TimeoutError):
                            async with asyncio.timeout(period):
                                await anext(feed)
                        if await self._revoked():
                            return
                except StopAsyncIteration:
                    return  # the broadcaster stopped: the app is shutting down
                except TopicOverflow:  # told too often to keep up: check, then listen afresh
                    if await self._revoked():
                        return

    async def _revoked(self) -> bool:
        """Close the connection if its token no longer works; whether it did."""
        try:
            signed_in = await still_signed_in(self.context)
        except HTTPException:  # the database is busy or away, as the lookup logged: next time
            return False
        except Exception:
            log.warning("could not check a websocket's token after a revocation", exc_info=True)
            return False
        if not signed_in:
            await self.websocket.close(code=FORBIDDEN_CLOSE, reason=REVOKED_REASON)
        return not signed_in

    async def shutdown(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
        await super().shutdown()
