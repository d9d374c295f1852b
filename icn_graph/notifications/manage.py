"""The "manage your email" page's service: what a person has chosen, and changing it.

The page shows a person's delivery (immediate, daily or weekly digest, off), digest hour and
weekday, quiet hours (in their own time zone) and the level of every subject they follow. A
submitted form is checked field by field first; any refused field is reported (named as in
``updateNotificationPreferences``, or ``level:<subject ID>``) and nothing is written. Otherwise
preferences and follow levels change in one transaction: only what differs is written (a follow
whose level changes becomes the person's own choice, MANUAL), muting a subject cancels its mail
not composed yet, and pending mail is planned again with the new preferences.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.errors import NotFound
from icn_graph.models import Person
from icn_graph.notifications.models import (
    DeliveryMode,
    EmailStatus,
    Follow,
    FollowLevel,
    FollowReason,
    Notification,
)
from icn_graph.notifications.preferences import (
    PreferenceChanges,
    QuietHoursChange,
    check_changes,
    effective_preferences,
    format_clock,
    write_preferences,
)
from icn_graph.notifications.schedule import EffectivePreferences
from icn_graph.notifications.subjects import describe_subjects
from icn_graph.services.validation import Checker

# The page lists at most this many follows (the most recent first).
LISTED_FOLLOWS = 500
LEVEL_FIELD = "level:"


@dataclass(frozen=True)
class FollowedSubject:
    subject_id: str
    title: str
    label: str
    level: FollowLevel


@dataclass(frozen=True)
class ManageView:
    """Everything the page shows."""

    person_id: int
    person_name: str
    email: str
    email_key: str
    timezone: str
    preferences: EffectivePreferences
    follows: list[FollowedSubject]


async def _view(session: AsyncSession, person: Person, settings: Settings) -> ManageView:
    preferences = (await effective_preferences(session, [person.id], settings))[person.id]
    follows = list(
        await session.scalars(
            select(Follow)
            .where(Follow.person_id == person.id)
            .order_by(Follow.id.desc())
            .limit(LISTED_FOLLOWS)
        )
    )
    infos = await describe_subjects(session, [follow.subject_id for follow in follows])
    listed = [
        FollowedSubject(follow.subject_id, info.title, info.label, follow.level)
        for follow in follows
        if (info := infos.get(follow.subject_id)) is not None
    ]
    listed.sort(key=lambda subject: (subject.label.lower(), subject.title.lower()))
    return ManageView(
        person.id,
        person.display_name,
        person.email,
        person.email_key,
        person.timezone,
        preferences,
        listed,
    )


async def _person(session: AsyncSession, person_id: int) -> Person:
    person = await session.get(Person, person_id)
    if person is None:
        raise NotFound("This link belongs to an account that no longer exists.")
    return person


async def person_email_key(db: Database, person_id: int) -> str:
    """The address a link is checked against; NotFound for an account that is gone."""
    async with db.session() as session:
        return (await _person(session, person_id)).email_key


async def manage_view(db: Database, settings: Settings, person_id: int) -> ManageView:
    async with db.session() as session:
        return await _view(session, await _person(session, person_id), settings)


@dataclass(frozen=True)
class _Form:
    """The submitted form, checked."""

    changes: PreferenceChanges
    levels: dict[str, FollowLevel]


def _int(check: Checker, form: Mapping[str, str], name: str, label: str) -> int | None:
    text = form.get(name, "").strip()
    if not text:
        check.add(name, f"Choose the {label}.")
        return None
    if not text.isdigit() or len(text) > 2:
        check.add(name, f"'{text[:20]}' is not a valid {label}.")
        return None
    return int(text)


def _delivery(check: Checker, form: Mapping[str, str]) -> DeliveryMode | None:
    text = form.get("delivery", "").strip()
    try:
        return DeliveryMode(text)
    except ValueError:
        choices = ", ".join(mode.value for mode in DeliveryMode)
        check.add("delivery", f"'{text[:40]}' is not a delivery choice ({choices}).")
        return None


def _levels(
    check: Checker, form: Mapping[str, str], followed: Mapping[str, FollowLevel]
) -> dict[str, FollowLevel]:
    levels: dict[str, FollowLevel] = {}
    for name, value in form.items():
        if not name.startswith(LEVEL_FIELD):
            continue
        subject_id = name.removeprefix(LEVEL_FIELD)
        if subject_id not in followed:
            check.add(name, "You no longer follow this; reload the page to see what you follow.")
            continue
        try:
            levels[subject_id] = FollowLevel(value.strip())
        except ValueError:
            choices = ", ".join(level.value for level in FollowLevel)
            check.add(name, f"'{value[:40]}' is not a level ({choices}).")
    return levels


def _read_form(check: Checker, form: Mapping[str, str], view: ManageView) -> _Form:
    start = form.get("quietHoursStart", "").strip() or None
    end = form.get("quietHoursEnd", "").strip() or None
    changes = PreferenceChanges(
        delivery=_delivery(check, form),
        digest_hour=_int(check, form, "digestHour", "digest hour"),
        digest_weekday=_int(check, form, "digestWeekday", "digest weekday"),
        quiet_hours=QuietHoursChange(start, end),
    )
    levels = _levels(check, form, {f.subject_id: f.level for f in view.follows})
    return _Form(changes, levels)


def _differs(
    changes: PreferenceChanges,
    now: EffectivePreferences,
    quiet: tuple[time | None, time | None] | None,
) -> bool:
    return (
        (changes.delivery is not None and changes.delivery != now.delivery)
        or (changes.digest_hour is not None and changes.digest_hour != now.digest_hour)
        or (changes.digest_weekday is not None and changes.digest_weekday != now.digest_weekday)
        or (quiet is not None and quiet != (now.quiet_hours_start, now.quiet_hours_end))
    )


async def apply_manage_form(
    db: Database, settings: Settings, person_id: int, form: Mapping[str, str], *, now: datetime
) -> ManageView:
    """Apply a submitted form; InvalidInput naming every refused field (nothing written)."""
    async with db.transaction() as session:
        person = await _person(session, person_id)
        view = await _view(session, person, settings)
        check = Checker()
        submitted = _read_form(check, form, view)
        checked = check_changes(check, submitted.changes)
        check.raise_if_any()
        muted = await _set_levels(session, view, submitted.levels, now)
        if muted:
            await session.execute(
                update(Notification)
                .where(
                    Notification.person_id == person_id,
                    Notification.email_status == EmailStatus.PENDING,
                    or_(
                        Notification.followed_subject_id.in_(muted),
                        Notification.subject_id.in_(muted),
                    ),
                )
                .values(email_status=EmailStatus.NONE, email_due_at=None)
                .execution_options(synchronize_session=False)
            )
        if _differs(submitted.changes, view.preferences, checked.quiet):
            await write_preferences(session, person, settings, checked)
        await session.flush()
        return await _view(session, person, settings)


async def _set_levels(
    session: AsyncSession, view: ManageView, levels: Mapping[str, FollowLevel], now: datetime
) -> list[str]:
    """Change the follows whose level differs; the subjects newly muted."""
    current = {subject.subject_id: subject.level for subject in view.follows}
    changed = {sid: level for sid, level in levels.items() if current.get(sid) != level}
    if not changed:
        return []
    rows = await session.scalars(
        select(Follow)
        .where(Follow.person_id == view.person_id, Follow.subject_id.in_(sorted(changed)))
        .with_for_update()
    )
    for row in rows:
        row.level, row.reason, row.updated_at = changed[row.subject_id], FollowReason.MANUAL, now
    return sorted(sid for sid, level in changed.items() if level == FollowLevel.MUTED)


def form_values(view: ManageView) -> dict[str, str]:
    """The form's fields as the page shows them, from what is stored."""
    prefs = view.preferences
    values = {
        "delivery": prefs.delivery.value,
        "digestHour": str(prefs.digest_hour),
        "digestWeekday": str(prefs.digest_weekday),
        "quietHoursStart": format_clock(prefs.quiet_hours_start) or "",
        "quietHoursEnd": format_clock(prefs.quiet_hours_end) or "",
    }
    for subject in view.follows:
        values[LEVEL_FIELD + subject.subject_id] = subject.level.value
    return values
