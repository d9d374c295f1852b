"""Each person's mail preferences: their own choices, or the defaults for their kind.

Partners (parents and patients) start on a daily digest and everyone else on immediate mail
(``ICN_NOTIFY_PARTNER_DELIVERY``, ``ICN_NOTIFY_CARE_TEAM_DELIVERY``); digests come at
``ICN_NOTIFY_DIGEST_HOUR`` (weekly ones on ``ICN_NOTIFY_DIGEST_WEEKDAY``) and quiet hours are
``ICN_NOTIFY_QUIET_HOURS``, all in the person's own time zone. The first change a person makes
stores a row holding all of their choices, starting from those defaults; mail already planned
but not composed yet is planned again with the new choices.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import time
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.errors import NotFound
from icn_graph.models import Person, PersonKind
from icn_graph.models.people import PARTNER_KINDS
from icn_graph.notifications.models.notifications import (
    DeliveryMode,
    EmailStatus,
    Notification,
    NotificationPreferences,
)
from icn_graph.notifications.schedule import EffectivePreferences, plan_email
from icn_graph.services.validation import Checker
from icn_graph.services.viewer import Viewer

MAX_OVERRIDES = 50
EVENT_TYPE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
CLOCK = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")


def parse_clock(value: str) -> time | None:
    """``"22:00"`` as a time; None if it is not HH:MM on a 24-hour clock."""
    match = CLOCK.match(value.strip())
    return time(int(match[1]), int(match[2])) if match else None


def format_clock(value: time | None) -> str | None:
    return value.strftime("%H:%M") if value is not None else None


def default_quiet_hours(settings: Settings) -> tuple[time | None, time | None]:
    start, _, end = settings.notify_quiet_hours.partition("-")
    if not start:
        return None, None
    return parse_clock(start), parse_clock(end)


def default_delivery(kind: PersonKind, settings: Settings) -> DeliveryMode:
    if kind in PARTNER_KINDS:
        return DeliveryMode(settings.notify_partner_delivery)
    return DeliveryMode(settings.notify_care_team_delivery)


def defaults_for(kind: PersonKind, timezone: str, settings: Settings) -> EffectivePreferences:
    start, end = default_quiet_hours(settings)
    return EffectivePreferences(
        delivery=default_delivery(kind, settings),
        digest_hour=settings.notify_digest_hour,
        digest_weekday=settings.notify_digest_weekday,
        quiet_hours_start=start,
        quiet_hours_end=end,
        overrides={},
        timezone=timezone,
        is_default=True,
    )


def _stored_overrides(raw: Mapping[str, Any]) -> dict[str, DeliveryMode]:
    """The row's overrides; a value that is no delivery mode (hand-edited data) is ignored."""
    known = {mode.value for mode in DeliveryMode}
    return {event: DeliveryMode(mode) for event, mode in raw.items() if mode in known}


def from_row(row: NotificationPreferences, timezone: str) -> EffectivePreferences:
    return EffectivePreferences(
        delivery=row.delivery,
        digest_hour=row.digest_hour,
        digest_weekday=row.digest_weekday,
        quiet_hours_start=row.quiet_hours_start,
        quiet_hours_end=row.quiet_hours_end,
        overrides=_stored_overrides(row.overrides or {}),
        timezone=timezone,
    )


async def effective_preferences(
    session: AsyncSession,
    person_ids: Collection[int],
    settings: Settings,
    *,
    active_only: bool = False,
) -> dict[int, EffectivePreferences]:
    """Preferences of each person in ``person_ids`` that exists (and, with ``active_only``, is
    not deactivated): two queries in all."""
    wanted = sorted(set(person_ids))
    if not wanted:
        return {}
    statement = select(Person.id, Person.kind, Person.timezone).where(Person.id.in_(wanted))
    if active_only:
        statement = statement.where(Person.deactivated_at.is_(None))
    people = (await session.execute(statement)).all()
    rows = {
        row.person_id: row
        for row in await session.scalars(
            select(NotificationPreferences).where(NotificationPreferences.person_id.in_(wanted))
        )
    }
    found: dict[int, EffectivePreferences] = {}
    for person_id, kind, timezone in people:
        row = rows.get(person_id)
        found[person_id] = (
            from_row(row, timezone) if row is not None else defaults_for(kind, timezone, settings)
        )
    return found


async def preferences_of(db: Database, viewer: Viewer, settings: Settings) -> EffectivePreferences:
    """The viewer's own preferences."""
    person_id = viewer.require_member()
    async with db.session() as session:
        found = await effective_preferences(session, [person_id], settings)
    if person_id not in found:
        raise NotFound("Your account no longer exists.")
    return found[person_id]


# ---------------------------------------------------------------------------------------------
# Changes
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuietHoursChange:
    """New quiet hours as HH:MM texts; both None turns quiet hours off."""

    start: str | None
    end: str | None


@dataclass(frozen=True)
class OverrideDraft:
    event_type: str
    delivery: DeliveryMode


@dataclass(frozen=True)
class PreferenceChanges:
    """What to change; None leaves a choice as it is. ``overrides`` replaces all of them."""

    delivery: DeliveryMode | None = None
    digest_hour: int | None = None
    digest_weekday: int | None = None
    quiet_hours: QuietHoursChange | None = None
    overrides: Sequence[OverrideDraft] | None = None


def _check_quiet_hours(check: Checker, change: QuietHoursChange) -> tuple[time | None, time | None]:
    if change.start is None and change.end is None:
        return None, None
    if change.start is None or change.end is None:
        missing = "quietHoursStart" if change.start is None else "quietHoursEnd"
        check.add(missing, "Give both ends of the quiet hours, or neither to turn them off.")
        return None, None
    start, end = parse_clock(change.start), parse_clock(change.end)
    for name, text, parsed in (
        ("quietHoursStart", change.start, start),
        ("quietHoursEnd", change.end, end),
    ):
        if parsed is None:
            check.add(name, f"'{text[:20]}' is not a time of day as HH:MM (for example 22:00).")
    if start is not None and start == end:
        check.add("quietHoursEnd", "Quiet hours must end at another time than they start.")
    return start, end


