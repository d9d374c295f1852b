"""Starting threads, inviting people, leaving, and marking a thread read.

Anyone who can see what a thread is about may start one and invite people who can see it too;
participants of any role are on equal footing. Like ``messages``, each write has a session-level
function (``..._in``) and a ``Database`` one that is a transaction of its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_codesign.access import load_thread, may_post
from icn_codesign.events import Invited, Left, ThreadStarted
from icn_codesign.messages import post_message_in
from icn_codesign.models import TITLE_LENGTH, Thread, ThreadAudience
from icn_codesign.participation import active_participant, join, leave
from icn_graph.plugin_api import (
    BadInput,
    Center,
    Checker,
    Database,
    NotFound,
    Person,
    SubjectRef,
    UserErrorCode,
    Viewer,
    parse_global_id,
    record,
    utcnow,
    viewers_of,
    visible_subjects,
)

MAX_INVITES = 50


@dataclass(frozen=True)
class NewThread:
    """What ``start_thread`` needs: a title and an audience; for a CENTER audience the center
    (else the center of what it is attached to); what it is attached to (a global ID), the
    people to invite, and a first message, if any."""

    title: str
    audience: ThreadAudience
    center_id: int | None = None
    subject_id: str | None = None
    participant_ids: Sequence[int] = field(default_factory=tuple)
    body: str | None = None


async def _subject(
    session: AsyncSession, viewer: Viewer, subject_id: str | None, check: Checker
) -> tuple[str | None, int | None]:
    """The attached subject's global ID (cleaned) and center, if it is one the viewer may see."""
    if subject_id is None or not subject_id.strip():
        return None, None
    cleaned = subject_id.strip()
    try:
        parse_global_id(cleaned, field="subjectId")
    except BadInput as error:
        check.add("subjectId", error.message)
        return None, None
    found = (await visible_subjects(session, viewer, [cleaned])).get(cleaned)
    if found is None:
        check.add("subjectId", "Nothing you can see has that ID.", UserErrorCode.NOT_FOUND)
        return None, None
    return cleaned, found.center_id


async def _people_who_may_join(
    session: AsyncSession,
    subject_id: str | None,
    person_ids: Sequence[int],
    check: Checker,
    field: str,
) -> list[int]:
    """``person_ids`` if they exist and may see ``subject_id``; a userError per one who may not
    (``personIds[2]``), read as not found, so nothing leaks about who may see what."""
    wanted = list(dict.fromkeys(person_ids))
    if len(wanted) > MAX_INVITES:
        check.add(field, f"At most {MAX_INVITES} people at once (got {len(wanted)}).")
        return []
    viewers = await viewers_of(session, wanted)
    allowed = []
    for index, person_id in enumerate(wanted):
        viewer = viewers.get(person_id)
        sees = viewer is not None and (
            subject_id is None
            or subject_id in await visible_subjects(session, viewer, [subject_id])
        )
        if sees:
            allowed.append(person_id)
        else:
            check.add(
                f"{field}[{index}]",
                "No one who can see what this thread is about has that ID.",
                UserErrorCode.NOT_FOUND,
            )
    return allowed


async def start_thread_in(
    session: AsyncSession, viewer: Viewer, new: NewThread, *, at: datetime | None = None
) -> Thread:
    """Start a thread as ``viewer``; they and the people invited are its participants."""
    creator = viewer.require_member()
    check = Checker()
    title = check.text("title", new.title, max_length=TITLE_LENGTH, label="Title")
    subject_id, subject_center = await _subject(session, viewer, new.subject_id, check)
    center_id = new.center_id
    if center_id is None and new.audience == ThreadAudience.CENTER:
        center_id = subject_center
    if center_id is not None and await session.get(Center, center_id) is None:
        check.add("centerId", "No center has that ID.", UserErrorCode.NOT_FOUND)
    elif center_id is None and new.audience == ThreadAudience.CENTER:
        check.add("centerId", "A thread for a center's team needs the center.")
    elif center_id is not None and center_id not in viewer.center_ids and not viewer.is_staff:
        # Whatever the audience: the center is shown as the thread's and lists it.
        check.add("centerId", "You can start a thread for your own center only.")
    invited = await _people_who_may_join(
        session,
        subject_id,
        [p for p in new.participant_ids if p != creator],
        check,
        "personIds",
    )
    check.raise_if_any()
    moment = at or utcnow()
    thread = Thread(
        title=title,
        audience=new.audience,
        center_id=center_id,
        subject_id=subject_id,
        created_by=creator,
        created_at=moment,
        last_activity_at=moment,
    )
    session.add(thread)
    await session.flush()
    await join(session, thread, [creator], invited_by=None, at=moment)
    started = ThreadStarted(
        thread=SubjectRef("Thread", thread.id),
        title=thread.title,
        audience=thread.audience.value,
        attached_to=subject_id,
    )
    record(session, started, actor_id=creator)
    await _invite(session, thread, creator, invited, at=moment)
    if new.body is not None and new.body.strip():
        await post_message_in(session, viewer, thread, new.body, at=moment)
    return thread


