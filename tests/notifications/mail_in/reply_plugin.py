"""A throwaway plugin for the mail-in tests: a reply to mail about a goal becomes a check-in on
it, written as the viewer. It refuses a reply containing "please refuse" after writing (so a
test can see the write rolled back), and fails on "please crash"."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.plugin_api import (
    BadInput,
    CheckIn,
    GoalStatus,
    InboundReply,
    ReplyHandler,
    Viewer,
    expect_global_id,
    hookimpl,
)

received: list[tuple[Viewer, InboundReply]] = []


async def post_check_in(session: AsyncSession, viewer: Viewer, reply: InboundReply) -> None:
    author = viewer.require_member()
    goal_id = expect_global_id(reply.subject_id, "Goal", field="subject_id")
    session.add(
        CheckIn(
            goal_id=goal_id,
            author_id=author,
            note=reply.text,
            status=GoalStatus.ON_TRACK,
            confidence=7,
        )
    )
    await session.flush()
    received.append((viewer, reply))
    if "please refuse" in reply.text:
        raise BadInput("this goal is closed to new check-ins.", field="text")
    if "please crash" in reply.text:
        raise RuntimeError("the handler has a bug")


@hookimpl
def register_reply_handlers() -> Sequence[ReplyHandler]:
    return [ReplyHandler(type_name="Goal", handle=post_check_in)]
