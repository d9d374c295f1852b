"""icn-kudos through the notification engine: the person thanked hears of it, in the app."""

from __future__ import annotations

from collections.abc import Sequence

import icn_kudos.plugin
import pytest

from icn_graph.db.database import Database
from icn_graph.ids import to_global_id
from icn_graph.models import PersonKind
from icn_graph.testing import GraphQLClient, make_person, token_for

GIVE = """
mutation($to: ID!) {
  giveKudos(input: {recipientId: $to, message: "Thank you for the panel idea!"}) {
    userErrors { field }
  }
}
"""

INBOX = "{ viewer { notifications(first: 10) { nodes { type summary reason } } } }"


@pytest.fixture
def icn_plugins() -> Sequence[tuple[str, object]]:
    return [("icn-kudos", icn_kudos.plugin)]


async def test_the_person_thanked_is_notified(db: Database, client: GraphQLClient) -> None:
    giver = await make_person(db, PersonKind.CLINICIAN, display_name="Priya Raman")
    parent = await make_person(db, PersonKind.PARENT_PARTNER, display_name="Dana Whitfield")
    to = to_global_id("Person", parent.id)
    data = await client.data(GIVE, {"to": to}, token=await token_for(db, giver))
    assert data["giveKudos"]["userErrors"] == []
    inbox = await client.data(INBOX, token=await token_for(db, parent))
    [notification] = inbox["viewer"]["notifications"]["nodes"]
    assert notification["type"] == "kudos.given"
    assert notification["reason"] == "It is about you."
    assert "Priya Raman" in notification["summary"]
