"""``threadActivity`` hears drafts and decisions: a revision, an agreement, a draft made final and
a decision, over a real websocket (the helpers of test_activity)."""

from __future__ import annotations

from codesign_helpers import cast
from draft_helpers import AGREE, DECIDE, FINALISE, REVISE
from starlette.applications import Starlette
from test_activity import _Client, registered, serving, subscribed

from icn_graph.plugin_api import Database
from icn_graph.testing import GraphQLClient


async def test_drafts_and_decisions_are_live(
    db: Database, app: Starlette, client: GraphQLClient
) -> None:
    people = await cast(db)
    owner, parent = people.participant, people.parent
    async with serving(app) as base_url:
        thread = await _Client(base_url).start(parent, [owner.id])
        await app.state.dispatcher.drain()
        async with subscribed(base_url, parent, thread) as listener:
            await registered(app, thread)
            revised = await client.data(
                REVISE,
                {"input": {"threadId": thread, "name": "Call to action", "body": "Ask one."}},
                token=owner.token,
            )
            revision = revised["reviseDraft"]["revision"]["id"]
            await client.data(AGREE, {"revision": revision}, token=parent.token)
            draft = revised["reviseDraft"]["draft"]["id"]
            await client.data(FINALISE, {"draft": draft}, token=owner.token)
            await client.data(
                DECIDE, {"input": {"threadId": thread, "text": "Final."}}, token=owner.token
            )
            kinds = []
            for _ in range(4):
                got = (await listener.receive())["payload"]["data"]["threadActivity"]
                kinds.append(got["kind"])
                assert got["thread"] == {"title": "Parent panel"}
            assert kinds == [
                "DRAFT_REVISED",
                "REVISION_AGREED",
                "DRAFT_FINALISED",
                "DECISION_RECORDED",
            ]
