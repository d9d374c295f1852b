"""The root ``Subscription`` type: live updates over graphql-transport-ws."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator

import strawberry
from graphql import GraphQLError

from icn_graph.errors import Unauthenticated
from icn_graph.notifications.realtime.delivery import load_announced
from icn_graph.notifications.realtime.hub import Inbox, InboxOverflow
from icn_graph.notifications.realtime.live import LiveOverflow, LiveRoom
from icn_graph.schema.context import Context, Info
from icn_graph.schema.descriptions import ROOT_DESCRIPTIONS
from icn_graph.schema.live_notifications import LIVE_OPERATION, LiveOperation, LiveTarget, shape_of
from icn_graph.schema.loaders import Loaders
from icn_graph.schema.notifications import Notification

OVERFLOW_MESSAGE = (
    "More notifications arrived than this connection read, so some were dropped: fetch "
    "viewer.notifications, then subscribe again."
)


async def _still_signed_in(context: Context, person_id: int) -> None:
    if context.reauthenticate is None:
        return
    viewer = await context.reauthenticate()
    if viewer.person_id != person_id:
        raise Unauthenticated("The API token has been revoked; sign in again and resubscribe.")


async def _notifications(
    context: Context, person_id: int, inbox: Inbox
) -> AsyncIterator[Notification]:
    try:
        async for notification_ids in inbox:
            await _still_signed_in(context, person_id)
            rows = await load_announced(context.db, person_id, notification_ids)
            # A websocket's context lives as long as the connection: fresh loaders for each
            # batch keep the fields of what is sent current (and the cache from growing).
            context.loaders = Loaders(context.db)
            for row in rows:
                yield Notification.from_model(row)
    except InboxOverflow:
        raise GraphQLError(OVERFLOW_MESSAGE, extensions={"code": "SUBSCRIPTION_OVERFLOW"}) from None


async def _sent_live(room: LiveRoom, info: Info, person_id: int, operation: LiveOperation) -> None:
    """Send what the room pushes until it closes: payloads are rendered once per shape for every
    subscriber of an event (schema/live_notifications.py), not per subscription."""
    target = LiveTarget(shape_of(info, operation), info.context)
    with room.subscribe(person_id, target) as subscriber:
        try:
            async for payloads in subscriber:
                for payload in payloads:
                    await operation.send(payload)
        except LiveOverflow:
            raise GraphQLError(
                OVERFLOW_MESSAGE, extensions={"code": "SUBSCRIPTION_OVERFLOW"}
            ) from None


@strawberry.type(description=ROOT_DESCRIPTIONS["Subscription"])
class Subscription:
    @strawberry.subscription(
        description="The viewer's notifications as they are created, whichever API process "
        "created them. Over graphql-transport-ws; sign in with "
        '`{"Authorization": "Bearer icn_..."}` as the `connection_init` payload.'
    )
    async def notification_added(self, info: Info) -> AsyncGenerator[Notification, None]:
        context = info.context
        person_id = context.viewer.require_member()
        if context.broadcaster is None:
            raise GraphQLError(
                "Live notifications are not available on this server.",
                extensions={"code": "SERVICE_UNAVAILABLE"},
            )
        operation = LIVE_OPERATION.get()
        room = context.broadcaster.live
        if operation is not None and room.deliver is not None:
            # Over the websocket: payloads go straight to the client (see _sent_live).
            await _sent_live(room, info, person_id, operation)
            return
        # Elsewhere (the schema run in process): each batch loaded for this subscriber.
        with context.broadcaster.subscribe(person_id) as inbox:
            async for notification in _notifications(context, person_id, inbox):
                yield notification
