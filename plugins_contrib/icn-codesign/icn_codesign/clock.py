"""Moments as their writer saw them: mail says "written Tue 4 Mar 2014, 11:05 PM EST"."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def in_zone(moment: datetime, timezone: str) -> str:
    """``moment`` on the clock of ``timezone`` (UTC for an unknown zone)."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    local = moment.astimezone(zone)
    clock = local.strftime("%I:%M %p").lstrip("0")
    return f"{local:%a} {local.day} {local:%b %Y}, {clock} {local.tzname()}"
