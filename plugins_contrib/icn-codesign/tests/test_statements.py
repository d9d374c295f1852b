"""A page of 100 messages with their authors and mentions costs a fixed number of statements."""

from __future__ import annotations

from codesign_helpers import cast, member, post, start

from icn_graph.plugin_api import Database, PersonKind
from icn_graph.testing import GraphQLClient, StatementCounter, TaskCount

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


async def test_a_thread_page_makes_the_same_tasks_for_3_or_100_messages(
    db: Database, client: GraphQLClient, tasks: TaskCount
) -> None:
    """Each message's author, mentions, edits and thread were read ahead with the page: they
    answer at once, not through a task of their own per message (graphql-core gathers every
    awaitable item of a list in a task)."""
    people = await cast(db)
    writers = [people.participant, people.parent, people.staff]
    thread = await start(client, people.participant, audience="NETWORK")
    for n in range(3):  # every writer takes part from the start: the participants stay three
        await post(client, writers[n], thread["id"], f"@Jamie Rivera and @Tania Staff: note {n}")

    async def page() -> int:
        await client.settle()  # the posts' events are delivered: their tasks are not counted
        tasks.reset()
        data = await client.data(PAGE, {"id": thread["id"]}, token=people.parent.token)
        messages = data["node"]["messages"]["nodes"]
        assert all(message["author"]["displayName"] for message in messages)
        assert all(message["thread"]["title"] == data["node"]["title"] for message in messages)
        assert all(len(message["mentions"]) >= 1 for message in messages)
        return tasks.count

    three = await page()
    for n in range(3, 100):
        await post(
            client, writers[n % len(writers)], thread["id"], f"@Jamie Rivera, @Dr. Sami Reyes {n}"
        )
    assert await page() == three


PARTICIPANTS = """
query($id: ID!) { node(id: $id) { ... on Thread {
  participants { joinedAt person { displayName } invitedBy { displayName } } } } }
"""


async def test_a_thread_makes_the_same_tasks_for_3_or_10_participants(
    db: Database, client: GraphQLClient, tasks: TaskCount, statements: StatementCounter
) -> None:
    """Each participant's person and inviter were read ahead with the list."""
    people = await cast(db)
    thread = await start(client, people.participant, audience="NETWORK")
    for writer in (people.parent, people.staff):
        await post(client, writer, thread["id"], "Joining in.")

    async def participants() -> tuple[int, int, list[str]]:
        await client.settle()
        tasks.reset()
        statements.reset()
        data = await client.data(PARTICIPANTS, {"id": thread["id"]}, token=people.parent.token)
        rows = data["node"]["participants"]
        assert all(row["invitedBy"] is None for row in rows)
        return tasks.count, statements.count, [row["person"]["displayName"] for row in rows]

    three_tasks, three_statements, three = await participants()
    assert three == ["Dr. Sami Reyes", "Jamie Rivera", "Tania Staff"]
    for n in range(7):
        writer = await member(db, f"Parent {n}", PersonKind.PARENT_PARTNER)
        await post(client, writer, thread["id"], f"Me too ({n}).")
    ten_tasks, ten_statements, ten = await participants()
    assert ten[:3] == three
    assert ten[3:] == [f"Parent {n}" for n in range(7)]
    assert (ten_tasks, ten_statements) == (three_tasks, three_statements)
