"""Registrations: who is coming to a session, and who came.

Members register themselves (as attendees) while a session is PLANNING or REGISTRATION_OPEN,
and may cancel their own registration until then. Staff register anyone, with any part, at any
time (walk-ins, speakers, corrections), cancel any registration that is not marked attended,
and take attendance once the session is IN_PROGRESS or COMPLETE.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError

from icn_graph.db.database import Database
from icn_graph.db.types import utcnow
from icn_graph.errors import Forbidden, InvalidInput, NotFound, UserError, UserErrorCode
from icn_graph.events import record
from icn_graph.models import (
    LearningSession,
    LearningSessionStatus,
    Person,
    Registration,
    RegistrationPart,
)
from icn_graph.services.learning_sessions.events import (
    RegistrationAttendanceMarked,
    RegistrationCancelled,
    RegistrationCreated,
    registration_refs,
)
from icn_graph.services.pagination import (
    LazyCursor,
    Page,
    SortKey,
    after_condition,
    aware_datetime,
    check_page_size,
    decode_cursor,
)
from icn_graph.services.viewer import Viewer

OPEN_FOR_REGISTRATION = frozenset(
    {LearningSessionStatus.PLANNING, LearningSessionStatus.REGISTRATION_OPEN}
)
TAKING_ATTENDANCE = frozenset({LearningSessionStatus.IN_PROGRESS, LearningSessionStatus.COMPLETE})

ORDER = SortKey(
    "registered_at", Registration.registered_at, Registration.id, lambda r: r.registered_at
)


@dataclass(frozen=True)
class RegistrationDraft:
    session_id: int
    person_id: int | None = None  # the viewer
    part: RegistrationPart | None = None  # ATTENDEE


@dataclass(frozen=True)
class RegistrationFilter:
    part: RegistrationPart | None = None
    attended: bool | None = None


@dataclass(frozen=True)
class RegistrationQuery:
    """One page request for a session's registrations, the same for every session in a batch."""

    first: int | None = None
    after: str | None = None
    filter: RegistrationFilter = RegistrationFilter()


Counter = Callable[[int, RegistrationFilter], Awaitable[int]]


