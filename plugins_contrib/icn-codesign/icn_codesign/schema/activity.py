"""The ``threadActivity`` subscription: what happens in one thread, live.

Authorised when it starts (a thread the viewer may not see is ``NOT_FOUND``, as for ``node``),
and again whenever something arrives and whenever the subscriber may have lost access (they
left the thread, or a center's team): the stream ends once the audience rules no longer let them
see the thread, or their token is revoked. Activity arrives over core's live topics (see
``icn_codesign.live``), from every API process on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated

import strawberry
from graphql import GraphQLError

from icn_codesign import live
from icn_codesign.access import thread_visible_to
from icn_codesign.models import Thread as ThreadRow
from icn_codesign.schema.threads import Thread
from icn_graph.plugin_api import (
    Info,
    Node,
    NotFound,
    TopicOverflow,
    Viewer,
    described_enum,
    expect_global_id,
    fetch_node,
    listen_topics,
    parse_global_id,
)

K = live.ActivityKind
described_enum(
    K,
    name="ThreadActivityKind",
    description="What happened in a thread (more kinds may be added).",
    values={
        K.MESSAGE_POSTED: "A message was posted; the subject is the message.",
        K.MESSAGE_EDITED: "A message was edited; the subject is the message.",
        K.MESSAGE_HIDDEN: "Network staff hid a message; the subject is the message.",
        K.PARTICIPANT_JOINED: "Someone joined; the subject is the person.",
        K.PARTICIPANT_LEFT: "Someone left; the subject is the person.",
        K.DRAFT_REVISED: "A draft got a new revision; the subject is the revision.",
        K.REVISION_AGREED: "Someone agreed with a revision; the subject is the revision.",
        K.DRAFT_FINALISED: "A draft was made final; the subject is its final revision.",
        K.DECISION_RECORDED: "A decision was recorded; the subject is the decision.",
    },
)

OVERFLOW_MESSAGE = (
    "More activity arrived than this connection read, so some was dropped: fetch the thread's "
    "messages, then subscribe again."
)


@strawberry.type(description="Something that happened in a thread.")
class ThreadActivity:
    kind: live.ActivityKind = strawberry.field(description="What happened.")
    occurred_at: datetime = strawberry.field(description="When (UTC).")
    subject_id: strawberry.ID | None = strawberry.field(
        description="The global ID of what it is about: the message, the person who joined "
        "or left, the draft revision, or the decision."
    )
    thread_pk: strawberry.Private[int]

    @strawberry.field(description="The thread.")
    async def thread(self, info: Info) -> Thread | None:
        found = await Thread.resolve_nodes(info, [self.thread_pk])
        return found[0]

    @strawberry.field(
        description="What it is about (a ThreadMessage, a Person, a DraftRevision, a Decision), if "
        "visible."
    )
    async def subject(self, info: Info) -> Node | None:
        if self.subject_id is None:
            return None
        type_name, pk = parse_global_id(self.subject_id)
        return await fetch_node(info, type_name, pk)


async def _may_see(info: Info, person_id: int, thread_id: int) -> Viewer | None:
    """The subscriber as they are now (their token checked again, their roles read afresh) if
    they may still see the thread; None once they may not, or their token was revoked."""
    reauthenticate = info.context.reauthenticate
    viewer = await reauthenticate() if reauthenticate is not None else info.context.viewer
    if viewer.person_id != person_id:
        return None  # the token was revoked
    async with info.context.db.session() as session:
        thread = await session.get(ThreadRow, thread_id)
        visible = thread is not None and await thread_visible_to(session, viewer, thread)
    return viewer if visible else None


@strawberry.type
class ThreadSubscription:
    @strawberry.subscription(
        description="Activity in one thread as it happens: new messages, edits, hidden "
        "messages, people joining and leaving, draft revisions, agreements, final drafts and "
        "decisions. Ends when the viewer can no longer see it."
    )
    async def thread_activity(
        self,
        info: Info,
        thread_id: Annotated[
            strawberry.ID,
            strawberry.argument(
                description="The thread to follow; one you may not see is NOT_FOUND."
            ),
        ],
    ) -> AsyncGenerator[ThreadActivity, None]:
        person_id = info.context.viewer.require_member()
        pk = expect_global_id(thread_id, "Thread", field="threadId")
        topics = [live.thread_topic(pk), live.person_topic(person_id)]
        with listen_topics(info, topics) as feed:
            if await _may_see(info, person_id, pk) is None:
                raise NotFound("No thread has that ID.", field="threadId")
            try:
                async for _topic, message in feed:
                    item = live.decode(message)
                    if item is None:
                        continue
                    viewer = await _may_see(info, person_id, pk)
                    if viewer is None:
                        return
                    if isinstance(item, live.Activity) and item.thread_id == pk:
                        # A websocket's context lives as long as the connection: the viewer
                        # as they are now (no longer staff: no hidden text) and fresh loaders
                        # for each activity keep what is sent current (an edited message).
                        info.context.viewer = viewer
                        info.context.loaders = type(info.context.loaders)(info.context.db)
                        yield ThreadActivity(
                            kind=item.kind,
                            occurred_at=item.occurred_at,
                            subject_id=strawberry.ID(item.subject_id) if item.subject_id else None,
                            thread_pk=item.thread_id,
                        )
            except TopicOverflow:
                raise GraphQLError(
                    OVERFLOW_MESSAGE, extensions={"code": "SUBSCRIPTION_OVERFLOW"}
                ) from None
