"""Learning Sessions: listing, lookup, creation and edits. Staff plan sessions; members read."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.db.database import Database
from icn_graph.errors import InvalidInput, NotFound, UserError, UserErrorCode
from icn_graph.events import SubjectRef, changes_between, record
from icn_graph.events.types import api_names
from icn_graph.models import AgendaItem, LearningSession, LearningSessionStatus, Season
from icn_graph.services.learning_sessions.conflicts import Slot, outside_session
from icn_graph.services.learning_sessions.events import (
    LearningSessionCreated,
    LearningSessionUpdated,
)
from icn_graph.services.learning_sessions.planning import require_planner
from icn_graph.services.learning_sessions.times import session_window, zone
from icn_graph.services.ordering import OrderDirection
from icn_graph.services.pagination import Page, SortKey, paginate
from icn_graph.services.validation import Checker
from icn_graph.services.viewer import Viewer

FIRST_YEAR = 1990
LAST_YEAR = 2100
MAX_DAYS = 14
MAX_LIST_ITEMS = 20
OBJECTIVE_LENGTH = 500
PRIORITY_LENGTH = 60


@dataclass(frozen=True)
class LearningSessionFilter:
    status: LearningSessionStatus | None = None
    year: int | None = None


@dataclass(frozen=True)
class LearningSessionDraft:
    season: Season
    year: int
    starts_on: date
    ends_on: date
    venue: str
    timezone: str
    title: str | None = None  # defaults to "Spring 2014 Learning Session"
    status: LearningSessionStatus = LearningSessionStatus.PLANNING
    objectives: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()


@dataclass(frozen=True)
class LearningSessionChanges:
    """Fields to change; ``None`` leaves a field as it is (an empty list clears a list)."""

    title: str | None = None
    season: Season | None = None
    year: int | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    venue: str | None = None
    timezone: str | None = None
    status: LearningSessionStatus | None = None
    objectives: tuple[str, ...] | None = None
    priorities: tuple[str, ...] | None = None


def default_title(season: Season, year: int) -> str:
    return f"{season.value.title()} {year} Learning Session"


def _filtered(filter: LearningSessionFilter) -> Select[LearningSession]:
    statement = select(LearningSession)
    if filter.status is not None:
        statement = statement.where(LearningSession.status == filter.status)
    if filter.year is not None:
        statement = statement.where(LearningSession.year == filter.year)
    return statement


async def list_learning_sessions(
    db: Database,
    viewer: Viewer,
    *,
    filter: LearningSessionFilter,
    direction: OrderDirection = OrderDirection.DESC,
    first: int | None = None,
    after: str | None = None,
) -> Page[LearningSession]:
    viewer.require_member()
    key = SortKey(
        "starts_on",
        LearningSession.starts_on,
        LearningSession.id,
        lambda row: row.starts_on,
        direction is OrderDirection.DESC,
    )
    return await paginate(
        db, _filtered(filter), key, first=first, after=after, parse_value=date.fromisoformat
    )


async def sessions_by_id(db: Database, ids: Sequence[int]) -> list[LearningSession | None]:
    """For loaders; the caller has checked the viewer."""
    async with db.session() as session:
        statement = select(LearningSession).where(LearningSession.id.in_(set(ids)))
        found = {row.id: row for row in await session.scalars(statement)}
    return [found.get(key) for key in ids]


def _list(
    check: Checker,
    field: str,
    values: Iterable[str],
    *,
    max_length: int,
    label: str,
    lower: bool = False,
) -> list[str]:
    """Trimmed values, in order; with ``lower`` also lower-cased and without duplicates."""
    cleaned: list[str] = []
    given = list(values)
    if len(given) > MAX_LIST_ITEMS:
        check.add(field, f"At most {MAX_LIST_ITEMS} {field} (got {len(given)}).")
        return cleaned
    for index, value in enumerate(given):
        text = check.text(f"{field}[{index}]", value, max_length=max_length, label=label)
        text = " ".join(text.lower().split()) if lower else text
        if not (lower and text in cleaned):
            cleaned.append(text)
    return cleaned


@dataclass(frozen=True)
class _Clean:
    title: str
    season: Season
    year: int
    starts_on: date
    ends_on: date
    venue: str
    timezone: str
    status: LearningSessionStatus
    objectives: list[str]
    priorities: list[str]


def _check(draft: LearningSessionDraft) -> _Clean:
    check = Checker()
    if not FIRST_YEAR <= draft.year <= LAST_YEAR:
        check.add("year", f"Year must be from {FIRST_YEAR} to {LAST_YEAR} (got {draft.year}).")
    title = draft.title if draft.title is not None else default_title(draft.season, draft.year)
    title = check.text("title", title, max_length=200, label="Title")
    if draft.ends_on < draft.starts_on:
        check.add(
            "endsOn",
            f"The session cannot end ({draft.ends_on}) before it starts ({draft.starts_on}).",
        )
    elif draft.ends_on - draft.starts_on >= timedelta(days=MAX_DAYS):
        check.add("endsOn", f"A Learning Session lasts at most {MAX_DAYS} days.")
    clean = _Clean(
        title=title,
        season=draft.season,
        year=draft.year,
        starts_on=draft.starts_on,
        ends_on=draft.ends_on,
        venue=check.text("venue", draft.venue, max_length=200, label="Venue"),
        timezone=check.timezone("timezone", draft.timezone),
        status=draft.status,
        objectives=_list(
            check, "objectives", draft.objectives, max_length=OBJECTIVE_LENGTH, label="Objective"
        ),
        priorities=_list(
            check,
            "priorities",
            draft.priorities,
            max_length=PRIORITY_LENGTH,
            label="Priority",
            lower=True,
        ),
    )
    check.raise_if_any()
    return clean


def _taken(season: Season, year: int) -> InvalidInput:
    message = f"There is already a Learning Session for {season.value.title()} {year}."
    return InvalidInput([UserError("year", message, UserErrorCode.TAKEN)])


async def _check_unique(
    session: AsyncSession, season: Season, year: int, *, except_id: int | None = None
) -> None:
    statement = select(LearningSession.id).where(
        LearningSession.season == season, LearningSession.year == year
    )
    if except_id is not None:
        statement = statement.where(LearningSession.id != except_id)
    if (await session.scalars(statement)).first() is not None:
        raise _taken(season, year)


def _apply(row: LearningSession, clean: _Clean) -> None:
    row.title = clean.title
    row.season = clean.season
    row.year = clean.year
    row.starts_on = clean.starts_on
    row.ends_on = clean.ends_on
    row.venue = clean.venue
    row.timezone = clean.timezone
    row.status = clean.status
    row.objectives = clean.objectives
    row.priorities = clean.priorities


async def create_learning_session(
    db: Database, viewer: Viewer, draft: LearningSessionDraft
) -> LearningSession:
    require_planner(viewer)
    clean = _check(draft)
    row = LearningSession()
    _apply(row, clean)
    try:
        async with db.transaction() as session:
            await _check_unique(session, clean.season, clean.year)
            session.add(row)
            await session.flush()
            created = LearningSessionCreated(
                learning_session=SubjectRef("LearningSession", row.id),
                title=row.title,
                season=row.season,
                year=row.year,
            )
            record(session, created, actor_id=viewer.person_id)
    except IntegrityError as error:
        raise _taken(clean.season, clean.year) from error
    return row


def _items_outside(
    row: LearningSession, items: Sequence[AgendaItem], changed: set[str]
) -> list[UserError]:
    """Items the new dates or time zone would leave outside the session, as errors on the
    field that moved them out."""
    _, last = session_window(row.starts_on, row.ends_on, zone(row.timezone))
    errors: list[UserError] = []
    for item in items:
        error = outside_session(row, Slot.of(item))
        if error is None:
            continue
        late = item.ends_at > last
        if late and "ends_on" in changed:
            field = "endsOn"
        elif not late and "starts_on" in changed:
            field = "startsOn"
        elif "timezone" in changed:
            field = "timezone"
        else:
            field = "endsOn" if late else "startsOn"
        errors.append(UserError(field, error.message, UserErrorCode.CONFLICT))
    return errors


async def update_learning_session(
    db: Database, viewer: Viewer, session_id: int, changes: LearningSessionChanges
) -> LearningSession:
    """Edit a session. New dates or a new time zone must keep every agenda item inside."""
    require_planner(viewer)
    async with db.transaction() as session:
        row = await session.get(LearningSession, session_id, with_for_update=True)
        if row is None:
            raise NotFound("No Learning Session has that id.", field="id")
        current = LearningSessionDraft(
            title=row.title,
            season=row.season,
            year=row.year,
            starts_on=row.starts_on,
            ends_on=row.ends_on,
            venue=row.venue,
            timezone=row.timezone,
            status=row.status,
            objectives=tuple(row.objectives),
            priorities=tuple(row.priorities),
        )
        given = {name: value for name, value in vars(changes).items() if value is not None}
        clean = _check(replace(current, **given))
        changed = {
            name
            for name in ("starts_on", "ends_on", "timezone")
            if getattr(clean, name) != getattr(row, name)
        }
        before = {"season": row.season, "year": row.year}
        if (clean.season, clean.year) != (before["season"], before["year"]):
            await _check_unique(session, clean.season, clean.year, except_id=row.id)
        _apply(row, clean)
        if changed:
            statement = (
                select(AgendaItem)
                .where(AgendaItem.session_id == row.id)
                .order_by(AgendaItem.starts_at, AgendaItem.id)
            )
            errors = _items_outside(row, (await session.scalars(statement)).all(), changed)
            if errors:
                raise InvalidInput(errors)
        updated = LearningSessionUpdated(
            learning_session=SubjectRef("LearningSession", row.id),
            title=row.title,
            changes=changes_between(api_names(vars(current)), api_names(vars(clean))),
        )
        record(session, updated, actor_id=viewer.person_id)
    return row
