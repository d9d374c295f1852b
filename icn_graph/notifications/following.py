"""Following by hand: follow a subject at a level, stop following it, list what someone follows.

A follow someone sets themself has the reason MANUAL, so automatic rules (see ``auto_follow``)
neither overwrite nor remove it. What a person follows is theirs: only they and network staff
may list it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from icn_graph.db.database import Database
from icn_graph.db.types import utcnow
from icn_graph.errors import (
    BadInput,
    Forbidden,
    InvalidInput,
    UserError,
    UserErrorCode,
)
from icn_graph.ids import parse_global_id
from icn_graph.notifications.models import Follow, FollowLevel, FollowReason
from icn_graph.notifications.subjects import visible_subjects
from icn_graph.services.goals.windows import PageRequest, pages_by_parent
from icn_graph.services.pagination import Page, SortKey
from icn_graph.services.viewer import Viewer

FOLLOWS = select(Follow)
BY_NEWEST = SortKey("id", Follow.id, Follow.id, lambda row: row.id, descending=True)


def _subject_id(value: str) -> str:
    """``value`` if it has the shape of a global ID; else a userError naming ``subjectId``."""
    cleaned = value.strip()
    try:
        parse_global_id(cleaned, field="subjectId")
    except BadInput as error:
        raise InvalidInput([UserError("subjectId", error.message, UserErrorCode.INVALID)]) from None
    return cleaned


def _not_found(subject_id: str) -> InvalidInput:
    return InvalidInput(
        [
            UserError(
                "subjectId",
                f"Nothing you can follow has the ID '{subject_id[:100]}'.",
                UserErrorCode.NOT_FOUND,
            )
        ]
    )


async def follow(db: Database, viewer: Viewer, subject_id: str, level: FollowLevel) -> Follow:
    """Follow ``subject_id`` at ``level`` (MUTED: hear nothing about it), replacing any follow."""
    person_id = viewer.require_member()
    wanted = _subject_id(subject_id)
    try:
        async with db.transaction() as session:
            # The subject's type decides who may follow it (core's: every member; a plugin's:
            # whom it says). Not visible reads like not there, so nothing leaks.
            if wanted not in await visible_subjects(session, viewer, [wanted]):
                raise _not_found(wanted)
            row = await session.scalar(
                select(Follow)
                .where(Follow.person_id == person_id, Follow.subject_id == wanted)
                .with_for_update()
            )
            if row is None:
                row = Follow(
                    person_id=person_id,
                    subject_id=wanted,
                    level=level,
                    reason=FollowReason.MANUAL,
                    created_at=utcnow(),
                )
                session.add(row)
            else:
                row.level, row.reason = level, FollowReason.MANUAL
            await session.flush()
            return row
    except IntegrityError:
        # Someone (an automatic rule, or this person's other request) followed it meanwhile.
        async with db.transaction() as session:
            row = await session.scalar(
                select(Follow)
                .where(Follow.person_id == person_id, Follow.subject_id == wanted)
                .with_for_update()
            )
            assert row is not None
            row.level, row.reason = level, FollowReason.MANUAL
            await session.flush()
            return row


async def unfollow(db: Database, viewer: Viewer, subject_id: str) -> bool:
    """Stop following ``subject_id``; False if the viewer did not follow it."""
    person_id = viewer.require_member()
    wanted = _subject_id(subject_id)
    async with db.transaction() as session:
        removed = await session.execute(
            delete(Follow)
            .where(Follow.person_id == person_id, Follow.subject_id == wanted)
            .returning(Follow.id)
        )
        return removed.first() is not None


def may_list(viewer: Viewer, person_id: int) -> bool:
    """Whether ``viewer`` may see what ``person_id`` follows: the person and network staff."""
    return viewer.person_id is not None and (viewer.person_id == person_id or viewer.is_staff)


def require_may_list(viewer: Viewer, person_id: int) -> None:
    viewer.require_member()
    if not may_list(viewer, person_id):
        raise Forbidden("Only the person themself and network staff can see what they follow.")


async def following_pages(db: Database, requests: Sequence[PageRequest]) -> list[Page[Follow]]:
    """What each requested person follows (muted subjects included), the latest first: one
    query for all of them. The caller has checked ``require_may_list`` for each."""
    return await pages_by_parent(
        db, Follow, FOLLOWS, Follow.person_id, BY_NEWEST, requests, parse_value=int
    )


async def follow_levels(db: Database, keys: Sequence[tuple[int, str]]) -> list[FollowLevel | None]:
    """How closely each (person id, subject global ID) is followed (None: not at all), in
    order: one query for the whole batch."""
    if not keys:
        return []
    people = {person for person, _ in keys}
    subjects = {subject for _, subject in keys}
    async with db.session() as session:
        rows = await session.execute(
            select(Follow.person_id, Follow.subject_id, Follow.level).where(
                Follow.person_id.in_(people), Follow.subject_id.in_(subjects)
            )
        )
        found = {(person, subject): level for person, subject, level in rows}
    return [found.get(key) for key in keys]
