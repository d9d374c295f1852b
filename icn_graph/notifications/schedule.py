"""When a notification's mail is due, from the recipient's preferences: pure, no clock, no I/O.

Immediate mail waits ``batch_seconds`` (a burst on one subject becomes one email); a daily digest
goes out at the next digest hour, a weekly one at the next digest hour on the digest weekday. Any
due time inside the person's quiet hours moves to the moment they end. Wall-clock times are
the person's own (their IANA zone, daylight saving included); a wall time that does not exist on
a spring-forward day means the moment the clocks jump past it, and one that happens twice on a
fall-back day means its first occurrence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icn_graph.notifications.models.notifications import DeliveryMode, EmailStatus


@dataclass(frozen=True)
class EffectivePreferences:
    """How and when a person gets mail; ``overrides`` maps an event type to its own delivery."""

    delivery: DeliveryMode
    digest_hour: int
    digest_weekday: int
    quiet_hours_start: time | None
    quiet_hours_end: time | None
    overrides: Mapping[str, DeliveryMode]
    timezone: str
    # True while the person has never changed anything (the defaults for their kind apply).
    is_default: bool = False

    def delivery_for(self, event_type: str) -> DeliveryMode:
        return self.overrides.get(event_type, self.delivery)


@dataclass(frozen=True)
class EmailPlan:
    delivery: DeliveryMode
    status: EmailStatus
    due_at: datetime | None


def zone_of(name: str) -> tzinfo:
    """The IANA zone ``name``; UTC for an unknown name (a person's time zone is validated)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def at_wall_time(day: date, clock: time, zone: tzinfo, *, fold: int = 0) -> datetime:
    """``day`` at ``clock`` in ``zone``, as UTC (``fold=1``: a repeated time's second pass)."""
    return datetime.combine(day, clock, tzinfo=zone).replace(fold=fold).astimezone(UTC)


def in_quiet_hours(clock: time, start: time, end: time) -> bool:
    if start < end:
        return start <= clock < end
    return clock >= start or clock < end  # the quiet period crosses midnight


def after_quiet_hours(
    moment: datetime, zone: tzinfo, start: time | None, end: time | None
) -> datetime:
    """``moment``, or the end of the quiet period it falls in."""
    if start is None or end is None or start == end:
        return moment
    local = moment.astimezone(zone)
    if not in_quiet_hours(local.time().replace(tzinfo=None), start, end):
        return moment
    candidates = (
        at_wall_time(local.date(), end, zone),
        at_wall_time(local.date(), end, zone, fold=1),  # differs on a fall-back day only
        at_wall_time(local.date() + timedelta(days=1), end, zone),
    )
    return next(ends for ends in candidates if ends > moment)


def next_digest(after: datetime, zone: tzinfo, hour: int, weekday: int | None) -> datetime:
    """The first ``hour``:00 local time strictly after ``after`` (on ``weekday``, if given)."""
    day = after.astimezone(zone).date()
    for offset in range(9):
        candidate_day = day + timedelta(days=offset)
        if weekday is not None and candidate_day.weekday() != weekday:
            continue
        candidate = at_wall_time(candidate_day, time(hour), zone)
        if candidate > after:
            return candidate
    raise AssertionError("a digest hour recurs within eight days")  # pragma: no cover


def plan_email(
    *,
    event_type: str,
    created_at: datetime,
    prefs: EffectivePreferences,
    batch_seconds: float,
) -> EmailPlan:
    """How and when the mail for a notification of ``event_type`` made at ``created_at`` goes."""
    delivery = prefs.delivery_for(event_type)
    if delivery is DeliveryMode.OFF:
        return EmailPlan(delivery=delivery, status=EmailStatus.NONE, due_at=None)
    zone = zone_of(prefs.timezone)
    created = created_at if created_at.tzinfo is not None else created_at.replace(tzinfo=UTC)
    if delivery is DeliveryMode.IMMEDIATE:
        due = created + timedelta(seconds=batch_seconds)
    elif delivery is DeliveryMode.DAILY_DIGEST:
        due = next_digest(created, zone, prefs.digest_hour, None)
    else:
        due = next_digest(created, zone, prefs.digest_hour, prefs.digest_weekday)
    due = after_quiet_hours(due, zone, prefs.quiet_hours_start, prefs.quiet_hours_end)
    return EmailPlan(delivery=delivery, status=EmailStatus.PENDING, due_at=due.astimezone(UTC))
