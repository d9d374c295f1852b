"""A person's in-app notifications: the newest first, how many are unread, marking them read.

Everything here is about the viewer's own notifications; nobody, staff included, reads another
person's. Reading a notification in the app before its mail went out means the mail is not sent
(its ``email_status`` goes from PENDING to SKIPPED).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from icn_graph.db.database import Database
from icn_graph.errors import BadInput, InvalidInput, UserError, UserErrorCode
from icn_graph.events import Event
from icn_graph.events.stored import stored_events
from icn_graph.ids import parse_global_id
from icn_graph.notifications.models import EmailStatus, Notification
from icn_graph.notifications.subjects import hidden_subjects, visible_subjects
from icn_graph.services.pagination import MAX_PAGE_SIZE, Page, SortKey, paginate
from icn_graph.services.viewer import Viewer

BY_NEWEST = SortKey("id", Notification.id, Notification.id, lambda row: row.id, descending=True)
NOTIFICATION = "Notification"


async def list_notifications(
    db: Database,
    viewer: Viewer,
    *,
    first: int | None,
    after: str | None,
    unread_only: bool = False,
) -> Page[Notification]:
    """The viewer's notifications, the newest first; only the unread ones if asked."""
    person_id = viewer.require_member()
    statement = select(Notification).where(Notification.person_id == person_id)
    if unread_only:
        statement = statement.where(Notification.read_at.is_(None))
    return await paginate(db, statement, BY_NEWEST, first=first, after=after, parse_value=int)


async def unread_count(db: Database, viewer: Viewer) -> int:
    person_id = viewer.require_member()
    statement = select(func.count()).where(
        Notification.person_id == person_id, Notification.read_at.is_(None)
    )
    async with db.session() as session:
        return int((await session.execute(statement)).scalar_one())


@dataclass(frozen=True)
class MarkedRead:
    """The notifications named (all of them read now) and how many were unread before."""

    notifications: list[Notification]
    marked: int


def _notification_ids(ids: Sequence[str]) -> list[int]:
    """The pks inside ``ids``; a userError naming ``ids[i]`` for each that is no Notification."""
    if len(ids) > MAX_PAGE_SIZE:
        raise InvalidInput(
            [
                UserError(
                    "ids",
                    f"At most {MAX_PAGE_SIZE} IDs at once (got {len(ids)}).",
                    UserErrorCode.INVALID,
                )
            ]
        )
    pks: list[int] = []
    errors: list[UserError] = []
    for index, value in enumerate(ids):
        field = f"ids[{index}]"
        try:
            type_name, pk = parse_global_id(value, field=field)
        except BadInput as error:
            errors.append(UserError(field, error.message, UserErrorCode.INVALID))
            continue
        if type_name != NOTIFICATION:
            errors.append(
                UserError(
                    field,
                    f"Expected the ID of a Notification, got a {type_name}.",
                    UserErrorCode.INVALID,
                )
            )
        pks.append(pk)
    if errors:
        raise InvalidInput(errors)
    return pks


