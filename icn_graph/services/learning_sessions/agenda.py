"""Agenda items and the people on them. Staff plan the agenda; every member reads it.

Every write checks the scheduling rules of :mod:`.conflicts` against the rest of the session's
agenda, with the session's row locked so two planners cannot double-book the same slot at once.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.db.database import Database
from icn_graph.errors import InvalidInput, NotFound, UserError, UserErrorCode
from icn_graph.events import SubjectRef, changes_between, record
from icn_graph.models import (
    AgendaAssignment,
    AgendaItem,
    AgendaItemKind,
    AgendaPart,
    LearningSession,
    Person,
)
from icn_graph.services.learning_sessions.conflicts import (
    Slot,
    outside_session,
    person_clashes,
    room_clash,
)
from icn_graph.services.learning_sessions.events import (
    AgendaItemAdded,
    AgendaItemAssigned,
    AgendaItemRemoved,
    AgendaItemUnassigned,
    AgendaItemUpdated,
    agenda_refs,
)
from icn_graph.services.learning_sessions.planning import require_planner
from icn_graph.services.learning_sessions.times import exists_locally, is_wall_clock, to_utc, zone
from icn_graph.services.validation import BIDI_CONTROLS, Checker
from icn_graph.services.viewer import Viewer

MAX_ITEMS = 200
TITLE_LENGTH = 200
DESCRIPTION_LENGTH = 5000
ROOM_LENGTH = 100
PART_ORDER = {part: index for index, part in enumerate(AgendaPart)}
# Control characters other than tab and line feed.
# Line breaks and tabs are the description's own; other C0/C1 controls and bidi marks are not.
_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI_CONTROLS}]")


@dataclass(frozen=True)
class AgendaItemDraft:
    """``starts_at``/``ends_at`` with a UTC offset are instants; without one they are wall-clock
    times in the session's time zone."""

    session_id: int
    title: str
    kind: AgendaItemKind
    starts_at: datetime
    ends_at: datetime
    description: str = ""
    room: str = ""


@dataclass(frozen=True)
class AgendaItemChanges:
    """Fields to change; ``None`` leaves a field as it is (an empty room or description clears
    it). Times are read as in :class:`AgendaItemDraft`."""

    title: str | None = None
    description: str | None = None
    kind: AgendaItemKind | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    room: str | None = None


@dataclass(frozen=True)
class AssignmentDraft:
    agenda_item_id: int
    person_id: int
    part: AgendaPart


# ---------------------------------------------------------------------------------------------
# Reads, batched for loaders (the caller has checked the viewer)
# ---------------------------------------------------------------------------------------------


async def items_by_session(db: Database, session_ids: Sequence[int]) -> list[list[AgendaItem]]:
    grouped: dict[int, list[AgendaItem]] = defaultdict(list)
    if session_ids:
        statement = (
            select(AgendaItem)
            .where(AgendaItem.session_id.in_(set(session_ids)))
            .order_by(AgendaItem.starts_at, AgendaItem.id)
        )
        async with db.session() as session:
            for item in await session.scalars(statement):
                grouped[item.session_id].append(item)
    return [grouped.get(key, []) for key in session_ids]


async def items_by_id(db: Database, ids: Sequence[int]) -> list[AgendaItem | None]:
    async with db.session() as session:
        rows = await session.scalars(select(AgendaItem).where(AgendaItem.id.in_(set(ids))))
        found = {row.id: row for row in rows}
    return [found.get(key) for key in ids]


def _people_order(assignment: AgendaAssignment) -> tuple[int, int]:
    return PART_ORDER[assignment.part], assignment.id


async def assignments_by_item(
    db: Database, item_ids: Sequence[int]
) -> list[list[AgendaAssignment]]:
    """Each item's people: speakers, then the moderator, panelists, facilitators."""
    grouped: dict[int, list[AgendaAssignment]] = defaultdict(list)
    if item_ids:
        statement = select(AgendaAssignment).where(
            AgendaAssignment.agenda_item_id.in_(set(item_ids))
        )
        async with db.session() as session:
            for assignment in await session.scalars(statement):
                grouped[assignment.agenda_item_id].append(assignment)
    return [sorted(grouped.get(key, []), key=_people_order) for key in item_ids]


async def items_by_person(db: Database, person_ids: Sequence[int]) -> list[list[AgendaItem]]:
    """The items each person is on, by start time, across sessions."""
    grouped: dict[int, list[AgendaItem]] = defaultdict(list)
    if person_ids:
        statement = (
            select(AgendaAssignment.person_id, AgendaItem)
            .join(AgendaItem, AgendaItem.id == AgendaAssignment.agenda_item_id)
            .where(AgendaAssignment.person_id.in_(set(person_ids)))
            .order_by(AgendaItem.starts_at, AgendaItem.id)
        )
        async with db.session() as session:
            for person_id, item in await session.execute(statement):
                grouped[person_id].append(item)
    return [grouped.get(key, []) for key in person_ids]


