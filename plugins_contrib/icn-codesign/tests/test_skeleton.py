"""The plugin loads, migrates, and keeps a thread nobody may see out of ``node(id:)``."""

from __future__ import annotations

from icn_codesign.models import Thread, ThreadAudience

from icn_graph.plugin_api import Database, PersonKind, to_global_id
from icn_graph.testing import GraphQLClient, make_person, token_for


async def test_a_participants_thread_is_not_found_by_others(
    db: Database, client: GraphQLClient
) -> None:
    outsider = await make_person(db, PersonKind.PARENT_PARTNER)
    async with db.transaction() as session:
        thread = Thread(title="Parent panel", audience=ThreadAudience.PARTICIPANTS)
        session.add(thread)
    query = "query($id: ID!) { node(id: $id) { ... on Thread { title } } }"
    body = await client.execute(
        query, {"id": to_global_id("Thread", thread.id)}, token=await token_for(db, outsider)
    )
    assert body["data"] == {"node": None}
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