async def mark_read(
    db: Database,
    viewer: Viewer,
    *,
    ids: Sequence[str] | None,
    everything: bool,
    now: datetime,
) -> MarkedRead:
    """Mark the viewer's notifications ``ids`` (or all of them) read at ``now``.

    An ID that is not one of the viewer's notifications is refused (``ids[i]``, NOT_FOUND) and
    nothing is marked. Mail not composed yet for a notification read now is skipped. The result
    names the ``ids``; for ``everything``, the notifications this call changed, newest first
    (at most a page of them).
    """
    person_id = viewer.require_member()
    if everything and ids:
        raise InvalidInput(
            [UserError("all", "Give either ids or all: true, not both.", UserErrorCode.INVALID)]
        )
    if not everything and ids is None:
        raise InvalidInput(
            [
                UserError(
                    "ids",
                    "Give the notifications to mark read, or all: true.",
                    UserErrorCode.REQUIRED,
                )
            ]
        )
    pks = _notification_ids(ids or [])
    async with db.transaction() as session:
        mine = Notification.person_id == person_id
        if not everything:
            owned = set(
                await session.scalars(
                    select(Notification.id).where(mine, Notification.id.in_(set(pks)))
                )
            )
            missing = [
                UserError(
                    f"ids[{index}]",
                    "None of your notifications has this ID.",
                    UserErrorCode.NOT_FOUND,
                )
                for index, pk in enumerate(pks)
                if pk not in owned
            ]
            if missing:
                raise InvalidInput(missing)
        chosen = [mine] if everything else [mine, Notification.id.in_(set(pks))]
        changed = list(
            await session.scalars(
                update(Notification)
                .where(*chosen, Notification.read_at.is_(None))
                .values(read_at=now)
                .returning(Notification.id)
                .execution_options(synchronize_session=False)
            )
        )
        await session.execute(
            update(Notification)
            .where(*chosen, Notification.email_status == EmailStatus.PENDING)
            .values(email_status=EmailStatus.SKIPPED)
            .execution_options(synchronize_session=False)
        )
        # ids: the ones named, in the order given; all: the ones this call changed, newest first.
        shown = list(dict.fromkeys(pks)) if not everything else sorted(changed, reverse=True)
        shown = shown[:MAX_PAGE_SIZE]
        found = (
            {
                row.id: row
                for row in await session.scalars(
                    select(Notification).where(mine, Notification.id.in_(set(shown)))
                )
            }
            if shown
            else {}
        )
        return MarkedRead(notifications=[found[pk] for pk in shown], marked=len(changed))


# ---------------------------------------------------------------------------------------------
# Batched reads for the list: the events behind notifications, and their subjects' titles
# ---------------------------------------------------------------------------------------------


# The fields an event keeps its subject's title in (``DomainEvent.snapshot_title``).
TITLE_FIELDS = ("title", "name")


def _without_title(event: Event) -> Event:
    """``event`` with the title it kept blanked, for a reader who may not see its subject."""
    data = event.data
    if not dataclasses.is_dataclass(data):
        return event
    names = {f.name for f in dataclasses.fields(data)}
    blanked = {n: "" for n in TITLE_FIELDS if n in names and isinstance(getattr(data, n), str)}
    return (
        dataclasses.replace(event, data=dataclasses.replace(data, **blanked)) if blanked else event
    )


@dataclass(frozen=True)
class InboxEvent:
    """An event behind a notification, as its reader may see it: ``hidden`` when they may no
    longer see its subject (then ``event`` has the title it kept blanked)."""

    event: Event
    hidden: bool


def as_seen(event: Event, *, hidden: bool) -> InboxEvent:
    """``event`` as a reader sees it: with its title blanked when they may not see its subject."""
    return InboxEvent(_without_title(event), hidden=True) if hidden else InboxEvent(event, False)


async def events_of(
    db: Database, event_ids: Sequence[int], *, viewer: Viewer
) -> list[InboxEvent | None]:
    """Each event, typed, in order (None for an event that is gone); the title an event kept is
    blanked when ``viewer`` may no longer see its subject (a plugin's restricted type)."""
    if not event_ids:
        return []
    async with db.session() as session:
        found = await stored_events(session, event_ids)
        hidden = await hidden_subjects(session, viewer, {e.subject_id for e in found.values()})
    return [
        (
            InboxEvent(_without_title(event), hidden=True)
            if event.subject_id in hidden
            else InboxEvent(event, hidden=False)
        )
        if (event := found.get(event_id))
        else None
        for event_id in event_ids
    ]


async def subject_titles(
    db: Database, subject_ids: Sequence[str], *, viewer: Viewer
) -> list[str | None]:
    """Each subject's title, in order; None for a subject that is gone, of a type nobody
    registers, or that ``viewer`` may not see (a plugin's restricted type says who may)."""
    async with db.session() as session:
        described = await visible_subjects(session, viewer, subject_ids)
    return [
        info.title if (info := described.get(subject_id)) else None for subject_id in subject_ids
    ]