# ---------------------------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------------------------


def _text(check: Checker, field: str, value: str, max_length: int, label: str) -> str:
    """Optional one-line text: blank is allowed and stored as empty."""
    if not value.strip():
        return ""
    return check.text(field, value, max_length=max_length, label=label)


def _description(check: Checker, field: str, value: str) -> str:
    """Optional text that may span lines (tabs and line breaks allowed, other controls not)."""
    cleaned = value.strip().replace("\r\n", "\n")
    if len(cleaned) > DESCRIPTION_LENGTH:
        check.add(
            field,
            f"Description must be at most {DESCRIPTION_LENGTH} characters (got {len(cleaned)}).",
            UserErrorCode.TOO_LONG,
        )
    elif _CONTROL.search(cleaned):
        check.add(field, "Description must not contain control characters.")
    return cleaned


def _instant(check: Checker, field: str, value: datetime, row: LearningSession) -> datetime:
    tz = zone(row.timezone)
    if is_wall_clock(value) and not exists_locally(value, tz):
        check.add(
            field,
            f"{value:%Y-%m-%d %H:%M} does not exist in {row.timezone}: the clocks skip it.",
        )
    return to_utc(value, tz)


def _times(
    check: Checker, row: LearningSession, starts_at: datetime, ends_at: datetime
) -> tuple[datetime, datetime]:
    problems = len(check.errors)
    start = _instant(check, "startsAt", starts_at, row)
    end = _instant(check, "endsAt", ends_at, row)
    if len(check.errors) == problems and end <= start:
        check.add("endsAt", "An agenda item must end after it starts.")
    return start, end


async def _locked_session(session: AsyncSession, session_id: int) -> LearningSession | None:
    """The session row, locked (on PostgreSQL) until the transaction ends: agenda writes of
    one session take turns, so concurrent planners cannot both take the same slot."""
    return await session.get(LearningSession, session_id, with_for_update=True)


@dataclass(frozen=True)
class _Agenda:
    """A session's agenda as it stands: every item, and who is on which."""

    items: dict[int, AgendaItem]
    people: dict[int, list[AgendaAssignment]]

    def slots(self, *, except_id: int | None = None) -> list[Slot]:
        return [Slot.of(item) for item_id, item in self.items.items() if item_id != except_id]

    def busy(self, *, except_id: int | None = None) -> dict[int, list[Slot]]:
        """Person id -> the other items they are on."""
        found: dict[int, list[Slot]] = defaultdict(list)
        for item_id, assignments in self.people.items():
            if item_id == except_id:
                continue
            for assignment in assignments:
                found[assignment.person_id].append(Slot.of(self.items[item_id]))
        return found


async def _agenda(session: AsyncSession, session_id: int) -> _Agenda:
    items = {
        item.id: item
        for item in await session.scalars(
            select(AgendaItem).where(AgendaItem.session_id == session_id)
        )
    }
    people: dict[int, list[AgendaAssignment]] = defaultdict(list)
    if items:
        statement = select(AgendaAssignment).where(AgendaAssignment.agenda_item_id.in_(list(items)))
        for assignment in await session.scalars(statement):
            people[assignment.agenda_item_id].append(assignment)
    return _Agenda(items, people)


async def _names(session: AsyncSession, person_ids: Sequence[int]) -> dict[int, str]:
    if not person_ids:
        return {}
    statement = select(Person.id, Person.display_name).where(Person.id.in_(set(person_ids)))
    rows = await session.execute(statement)
    found = dict(rows.all())
    return {person_id: found[person_id] for person_id in person_ids if person_id in found}


def _editable(item: AgendaItem) -> dict[str, object]:
    """What ``updateAgendaItem`` may change, named as the API spells it (for the event)."""
    return {
        "title": item.title,
        "description": item.description,
        "kind": item.kind,
        "startsAt": item.starts_at,
        "endsAt": item.ends_at,
        "room": item.room,
    }


# ---------------------------------------------------------------------------------------------
# Writes
# ---------------------------------------------------------------------------------------------


async def add_agenda_item(db: Database, viewer: Viewer, draft: AgendaItemDraft) -> AgendaItem:
    async with db.transaction() as session:
        return await add_agenda_item_in(session, viewer, draft)


