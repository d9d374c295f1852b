"""follow, unfollow, markNotificationsRead and updateNotificationPreferences."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from icn_graph.db.types import utcnow
from icn_graph.notifications import following, inbox, models, preferences
from icn_graph.schema.context import Info
from icn_graph.schema.descriptions import USER_ERRORS_DESCRIPTION, InputArgument
from icn_graph.schema.notifications import enums
from icn_graph.schema.notifications.types import (
    FollowEntry,
    Notification,
    NotificationPreferences,
    resolve_subject,
)
from icn_graph.schema.payloads import UserError, attempt
from icn_graph.schema.relay import Node

if TYPE_CHECKING:
    from icn_graph.schema.viewer import ViewerHome

__all__ = ["NotificationMutations", "enums"]

ViewerRef = Annotated["ViewerHome", strawberry.lazy("icn_graph.schema.viewer")]


@strawberry.input(description="A subject to follow, and how closely.")
class FollowInput:
    subject_id: strawberry.ID = strawberry.field(
        description="A center, goal, Learning Session, agenda item, ... by global ID."
    )
    level: models.FollowLevel = strawberry.field(
        default=models.FollowLevel.NORMAL, description="How closely; NORMAL unless given."
    )


@strawberry.type(description="What `follow` did.")
class FollowPayload:
    follow: FollowEntry | None = strawberry.field(
        description="The follow as it is now (its `subject` with `viewerIsFollowing`); null if "
        "refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)

    @strawberry.field(
        description="You, with `following` as it is now, so a client cache lists the new follow."
    )
    def viewer(self, info: Info) -> ViewerRef:
        return _viewer(info)


@strawberry.input(description="A subject to stop following.")
class UnfollowInput:
    subject_id: strawberry.ID = strawberry.field(description="The followed subject's global ID.")


@strawberry.type(description="What `unfollow` did.")
class UnfollowPayload:
    subject_id: strawberry.ID | None = strawberry.field(
        description="The subject no longer followed, to update client caches; null if refused."
    )
    unfollowed: bool = strawberry.field(description="False if the viewer did not follow it.")
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)

    @strawberry.field(
        description="The subject no longer followed, with `viewerIsFollowing` false, so a "
        "client cache updates it; null if refused or gone."
    )
    async def subject(self, info: Info) -> Node | None:
        return await resolve_subject(info, self.subject_id) if self.subject_id else None

    @strawberry.field(
        description="You, with `following` as it is now, so a client cache drops the follow."
    )
    def viewer(self, info: Info) -> ViewerRef:
        return _viewer(info)


@strawberry.input(description="Either ids or all: true.")
class MarkNotificationsReadInput:
    ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="The viewer's notifications to mark read (at most 100)."
    )
    all_: bool = strawberry.field(
        name="all", default=False, description="Mark every notification of the viewer read."
    )


@strawberry.type(description="What `markNotificationsRead` did, and the counts after it.")
class MarkNotificationsReadPayload:
    notifications: list[Notification] = strawberry.field(
        description="The notifications named in ids, now read; for all: true, the ones this "
        "call marked read, newest first (at most 100; markedCount says how many it marked)."
    )
    marked_count: int = strawberry.field(description="How many were unread until now.")
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)

    @strawberry.field(description="How many of the viewer's notifications are still unread.")
    async def unread_count(self, info: Info) -> int:
        return await inbox.unread_count(info.context.db, info.context.viewer)

    @strawberry.field(
        description="The viewer after the change (ask for `id unreadNotificationsCount`), so "
        "a client cache updates the count without refetching."
    )
    def viewer(self, info: Info) -> ViewerRef:
        return _viewer(info)


@strawberry.input(description="How to mail notifications of one event type.")
class DeliveryOverrideInput:
    event_type: str = strawberry.field(description="e.g. goal.checked_in")
    delivery: models.DeliveryMode = strawberry.field(
        description="How its notifications are mailed, instead of `delivery`."
    )


@strawberry.input(description="Fields left out stay as they are.")
class UpdateNotificationPreferencesInput:
    delivery: models.DeliveryMode | None = strawberry.field(
        default=None, description="How notifications are mailed, unless overridden by type."
    )
    digest_hour: int | None = strawberry.field(default=None, description="0-23, your time.")
    digest_weekday: int | None = strawberry.field(
        default=None, description="0 (Monday) to 6 (Sunday)."
    )
    quiet_hours_start: strawberry.Maybe[str | None] = strawberry.field(
        description="HH:MM, your time. Give both ends, or both null to have no quiet hours."
    )
    quiet_hours_end: strawberry.Maybe[str | None] = strawberry.field(
        description="HH:MM, your time: when quiet hours end (they may span midnight)."
    )
    overrides: list[DeliveryOverrideInput] | None = strawberry.field(
        default=None, description="Replaces every override; [] removes them all."
    )

    def changes(self) -> preferences.PreferenceChanges:
        quiet = None
        if self.quiet_hours_start is not None or self.quiet_hours_end is not None:
            quiet = preferences.QuietHoursChange(
                start=self.quiet_hours_start.value if self.quiet_hours_start else None,
                end=self.quiet_hours_end.value if self.quiet_hours_end else None,
            )
        overrides = None
        if self.overrides is not None:
            overrides = [
                preferences.OverrideDraft(event_type=entry.event_type, delivery=entry.delivery)
                for entry in self.overrides
            ]
        return preferences.PreferenceChanges(
            delivery=self.delivery,
            digest_hour=self.digest_hour,
            digest_weekday=self.digest_weekday,
            quiet_hours=quiet,
            overrides=overrides,
        )


@strawberry.type(description="What `updateNotificationPreferences` did.")
class UpdateNotificationPreferencesPayload:
    preferences: NotificationPreferences | None = strawberry.field(
        description="The preferences as they are now; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)

    @strawberry.field(
        description="The viewer after the change (ask for `id notificationPreferences { ... }`), "
        "so a client cache updates the preferences it keeps under the viewer."
    )
    def viewer(self, info: Info) -> ViewerRef:
        return _viewer(info)


def _viewer(info: Info) -> ViewerRef:
    from icn_graph.schema.viewer import ViewerHome

    return ViewerHome(person_pk=info.context.viewer.require_member())


@strawberry.type
class NotificationMutations:
    @strawberry.mutation(
        description="Follow a subject (or change how closely): WATCHING, NORMAL or MUTED."
    )
    async def follow(self, info: Info, input: InputArgument[FollowInput]) -> FollowPayload:
        row, errors = await attempt(
            following.follow(info.context.db, info.context.viewer, input.subject_id, input.level)
        )
        return FollowPayload(
            follow=FollowEntry.from_model(row) if row else None, user_errors=errors
        )

    @strawberry.mutation(description="Stop following a subject.")
    async def unfollow(self, info: Info, input: InputArgument[UnfollowInput]) -> UnfollowPayload:
        removed, errors = await attempt(
            following.unfollow(info.context.db, info.context.viewer, input.subject_id)
        )
        return UnfollowPayload(
            subject_id=None if errors else input.subject_id,
            unfollowed=bool(removed),
            user_errors=errors,
        )

    @strawberry.mutation(
        description="Mark the viewer's notifications read; mail not yet sent for them is not sent."
    )
    async def mark_notifications_read(
        self, info: Info, input: InputArgument[MarkNotificationsReadInput]
    ) -> MarkNotificationsReadPayload:
        result, errors = await attempt(
            inbox.mark_read(
                info.context.db,
                info.context.viewer,
                ids=input.ids,
                everything=input.all_,
                now=utcnow(),
            )
        )
        return MarkNotificationsReadPayload(
            notifications=[Notification.from_model(row) for row in result.notifications]
            if result
            else [],
            marked_count=result.marked if result else 0,
            user_errors=errors,
        )

    @strawberry.mutation(description="Change how and when the viewer gets notification mail.")
    async def update_notification_preferences(
        self, info: Info, input: InputArgument[UpdateNotificationPreferencesInput]
    ) -> UpdateNotificationPreferencesPayload:
        found, errors = await attempt(
            preferences.update_preferences(
                info.context.db, info.context.viewer, info.context.settings, input.changes()
            )
        )
        return UpdateNotificationPreferencesPayload(
            preferences=NotificationPreferences.from_service(found) if found else None,
            user_errors=errors,
        )
