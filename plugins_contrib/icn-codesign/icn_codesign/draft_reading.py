"""Reading drafts, revisions, agreements and decisions: the batches the GraphQL loaders call.

Lookups by ID check the viewer (only what belongs to threads they may see); the per-thread,
per-draft and per-revision batches are called for objects already checked. Each is one query
whatever the number of keys.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select

from icn_codesign.access import visible_clause
from icn_codesign.draft_models import Agreement, Decision, DecisionMessage, Draft, DraftRevision
from icn_codesign.models import Message, Thread
from icn_graph.plugin_api import Database, Viewer


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
    async with db.session() as session:
        rows = await session.scalars(
            select(Draft)
            .where(Draft.thread_id.in_(sorted(set(thread_ids))))
            .order_by(Draft.created_at, Draft.id)
        )
        found: dict[int, list[Draft]] = defaultdict(list)
        for row in rows:
            found[row.thread_id].append(row)
    return [found.get(thread_id, []) for thread_id in thread_ids]


async def revisions_of(db: Database, draft_ids: Sequence[int]) -> list[list[DraftRevision]]:
    """Per draft, its revisions, first to latest."""
    async with db.session() as session:
        rows = await session.scalars(
            select(DraftRevision)
            .where(DraftRevision.draft_id.in_(sorted(set(draft_ids))))
            .order_by(DraftRevision.draft_id, DraftRevision.number)
        )
        found: dict[int, list[DraftRevision]] = defaultdict(list)
        for row in rows:
            found[row.draft_id].append(row)
    return [found.get(draft_id, []) for draft_id in draft_ids]


async def agreements_of(db: Database, revision_ids: Sequence[int]) -> list[list[Agreement]]:
    """Per revision, who agreed with it, in the order they did."""
    async with db.session() as session:
        rows = await session.scalars(
            select(Agreement)
            .where(Agreement.revision_id.in_(sorted(set(revision_ids))))
            .order_by(Agreement.revision_id, Agreement.agreed_at, Agreement.person_id)
        )
        found: dict[int, list[Agreement]] = defaultdict(list)
        for row in rows:
            found[row.revision_id].append(row)
    return [found.get(revision_id, []) for revision_id in revision_ids]


async def decisions_of(db: Database, thread_ids: Sequence[int]) -> list[list[Decision]]:
    """Per thread, its decision log, oldest first."""
    async with db.session() as session:
        rows = await session.scalars(
            select(Decision)
            .where(Decision.thread_id.in_(sorted(set(thread_ids))))
            .order_by(Decision.thread_id, Decision.decided_at, Decision.id)
        )
        found: dict[int, list[Decision]] = defaultdict(list)
        for row in rows:
            found[row.thread_id].append(row)
    return [found.get(thread_id, []) for thread_id in thread_ids]


async def decision_messages_of(db: Database, decision_ids: Sequence[int]) -> list[list[Message]]:
    """Per decision, the messages it rests on, oldest first."""
    async with db.session() as session:
        rows = await session.execute(
            select(DecisionMessage.decision_id, Message)
            .join(Message, Message.id == DecisionMessage.message_id)
            .where(DecisionMessage.decision_id.in_(sorted(set(decision_ids))))
            .order_by(Message.created_at, Message.id)
        )
        found: dict[int, list[Message]] = defaultdict(list)
        for decision_id, message in rows:
            found[decision_id].append(message)
    return [found.get(decision_id, []) for decision_id in decision_ids]