async def add_agenda_item_in(
    session: AsyncSession,
    viewer: Viewer,
    draft: AgendaItemDraft,
    people: Sequence[tuple[int, AgendaPart]] = (),
    *,
    people_field: str = "personIds",
) -> AgendaItem:
    """Add an item, and ``people`` on it, in the caller's transaction: the checks of
    :func:`add_agenda_item` and, for each person, those of :func:`assign_to_agenda_item` (one
    error per double-booked person, on ``people_field``). Nothing is written if any fails; the
    caller's transaction is left for the caller to roll back."""
    require_planner(viewer)
    check = Checker()
    title = check.text("title", draft.title, max_length=TITLE_LENGTH, label="Title")
    description = _description(check, "description", draft.description)
    room = _text(check, "room", draft.room, ROOM_LENGTH, "Room")
    row = await _locked_session(session, draft.session_id)
    if row is None:
        missing = "No Learning Session has that id."
        check.add("learningSessionId", missing, UserErrorCode.NOT_FOUND)
        raise InvalidInput(check.errors)
    starts_at, ends_at = _times(check, row, draft.starts_at, draft.ends_at)
    person_ids = list(dict.fromkeys(person_id for person_id, _ in people))
    names = await _names(session, person_ids)
    if len(names) < len(person_ids):
        check.add(people_field, "No person has that id.", UserErrorCode.NOT_FOUND)
    if people and draft.kind is AgendaItemKind.BREAK:
        check.add("kind", "Breaks have no people.")
    check.raise_if_any()
    agenda = await _agenda(session, row.id)
    if len(agenda.items) >= MAX_ITEMS:
        raise InvalidInput(
            [
                UserError(
                    "learningSessionId",
                    f"An agenda holds at most {MAX_ITEMS} items.",
                    UserErrorCode.INVALID,
                )
            ]
        )
    slot = Slot(None, title, draft.kind, starts_at, ends_at, room)
    errors = [
        error
        for error in (outside_session(row, slot), room_clash(row, slot, agenda.slots()))
        if error is not None
    ]
    errors += person_clashes(row, slot, names, agenda.busy(), field=people_field)
    if errors:
        raise InvalidInput(errors)
    item = AgendaItem(
        session_id=row.id,
        title=title,
        description=description,
        kind=draft.kind,
        starts_at=starts_at,
        ends_at=ends_at,
        room=room,
    )
    session.add(item)
    await session.flush()
    added = AgendaItemAdded(**agenda_refs(item, row), kind=item.kind)
    record(session, added, actor_id=viewer.person_id)
    for person_id, part in dict((person_id, part) for person_id, part in people).items():
        session.add(AgendaAssignment(agenda_item_id=item.id, person_id=person_id, part=part))
        assigned = AgendaItemAssigned(
            **agenda_refs(item, row),
            person=SubjectRef("Person", person_id),
            person_name=names[person_id],
            part=part,
        )
        record(session, assigned, actor_id=viewer.person_id)
    await session.flush()
    return item


async def update_agenda_item(
    db: Database, viewer: Viewer, item_id: int, changes: AgendaItemChanges
) -> AgendaItem:
    """Edit an item. Moving it re-checks the session's dates and everyone on it; a new room or
    kind re-checks the room."""
    require_planner(viewer)
    check = Checker()
    async with db.transaction() as session:
        item = await session.get(AgendaItem, item_id)
        if item is None:
            raise NotFound("No agenda item has that id.", field="id")
        row = await _locked_session(session, item.session_id)
        assert row is not None  # the foreign key guarantees it
        await session.refresh(item)  # as it is now that the agenda is ours
        title = item.title
        if changes.title is not None:
            title = check.text("title", changes.title, max_length=TITLE_LENGTH, label="Title")
        description = item.description
        if changes.description is not None:
            description = _description(check, "description", changes.description)
        room = (
            item.room
            if changes.room is None
            else _text(check, "room", changes.room, ROOM_LENGTH, "Room")
        )
        kind = item.kind if changes.kind is None else changes.kind
        moved = changes.starts_at is not None or changes.ends_at is not None
        starts_at, ends_at = item.starts_at, item.ends_at
        if moved:
            starts_at, ends_at = _times(
                check, row, changes.starts_at or item.starts_at, changes.ends_at or item.ends_at
            )
        agenda = await _agenda(session, row.id)
        people = agenda.people.get(item.id, [])
        if kind is AgendaItemKind.BREAK and people:
            check.add(
                "kind",
                f"Breaks have no people: unassign the {len(people)} people on "
                f"'{item.title}' first.",
            )
        check.raise_if_any()

        slot = Slot(item.id, title, kind, starts_at, ends_at, room)
        errors: list[UserError] = []
        if moved:
            outside = outside_session(row, slot)
            errors += [outside] if outside else []
        if moved or changes.room is not None or kind != item.kind:
            clash = room_clash(row, slot, agenda.slots(except_id=item.id))
            errors += [clash] if clash else []
        if moved or kind != item.kind:
            names = await _names(session, [assignment.person_id for assignment in people])
            errors += person_clashes(
                row, slot, names, agenda.busy(except_id=item.id), field="startsAt"
            )
        if errors:
            raise InvalidInput(errors)

        before = _editable(item)
        item.title, item.description, item.room, item.kind = title, description, room, kind
        item.starts_at, item.ends_at = starts_at, ends_at
        updated = AgendaItemUpdated(
            **agenda_refs(item, row), changes=changes_between(before, _editable(item))
        )
        record(session, updated, actor_id=viewer.person_id)
    return item


