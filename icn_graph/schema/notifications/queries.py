"""Reading notifications, follows and preferences (fields of ``Viewer`` and ``Person``)."""

from __future__ import annotations

from icn_graph.notifications import following, inbox, preferences
from icn_graph.schema.connections import Connection, connection_from_page
from icn_graph.schema.context import Info
from icn_graph.schema.lookahead import in_connection, read_ahead
from icn_graph.schema.notifications import loaders
from icn_graph.schema.notifications.types import (
    FollowEntry,
    NotificationConnection,
    NotificationPreferences,
    actor_pk,
    notification_connection,
)
from icn_graph.services.goals.windows import PageRequest


async def viewer_notifications(
    info: Info, *, first: int | None, after: str | None, unread_only: bool
) -> NotificationConnection:
    page = await inbox.list_notifications(
        info.context.db, info.context.viewer, first=first, after=after, unread_only=unread_only
    )
    rows = [row for _, row in page.items]
    await read_ahead(
        info,
        (loaders.event(info), [row.event_id for row in rows], in_connection("summary", "data")),
        (
            info.context.loaders.person,
            [actor_pk(row.actor_id) for row in rows],
            in_connection("summary", "actor"),
        ),
        (
            loaders.subject_title(info),
            [row.subject_id for row in rows],
            in_connection("summary", "url", "appPath"),
        ),
    )
    return notification_connection(page)


async def person_following(
    info: Info, person_pk: int, *, first: int | None, after: str | None
) -> Connection[FollowEntry]:
    following.require_may_list(info.context.viewer, person_pk)
    page = await loaders.following_page(info).load(PageRequest(person_pk, first, after))
    return connection_from_page(page, FollowEntry.from_model)


async def viewer_preferences(info: Info) -> NotificationPreferences:
    found = await preferences.preferences_of(
        info.context.db, info.context.viewer, info.context.settings
    )
    return NotificationPreferences.from_service(found)
