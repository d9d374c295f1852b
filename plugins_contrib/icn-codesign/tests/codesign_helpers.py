"""People, threads and GraphQL documents the plugin's tests share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from icn_graph.plugin_api import (
    Center,
    CenterRole,
    Database,
    NetworkRole,
    Person,
    PersonKind,
    to_global_id,
)
from icn_graph.testing import GraphQLClient, make_center, make_person, token_for

START = """
mutation($input: StartThreadInput!) {
  startThread(input: $input) {
    thread { id title audience participants { person { displayName } } }
    userErrors { field message code }
  }
}
"""

POST = """
mutation($thread: ID!, $body: String!) {
  postMessage(input: {threadId: $thread, body: $body}) {
    message { id body bodyHtml author { displayName } mentions { displayName } }
    userErrors { field message code }
  }
}
"""


@dataclass
class Member:
    person: Person
    token: str

    @property
    def id(self) -> str:
        return to_global_id("Person", self.person.id)


@dataclass
class Cast:
    """The people of an authorization matrix around one center's thread."""

    center: Center
    other_center: Center
    participant: Member  # a clinician of the center, in the thread
    colleague: Member  # a nurse of the same center, not in the thread
    outsider: Member  # a clinician of another center
    parent: Member  # a parent partner of the center, not in the thread
    staff: Member  # network staff


async def member(db: Database, name: str, kind: PersonKind, **fields: Any) -> Member:
    person = await make_person(db, kind, display_name=name, **fields)
    return Member(person, await token_for(db, person))


async def cast(db: Database) -> Cast:
    center = await make_center(db, name="Cincinnati Children's")
    other = await make_center(db, name="Seattle Children's")
    return Cast(
        center=center,
        other_center=other,
        participant=await member(db, "Dr. Sami Reyes", PersonKind.CLINICIAN, center=center),
        colleague=await member(
            db, "Nora Quinn", PersonKind.NURSE, center=center, role=CenterRole.NURSE
        ),
        outsider=await member(db, "Dr. Lee Park", PersonKind.CLINICIAN, center=other),
        parent=await member(
            db,
            "Jamie Rivera",
            PersonKind.PARENT_PARTNER,
            center=center,
            role=CenterRole.PARENT_PARTNER,
        ),
        staff=await member(db, "Tania Staff", PersonKind.STAFF, network_role=NetworkRole.STAFF),
    )


async def start(client: GraphQLClient, who: Member, **input: Any) -> dict[str, Any]:
    """A thread started by ``who`` through GraphQL; fails on userErrors."""
    data = await client.data(START, {"input": {"title": "Parent panel", **input}}, token=who.token)
    payload = data["startThread"]
    assert payload["userErrors"] == [], payload["userErrors"]
    thread: dict[str, Any] = payload["thread"]
    return thread


async def post(client: GraphQLClient, who: Member, thread: str, body: str) -> dict[str, Any]:
    data = await client.data(POST, {"thread": thread, "body": body}, token=who.token)
    payload = data["postMessage"]
    assert payload["userErrors"] == [], payload["userErrors"]
    message: dict[str, Any] = payload["message"]
    return message