def _matching(filter: RegistrationFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filter.part is not None:
        conditions.append(Registration.part == filter.part)
    if filter.attended is not None:
        conditions.append(Registration.attended == filter.attended)
    return conditions


def _after(cursor: str) -> ColumnElement[bool]:
    value, row_id = decode_cursor(ORDER, cursor, aware_datetime)
    return after_condition(ORDER, value, row_id)


async def registration_pages(
    db: Database, session_ids: Sequence[int], query: RegistrationQuery, count: Counter
) -> list[Page[Registration]]:
    """A page of registrations (oldest first) for each session, in one statement.

    ``count(session_id, filter)`` gives a page's total when asked, so it can be batched too.
    """
    size = check_page_size(query.first)
    after = _after(query.after) if query.after is not None else None
    grouped: dict[int, list[Registration]] = defaultdict(list)
    if session_ids:
        rank = (
            func.row_number()
            .over(
                partition_by=Registration.session_id,
                order_by=(Registration.registered_at, Registration.id),
            )
            .label("rank")
        )
        ranked = select(Registration.id, rank).where(
            Registration.session_id.in_(set(session_ids)), *_matching(query.filter)
        )
        if after is not None:
            ranked = ranked.where(after)
        inner = ranked.subquery()
        statement = (
            select(Registration)
            .join(inner, inner.c.id == Registration.id)
            .where(inner.c.rank <= size + 1)
            .order_by(Registration.registered_at, Registration.id)
        )
        async with db.session() as session:
            for registration in await session.scalars(statement):
                grouped[registration.session_id].append(registration)

    def page(session_id: int) -> Page[Registration]:
        rows = grouped.get(session_id, [])

        async def total() -> int:
            return await count(session_id, query.filter)

        return Page(
            items=[(LazyCursor(ORDER, row), row) for row in rows[:size]],
            has_next_page=len(rows) > size,
            has_previous_page=query.after is not None,
            count_total=total,
        )

    return [page(session_id) for session_id in session_ids]


async def registration_counts(
    db: Database, keys: Sequence[tuple[int, RegistrationFilter]]
) -> list[int]:
    """How many registrations match, per (session id, filter); one statement per filter."""
    by_filter: dict[RegistrationFilter, set[int]] = defaultdict(set)
    for session_id, filter in keys:
        by_filter[filter].add(session_id)
    counts: dict[tuple[int, RegistrationFilter], int] = {}
    async with db.session() as session:
        for filter, session_ids in by_filter.items():
            statement = (
                select(Registration.session_id, func.count())
                .where(Registration.session_id.in_(session_ids), *_matching(filter))
                .group_by(Registration.session_id)
            )
            for session_id, number in await session.execute(statement):
                counts[(session_id, filter)] = int(number)
    return [counts.get(key, 0) for key in keys]


async def registrations_by_id(db: Database, ids: Sequence[int]) -> list[Registration | None]:
    async with db.session() as session:
        rows = await session.scalars(select(Registration).where(Registration.id.in_(set(ids))))
        found = {row.id: row for row in rows}
    return [found.get(key) for key in ids]


def _closed(row: LearningSession) -> str:
    return (
        f"Registration for '{row.title}' is closed (the session is {row.status.value}); "
        "network staff can still register people."
    )


def may_register(viewer: Viewer, status: LearningSessionStatus) -> bool:
    """Whether ``viewer`` may register for a session in ``status``: any member while it is
    open for registration; network staff at any time."""
    return viewer.is_authenticated and (viewer.is_staff or status in OPEN_FOR_REGISTRATION)


async def register(db: Database, viewer: Viewer, draft: RegistrationDraft) -> Registration:
    me = viewer.require_member()
    person_id = draft.person_id if draft.person_id is not None else me
    if person_id != me and not viewer.is_staff:
        raise Forbidden("Only network staff can register someone else.")
    part = draft.part or RegistrationPart.ATTENDEE
    # "Already registered" blames the field the client sent: personId, or the session when
    # registering oneself without one.
    taken_field = "personId" if draft.person_id is not None else "learningSessionId"
    already = InvalidInput(
        [UserError(taken_field, "That person is already registered.", UserErrorCode.TAKEN)]
    )
    try:
        async with db.transaction() as session:
            row = await session.get(LearningSession, draft.session_id)
            if row is None:
                raise NotFound("No Learning Session has that id.", field="learningSessionId")
            errors: list[UserError] = []
            person = await session.get(Person, person_id)
            if person is None:
                errors.append(
                    UserError("personId", "No person has that id.", UserErrorCode.NOT_FOUND)
                )
            if not may_register(viewer, row.status):
                errors.append(UserError("learningSessionId", _closed(row), UserErrorCode.INVALID))
            if not viewer.is_staff and part is not RegistrationPart.ATTENDEE:
                message = f"Only network staff can register someone as {part.value}."
                errors.append(UserError("part", message, UserErrorCode.INVALID))
            if errors:
                raise InvalidInput(errors)
            assert person is not None
            existing = select(Registration.id).where(
                Registration.session_id == row.id, Registration.person_id == person_id
            )
            if (await session.scalars(existing)).first() is not None:
                who = "You are" if person_id == me else f"{person.display_name} is"
                message = f"{who} already registered for '{row.title}'."
                raise InvalidInput([UserError(taken_field, message, UserErrorCode.TAKEN)])
            registration = Registration(
                session_id=row.id,
                person_id=person_id,
                part=part,
                registered_at=utcnow(),
                attended=False,
            )
            session.add(registration)
            await session.flush()
            created = RegistrationCreated(**registration_refs(registration, row, person))
            record(session, created, actor_id=me)
    except IntegrityError as error:
        raise already from error
    return registration


async def cancel_registration(db: Database, viewer: Viewer, registration_id: int) -> Registration:
    me = viewer.require_member()
    async with db.transaction() as session:
        registration = await session.get(Registration, registration_id)
        if registration is None:
            raise NotFound("No registration has that id.", field="id")
        if registration.person_id != me and not viewer.is_staff:
            raise Forbidden("Only network staff can cancel someone else's registration.")
        row = await session.get(LearningSession, registration.session_id)
        assert row is not None
        if registration.attended:
            message = "This person attended; clear that with markAttended first to cancel."
            raise InvalidInput([UserError("id", message, UserErrorCode.INVALID)])
        if not viewer.is_staff and row.status not in OPEN_FOR_REGISTRATION:
            raise InvalidInput([UserError("id", _closed(row), UserErrorCode.INVALID)])
        # The event keeps who registered for which session: the registration is gone afterwards.
        person = await session.get(Person, registration.person_id)
        assert person is not None
        cancelled = RegistrationCancelled(**registration_refs(registration, row, person))
        record(session, cancelled, actor_id=me)
        await session.delete(registration)
    return registration


async def mark_attended(
    db: Database, viewer: Viewer, registration_id: int, attended: bool
) -> Registration:
    viewer.require_staff("take attendance")
    async with db.transaction() as session:
        registration = await session.get(Registration, registration_id)
        if registration is None:
            raise NotFound("No registration has that id.", field="id")
        row = await session.get(LearningSession, registration.session_id)
        assert row is not None
        if row.status not in TAKING_ATTENDANCE:
            message = (
                f"Attendance is taken once the session is IN_PROGRESS or COMPLETE; "
                f"'{row.title}' is {row.status.value}."
            )
            raise InvalidInput([UserError("id", message, UserErrorCode.INVALID)])
        registration.attended = attended
        person = await session.get(Person, registration.person_id)
        assert person is not None
        marked = RegistrationAttendanceMarked(
            **registration_refs(registration, row, person), attended=attended
        )
        record(session, marked, actor_id=viewer.person_id)
    return registration
