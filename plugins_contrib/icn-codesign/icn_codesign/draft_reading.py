"""Reading drafts, revisions, agreements and decisions: the batches the GraphQL loaders call.

Lookups by ID check the viewer (only what belongs to threads they may see); the per-thread,
per-draft and per-revision batches are called for objects already checked. Each is one query
whatever the number of keys.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from icn_codesign.access import visible_clause
from icn_codesign.draft_models import Agreement, Decision, DecisionMessage, Draft, DraftRevision
from icn_codesign.models import Message, Thread
from icn_graph.plugin_api import Database, Viewer, grouped, rows_by_parent


async def drafts_by_id(db: Database, viewer: Viewer, pks: Sequence[int]) -> dict[int, Draft]:
    if not pks or not viewer.is_authenticated:
        return {}
    async with db.session() as session:
        rows = await session.scalars(
            select(Draft)
            .join(Thread, Thread.id == Draft.thread_id)
            .where(Draft.id.in_(sorted(set(pks))), visible_clause(viewer))
        )
        return {row.id: row for row in rows}


async def revisions_by_id(
    db: Database, viewer: Viewer, pks: Sequence[int]
) -> dict[int, DraftRevision]:
    if not pks or not viewer.is_authenticated:
        return {}
    async with db.session() as session:
        rows = await session.scalars(
            select(DraftRevision)
            .join(Draft, Draft.id == DraftRevision.draft_id)
            .join(Thread, Thread.id == Draft.thread_id)
            .where(DraftRevision.id.in_(sorted(set(pks))), visible_clause(viewer))
        )
        return {row.id: row for row in rows}


async def decisions_by_id(db: Database, viewer: Viewer, pks: Sequence[int]) -> dict[int, Decision]:
    if not pks or not viewer.is_authenticated:
        return {}
    async with db.session() as session:
        rows = await session.scalars(
            select(Decision)
            .join(Thread, Thread.id == Decision.thread_id)
            .where(Decision.id.in_(sorted(set(pks))), visible_clause(viewer))
        )
        return {row.id: row for row in rows}


async def drafts_of(db: Database, thread_ids: Sequence[int]) -> list[list[Draft]]:
    """Per thread, its drafts in the order they were started."""
    return await rows_by_parent(db, Draft, Draft.thread_id, thread_ids, Draft.created_at, Draft.id)


async def revisions_of(db: Database, draft_ids: Sequence[int]) -> list[list[DraftRevision]]:
    """Per draft, its revisions, first to latest."""
    return await rows_by_parent(
        db, DraftRevision, DraftRevision.draft_id, draft_ids, DraftRevision.number
    )


async def agreements_of(db: Database, revision_ids: Sequence[int]) -> list[list[Agreement]]:
    """Per revision, who agreed with it, in the order they did."""
    return await rows_by_parent(
        db, Agreement, Agreement.revision_id, revision_ids, Agreement.agreed_at, Agreement.person_id
    )


async def decisions_of(db: Database, thread_ids: Sequence[int]) -> list[list[Decision]]:
    """Per thread, its decision log, oldest first."""
    return await rows_by_parent(
        db, Decision, Decision.thread_id, thread_ids, Decision.decided_at, Decision.id
    )


async def decision_messages_of(db: Database, decision_ids: Sequence[int]) -> list[list[Message]]:
    """Per decision, the messages it rests on, oldest first."""
    async with db.session() as session:
        rows = await session.execute(
            select(DecisionMessage.decision_id, Message)
            .join(Message, Message.id == DecisionMessage.message_id)
            .where(DecisionMessage.decision_id.in_(sorted(set(decision_ids))))
            .order_by(Message.created_at, Message.id)
        )
        return grouped(((key, message) for key, message in rows), decision_ids)
