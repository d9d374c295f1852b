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
:mod:`icn_graph.notifications.realtime.revocations`) and checks its token again when told.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    SubscribeMessage,
)

from icn_graph.notifications.realtime.broadcaster import Broadcaster
from icn_graph.notifications.realtime.revocations import revocation_topic
from icn_graph.notifications.realtime.topics import TopicOverflow
from icn_graph.schema.context import Context

log = logging.getLogger(__name__)

# The close code of a refused token, as at connection_init.
FORBIDDEN_CLOSE = 4403
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


def brings_a_token(payload: object) -> bool:
    """Whether a ``connection_init`` payload carries a token (good or bad) of its own."""
    return isinstance(payload, dict) and ("Authorization" in payload or "authorization" in payload)


class RevocableTransportWS(BaseGraphQLTransportWSHandler[Context, None]):
    _watcher: asyncio.Task[None] | None = None

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
        if self.connection_acknowledged and not await still_signed_in(self.context):
            await self.websocket.close(code=FORBIDDEN_CLOSE, reason=REVOKED_REASON)
            return
        await super().handle_subscribe(message)

    async def _close_when_revoked(self, broadcaster: Broadcaster, person_id: int) -> None:
        """Check the token again whenever the person's tokens are revoked; close if it is gone."""
        topic = revocation_topic(person_id)
        while True:
            with broadcaster.topics.subscribe([topic]) as feed:
                try:
                    async for _ in feed:
                        if await self._revoked():
                            return
                    return  # the broadcaster stopped: the app is shutting down
                except TopicOverflow:  # told too often to keep up: check, then listen afresh
                    if await self._revoked():
                        return

    async def _revoked(self) -> bool:
        """Close the connection if its token no longer works; whether it did."""
        try:
            signed_in = await still_signed_in(self.context)
        except Exception:  # the database is away: the next operation checks again
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
