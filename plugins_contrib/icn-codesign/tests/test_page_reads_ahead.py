"""What a thread page reads ahead for its messages (authors, mentions, edits, thread) shows only
what each message's fields show: hidden messages keep their text and mentions from non-staff,
and a mutation's later field never answers from what an earlier one read."""

from __future__ import annotations

from typing import Any

import pytest
from codesign_helpers import Cast, cast, post, start

from icn_graph.plugin_api import Database, to_global_id
from icn_graph.testing import GraphQLClient

EDIT = """mutation($id: ID!) { editMessage(input: {id: $id, body: "Edited @Jamie Rivera"}) {
  message { id } userErrors { field code } } }"""
HIDE = """mutation($id: ID!) { hideMessage(input: {id: $id, reason: "Off topic"}) {
  message { id } userErrors { field code } } }"""
PAGE = """query($id: ID!) { node(id: $id) { ... on Thread { title messages { nodes {
  id hidden body mentions { displayName } edits { body bodyHtml } author { displayName }
  thread { title } } } } } }"""


async def _thread_with_a_message(
    db: Database, client: GraphQLClient
) -> tuple[Cast, dict[str, Any], dict[str, Any]]:
    people = await cast(db)
    center_id = to_global_id("Center", people.center.id)
    thread = await start(client, people.participant, audience="CENTER", centerId=center_id)
    message = await post(client, people.participant, thread["id"], "first text @Jamie Rivera")
    return people, thread, message


async def test_a_hidden_message_on_a_page_keeps_its_text_and_mentions_from_non_staff(
    db: Database, client: GraphQLClient
) -> None:
    people, thread, message = await _thread_with_a_message(db, client)
    await client.data(EDIT, {"id": message["id"]}, token=people.participant.token)
    await client.data(HIDE, {"id": message["id"]}, token=people.staff.token)

    seen = await client.data(PAGE, {"id": thread["id"]}, token=people.colleague.token)
    node = seen["node"]["messages"]["nodes"][0]
    assert node["hidden"] is True
    assert node["body"] is None
    assert node["mentions"] == []
    assert node["edits"] == [{"body": None, "bodyHtml": None}]
    assert node["author"] == {"displayName": "Dr. Sami Reyes"}
    assert node["thread"] == {"title": seen["node"]["title"]}

    moderated = await client.data(PAGE, {"id": thread["id"]}, token=people.staff.token)
    node = moderated["node"]["messages"]["nodes"][0]
    assert node["mentions"]
    assert node["edits"][0]["body"] == "first text @Jamie Rivera"


MUTATE = """mutation($thread: ID!, $id: ID!, $shown: Boolean!) {
  first: postMessage(input: {threadId: $thread, body: "hi"}) { message { thread {
    messages { nodes { id edits @include(if: $shown) { body } } } } } }
  second: editMessage(input: {id: $id, body: "Edited"}) { message { body edits { body } } }
}"""


@pytest.mark.parametrize("shown", [False, True])
async def test_a_later_mutation_field_shows_the_edit_it_made(
    db: Database, client: GraphQLClient, shown: bool
) -> None:
    """The first field's page reads the message's edits (ahead, or because it shows them); the
    second field edits the message and must show the edit it just made, not what was read."""
    people, thread, message = await _thread_with_a_message(db, client)
    variables = {"thread": thread["id"], "id": message["id"], "shown": shown}
    data = await client.data(MUTATE, variables, token=people.participant.token)
    assert data["second"]["message"] == {
        "body": "Edited",
        "edits": [{"body": "first text @Jamie Rivera"}],
    }
