"""The pipeline of an accepted proposal through the HTTP API: stages created on acceptance with
their default due dates, advanced with evidence by the owner, the coach or staff (and nobody
else), staff setting owner, coach and due date, and every refused input naming its field."""

from __future__ import annotations

from typing import Any

from panels_helpers import (
    ADVANCE,
    ASSIGN,
    Cast,
    accepted,
    cast,
    icn_plugins,
    ok,
    propose,
    session_with_open_call,
)

from icn_graph.plugin_api import Database
from icn_graph.testing import GraphQLClient

__all__ = ["icn_plugins"]

ROLES = ("staff", "committee", "qi_lead", "clinician", "parent", "outsider", "anonymous")
STAGES = """query($id: ID!) { node(id: $id) { ... on Proposal {
  viewerCanAdvanceStage currentStage { stage }
  stages { stage dueOn completedAt owner { displayName } coach { displayName } } } } }"""


def token(people: Cast, role: str) -> str | None:
    return None if role == "anonymous" else getattr(people, role).token


def outcome(body: dict[str, Any], field: str) -> str:
    if body.get("errors"):
        code: str = body["errors"][0]["extensions"]["code"]
        return code
    payload = body["data"][field]
    if payload["userErrors"]:
        [error] = payload["userErrors"]
        return f"userErrors:{error['field']}:{error['code']}"
    return "ok"


async def test_accepting_creates_the_stages_due_before_the_session(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    session = await session_with_open_call(client, people.staff, year=2027)
    declined = await propose(client, people.parent, session, title="Not this one")
    await ok(
        client,
        "mutation($input: DecideProposalInput!) { decideProposal(input: $input) "
        "{ userErrors { field message code } } }",
        "decideProposal",
        people.staff,
        id=declined,
        decision="DECLINE",
        reason="Full agenda.",
    )
    data = await client.data(STAGES, {"id": declined}, token=people.staff.token)
    assert data["node"]["stages"] == []
    assert data["node"]["currentStage"] is None

    proposal = await accepted(client, people, session)
    data = await client.data(STAGES, {"id": proposal}, token=people.parent.token)
    stages = data["node"]["stages"]
    assert [(s["stage"], s["dueOn"]) for s in stages] == [
        ("IDEA", "2027-01-10"),
        ("OUTLINE", "2027-02-09"),
        ("COACHED", "2027-02-27"),
        ("PREPPED", "2027-03-20"),
        ("RUN_THROUGH", "2027-04-03"),
        ("DELIVERED", "2027-04-10"),
    ]
    assert stages[0]["completedAt"] is not None
    assert all(s["completedAt"] is None for s in stages[1:])
    assert {s["owner"]["displayName"] for s in stages} == {"Jamie Rivera"}
    assert {s["coach"]["displayName"] for s in stages} == {"Tania Staff"}
    assert data["node"]["currentStage"] == {"stage": "OUTLINE"}
    assert data["node"]["viewerCanAdvanceStage"] is True


async def test_owner_coach_and_staff_advance_nobody_else(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    session = await session_with_open_call(client, people.staff, year=2027)
    proposal = await accepted(client, people, session)
    # The QI lead coaches the outline.
    await ok(
        client,
        ASSIGN,
        "assignStage",
        people.staff,
        proposalId=proposal,
        stage="OUTLINE",
        coachId=people.qi_lead.id,
    )
    step = {"proposalId": proposal, "evidence": "https://drive.example.org/outline"}
    refused = {
        "committee": "NOT_FOUND",  # not granted the reviewer role here
        "clinician": "FORBIDDEN",
        "outsider": "NOT_FOUND",
        "anonymous": "UNAUTHENTICATED",
    }
    for role, want in refused.items():
        body = await client.execute(ADVANCE, {"input": step}, token=token(people, role))
        assert outcome(body, "advanceStage") == want, (role, body)
        seen = await client.execute(STAGES, {"id": proposal}, token=token(people, role))
        node = (seen.get("data") or {}).get("node")
        assert node is None or node["viewerCanAdvanceStage"] is False, (role, seen)

    # Coach, owner, staff in turn: outline, coached, prepped.
    for role, stage in (("qi_lead", "OUTLINE"), ("parent", "COACHED"), ("staff", "PREPPED")):
        body = await client.execute(ADVANCE, {"input": step}, token=token(people, role))
        assert outcome(body, "advanceStage") == "ok", (role, body)
        done = body["data"]["advanceStage"]["proposal"]["stages"]
        assert next(s for s in done if s["stage"] == stage)["evidence"] == step["evidence"]

    # The run-through needs its rehearsal date; then delivered; then nothing is left.
    body = await client.execute(ADVANCE, {"input": step}, token=people.parent.token)
    assert outcome(body, "advanceStage") == "userErrors:rehearsalOn:INVALID"
    rehearsed = {"proposalId": proposal, "rehearsalOn": "2027-04-01"}
    payload = await ok(client, ADVANCE, "advanceStage", people.parent, **rehearsed)
    assert payload["proposal"]["currentStage"]["stage"] == "DELIVERED"
    run_through = payload["proposal"]["stages"][4]
    assert run_through["rehearsalOn"] == "2027-04-01"
    payload = await ok(client, ADVANCE, "advanceStage", people.staff, proposalId=proposal)
    assert payload["proposal"]["currentStage"] is None
    assert payload["proposal"]["viewerCanAdvanceStage"] is False
    body = await client.execute(ADVANCE, {"input": step}, token=people.staff.token)
    assert outcome(body, "advanceStage") == "userErrors:proposalId:CONFLICT"


async def test_refused_input_names_its_field(db: Database, client: GraphQLClient) -> None:
    people = await cast(db)
    session = await session_with_open_call(client, people.staff, year=2027)
    submitted = await propose(client, people.parent, session, title="Still under review")
    body = await client.execute(
        ADVANCE, {"input": {"proposalId": submitted, "evidence": "x"}}, token=people.parent.token
    )
    assert outcome(body, "advanceStage") == "userErrors:proposalId:CONFLICT"
    proposal = await accepted(client, people, session)
    body = await client.execute(
        ADVANCE, {"input": {"proposalId": proposal}}, token=people.parent.token
    )
    assert outcome(body, "advanceStage") == "userErrors:evidence:INVALID"
    body = await client.execute(
        ADVANCE,
        {"input": {"proposalId": proposal, "evidence": "x" * 2001}},
        token=people.parent.token,
    )
    assert outcome(body, "advanceStage").startswith("userErrors:evidence:")
    body = await client.execute(
        ADVANCE, {"input": {"proposalId": "nonsense", "evidence": "x"}}, token=people.parent.token
    )
    assert "proposalId" in str(body), body

    assign = {"proposalId": proposal, "stage": "OUTLINE", "dueOn": "2027-03-01"}
    for role in ("parent", "qi_lead", "committee"):
        body = await client.execute(ASSIGN, {"input": assign}, token=token(people, role))
        assert outcome(body, "assignStage") in {"FORBIDDEN", "NOT_FOUND"}, (role, body)
    payload = await ok(client, ASSIGN, "assignStage", people.staff, **assign)
    assert payload["proposal"]["stages"][1]["dueOn"] == "2027-03-01"
    body = await client.execute(
        ASSIGN, {"input": {**assign, "stage": "IDEA"}}, token=people.staff.token
    )
    assert outcome(body, "assignStage") == "userErrors:stage:CONFLICT"
