"""Who may see and change drafts and decisions: the thread's audience rules, for every query
and mutation and for ``node(id:)`` on drafts, revisions and decisions."""

from __future__ import annotations

from typing import Any

import pytest
from codesign_helpers import Cast, cast, post, start
from draft_helpers import AGREE, DECIDE, FINALISE, REVISE, revise

from icn_graph.plugin_api import Database, to_global_id
from icn_graph.testing import GraphQLClient

ROLES = ["participant", "colleague", "outsider", "parent", "staff", "anonymous"]
# Who sees a thread for PARTICIPANTS of the center (the parent is invited), and a CENTER one.
SEES = {
    "PARTICIPANTS": {"participant", "parent", "staff"},
    "CENTER": {"participant", "colleague", "parent", "staff"},
    "NETWORK": {"participant", "colleague", "outsider", "parent", "staff"},
}
NODE = "query($id: ID!) { node(id: $id) { id } }"


def token(people: Cast, role: str) -> str | None:
    return None if role == "anonymous" else getattr(people, role).token


def code(body: dict[str, Any]) -> str:
    errors = body.get("errors") or []
    return str(errors[0]["extensions"]["code"]) if errors else "ok"


@pytest.mark.parametrize("audience", ["PARTICIPANTS", "CENTER", "NETWORK"])
async def test_drafts_and_decisions_follow_the_threads_audience(
    db: Database, client: GraphQLClient, audience: str
) -> None:
    people = await cast(db)
    owner = people.participant
    extra = {"centerId": to_global_id("Center", people.center.id) if audience == "CENTER" else None}
    thread = await start(client, owner, audience=audience, personIds=[people.parent.id], **extra)
    message = await post(client, owner, thread["id"], "The plan.")
    written = await revise(client, owner, thread["id"], "Objectives", "One.")
    draft, revision = written["draft"]["id"], written["revision"]["id"]
    decided = await client.data(
        DECIDE,
        {"input": {"threadId": thread["id"], "text": "Go.", "threadMessageIds": [message["id"]]}},
        token=owner.token,
    )
    decision = decided["recordDecision"]["decision"]["id"]
    for role in ROLES:
        sees = role in SEES[audience]
        for node in (draft, revision, decision):
            body = await client.execute(NODE, {"id": node}, token=token(people, role))
            expected = "ok" if sees else ("UNAUTHENTICATED" if role == "anonymous" else "NOT_FOUND")
            assert (body["data"]["node"] is not None) == sees, (role, node)
            assert code(body) == expected, (role, node, body)
        revised = await client.execute(
            REVISE,
            {"input": {"threadId": thread["id"], "name": f"By {role}", "body": "Text."}},
            token=token(people, role),
        )
        agreed = await client.execute(AGREE, {"revision": revision}, token=token(people, role))
        if not sees:
            denied = "UNAUTHENTICATED" if role == "anonymous" else "NOT_FOUND"
            assert code(revised) == denied, role
            assert code(agreed) == denied, role
            recorded = await client.execute(
                DECIDE,
                {"input": {"threadId": thread["id"], "text": "x"}},
                token=token(people, role),
            )
            assert code(recorded) == denied, role
            finalised = await client.execute(FINALISE, {"draft": draft}, token=token(people, role))
            assert code(finalised) == denied, role
        else:
            assert revised["data"]["reviseDraft"]["userErrors"] == [], role
            errors = [e["field"] for e in agreed["data"]["agreeToRevision"]["userErrors"]]
            # The owner wrote the revision: their agreement goes without saying.
            assert errors == (["id"] if role == "participant" else []), role
    # Only the owner or staff finalise; the parent sees the draft but may not.
    refused = await client.execute(FINALISE, {"draft": draft}, token=people.parent.token)
    assert code(refused) == "FORBIDDEN"
    final = await client.data(FINALISE, {"draft": draft}, token=owner.token)
    assert final["finaliseDraft"]["draft"]["status"] == "FINAL"
