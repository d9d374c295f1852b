"""Field checks shared by the stewardship writes: measures, centers, periods, expiry dates."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date

from icn_graph.errors import UserErrorCode
from icn_graph.reports import MAX_MONTHS
from icn_graph.services.stewardship.states import today
from icn_graph.services.validation import Checker

PURPOSE_LENGTH = 300
TEXT_LENGTH = 5000
NOTE_LENGTH = 2000
MAX_MEASURES = 10
MAX_CENTERS = 200


def month_of(day: date) -> date:
    return day.replace(day=1)


def measure_keys(
    check: Checker, field: str, keys: Sequence[str], known: Collection[str]
) -> list[str]:
    """``keys`` trimmed; each must be a known measure, listed once."""
    if not keys:
        check.add(field, "Name at least one measure.", UserErrorCode.REQUIRED)
        return []
    if len(keys) > MAX_MEASURES:
        check.add(field, f"At most {MAX_MEASURES} measures (got {len(keys)}).")
        return []
    cleaned: list[str] = []
    for index, key in enumerate(keys):
        value = key.strip()
        if value not in known:
            check.add(
                f"{field}[{index}]",
                f"'{value[:64]}' is not a known measure (see `measures`).",
                UserErrorCode.NOT_FOUND,
            )
        elif value in cleaned:
            check.add(f"{field}[{index}]", f"'{value}' is listed twice.")
        else:
            cleaned.append(value)
    return cleaned


def measure_key(check: Checker, field: str, key: str, known: Collection[str]) -> str:
    value = key.strip()
    if value not in known:
        check.add(
            field,
            f"'{value[:64]}' is not a known measure (see `measures`).",
            UserErrorCode.NOT_FOUND,
        )
    return value


def center_ids(
    check: Checker, field: str, ids: Sequence[int], missing: Collection[int]
) -> list[int]:
    """``ids`` in order, each an existing center (``missing`` are those that are not), once."""
    if len(ids) > MAX_CENTERS:
        check.add(field, f"At most {MAX_CENTERS} centers (got {len(ids)}).")
        return []
    cleaned: list[int] = []
    for index, pk in enumerate(ids):
        if pk in missing:
            check.add(f"{field}[{index}]", "No center has that ID.", UserErrorCode.NOT_FOUND)
        elif pk in cleaned:
            check.add(f"{field}[{index}]", "This center is listed twice.")
        else:
            cleaned.append(pk)
    return cleaned


def period(check: Checker, start: date, end: date) -> tuple[date, date]:
    """The months of ``start`` and ``end`` (any day stands for its month), in order and not
    after the current month."""
    first, last = month_of(start), month_of(end)
    if first > last:
        check.add("periodEnd", "The period must not end before it starts (periodStart).")
    elif last > month_of(today()):
        check.add("periodEnd", "The period cannot end after the current month.")
    elif (last.year - first.year) * 12 + last.month - first.month + 1 > MAX_MONTHS:
        check.add(
            "periodStart",
            f"A period covers at most {MAX_MONTHS} months, as a report does; "
            f"{first:%Y-%m} to {last:%Y-%m} is longer.",
        )
    return first, last


def expiry(check: Checker, field: str, value: date, *, latest: date | None = None) -> date:
    """A last day that is today or later (and not after ``latest``)."""
    now = today()
    if value < now:
        check.add(field, "The expiry date cannot be in the past.")
    elif latest is not None and value > latest:
        check.add(field, f"The expiry date cannot be after the request's ({latest.isoformat()}).")
    return value


def optional_text(check: Checker, field: str, value: str | None, *, label: str) -> str:
    """Free text that may be empty (a note, a reason): ``""`` when blank."""
    if value is None or not value.strip():
        return ""
    return check.text(field, value, max_length=NOTE_LENGTH, label=label, multiline=True)
