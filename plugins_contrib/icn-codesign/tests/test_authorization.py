"""Who may do what, for every query and mutation and each audience: a thread's participant, a
colleague of the same center who is not in it, a clinician of another center, a parent partner
of the center, network staff, and someone not signed in.

A thread or message someone may not see reads exactly like one that does not exist: ``null``
with ``NOT_FOUND`` from ``node``, absent from listings, ``NOT_FOUND`` from mutations.
"""

from __future__ import annotations

from typing import Any

import pytest
from codesign_helpers import Cast, cast, member, post, start

from icn_graph.plugin_api import Database, PersonKind, to_global_id
from icn_graph.testing import GraphQLClient

ROLES = ("participant", "colleague", "outsider", "parent", "staff", "anonymous")

# Who may see a thread, by audience.
SEES = {
    "PARTICIPANTS": {"participant", "staff"},
    "CENTER": {"participant", "colleague", "parent", "staff"},
    "NETWORK": {"participant", "colleague", "outsider", "parent", "staff"},
}


def token(people: Cast, role: str) -> str | None:
    return None if role == "anonymous" else getattr(people, role).token


def outcome(body: dict[str, Any], field: str) -> str:
    """ "ok", a GraphQL error's code, or "userErrors:<field>:<code>"."""
    if body.get("errors"):
        assert len(body["errors"]) == 1, body
        code: str = body["errors"][0]["extensions"]["code"]
        return code
    value = body["data"][field]
    if isinstance(value, dict) and value.get("userErrors"):
        [error] = value["userErrors"]
        return f"userErrors:{error['field']}:{error['code']}"
    return "ok" if value is not None else "null"


def expected(role: str, audience: str, *, when_seen: str = "ok") -> str:
    if role == "anonymous":
        return "UNAUTHENTICATED"
    return when_seen if role in SEES[audience] else "NOT_FOUND"


NODE = "query($id: ID!) { node(id: $id) { id } }"
THREADS = "{ threads(first: 100) { nodes { id } } }"
CENTER_THREADS = "query($id: ID!) { node(id: $id) { ... on Center { threads { id } } } }"
MESSAGES = """query($id: ID!) { node(id: $id) { ... on Thread {
  messages { nodes { body } } } } }"""
POST = """mutation($id: ID!) { postMessage(input: {threadId: $id, body: "Me too"}) {
  message { id } userErrors { field code } } }"""
EDIT = """mutation($id: ID!) { editMessage(input: {id: $id, body: "Edited"}) {
  message { id } userErrors { field code } } }"""
HIDE = """mutation($id: ID!) { hideMessage(input: {id: $id, reason: "Off topic"}) {
  message { id } userErrors { field code } } }"""
INVITE = """mutation($id: ID!, $who: ID!) {
  inviteToThread(input: {threadId: $id, personIds: [$who]}) {
  thread { id } userErrors { field code } } }"""
READ = """mutation($id: ID!) { markThreadRead(input: {id: $id}) {
  thread { id } userErrors { field code } } }"""
LEAVE = """mutation($id: ID!) { leaveThread(input: {id: $id}) {
  userErrors { field code } } }"""


