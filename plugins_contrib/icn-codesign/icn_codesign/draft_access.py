"""Finding drafts, revisions and decisions for a viewer: what belongs to a thread the viewer
may not see reads exactly like what does not exist (``NotFound``), as for threads.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_codesign.access import load_thread
from icn_codesign.draft_models import Draft, DraftRevision
from icn_codesign.models import Thread
from icn_graph.plugin_api import NotFound, Viewer

DRAFT_NOT_FOUND = "No draft has that ID."
REVISION_NOT_FOUND = "No revision has that ID."


async def load_draft(
    session: AsyncSession, viewer: Viewer, draft_id: int, *, for_update: bool = False
) -> tuple[Draft, Thread]:
    viewer.require_member()
    statement = select(Draft).where(Draft.id == draft_id)
    draft = await session.scalar(statement.with_for_update() if for_update else statement)
    if draft is None:
        raise NotFound(DRAFT_NOT_FOUND)
    try:
        thread = await load_thread(session, viewer, draft.thread_id)
    except NotFound:
        raise NotFound(DRAFT_NOT_FOUND) from None
    return draft, thread


async def load_revision(
    session: AsyncSession, viewer: Viewer, revision_id: int
) -> tuple[DraftRevision, Draft, Thread]:
    viewer.require_member()
    revision = await session.get(DraftRevision, revision_id)
    if revision is None:
        raise NotFound(REVISION_NOT_FOUND)
    try:
        draft, thread = await load_draft(session, viewer, revision.draft_id, for_update=True)
    except NotFound:
        raise NotFound(REVISION_NOT_FOUND) from None
    return revision, draft, thread