def _check_overrides(check: Checker, drafts: Sequence[OverrideDraft]) -> dict[str, str]:
    if len(drafts) > MAX_OVERRIDES:
        check.add("overrides", f"At most {MAX_OVERRIDES} overrides (got {len(drafts)}).")
        return {}
    cleaned: dict[str, str] = {}
    for index, draft in enumerate(drafts):
        name = f"overrides[{index}].eventType"
        event_type = draft.event_type.strip()
        if len(event_type) > 100 or not EVENT_TYPE.match(event_type):
            check.add(
                name,
                f"'{event_type[:100]}' is not an event type (lower-case words joined by dots, "
                "for example goal.checked_in).",
            )
        elif event_type in cleaned:
            check.add(name, f"'{event_type}' is listed twice.")
        else:
            cleaned[event_type] = draft.delivery.value
    return cleaned


@dataclass(frozen=True)
class CheckedChanges:
    """Changes whose every field passed its checks."""

    changes: PreferenceChanges
    quiet: tuple[time | None, time | None] | None
    overrides: dict[str, str] | None


def check_changes(check: Checker, changes: PreferenceChanges) -> CheckedChanges:
    """Record every refused field in ``check``; the changes as they will be written."""
    if changes.digest_hour is not None and not 0 <= changes.digest_hour <= 23:
        check.add("digestHour", f"The digest hour is 0-23 (got {changes.digest_hour}).")
    if changes.digest_weekday is not None and not 0 <= changes.digest_weekday <= 6:
        check.add(
            "digestWeekday",
            f"The digest weekday is 0 (Monday) to 6 (Sunday) (got {changes.digest_weekday}).",
        )
    quiet = _check_quiet_hours(check, changes.quiet_hours) if changes.quiet_hours else None
    overrides = None
    if changes.overrides is not None:
        overrides = _check_overrides(check, changes.overrides)
    return CheckedChanges(changes, quiet, overrides)


async def update_preferences(
    db: Database, viewer: Viewer, settings: Settings, changes: PreferenceChanges
) -> EffectivePreferences:
    """Change the viewer's own preferences; every refused field is reported, nothing written."""
    person_id = viewer.require_member()
    check = Checker()
    checked = check_changes(check, changes)
    check.raise_if_any()
    async with db.transaction() as session:
        person = await session.get(Person, person_id)
        if person is None:
            raise NotFound("Your account no longer exists.")
        return await write_preferences(session, person, settings, checked)


async def write_preferences(
    session: AsyncSession, person: Person, settings: Settings, checked: CheckedChanges
) -> EffectivePreferences:
    """Store ``checked`` in ``session``'s transaction and re-plan mail not composed yet."""
    changes, quiet, overrides = checked.changes, checked.quiet, checked.overrides
    person_id = person.id
    row = await session.get(NotificationPreferences, person_id, with_for_update=True)
    if row is None:
        start = defaults_for(person.kind, person.timezone, settings)
        row = NotificationPreferences(
            person_id=person_id,
            delivery=start.delivery,
            digest_hour=start.digest_hour,
            digest_weekday=start.digest_weekday,
            quiet_hours_start=start.quiet_hours_start,
            quiet_hours_end=start.quiet_hours_end,
            overrides={},
        )
        session.add(row)
    if changes.delivery is not None:
        row.delivery = changes.delivery
    if changes.digest_hour is not None:
        row.digest_hour = changes.digest_hour
    if changes.digest_weekday is not None:
        row.digest_weekday = changes.digest_weekday
    if quiet is not None:
        row.quiet_hours_start, row.quiet_hours_end = quiet
    if overrides is not None:
        row.overrides = overrides
    await session.flush()
    chosen = from_row(row, person.timezone)
    await _replan_pending_mail(session, person_id, chosen, settings)
    return chosen


async def _replan_pending_mail(
    session: AsyncSession, person_id: int, prefs: EffectivePreferences, settings: Settings
) -> None:
    """Mail not composed yet follows the new choices at once (OFF cancels it)."""
    pending = await session.scalars(
        select(Notification)
        .where(
            Notification.person_id == person_id,
            Notification.email_status == EmailStatus.PENDING,
        )
        .with_for_update()
    )
    for notification in pending:
        plan = plan_email(
            event_type=notification.type,
            created_at=notification.created_at,
            prefs=prefs,
            batch_seconds=settings.notify_batch_seconds,
        )
        notification.delivery = plan.delivery
        notification.email_status = plan.status
        notification.email_due_at = plan.due_at


async def choose_delivery(
    session: AsyncSession,
    person_id: int,
    settings: Settings,
    overrides: Mapping[str, DeliveryMode],
) -> EffectivePreferences:
    """``person_id`` chooses how mail of some event types reaches them (added to the overrides
    they have), in ``session``'s transaction: what they could do in their preferences, for a
    plugin acting for them (a demo's partners who took a thread's mail as it came)."""
    person = await session.get(Person, person_id)
    if person is None:
        raise NotFound(f"There is no person {person_id}.")
    current = (await effective_preferences(session, [person_id], settings))[person_id]
    merged = {**current.overrides, **overrides}
    drafts = [OverrideDraft(event_type, delivery) for event_type, delivery in merged.items()]
    check = Checker()
    checked = check_changes(check, PreferenceChanges(overrides=drafts))
    check.raise_if_any()
    return await write_preferences(session, person, settings, checked)
