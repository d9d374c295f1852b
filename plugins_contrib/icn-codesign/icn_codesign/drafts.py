"""Drafts: revising, agreeing, finalising.

The rules (README, "Drafts and decisions"):

- whoever may post in a thread may start a draft there (its first revision) and revise it; they
  join the thread as when posting. The person who started it owns it;
- a draft's name is unique in its thread whatever the case; its kind is set when it starts;
- a revision holds the whole text, in Markdown (rendered and sanitized like messages), with a
  note; a revision identical to the latest is refused;
- participants agree with the latest revision; a new revision starts agreement afresh. The
  author of a revision does not agree with it: writing it says so already;
- the owner (or network staff) finalises a revision someone other than its author agreed with
  (the latest unless they name one); a FINAL draft cannot be revised or agreed with again.

Each write has a session-level function (``..._in``, for the demo) and a ``Database`` one that
is a transaction of its own (for the GraphQL mutations).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from icn_codesign import markup
from icn_codesign.access import load_thread, may_moderate, may_post
from icn_codesign.draft_access import load_draft, load_revision
from icn_codesign.draft_events import DraftFinalised, DraftRevised, RevisionAgreed
from icn_codesign.draft_models import (
    GENERAL_KIND,
    KIND_LENGTH,
    NAME_LENGTH,
    NOTE_LENGTH,
    Agreement,
    Draft,
    DraftRevision,
    DraftStatus,
)
from icn_codesign.models import Thread
from icn_codesign.participation import insert_ignoring, join
from icn_graph.plugin_api import (
    Checker,
    Database,
    Forbidden,
    NotFound,
    Person,
    SubjectRef,
    UserErrorCode,
    Viewer,
    record,
    utcnow,
)

MAX_DRAFT = 50_000
KIND_PATTERN = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")


@dataclass(frozen=True)
class Revision:
    """What ``revise_draft`` needs: the thread, the draft's name, the whole new text
    (Markdown), a note on what changed, and the kind (only when the draft starts)."""

    thread_id: int
    name: str
    body: str
    note: str = ""
    kind: str | None = None


def _kind(check: Checker, kind: str | None, known: Collection[str] | None) -> str:
    if kind is None or not kind.strip():
        return GENERAL_KIND
    cleaned = kind.strip()
    if len(cleaned) > KIND_LENGTH or not KIND_PATTERN.fullmatch(cleaned):
        check.add(
            "kind",
            "A kind is lower-case words joined by dots (panel.objectives), at most "
            f"{KIND_LENGTH} characters.",
        )
    elif known is not None and cleaned != GENERAL_KIND and cleaned not in known:
        check.add("kind", f"No installed plugin declares the draft kind '{cleaned}'.")
    return cleaned


async def _person(session: AsyncSession, person_id: int) -> Person:
    person = await session.get(Person, person_id)
    if person is None:
        raise NotFound("Your account no longer exists.")
    return person


async def _latest(session: AsyncSession, draft: Draft) -> DraftRevision | None:
    return await session.scalar(
        select(DraftRevision).where(
            DraftRevision.draft_id == draft.id, DraftRevision.number == draft.revision_count
        )
    )


async def _new_draft(
    session: AsyncSession, thread: Thread, name: str, kind: str, owner: int, moment: datetime
) -> Draft:
    draft = Draft(
        thread_id=thread.id,
        name=name,
        name_key=name.casefold(),
        kind=kind,
        owner_id=owner,
        created_at=moment,
    )
    try:
        async with session.begin_nested():
            session.add(draft)
            await session.flush()
    except IntegrityError:
        check = Checker()
        check.add(
            "name", "A draft of that name was just started; try again.", UserErrorCode.CONFLICT
        )
        check.raise_if_any()
    return draft


async def revise_draft_in(
    session: AsyncSession,
    viewer: Viewer,
    revision: Revision,
    *,
    known_kinds: Collection[str] | None = None,
    at: datetime | None = None,
) -> DraftRevision:
    """A new revision of the thread's draft named ``revision.name`` (started if there is none)
    by ``viewer``. ``known_kinds``: the kinds plugins declare (None: any well-formed kind)."""
    author_id = viewer.require_member()
    thread = await load_thread(session, viewer, revision.thread_id)
    if not await may_post(session, viewer, thread):
        raise NotFound("No thread has that ID.")
    check = Checker()
    name = check.text("name", revision.name, max_length=NAME_LENGTH, label="Name")
    body = check.text("body", revision.body, max_length=MAX_DRAFT, label="Text", multiline=True)
    note = ""
    if revision.note.strip():
        note = check.text("note", revision.note, max_length=NOTE_LENGTH, label="Note")
    kind = _kind(check, revision.kind, known_kinds)
    draft = None
    if name:
        draft = await session.scalar(
            select(Draft)
            .where(Draft.thread_id == thread.id, Draft.name_key == name.casefold())
            .with_for_update()
        )
    if draft is not None:
        if draft.status == DraftStatus.FINAL:
            check.add(
                "name",
                f"'{draft.name}' is final: it can no longer be revised (start a new draft).",
                UserErrorCode.CONFLICT,
            )
        kind_given = revision.kind is not None and bool(revision.kind.strip())
        if kind_given and kind != draft.kind and all(e.field != "kind" for e in check.errors):
            check.add(
                "kind",
                f"'{draft.name}' is a {draft.kind} draft; its kind cannot change.",
                UserErrorCode.CONFLICT,
            )
        latest = await _latest(session, draft)
        if latest is not None and latest.body == body and draft.status == DraftStatus.DRAFT:
            check.add("body", f"Nothing changed since revision {latest.number}.")
    check.raise_if_any()
    moment = at or utcnow()
    author = await _person(session, author_id)
    await join(session, thread, [author_id], invited_by=None, at=moment)
    if draft is None:
        draft = await _new_draft(session, thread, name, kind, author_id, moment)
    draft.revision_count += 1
    row = DraftRevision(
        draft_id=draft.id,
        number=draft.revision_count,
        body=body,
        body_html=markup.render(body),
        note=note,
        author_id=author_id,
        created_at=moment,
    )
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError:  # SQLite has no row lock: a concurrent revision took the number
        check.add(
            "name",
            f"'{draft.name}' was revised meanwhile: read revision {row.number} and try again.",
            UserErrorCode.CONFLICT,
        )
        check.raise_if_any()
    thread.last_activity_at = max(thread.last_activity_at, moment)
    revised = DraftRevised(
        thread=SubjectRef("Thread", thread.id),
        title=thread.title,
        draft=SubjectRef("Draft", draft.id),
        draft_name=draft.name,
        revision=SubjectRef("DraftRevision", row.id),
        number=row.number,
        note=note,
        author_name=author.display_name,
        body=row.body,
    )
    record(session, revised, actor_id=author_id)
    return row


async def revise_draft(
    db: Database,
    viewer: Viewer,
    revision: Revision,
    *,
    known_kinds: Collection[str] | None = None,
) -> DraftRevision:
    async with db.transaction() as session:
        return await revise_draft_in(session, viewer, revision, known_kinds=known_kinds)


async def agree_in(
    session: AsyncSession, viewer: Viewer, revision_id: int, *, at: datetime | None = None
) -> DraftRevision:
    """``viewer`` agrees with the revision ``revision_id`` (the latest of its draft). Agreeing
    twice changes nothing."""
    person_id = viewer.require_member()
    revision, draft, thread = await load_revision(session, viewer, revision_id)
    if not await may_post(session, viewer, thread):
        raise NotFound("No revision has that ID.")
    check = Checker()
    if draft.status == DraftStatus.FINAL:
        check.add("id", f"'{draft.name}' is final already.", UserErrorCode.CONFLICT)
    elif revision.number != draft.revision_count:
        check.add(
            "id",
            f"Revision {revision.number} of '{draft.name}' was superseded by revision "
            f"{draft.revision_count}: agree with the latest.",
            UserErrorCode.CONFLICT,
        )
    elif revision.author_id == person_id:
        check.add("id", "You wrote this revision: agreeing with it goes without saying.")
    check.raise_if_any()
    if await session.get(Agreement, (revision.id, person_id)) is not None:
        return revision
    moment = at or utcnow()
    person = await _person(session, person_id)
    await join(session, thread, [person_id], invited_by=None, at=moment)
    agreement = {"revision_id": revision.id, "person_id": person_id, "agreed_at": moment}
    statement = insert_ignoring(session, Agreement).values(agreement)
    if await session.scalar(statement.returning(Agreement.person_id)) is None:
        return revision  # they agreed in a concurrent request (SQLite has no row lock)
    thread.last_activity_at = max(thread.last_activity_at, moment)
    agreed = RevisionAgreed(
        thread=SubjectRef("Thread", thread.id),
        title=thread.title,
        draft=SubjectRef("Draft", draft.id),
        draft_name=draft.name,
        revision=SubjectRef("DraftRevision", revision.id),
        number=revision.number,
        person_name=person.display_name,
    )
    record(session, agreed, actor_id=person_id)
    return revision


async def agree(db: Database, viewer: Viewer, revision_id: int) -> DraftRevision:
    async with db.transaction() as session:
        return await agree_in(session, viewer, revision_id)


def may_finalise(viewer: Viewer, draft: Draft) -> bool:
    return viewer.is_authenticated and (draft.owner_id == viewer.person_id or may_moderate(viewer))


async def finalise_in(
    session: AsyncSession,
    viewer: Viewer,
    draft_id: int,
    *,
    revision_id: int | None = None,
    at: datetime | None = None,
) -> Draft:
    """The owner (or staff) makes the revision ``revision_id`` (the latest if None) final; it
    must have the agreement of someone other than its author."""
    person_id = viewer.require_member()
    draft, thread = await load_draft(session, viewer, draft_id, for_update=True)
    if not may_finalise(viewer, draft):
        raise Forbidden("Only the draft's owner or network staff can finalise it.")
    check = Checker()
    if revision_id is None:
        revision = await _latest(session, draft)
    else:
        revision = await session.get(DraftRevision, revision_id)
        if revision is not None and revision.draft_id != draft.id:
            revision = None
    if draft.status == DraftStatus.FINAL:
        check.add("id", f"'{draft.name}' is final already.", UserErrorCode.CONFLICT)
    elif revision is None:
        check.add(
            "draftRevisionId", f"'{draft.name}' has no such revision.", UserErrorCode.NOT_FOUND
        )
    else:
        agreed = await session.scalar(
            select(func.count()).select_from(Agreement).where(Agreement.revision_id == revision.id)
        )
        if not agreed:
            check.add(
                "draftRevisionId" if revision_id is not None else "id",
                f"No one but its author has agreed with revision {revision.number} of "
                f"'{draft.name}' yet.",
            )
    check.raise_if_any()
    assert revision is not None
    moment = at or utcnow()
    draft.status = DraftStatus.FINAL
    draft.final_number = revision.number
    draft.finalised_by, draft.finalised_at = person_id, moment
    thread.last_activity_at = max(thread.last_activity_at, moment)
    await session.flush()
    finalised = DraftFinalised(
        thread=SubjectRef("Thread", thread.id),
        title=thread.title,
        draft=SubjectRef("Draft", draft.id),
        draft_name=draft.name,
        kind=draft.kind,
        revision=SubjectRef("DraftRevision", revision.id),
        number=revision.number,
        body=revision.body,
        attached_to=thread.subject_id,
    )
    record(session, finalised, actor_id=person_id)
    return draft


async def finalise(
    db: Database, viewer: Viewer, draft_id: int, *, revision_id: int | None = None
) -> Draft:
    async with db.transaction() as session:
        return await finalise_in(session, viewer, draft_id, revision_id=revision_id)
