"""How a session's time zone applies: wall-clock times, the session's days, and display.

Agenda times are stored as UTC instants. An input time with a UTC offset is that instant; one
without an offset is a wall-clock time in the session's time zone. A session's days run from
midnight at the start of ``starts_on`` to midnight at the end of ``ends_on``, local time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DASH = "\u2013"  # an en dash, as in 10:00-11:00 typeset


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def is_wall_clock(value: datetime) -> bool:
    return value.tzinfo is None or value.utcoffset() is None


def exists_locally(value: datetime, tz: ZoneInfo) -> bool:
    """Whether the wall-clock time ``value`` happens in ``tz`` (not skipped by a DST change)."""
    local = value.replace(tzinfo=tz)
    return local.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == value.replace(tzinfo=None)


def to_utc(value: datetime, tz: ZoneInfo) -> datetime:
    """``value`` as a UTC instant; a wall-clock time is read in ``tz`` (the earlier one, if the
    clocks fall back and it happens twice)."""
    if is_wall_clock(value):
        value = value.replace(tzinfo=tz, fold=0)
    return value.astimezone(UTC)


def session_window(starts_on: date, ends_on: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants of local midnight starting ``starts_on`` and ending ``ends_on``."""
    start = datetime.combine(starts_on, time(), tzinfo=tz)
    end = datetime.combine(ends_on + timedelta(days=1), time(), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open intervals: 10:00-11:00 and 11:00-12:00 do not overlap."""
    return a_start < b_end and b_start < a_end


def clock_span(starts_at: datetime, ends_at: datetime, tz: ZoneInfo) -> str:
    """``10:00-11:00`` (with an en dash) in ``tz``; with dates when it ends on another day."""
    start, end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    if start.date() == end.date():
        return f"{start:%H:%M}{DASH}{end:%H:%M}"
    return f"{start:%Y-%m-%d %H:%M}{DASH}{end:%Y-%m-%d %H:%M}"


def dated_span(starts_at: datetime, ends_at: datetime, tz: ZoneInfo) -> str:
    """``2014-04-04 10:00-11:00`` (with an en dash) in ``tz``."""
    start, end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    if start.date() == end.date():
        return f"{start:%Y-%m-%d %H:%M}{DASH}{end:%H:%M}"
    return f"{start:%Y-%m-%d %H:%M}{DASH}{end:%Y-%m-%d %H:%M}"