async def remove_agenda_item(db: Database, viewer: Viewer, item_id: int) -> AgendaItem:
    require_planner(viewer)
    async with db.transaction() as session:
        item = await session.get(AgendaItem, item_id)
        if item is None:
            raise NotFound("No agenda item has that id.", field="id")
        row = await _locked_session(session, item.session_id)
        assert row is not None
        # The event keeps the item's title and session: the item is gone afterwards.
        record(session, AgendaItemRemoved(**agenda_refs(item, row)), actor_id=viewer.person_id)
        await session.delete(item)  # its assignments go with it (ON DELETE CASCADE)
    return item


async def assign_to_agenda_item(db: Database, viewer: Viewer, draft: AssignmentDraft) -> AgendaItem:
    require_planner(viewer)
    taken = InvalidInput(
        [UserError("personId", "This person is already on this item.", UserErrorCode.TAKEN)]
    )
    try:
        async with db.transaction() as session:
            item = await session.get(AgendaItem, draft.agenda_item_id)
            if item is None:
                raise NotFound("No agenda item has that id.", field="agendaItemId")
            row = await _locked_session(session, item.session_id)
            assert row is not None
            await session.refresh(item)  # as it is now that the agenda is ours
            names = await _names(session, [draft.person_id])
            if not names:
                raise InvalidInput(
                    [UserError("personId", "No person has that id.", UserErrorCode.NOT_FOUND)]
                )
            name = names[draft.person_id]
            if item.kind is AgendaItemKind.BREAK:
                raise InvalidInput(
                    [
                        UserError(
                            "agendaItemId",
                            f"'{item.title}' is a break: breaks have no people.",
                            UserErrorCode.INVALID,
                        )
                    ]
                )
            agenda = await _agenda(session, row.id)
            for assignment in agenda.people.get(item.id, []):
                if assignment.person_id == draft.person_id:
                    message = f"{name} is already on '{item.title}' as {assignment.part.value}."
                    raise InvalidInput([UserError("personId", message, UserErrorCode.TAKEN)])
            errors = person_clashes(
                row, Slot.of(item), names, agenda.busy(except_id=item.id), field="personId"
            )
            if errors:
                raise InvalidInput(errors)
            session.add(
                AgendaAssignment(agenda_item_id=item.id, person_id=draft.person_id, part=draft.part)
            )
            await session.flush()
            assigned = AgendaItemAssigned(
                **agenda_refs(item, row),
                person=SubjectRef("Person", draft.person_id),
                person_name=name,
                part=draft.part,
            )
            record(session, assigned, actor_id=viewer.person_id)
    except IntegrityError as error:
        raise taken from error
    return item


async def unassign_from_agenda_item(
    db: Database, viewer: Viewer, item_id: int, person_id: int
) -> AgendaItem:
    require_planner(viewer)
    async with db.transaction() as session:
        item = await session.get(AgendaItem, item_id)
        if item is None:
            raise NotFound("No agenda item has that id.", field="agendaItemId")
        row = await _locked_session(session, item.session_id)
        assert row is not None
        statement = select(AgendaAssignment).where(
            AgendaAssignment.agenda_item_id == item.id, AgendaAssignment.person_id == person_id
        )
        assignment = (await session.scalars(statement)).first()
        if assignment is None:
            message = f"That person is not on '{item.title}'."
            raise InvalidInput([UserError("personId", message, UserErrorCode.NOT_FOUND)])
        await session.delete(assignment)
        names = await _names(session, [person_id])
        unassigned = AgendaItemUnassigned(
            **agenda_refs(item, row),
            person=SubjectRef("Person", person_id),
            person_name=names.get(person_id, ""),
        )
        record(session, unassigned, actor_id=viewer.person_id)
    return item
