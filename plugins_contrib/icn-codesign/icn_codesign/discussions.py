"""Data requests discussed in co-design threads (core's ``register_data_request_discussion``).

A request's discussion is a PARTICIPANTS thread attached to the request: the requester starts
it, with the network's data managers in it; ``commentOnDataRequest`` posts in it, and someone
not yet in it (a center's decider who may see the request) joins by posting: the participants
see one another, so joining is each center's own choice. It is a thread like
any other: participants get its mail, reply by email, and see it in ``codesignThreads``.
Core has checked the viewer and the people before each call, inside the transaction of the
change, so nothing here asks again what core decided.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from icn_codesign.access import thread_visible_to
from icn_codesign.messages import post_message_in
from icn_codesign.models import TITLE_LENGTH, Thread, ThreadAudience
from icn_codesign.participation import join, thread_global_id
from icn_codesign.subjects import MESSAGE_TYPE, THREAD_TYPE
from icn_codesign.threads import NewThread, start_thread_in
from icn_graph.plugin_api import (
    DiscussionOpening,
    NotFound,
    Viewer,
    expect_global_id,
    to_global_id,
    utcnow,
)


async def _thread(session: AsyncSession, discussion_id: str) -> Thread:
    thread = await session.get(Thread, expect_global_id(discussion_id, THREAD_TYPE, field="id"))
    if thread is None:
        raise NotFound("The discussion of this data request no longer exists.")
    return thread


class ThreadDiscussion:
    """The discussion of data requests, in co-design threads."""

    async def open(self, session: AsyncSession, viewer: Viewer, opening: DiscussionOpening) -> str:
        new = NewThread(
            title=opening.title.strip()[:TITLE_LENGTH].strip(),
            audience=ThreadAudience.PARTICIPANTS,
            subject_id=opening.request_id,
            participant_ids=tuple(opening.participant_ids),
            body=opening.body,
        )
        thread = await start_thread_in(session, viewer, new)
        return thread_global_id(thread.id)

    async def post(
        self, session: AsyncSession, viewer: Viewer, discussion_id: str, body: str
    ) -> str:
        person_id = viewer.require_member()
        thread = await _thread(session, discussion_id)
        if not await thread_visible_to(session, viewer, thread):
            # They may see the request (core checked): taking part in its discussion follows.
            await join(session, thread, [person_id], invited_by=None, at=utcnow())
        message = await post_message_in(session, viewer, thread, body)
        return to_global_id(MESSAGE_TYPE, message.id)