async def start_thread(db: Database, viewer: Viewer, new: NewThread) -> Thread:
    async with db.transaction() as session:
        return await start_thread_in(session, viewer, new)


async def _invite(
    session: AsyncSession, thread: Thread, inviter: int, person_ids: Sequence[int], *, at: datetime
) -> list[int]:
    added = await join(session, thread, person_ids, invited_by=inviter, at=at)
    names = {person.id: person.display_name for person in await _people(session, added)}
    for person_id in added:
        invited = Invited(
            thread=SubjectRef("Thread", thread.id),
            title=thread.title,
            person=SubjectRef("Person", person_id),
            person_name=names.get(person_id, "Someone"),
        )
        record(session, invited, actor_id=inviter)
    return added


async def _people(session: AsyncSession, ids: Sequence[int]) -> list[Person]:
    if not ids:
        return []
    return list(await session.scalars(select(Person).where(Person.id.in_(ids))))


async def invite_in(
    session: AsyncSession,
    viewer: Viewer,
    thread_id: int,
    person_ids: Sequence[int],
    *,
    at: datetime | None = None,
) -> Thread:
    """Invite people who can see what the thread is about; those already in it are left as they
    are, people who had left come back. Whoever may post in a thread may invite."""
    inviter = viewer.require_member()
    thread = await load_thread(session, viewer, thread_id)
    if not await may_post(session, viewer, thread):
        raise NotFound("No thread has that ID.")
    check = Checker()
    if not person_ids:
        check.add("personIds", "Name at least one person to invite.", UserErrorCode.REQUIRED)
    allowed = await _people_who_may_join(session, thread.subject_id, person_ids, check, "personIds")
    check.raise_if_any()
    moment = at or utcnow()
    if await _invite(session, thread, inviter, allowed, at=moment):
        thread.last_activity_at = max(thread.last_activity_at, moment)
    return thread


async def invite(db: Database, viewer: Viewer, thread_id: int, person_ids: Sequence[int]) -> Thread:
    async with db.transaction() as session:
        return await invite_in(session, viewer, thread_id, person_ids)


async def leave_thread_in(session: AsyncSession, viewer: Viewer, thread_id: int) -> Thread:
    """The viewer stops taking part: no more mail about it, and if the audience was its
    participants only, no more access (their live subscription ends)."""
    person_id = viewer.require_member()
    thread = await load_thread(session, viewer, thread_id)
    row = await active_participant(session, thread.id, person_id)
    if row is None:
        check = Checker()
        check.add("id", "You are not taking part in this thread.")
        check.raise_if_any()
        return thread
    await leave(session, row, at=utcnow())
    person = await session.get(Person, person_id)
    left = Left(
        thread=SubjectRef("Thread", thread.id),
        title=thread.title,
        leaver=SubjectRef("Person", person_id),
        person_name=person.display_name if person else "Someone",
    )
    record(session, left, actor_id=person_id)
    return thread


async def leave_thread(db: Database, viewer: Viewer, thread_id: int) -> Thread:
    async with db.transaction() as session:
        return await leave_thread_in(session, viewer, thread_id)


async def mark_read(
    db: Database, viewer: Viewer, thread_id: int, *, at: datetime | None = None
) -> Thread:
    """Everything in the thread up to ``at`` (now) is read for the viewer. Only participants
    keep read state; for anyone else who may read the thread this changes nothing."""
    person_id = viewer.require_member()
    async with db.transaction() as session:
        thread = await load_thread(session, viewer, thread_id)
        row = await active_participant(session, thread.id, person_id)
        if row is not None:
            moment = at or utcnow()
            row.last_read_at = max(row.last_read_at or moment, moment)
        return thread
