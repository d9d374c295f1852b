"""Replies by email: core's ``icn-graph mail-in`` hands a verified reply to a thread here.

The reply is posted as a message of the thread by the person it is bound to, through the same
service as the app's ``postMessage`` (the same audience rules, validation, mentions and
notifications), in the transaction core holds: a refusal raises a ``ServiceError`` and nothing
is posted.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from icn_codesign.access import load_thread
from icn_codesign.messages import MAX_BODY, post_message_in
from icn_codesign.subjects import THREAD_TYPE
from icn_graph.plugin_api import BadInput, Checker, InboundReply, Viewer, parse_global_id


async def post_reply(session: AsyncSession, viewer: Viewer, reply: InboundReply) -> None:
    """Post ``reply.text`` in the thread ``reply.subject_id`` as ``viewer``."""
    type_name, pk = parse_global_id(reply.subject_id, field="subject")
    if type_name != THREAD_TYPE:
        raise BadInput("Replies by mail can only go to a co-design thread.", field="subject")
    thread = await load_thread(session, viewer, pk)
    check = Checker()
    check.text("body", reply.text, max_length=MAX_BODY, label="The reply", multiline=True)
    if check.errors:
        raise BadInput(check.errors[0].message, field="body")
    await post_message_in(session, viewer, thread, reply.text, at=reply.received_at, source="email")
