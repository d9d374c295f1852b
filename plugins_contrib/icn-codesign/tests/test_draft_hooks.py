"""icn-codesign's published hooks, implemented by a throwaway plugin registered beside it:
draft kinds it declares, and hearing (at least once) that a draft became final."""

from __future__ import annotations

from collections.abc import Sequence

import icn_codesign.plugin
import pytest
from codesign_helpers import cast, start
from draft_helpers import FINALISE, REVISE, agree, revise
from icn_codesign.hooks import DraftKind, FinalisedDraft
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.plugin_api import Database, Person, hookimpl, to_global_id
from icn_graph.testing import GraphQLClient, make_staff_token, user_errors


class PanelsProbe:
    """What the panels plugin would do: declare its kinds, and pick up final drafts."""

    def __init__(self) -> None:
        self.heard: list[FinalisedDraft] = []
        self.failures_left = 0

    @hookimpl(optionalhook=True)
    def icn_codesign_draft_kinds(self) -> Sequence[DraftKind]:
        return [
            DraftKind("panel.objectives", "Panel objectives"),
            DraftKind("panel.call_to_action", "Call to action"),
            DraftKind("Not a key", "ignored"),
        ]

    @hookimpl(optionalhook=True)
    async def icn_codesign_draft_finalised(
        self, draft: FinalisedDraft, session: AsyncSession
    ) -> None:
        # It runs in the delivery's transaction: it can read (and write) the database.
        assert await session.scalar(select(func.count()).select_from(Person))
        self.heard.append(draft)
        if self.failures_left:
            self.failures_left -= 1
            raise RuntimeError("the panels plugin is having a bad day")


@pytest.fixture
def probe() -> PanelsProbe:
    return PanelsProbe()


@pytest.fixture
def icn_plugins(probe: PanelsProbe) -> list[tuple[str, object]]:
    return [("icn-codesign", icn_codesign.plugin), ("panels-probe", probe)]


KINDS = "{ codesignDraftKinds { key label } }"


async def test_plugins_declare_the_kinds_of_draft_they_care_about(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    data = await client.data(KINDS, token=people.parent.token)
    assert data["codesignDraftKinds"] == [
        {"key": "general", "label": "General"},
        {"key": "panel.objectives", "label": "Panel objectives"},
        {"key": "panel.call_to_action", "label": "Call to action"},
    ]
    thread = await start(client, people.participant, audience="NETWORK")
    written = await revise(
        client, people.participant, thread["id"], "Objectives", "One.", kind="panel.objectives"
    )
    assert written["draft"]["kind"] == "panel.objectives"
    unknown = await client.data(
        REVISE,
        {"input": {"threadId": thread["id"], "name": "X", "body": "Y", "kind": "panel.agenda"}},
        token=people.participant.token,
    )
    assert user_errors(unknown["reviseDraft"]) == [("kind", "INVALID")]
    changed = await client.data(
        REVISE,
        {"input": {"threadId": thread["id"], "name": "Objectives", "body": "Two.",
                   "kind": "panel.call_to_action"}},
        token=people.participant.token,
    )  # fmt: skip
    assert user_errors(changed["reviseDraft"]) == [("kind", "CONFLICT")]


async def _finalise_one(db: Database, client: GraphQLClient) -> tuple[str, str, str, str]:
    people = await cast(db)
    owner = people.participant
    subject = to_global_id("Center", people.center.id)
    thread = await start(client, owner, audience="NETWORK", subjectId=subject)
    written = await revise(
        client,
        owner,
        thread["id"],
        "Call to action",
        "Ask one family.",
        kind="panel.call_to_action",
    )
    await agree(client, people.parent, written["revision"]["id"])
    draft = written["draft"]["id"]
    final = await client.data(FINALISE, {"draft": draft}, token=owner.token)
    assert final["finaliseDraft"]["userErrors"] == []
    await client.settle()
    return thread["id"], draft, written["revision"]["id"], subject


async def test_a_plugin_hears_once_that_a_draft_became_final(
    db: Database, client: GraphQLClient, probe: PanelsProbe
) -> None:
    thread, draft, revision, subject = await _finalise_one(db, client)
    [heard] = probe.heard
    assert (heard.draft_id, heard.thread_id, heard.revision_id) == (draft, thread, revision)
    assert (heard.name, heard.kind, heard.number, heard.body) == (
        "Call to action",
        "panel.call_to_action",
        1,
        "Ask one family.",
    )
    assert heard.thread_title == "Parent panel"
    assert heard.attached_to == subject


async def test_a_failing_plugin_does_not_undo_the_finalise(
    db: Database, client: GraphQLClient, probe: PanelsProbe
) -> None:
    probe.failures_left = 1
    _, draft, _, _ = await _finalise_one(db, client)
    # The delivery failed (and stays undispatched for the worker to retry); the draft is final.
    assert [heard.draft_id for heard in probe.heard] == [draft]
    people = await client.data(
        "query($id: ID!) { node(id: $id) { ... on Draft { status } } }",
        {"id": draft},
        token=await make_staff_token(db),
    )
    assert people["node"] == {"status": "FINAL"}
