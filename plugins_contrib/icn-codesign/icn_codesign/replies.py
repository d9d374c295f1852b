"""Replies by email: core's ``icn-graph mail-in`` hands a verified reply to a thread here.

The reply is posted as a message of the thread by the person it is bound to, through the same
service as the app's ``postMessage`` (the same audience rules, validation, mentions and
notifications), in the transaction core holds: a refusal raises a ``ServiceError`` and nothing
is posted. Its message is the reason the person reads in the mail telling them (after "Your
email ... was not posted: "), so it speaks of conversations, not IDs.

Someone who left a thread is refused even where they could still post (a thread of their
center's or of the network): leaving stops the mail, and a reply to an old one must not bring
them back unasked. They are told how to come back: post in the app where they may, else ask
someone in it to invite them.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from icn_codesign.access import load_thread, may_post
from icn_codesign.messages import MAX_BODY, post_message_in
from icn_codesign.models import Participant, Thread
from icn_codesign.participation import active_participant
from icn_codesign.subjects import THREAD_TYPE
from icn_graph.plugin_api import (
    BadInput,
    Checker,
    Forbidden,
    InboundReply,
    NotFound,
    Person,
    Viewer,
    parse_global_id,
)

NO_LONGER_VISIBLE = (
    "you are no longer in that conversation, and can no longer see it. If you should be, ask "
    "someone in it to invite you back."
)


async def post_reply(session: AsyncSession, viewer: Viewer, reply: InboundReply) -> None:
    """Post ``reply.text`` in the thread ``reply.subject_id`` as ``viewer``."""
    type_name, pk = parse_global_id(reply.subject_id, field="subject")
    if type_name != THREAD_TYPE:
        raise BadInput("Replies by mail can only go to a co-design thread.", field="subject")
    person_id = viewer.require_member()
    thread = await session.get(Thread, pk)
    row = await session.get(Participant, (pk, person_id))
    if thread is not None and row is not None and row.left_at is not None:
        raise Forbidden(await _left_reason(session, viewer, thread))
    try:
        thread = await load_thread(session, viewer, pk)
    except NotFound as error:
        raise NotFound(NO_LONGER_VISIBLE) from error
    check = Checker()
    check.text("body", reply.text, max_length=MAX_BODY, label="The reply", multiline=True)
    if check.errors:
        raise BadInput(check.errors[0].message, field="body")
    await post_message_in(session, viewer, thread, reply.text, at=reply.received_at, source="email")


async def _left_reason(session: AsyncSession, viewer: Viewer, thread: Thread) -> str:
    left = "you left this conversation, so replies to its mail no longer reach it."
    if await may_post(session, viewer, thread):
        return f"{left} To take part again, open it in the app and post there."
    starter = await _starter_still_in(session, thread)
    who = f" ({starter} started it)" if starter else ""
    return f"{left} To take part again, ask someone in it{who} to invite you back."


async def _starter_still_in(session: AsyncSession, thread: Thread) -> str | None:
    """The name of whoever started ``thread``, if they still take part in it."""
    if thread.created_by is None or not await active_participant(
        session, thread.id, thread.created_by
    ):
        return None
    starter = await session.get(Person, thread.created_by)
    return starter.display_name if starter is not None else None
