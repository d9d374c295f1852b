"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored in UTC, read back aware in UTC on every backend.

    SQLite has no time zones, so values are stored as naive UTC there and re-tagged on the way out.
    Naive datetimes are refused: silently guessing a zone is how timestamps drift by hours.

    On PostgreSQL it is for ``timestamptz`` columns only (every migration makes them so):
    asyncpg reads those as aware datetimes in UTC, so nothing is processed on the way out. Typing
    a ``timestamp without time zone`` expression as this type would give naive values there.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; attach a time zone")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def result_processor(self, dialect: Dialect, coltype: Any) -> Callable[[Any], Any] | None:
        if dialect.driver == "asyncpg":
            return None  # asyncpg reads timestamptz as an aware datetime in UTC already
        return super().result_processor(dialect, coltype)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


# What "now" is: the wall clock (``utcnow``), or a test's simulated time.
Clock = Callable[[], datetime]
