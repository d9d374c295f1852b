"""The demo's present: the day ``icn-graph demo load`` runs (or ``--today``), after the story.

The 2014 story is the network's history and ends on ``STORY_TODAY``, the eve of the Spring 2014
Learning Session. Everything after it — registry visits, Learning Sessions, goals,
notifications — is placed relative to the demo's ``today``, so a front-end's home screen shows
a network that lives today.
"""

from __future__ import annotations

from datetime import date, timedelta

STORY_TODAY = date(2014, 3, 14)
"""The story's own "today": its goals' last check-ins and its visits' end are set by it."""


def last_day_of_previous_month(day: date) -> date:
    """The last day of the last complete month before ``day``."""
    return day.replace(day=1) - timedelta(days=1)


def check_today(today: date) -> date:
    """``today`` if the demo can be placed there (on or after the story's own today)."""
    if today < STORY_TODAY:
        raise ValueError(
            f"today: {today.isoformat()} is before the story's present "
            f"({STORY_TODAY.isoformat()}); give {STORY_TODAY.isoformat()} or later"
        )
    return today
