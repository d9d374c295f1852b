"""The decision log: what a thread decided, by whom, when, and what it rests on.

Whoever may post in a thread may record a decision there (they join it, as when posting). A
decision may rest on messages of the same thread and on one revision of one of its drafts;
anything else named (another thread's message, an unknown ID) is refused, naming the entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_codesign import markup
from icn_codesign.access import load_thread, may_post
from icn_codesign.draft_events import DecisionRecorded
from icn_codesign.draft_models import Decision, DecisionMessage, Draft, DraftRevision
from icn_codesign.models import Message
from icn_codesign.participation import join
from icn_graph.plugin_api import (
    Checker,
    Database,
    NotFound,
    SubjectRef,
    UserErrorCode,
    Viewer,
    record,
    utcnow,
)

MAX_DECISION = 5_000
MAX_LINKS = 50


@dataclass(frozen=True)
class NewDecision:
    """What was decided (Markdown), in which thread, resting on which of its messages and which
    revision of one of its drafts."""

    thread_id: int
    text: str
    message_ids: Sequence[int] = field(default_factory=tuple)
    revision_id: int | None = None


async def _messages(
    session: AsyncSession, thread_id: int, message_ids: Sequence[int], check: Checker
) -> list[int]:
    wanted = list(dict.fromkeys(message_ids))
    if len(wanted) > MAX_LINKS:
        check.add("threadMessageIds", f"At most {MAX_LINKS} messages (got {len(wanted)}).")
        return []
    found = set(
        await session.scalars(
            select(Message.id).where(Message.id.in_(wanted), Message.thread_id == thread_id)
        )
    )
    for index, message_id in enumerate(message_ids):
        if message_id not in found:
            check.add(
                f"threadMessageIds[{index}]",
                "No message of this thread has that ID.",
                UserErrorCode.NOT_FOUND,
            )
    return [message_id for message_id in wanted if message_id in found]


async def _revision(
    session: AsyncSession, thread_id: int, revision_id: int | None, check: Checker
) -> int | None:
    if revision_id is None:
        return None
    found = await session.scalar(
        select(DraftRevision.id)
        .join(Draft, Draft.id == DraftRevision.draft_id)
        .where(DraftRevision.id == revision_id, Draft.thread_id == thread_id)
    )
    if found is None:
        check.add(
            "draftRevisionId",
            "No revision of this thread's drafts has that ID.",
            UserErrorCode.NOT_FOUND,
        )
    return found


async def record_decision_in(
    session: AsyncSession, viewer: Viewer, new: NewDecision, *, at: datetime | None = None
) -> Decision:
    person_id = viewer.require_member()
    thread = await load_thread(session, viewer, new.thread_id)
    if not await may_post(session, viewer, thread):
        raise NotFound("No thread has that ID.")
    check = Checker()
    text = check.text("text", new.text, max_length=MAX_DECISION, label="Decision", multiline=True)
    messages = await _messages(session, thread.id, new.message_ids, check)
    revision_id = await _revision(session, thread.id, new.revision_id, check)
    check.raise_if_any()
    moment = at or utcnow()
    await join(session, thread, [person_id], invited_by=None, at=moment)
    decision = Decision(
        thread_id=thread.id,
        text=text,
        text_html=markup.render(text),
        decided_by=person_id,
        decided_at=moment,
        revision_id=revision_id,
    )
    session.add(decision)
    await session.flush()
    if messages:
        await session.execute(
            insert(DecisionMessage),
            [{"decision_id": decision.id, "message_id": message} for message in messages],
        )
    thread.last_activity_at = max(thread.last_activity_at, moment)
    recorded = DecisionRecorded(
        thread=SubjectRef("Thread", thread.id),
        title=thread.title,
        decision=SubjectRef("Decision", decision.id),
        text=decision.text,
        text_html=decision.text_html,
        revision=SubjectRef("DraftRevision", revision_id) if revision_id else None,
        message_count=len(messages),
    )
    record(session, recorded, actor_id=person_id)
    return decision


async def record_decision(db: Database, viewer: Viewer, new: NewDecision) -> Decision:
    async with db.transaction() as session:
        return await record_decision_in(session, viewer, new)
