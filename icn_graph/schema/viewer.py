"""``viewer``: the signed-in person and what they see when they open the app."""

from __future__ import annotations

from typing import Annotated

import strawberry

from icn_graph.errors import Unauthenticated
from icn_graph.notifications import inbox
from icn_graph.schema.calendar_feeds import CalendarFeed, viewer_calendar_feed
from icn_graph.schema.centers import Center
from icn_graph.schema.connections import Connection, connection_from_page
from icn_graph.schema.context import Info
from icn_graph.schema.descriptions import AfterArgument, FirstArgument
from icn_graph.schema.goals.types import Goal
from icn_graph.schema.learning_sessions.agenda import AgendaItem
from icn_graph.schema.learning_sessions.registrations import Registration
from icn_graph.schema.notifications import (
    FollowEntry,
    NotificationConnection,
    NotificationPreferences,
    person_following,
    viewer_notifications,
    viewer_preferences,
)
from icn_graph.schema.people import Person
from icn_graph.schema.relay import to_global_id
from icn_graph.schema.sign_in import (
    PersonalAccessToken,
    Session,
    viewer_personal_access_tokens,
    viewer_sessions,
)
from icn_graph.services import home
from icn_graph.services.accounts.own_profile import viewer_pending_email
from icn_graph.services.viewer import REJECTED_TOKEN


@strawberry.type(name="Viewer", description="The person making the request, and their day.")
class ViewerHome:
    person_pk: strawberry.Private[int]

    @strawberry.field(
        description="A stable ID for the viewer (the same as `person.id`), so a client cache "
        "keeps one Viewer per person."
    )
    def id(self) -> strawberry.ID:
        return to_global_id("Person", self.person_pk)

    @strawberry.field(description="How many of the viewer's notifications are unread.")
    async def unread_notifications_count(self, info: Info) -> int:
        return await inbox.unread_count(info.context.db, info.context.viewer)

    @strawberry.field(description="The viewer's own account and profile.")
    async def person(self, info: Info) -> Person:
        person = await info.context.loaders.person.load(self.person_pk)
        assert person is not None  # the token that authenticated the request belongs to them
        return Person.from_model(person)

    @strawberry.field(
        description="The new email the viewer asked for (`updateViewer`) while its link still "
        "works; null if none. `person.email` changes only once the link is used."
    )
    async def pending_email(self, info: Info) -> str | None:
        context = info.context
        return await viewer_pending_email(context.db, context.viewer, now=context.clock())

    @strawberry.field(description="The centers the viewer belongs to.")
    async def centers(self, info: Info) -> list[Center]:
        ids = sorted(info.context.viewer.center_ids)
        rows = await info.context.loaders.center.load_many(ids)
        return [Center.from_model(row) for row in rows if row is not None]

    @strawberry.field(description="Open goals of the viewer and of their centers, soonest due.")
    async def goals(
        self, info: Info, first: FirstArgument = 20, after: AfterArgument = None
    ) -> Connection[Goal]:
        page = await home.my_goals(info.context.db, info.context.viewer, first=first, after=after)
        return connection_from_page(page, Goal.from_model)

    @strawberry.field(description="Agenda items the viewer has a part in that have not ended.")
    async def upcoming_agenda_items(
        self,
        info: Info,
        first: Annotated[
            int, strawberry.argument(description="How many, soonest first: 0 to 100.")
        ] = 10,
    ) -> list[AgendaItem]:
        rows = await home.my_upcoming_agenda_items(
            info.context.db, info.context.viewer, first=first
        )
        return [AgendaItem.from_model(row) for row in rows]

    @strawberry.field(description="The viewer's Learning Session registrations, latest first.")
    async def registrations(self, info: Info) -> list[Registration]:
        rows = await home.my_registrations(info.context.db, info.context.viewer)
        return [Registration.from_model(row) for row in rows]

    @strawberry.field(
        description="The viewer's notifications, the newest first (`first` at most 100)."
    )
    async def notifications(
        self,
        info: Info,
        first: FirstArgument = 20,
        after: AfterArgument = None,
        unread_only: Annotated[
            bool, strawberry.argument(description="Only those not read yet.")
        ] = False,
    ) -> NotificationConnection:
        return await viewer_notifications(info, first=first, after=after, unread_only=unread_only)

    @strawberry.field(description="What the viewer follows, the latest first.")
    async def following(
        self, info: Info, first: FirstArgument = 20, after: AfterArgument = None
    ) -> Connection[FollowEntry]:
        return await person_following(info, self.person_pk, first=first, after=after)

    @strawberry.field(
        description="The viewer's signed-in sessions, the most recently used first; revoke one "
        "with `revokeSession`."
    )
    async def sessions(self, info: Info) -> list[Session]:
        return await viewer_sessions(info)

    @strawberry.field(
        description="The viewer's personal access tokens (not their secrets), the most recently "
        "used first."
    )
    async def personal_access_tokens(self, info: Info) -> list[PersonalAccessToken]:
        return await viewer_personal_access_tokens(info)

    @strawberry.field(
        description="The viewer's live calendar feed (not its secret), or null if they have "
        "none; make one with `createCalendarFeed`."
    )
    async def calendar_feed(self, info: Info) -> CalendarFeed | None:
        return await viewer_calendar_feed(info)

    @strawberry.field(description="How and when the viewer gets notification mail.")
    async def notification_preferences(self, info: Info) -> NotificationPreferences:
        return await viewer_preferences(info)


def resolve_viewer(info: Info) -> ViewerHome | None:
    viewer = info.context.viewer
    if viewer.rejected_token:
        # A token that was sent but does not work is an error, not "signed out".
        raise Unauthenticated(REJECTED_TOKEN)
    return ViewerHome(person_pk=viewer.person_id) if viewer.person_id is not None else None
