"""Calendar feeds: ``viewer.calendarFeed``, ``createCalendarFeed`` and ``revokeCalendarFeed``.

The feed's secret is in ``createCalendarFeed``'s answer (``mineUrl`` and ``baseUrl``) and
nowhere else, ever: the database keeps only its SHA-256.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from icn_graph.errors import BadInput, InvalidInput, UserErrorCode
from icn_graph.errors import UserError as ServiceUserError
from icn_graph.models import CalendarFeed as CalendarFeedRow
from icn_graph.schema.context import Info
from icn_graph.schema.descriptions import USER_ERRORS_DESCRIPTION, InputArgument
from icn_graph.schema.payloads import UserError, attempt
from icn_graph.schema.relay import expect_global_id, to_global_id
from icn_graph.services import calendar_feeds

if TYPE_CHECKING:
    from icn_graph.schema.viewer import ViewerHome

ViewerRef = Annotated["ViewerHome", strawberry.lazy("icn_graph.schema.viewer")]


@strawberry.type(
    description="Your secret calendar address, for calendar apps that subscribe to a URL (made "
    "with `createCalendarFeed`). Its secret is not shown again."
)
class CalendarFeed:
    id: strawberry.ID = strawberry.field(description="This feed; a reset makes a new one.")
    created_at: datetime = strawberry.field(description="When it was made (or last reset).")
    last_used_at: datetime | None = strawberry.field(
        description="When a calendar app last fetched it, to within a minute; null if never."
    )

    @classmethod
    def from_model(cls, row: CalendarFeedRow) -> CalendarFeed:
        return cls(
            id=to_global_id("CalendarFeed", row.id),
            created_at=row.created_at,
            last_used_at=row.last_used_at,
        )


async def viewer_calendar_feed(info: Info) -> CalendarFeed | None:
    row = await calendar_feeds.live_feed(info.context.db, info.context.viewer)
    return CalendarFeed.from_model(row) if row is not None else None


def _viewer(info: Info) -> ViewerHome:
    from icn_graph.schema.viewer import ViewerHome

    person_id = info.context.viewer.require_member()
    return ViewerHome(person_pk=person_id)


@strawberry.type(description="What `createCalendarFeed` did, with the feed's URLs, once.")
class CreateCalendarFeedPayload:
    calendar_feed: CalendarFeed | None = strawberry.field(description="The new feed.")
    mine_url: str | None = strawberry.field(
        description="Subscribe to this URL for your own sessions and the agenda items you are "
        "on. Shown once: only its hash is stored."
    )
    base_url: str | None = strawberry.field(
        description="Append a Learning Session's `calendarPath` for that session's agenda "
        "(`<baseUrl>/learning-sessions/<id>/agenda.ics`). Shown once, like `mineUrl`."
    )
    viewer: ViewerRef | None = strawberry.field(
        description="You, with `calendarFeed` now the new feed (for client caches)."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.input(description="Whose calendar feed to revoke; leave out for your own.")
class RevokeCalendarFeedInput:
    person_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Whose feed (network staff only, for someone else); default: yours.",
    )


@strawberry.type(description="What `revokeCalendarFeed` did.")
class RevokeCalendarFeedPayload:
    revoked_calendar_feed_id: strawberry.ID | None = strawberry.field(
        description="The feed revoked: its addresses answer 404 from now on."
    )
    viewer: ViewerRef | None = strawberry.field(
        description="You (for client caches: `calendarFeed` is null if it was yours)."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


def _person_id(value: strawberry.ID | None) -> int | None:
    if value is None:
        return None
    try:
        return expect_global_id(value, "Person", field="personId")
    except BadInput as error:
        refused = ServiceUserError("personId", error.message, UserErrorCode.INVALID)
        raise InvalidInput([refused]) from None


@strawberry.type
class CalendarFeedMutations:
    @strawberry.mutation(
        description="Make your secret calendar address; its URLs are in the answer, once. "
        "Making one again resets it: the old address stops working at once. Made from a session "
        "(or a CLI token): a personal access token cannot make one (FORBIDDEN), and a read-only "
        "token is refused (FORBIDDEN)."
    )
    async def create_calendar_feed(self, info: Info) -> CreateCalendarFeedPayload:
        context = info.context
        made, errors = await attempt(
            calendar_feeds.create_feed(context.db, context.viewer, now=context.clock())
        )
        if made is None:
            return CreateCalendarFeedPayload(
                calendar_feed=None, mine_url=None, base_url=None, viewer=None, user_errors=errors
            )
        feed, secret = made
        base_url = context.settings.public_url.rstrip("/") + calendar_feeds.feed_path(secret)
        return CreateCalendarFeedPayload(
            calendar_feed=CalendarFeed.from_model(feed),
            mine_url=base_url + calendar_feeds.MINE,
            base_url=base_url,
            viewer=_viewer(info),
            user_errors=[],
        )

    @strawberry.mutation(
        description="Revoke a calendar feed at once: your own, or (network staff) anyone's "
        "with `personId`; someone else's for anyone else is FORBIDDEN. No live feed: a "
        "userError on `personId`."
    )
    async def revoke_calendar_feed(
        self, info: Info, input: InputArgument[RevokeCalendarFeedInput | None] = None
    ) -> RevokeCalendarFeedPayload:
        context = info.context
        context.viewer.require_member()

        async def revoke() -> CalendarFeedRow:
            person_id = _person_id(input.person_id if input is not None else None)
            return await calendar_feeds.revoke_feed(
                context.db, context.viewer, person_id, now=context.clock()
            )

        row, errors = await attempt(revoke())
        if row is None:
            return RevokeCalendarFeedPayload(
                revoked_calendar_feed_id=None, viewer=None, user_errors=errors
            )
        return RevokeCalendarFeedPayload(
            revoked_calendar_feed_id=to_global_id("CalendarFeed", row.id),
            viewer=_viewer(info),
            user_errors=[],
        )


__all__ = ["CalendarFeed", "CalendarFeedMutations", "viewer_calendar_feed"]
