"""graphql-transport-ws with the token checked again before every operation.

A websocket's viewer is fixed when it connects, so without this a token revoked afterwards (or
a session that expired) would keep running queries and mutations on an open connection. Before
each operation the token is looked up again: if it no longer stands for the same person the
connection is closed with 4403 and the operation never runs; otherwise the fresh viewer (roles
may have changed) is the one the operation sees.
"""

from __future__ import annotations

from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import SubscribeMessage

from icn_graph.schema.context import Context

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


class RevocableTransportWS(BaseGraphQLTransportWSHandler[Context, None]):
    async def handle_subscribe(self, message: SubscribeMessage) -> None:
        if self.connection_acknowledged and not await still_signed_in(self.context):
            await self.websocket.close(code=FORBIDDEN_CLOSE, reason=REVOKED_REASON)
            return
        await super().handle_subscribe(message)
