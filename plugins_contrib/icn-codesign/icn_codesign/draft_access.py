"""Finding drafts, revisions and decisions for a viewer: what belongs to a thread the viewer
may not see reads exactly like what does not exist (``NotFound``), as for threads.

Also the one check of multi-line text (a draft's body, a decision): Markdown keeps its line
breaks and tabs, every other control character and text-direction mark is refused.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_codesign.access import load_thread
from icn_codesign.draft_models import Draft, DraftRevision
from icn_codesign.models import Thread
from icn_graph.plugin_api import Checker, NotFound, UserErrorCode, Viewer

DRAFT_NOT_FOUND = "No draft has that ID."
REVISION_NOT_FOUND = "No revision has that ID."

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def markdown_text(check: Checker, field: str, value: str, *, max_length: int, label: str) -> str:
    """``value`` with its ends trimmed and line endings made ``\\n``; records REQUIRED,
    TOO_LONG or INVALID (control characters other than line breaks and tabs, text-direction
    marks)."""
    cleaned = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not cleaned:
        check.add(field, f"{label} is required.", UserErrorCode.REQUIRED)
    elif len(cleaned) > max_length:
        check.add(
            field,
            f"{label} must be at most {max_length} characters (got {len(cleaned)}).",
            UserErrorCode.TOO_LONG,
        )
    elif _CONTROL.search(cleaned):
        check.add(field, f"{label} must not contain control characters.")
    elif _BIDI.search(cleaned):
        check.add(field, f"{label} must not contain text-direction control characters.")
    return cleaned


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
