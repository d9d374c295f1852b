"""GraphQL documents and helpers the drafts and decisions tests share."""

from __future__ import annotations

from typing import Any

from codesign_helpers import Member

from icn_graph.testing import GraphQLClient

REVISE = """
mutation($input: ReviseDraftInput!) {
  reviseDraft(input: $input) {
    revision { id number body bodyHtml note author { displayName } }
    draft { id name kind status owner { displayName } }
    userErrors { field message code }
  }
}
"""

AGREE = """
mutation($revision: ID!) {
  agreeToRevision(input: {id: $revision}) {
    revision { id number agreements { person { displayName } } viewerHasAgreed }
    userErrors { field message code }
  }
}
"""

FINALISE = """
mutation($draft: ID!, $revision: ID) {
  finaliseDraft(input: {id: $draft, draftRevisionId: $revision}) {
    draft { id status finalisedBy { displayName } finalRevision { number } }
    userErrors { field message code }
  }
}
"""

DECIDE = """
mutation($input: RecordDecisionInput!) {
  recordDecision(input: $input) {
    decision { id text decidedBy { displayName } revision { number }
               messages { body } thread { title } }
    userErrors { field message code }
  }
}
"""


async def revise(
    client: GraphQLClient, who: Member, thread: str, name: str, body: str, **more: Any
) -> dict[str, Any]:
    """A revision written through GraphQL; fails on userErrors."""
    variables = {"input": {"threadId": thread, "name": name, "body": body, **more}}
    data = await client.data(REVISE, variables, token=who.token)
    payload: dict[str, Any] = data["reviseDraft"]
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload


async def agree(client: GraphQLClient, who: Member, revision: str) -> dict[str, Any]:
    data = await client.data(AGREE, {"revision": revision}, token=who.token)
    payload: dict[str, Any] = data["agreeToRevision"]
    return payload
