"""A page of 100 messages with their authors and mentions costs a fixed number of statements."""

from __future__ import annotations

from codesign_helpers import cast, member, post, start

from icn_graph.plugin_api import Database, PersonKind
from icn_graph.testing import GraphQLClient, StatementCounter

PAGE = """
query($id: ID!) {
  node(id: $id) {
    ... on Thread {
      title unreadCount viewerCanPost
      participants { person { displayName } }
      messages(first: 100, order: NEWEST_FIRST) {
        totalCount
        nodes {
          id body bodyHtml createdAt hidden
          author { displayName }
          mentions { displayName }
          edits { body }
          thread { title }
        }
      }
    }
  }
}
"""


async def test_a_thread_page_costs_the_same_for_2_or_100_messages(
    db: Database, client: GraphQLClient, statements: StatementCounter
) -> None:
    people = await cast(db)
    writers = [people.participant, people.parent, people.staff]
    writers += [await member(db, f"Parent {n}", PersonKind.PARENT_PARTNER) for n in range(5)]
    thread = await start(client, people.participant, audience="NETWORK")
    for n in range(2):
        await post(client, writers[n], thread["id"], f"@Jamie Rivera and @Tania Staff: note {n}")

    async def page() -> int:
        statements.reset()
        data = await client.data(PAGE, {"id": thread["id"]}, token=people.parent.token)
        assert all(len(m["mentions"]) >= 1 for m in data["node"]["messages"]["nodes"])
        return statements.count

    two = await page()
    for n in range(2, 100):
        await post(
            client, writers[n % len(writers)], thread["id"], f"@Jamie Rivera, @Dr. Sami Reyes {n}"
        )
    hundred = await page()
    assert hundred == two
    assert two <= 12, statements.statements
