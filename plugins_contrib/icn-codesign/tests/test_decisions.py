"""The decision log: what was decided, by whom, when, linking messages and a revision of the
same thread (anything else is refused, naming the entry, writing nothing)."""

from __future__ import annotations

from codesign_helpers import cast, post, start
from draft_helpers import DECIDE, agree, revise

from icn_graph.plugin_api import Database
from icn_graph.testing import (
    GraphQLClient,
    StatementCounter,
    single_error,
    snapshot,
    user_errors,
)

DECISIONS = """
query($id: ID!) { node(id: $id) { ... on Thread {
  decisions { text decidedBy { displayName } revision { number draft { name } }
              messages { body author { displayName } } }
} } }
"""


async def test_a_decision_rests_on_messages_and_a_revision_of_its_thread(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    staff, parent = people.staff, people.parent
    thread = await start(client, staff, audience="PARTICIPANTS", personIds=[parent.id])
    ask = await post(client, parent, thread["id"], "Could parents run a panel?")
    yes = await post(client, staff, thread["id"], "Yes: Saturday plenary.")
    written = await revise(client, parent, thread["id"], "Call to action", "Ask one family.")
    await agree(client, staff, written["revision"]["id"])
    data = await client.data(
        DECIDE,
        {
            "input": {
                "threadId": thread["id"],
                "text": "The panel is on the agenda.\n\n**45 minutes**, Saturday.",
                "threadMessageIds": [yes["id"], ask["id"], yes["id"]],
                "draftRevisionId": written["revision"]["id"],
            }
        },
        token=staff.token,
    )
    payload = data["recordDecision"]
    assert payload["userErrors"] == []
    assert payload["decision"]["decidedBy"] == {"displayName": "Tania Staff"}
    assert payload["decision"]["messages"] == [
        {"body": "Could parents run a panel?"},
        {"body": "Yes: Saturday plenary."},
    ]
    log = await client.data(DECISIONS, {"id": thread["id"]}, token=parent.token)
    [decision] = log["node"]["decisions"]
    assert decision["revision"] == {"number": 1, "draft": {"name": "Call to action"}}
    assert decision["text"].startswith("The panel is on the agenda.\n\n")


async def test_links_outside_the_thread_are_refused_naming_the_entry(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    staff = people.staff
    thread = await start(client, staff, audience="NETWORK", title="Panel")
    other = await start(client, staff, audience="NETWORK", title="Another")
    mine = await post(client, staff, thread["id"], "Here.")
    elsewhere = await post(client, staff, other["id"], "Elsewhere.")
    foreign = await revise(client, staff, other["id"], "Objectives", "Elsewhere.")
    before = await snapshot(db)
    data = await client.data(
        DECIDE,
        {
            "input": {
                "threadId": thread["id"],
                "text": "Decided.",
                "threadMessageIds": [mine["id"], elsewhere["id"]],
                "draftRevisionId": foreign["revision"]["id"],
            }
        },
        token=staff.token,
    )
    assert data["recordDecision"]["decision"] is None
    assert user_errors(data["recordDecision"]) == [
        ("threadMessageIds[1]", "NOT_FOUND"),
        ("draftRevisionId", "NOT_FOUND"),
    ]
    empty = await client.data(
        DECIDE, {"input": {"threadId": thread["id"], "text": "  "}}, token=staff.token
    )
    assert user_errors(empty["recordDecision"]) == [("text", "REQUIRED")]
    wrong_type = await client.execute(
        DECIDE,
        {"input": {"threadId": thread["id"], "text": "x", "threadMessageIds": [thread["id"]]}},
        token=staff.token,
    )
    error = single_error(wrong_type)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"].startswith("threadMessageIds[0]:")
    assert await snapshot(db) == before


async def test_a_decision_log_costs_the_same_statements_however_long(
    db: Database, client: GraphQLClient, statements: StatementCounter
) -> None:
    people = await cast(db)
    staff = people.staff
    thread = await start(client, staff, audience="NETWORK")

    async def decide(n: int) -> None:
        said = await post(client, people.parent, thread["id"], f"Point {n}")
        written = await revise(client, staff, thread["id"], f"Draft {n}", f"Text {n}")
        variables = {
            "input": {
                "threadId": thread["id"],
                "text": f"Decision {n}",
                "threadMessageIds": [said["id"]],
                "draftRevisionId": written["revision"]["id"],
            }
        }
        data = await client.data(DECIDE, variables, token=staff.token)
        assert data["recordDecision"]["userErrors"] == []

    await decide(0)
    statements.reset()
    await client.data(DECISIONS, {"id": thread["id"]}, token=people.parent.token)
    one = statements.count
    for n in range(1, 5):
        await decide(n)
    statements.reset()
    data = await client.data(DECISIONS, {"id": thread["id"]}, token=people.parent.token)
    assert len(data["node"]["decisions"]) == 5
    assert statements.count == one