@pytest.mark.parametrize("audience", ["PARTICIPANTS", "CENTER", "NETWORK"])
async def test_the_authorization_matrix(db: Database, client: GraphQLClient, audience: str) -> None:
    people = await cast(db)
    center = to_global_id("Center", people.center.id)
    thread = await start(
        client, people.participant, audience=audience, centerId=center, title="Panel objectives"
    )
    message = await post(client, people.participant, thread["id"], "Objectives, first try")
    ids = {"thread": thread["id"], "message": message["id"]}

    for role in ROLES:
        who = token(people, role)
        for kind in ("thread", "message"):
            body = await client.execute(NODE, {"id": ids[kind]}, token=who)
            assert outcome(body, "node") == expected(role, audience), (role, kind, body)
        listed = await client.execute(THREADS, token=who)
        if role == "anonymous":
            assert outcome(listed, "threads") == "UNAUTHENTICATED"
        else:
            seen = [node["id"] for node in listed["data"]["threads"]["nodes"]]
            assert (seen == [ids["thread"]]) == (role in SEES[audience]), (role, seen)
            on_center = await client.data(CENTER_THREADS, {"id": center}, token=who)
            shown = [t["id"] for t in on_center["node"]["threads"]]
            assert (shown == [ids["thread"]]) == (role in SEES[audience]), (role, shown)
        body = await client.execute(MESSAGES, {"id": ids["thread"]}, token=who)
        assert outcome(body, "node") == expected(role, audience), (role, body)

    for role in ROLES:
        who = token(people, role)
        body = await client.execute(EDIT, {"id": ids["message"]}, token=who)
        author_only = "ok" if role == "participant" else "FORBIDDEN"
        assert outcome(body, "editMessage") == expected(role, audience, when_seen=author_only)
        body = await client.execute(HIDE, {"id": ids["message"]}, token=who)
        staff_only = "ok" if role == "staff" else "FORBIDDEN"
        assert outcome(body, "hideMessage") == expected(role, audience, when_seen=staff_only)
        guest = await member(db, f"Guest of {role}", PersonKind.PARENT_PARTNER)
        body = await client.execute(INVITE, {"id": ids["thread"], "who": guest.id}, token=who)
        assert outcome(body, "inviteToThread") == expected(role, audience), (role, body)
        body = await client.execute(READ, {"id": ids["thread"]}, token=who)
        assert outcome(body, "markThreadRead") == expected(role, audience), (role, body)

    for role in ROLES:
        who = token(people, role)
        body = await client.execute(POST, {"id": ids["thread"]}, token=who)
        assert outcome(body, "postMessage") == expected(role, audience), (role, body)

    # Everyone who posted now takes part and may leave; the others get NOT_FOUND (or
    # UNAUTHENTICATED). The participant leaves last: in a PARTICIPANTS thread they no longer
    # see it afterwards.
    for role in ("colleague", "outsider", "parent", "staff", "anonymous", "participant"):
        who = token(people, role)
        body = await client.execute(LEAVE, {"id": ids["thread"]}, token=who)
        assert outcome(body, "leaveThread") == expected(role, audience), (role, body)
    body = await client.execute(NODE, {"id": ids["thread"]}, token=people.participant.token)
    still_sees = audience != "PARTICIPANTS"
    assert outcome(body, "node") == ("ok" if still_sees else "NOT_FOUND")


async def test_starting_a_thread_needs_a_subject_the_viewer_can_see(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    start_query = """mutation($input: StartThreadInput!) { startThread(input: $input) {
      thread { id } userErrors { field code } } }"""
    input = {
        "title": "On a thread",
        "audience": "NETWORK",
        "subjectId": to_global_id("Center", people.center.id),
    }
    for role in ROLES:
        body = await client.execute(start_query, {"input": input}, token=token(people, role))
        want = "UNAUTHENTICATED" if role == "anonymous" else "ok"
        assert outcome(body, "startThread") == want
    # A thread the outsider may not see cannot be what their thread is about.
    private = await start(client, people.participant, audience="PARTICIPANTS")
    body = await client.execute(
        start_query,
        {"input": {"title": "About it", "audience": "NETWORK", "subjectId": private["id"]}},
        token=people.outsider.token,
    )
    assert outcome(body, "startThread") == "userErrors:subjectId:NOT_FOUND"


async def test_a_hidden_message_keeps_its_reason_and_loses_its_text(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    thread = await start(
        client,
        people.participant,
        audience="CENTER",
        centerId=to_global_id("Center", people.center.id),
    )
    message = await post(client, people.participant, thread["id"], "A patient's name, oops")
    await client.data(EDIT, {"id": message["id"]}, token=people.participant.token)
    query = """query($id: ID!) { node(id: $id) { ... on ThreadMessage {
      body bodyHtml hidden hiddenReason viewerCanEdit viewerCanHide edits { body bodyHtml } } } }"""
    shown = await client.data(query, {"id": message["id"]}, token=people.staff.token)
    assert shown["node"]["viewerCanHide"] is True
    authored = await client.data(query, {"id": message["id"]}, token=people.participant.token)
    assert (authored["node"]["viewerCanEdit"], authored["node"]["viewerCanHide"]) == (True, False)
    await client.data(HIDE, {"id": message["id"]}, token=people.staff.token)
    seen = await client.data(query, {"id": message["id"]}, token=people.colleague.token)
    assert seen["node"] == {
        "body": None,
        "bodyHtml": None,
        "hidden": True,
        "hiddenReason": "Off topic",
        "viewerCanEdit": False,
        "viewerCanHide": False,
        "edits": [{"body": None, "bodyHtml": None}],
    }
    moderated = await client.data(query, {"id": message["id"]}, token=people.staff.token)
    assert moderated["node"]["body"] == "Edited"
    assert moderated["node"]["viewerCanHide"] is False  # hidden already
    assert moderated["node"]["edits"] == [
        {"body": "A patient's name, oops", "bodyHtml": "<p>A patient's name, oops</p>\n"}
    ]
