"""One-click unsubscribe: what a signed token stops, and stopping it at once.

A subject-scoped token mutes the person's follow of that subject (``FollowLevel.MUTED``): no
mail and no new in-app notifications about it or what belongs to it (unless they follow that
directly); mail links name the followed subject a notification rolls up to, so muting it stops
the next registration's mail too. An all-mail token sets their delivery to OFF and clears their
per-event-type overrides (an override would otherwise keep mailing them). Either way, mail
already planned but not yet composed is cancelled in the same transaction (its notifications
stay in the app). Unsubscribing twice is harmless, also at the same moment (two mail clients
posting at once): the request that lost the race to create the preferences or follow row is
retried once and finds it. A token is checked against the person's current address in the
transaction that acts on it: mail sent to an old address changes nothing (see ``tokens``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.models import Person
from icn_graph.notifications.mail.tokens import (
    UnsubscribeScope,
    invalid_token,
    read_token,
    token_person,
)
from icn_graph.notifications.models import (
    DeliveryMode,
    EmailStatus,
    Follow,
    FollowLevel,
    FollowReason,
    Notification,
    NotificationPreferences,
)
from icn_graph.notifications.preferences import defaults_for
from icn_graph.notifications.subjects import describe_subject, label_of


@dataclass(frozen=True)
class UnsubscribeTarget:
    """What a token would stop, in words for the confirmation page."""

    scope: UnsubscribeScope
    person_name: str
    # The person's current address: the confirmation page links to their manage page.
    email_key: str
    # "the goal 'Reduce steroid use'" or "all notification mail from ImproveCareNow".
    description: str

    @property
    def stops(self) -> str:
        """Exactly what unsubscribing stops, and what it does not."""
        if self.scope.subject_id is None:
            return (
                f"This stops {self.description}: no immediate mail and no digests. You still "
                "follow what you followed, and new notifications keep arriving in the app."
            )
        return (
            f"This mutes {self.description}: you get no more mail and no new notifications "
            "in the app about it, nor about what belongs to it (a Learning Session's agenda "
            "items and registrations, a goal's key results and check-ins, a center's goals), "
            "unless you follow one of those yourself. Notifications you already have stay in "
            "the app, and other mail goes on as before."
        )


async def _target(
    session: AsyncSession, settings: Settings, token: str, now: datetime
) -> UnsubscribeTarget:
    person = await session.get(Person, token_person(token))
    if person is None:
        # Said like a forged link: which account ids exist is nobody's business.
        raise invalid_token()
    secret = settings.secret_key.get_secret_value()
    scope = read_token(secret, token, person.email_key, now=now)
    network = settings.network_name
    if scope.subject_id is None:
        description = f"all notification mail from {network}"
    else:
        info = await describe_subject(session, scope.subject_id)
        description = (
            f"the {info.label} '{info.title}'"
            if info is not None
            else f"a removed {label_of(scope.subject_id)}"
        )
    return UnsubscribeTarget(scope, person.display_name, person.email_key, description)


async def unsubscribe_target(
    db: Database, settings: Settings, token: str, *, now: datetime
) -> UnsubscribeTarget:
    """What ``token`` stops; InvalidToken or ExpiredToken. Changes nothing (the GET page)."""
    async with db.session() as session:
        return await _target(session, settings, token, now)


async def unsubscribe(
    db: Database, settings: Settings, token: str, *, now: datetime
) -> UnsubscribeTarget:
    """Stop what ``token`` names, at once."""
    try:
        return await _unsubscribe(db, settings, token, now)
    except IntegrityError:
        # A concurrent unsubscribe (or preferences change, or follow) created the row this one
        # was inserting; now it exists and is updated instead.
        return await _unsubscribe(db, settings, token, now)


async def _unsubscribe(
    db: Database, settings: Settings, token: str, now: datetime
) -> UnsubscribeTarget:
    async with db.transaction() as session:
        target = await _target(session, settings, token, now)
        scope = target.scope
        if scope.subject_id is None:
            await _delivery_off(session, settings, scope.person_id)
        else:
            await _mute(session, scope.person_id, scope.subject_id, now)
        await session.flush()  # a row inserted meanwhile by another request fails here
        cancelled = update(Notification).where(
            Notification.person_id == scope.person_id,
            Notification.email_status == EmailStatus.PENDING,
        )
        if scope.subject_id is not None:
            # Mail about the subject, and what rolls up to it (a session's registrations).
            cancelled = cancelled.where(
                or_(
                    Notification.subject_id == scope.subject_id,
                    Notification.followed_subject_id == scope.subject_id,
                )
            )
        await session.execute(
            cancelled.values(email_status=EmailStatus.NONE, email_due_at=None).execution_options(
                synchronize_session=False
            )
        )
    return target


async def _mute(session: AsyncSession, person_id: int, subject_id: str, now: datetime) -> None:
    follow = await session.scalar(
        select(Follow)
        .where(Follow.person_id == person_id, Follow.subject_id == subject_id)
        .with_for_update()
    )
    if follow is None:
        session.add(
            Follow(
                person_id=person_id,
                subject_id=subject_id,
                level=FollowLevel.MUTED,
                reason=FollowReason.MANUAL,
                created_at=now,
                updated_at=now,
            )
        )
    else:
        follow.level = FollowLevel.MUTED
        follow.updated_at = now


async def _delivery_off(session: AsyncSession, settings: Settings, person_id: int) -> None:
    preferences = await session.get(NotificationPreferences, person_id, with_for_update=True)
    if preferences is not None:
        preferences.delivery = DeliveryMode.OFF
        # "All mail" includes the event types the person had set to their own delivery.
        preferences.overrides = {}
        return
    person = await session.get(Person, person_id)
    assert person is not None  # checked by _target in this transaction
    defaults = defaults_for(person.kind, person.timezone, settings)
    session.add(
        NotificationPreferences(
            person_id=person_id,
            delivery=DeliveryMode.OFF,
            digest_hour=defaults.digest_hour,
            digest_weekday=defaults.digest_weekday,
            quiet_hours_start=defaults.quiet_hours_start,
            quiet_hours_end=defaults.quiet_hours_end,
            overrides={},
        )
    )
