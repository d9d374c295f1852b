"""A Learning Session's call for proposals and its review committee: network staff open the
call (with open and close times) and grant the reviewer role."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from icn_graph.plugin_api import (
    Checker,
    Database,
    LearningSession,
    Person,
    SubjectRef,
    UserErrorCode,
    Viewer,
    record,
    utcnow,
)
from icn_panels.events import CallForProposalsOpened, ReviewerGranted
from icn_panels.models import CallForProposals, Reviewer

SESSION_NOT_FOUND = "No Learning Session has that ID."


def is_open(call: CallForProposals | None, at: datetime) -> bool:
    return call is not None and call.opens_at <= at < call.closes_at


async def open_call_for_proposals(
    db: Database, viewer: Viewer, session_pk: int, opens_at: datetime, closes_at: datetime
) -> CallForProposals:
    """Open (or reschedule) the call of the session ``session_pk``: staff only."""
    viewer.require_staff("open a call for proposals")
    check = Checker()
    for field, value in (("opensAt", opens_at), ("closesAt", closes_at)):
        if value.tzinfo is None:
            check.add(field, "Give the time with its UTC offset.")
    if opens_at.tzinfo and closes_at.tzinfo and closes_at <= opens_at:
        check.add("closesAt", "The call must close after it opens.")
    async with db.transaction() as session:
        if await session.get(LearningSession, session_pk) is None:
            check.add("learningSessionId", SESSION_NOT_FOUND, UserErrorCode.NOT_FOUND)
        check.raise_if_any()
        call = await session.scalar(
            select(CallForProposals).where(CallForProposals.session_id == session_pk)
        )
        if call is None:
            call = CallForProposals(session_id=session_pk)
            session.add(call)
        call.opens_at, call.closes_at = opens_at, closes_at
        call.opened_by, call.updated_at = viewer.person_id, utcnow()
        await session.flush()
        opened = CallForProposalsOpened(
            learning_session=SubjectRef("LearningSession", session_pk),
            opens_at=opens_at.isoformat(),
            closes_at=closes_at.isoformat(),
        )
        record(session, opened, actor_id=viewer.person_id)
    return call


async def grant_reviewer_role(
    db: Database, viewer: Viewer, session_pk: int, person_pk: int
) -> Reviewer:
    """Add ``person_pk`` to the session's review committee: staff only; granting twice keeps
    the first grant."""
    viewer.require_staff("grant the reviewer role")
    check = Checker()
    async with db.transaction() as session:
        if await session.get(LearningSession, session_pk) is None:
            check.add("learningSessionId", SESSION_NOT_FOUND, UserErrorCode.NOT_FOUND)
        if await session.get(Person, person_pk) is None:
            check.add("personId", "No person has that ID.", UserErrorCode.NOT_FOUND)
        check.raise_if_any()
        existing = await session.get(Reviewer, (session_pk, person_pk))
        if existing is not None:
            return existing
        reviewer = Reviewer(session_id=session_pk, person_id=person_pk, granted_by=viewer.person_id)
        session.add(reviewer)
        await session.flush()
        granted = ReviewerGranted(
            learning_session=SubjectRef("LearningSession", session_pk),
            person=SubjectRef("Person", person_pk),
        )
        record(session, granted, actor_id=viewer.person_id)
    return reviewer
