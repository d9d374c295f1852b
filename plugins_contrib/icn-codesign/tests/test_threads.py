"""Starting threads, posting, mentions, invitations, read state and listings, over HTTP."""

from __future__ import annotations

from codesign_helpers import POST, START, Member, cast, member, post, start

from icn_graph.plugin_api import Database, PersonKind, to_global_id
from icn_graph.testing import GraphQLClient, snapshot, user_errors

THREAD = """
query($id: ID!) {
  node(id: $id) {
    ... on Thread {
      title audience unreadCount viewerCanPost viewerIsParticipant subjectId
      subject { id }
      participants { person { displayName } invitedBy { displayName } }
      messages(first: 10, order: OLDEST_FIRST) {
        totalCount
        nodes { body author { displayName } mentions { displayName } }
      }
    }
  }
}
"""


async def test_a_parent_starts_a_thread_on_a_learning_session_and_people_talk(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    session = await _learning_session(client, people.staff.token)
    thread = await start(
        client,
        people.parent,
        audience="PARTICIPANTS",
        subjectId=session,
        personIds=[people.participant.id],
        body="What if parents ran a **panel** at the Spring session?",
    )
    assert [p["person"]["displayName"] for p in thread["participants"]] == [
        "Jamie Rivera",
        "Dr. Sami Reyes",
    ]
    reply = await post(
        client, people.participant, thread["id"], "@Jamie Rivera yes! Let's draft objectives."
    )
    assert reply["mentions"] == [{"displayName": "Jamie Rivera"}]
    assert reply["bodyHtml"] == "<p>@Jamie Rivera yes! Let's draft objectives.</p>\n"

    data = await client.data(THREAD, {"id": thread["id"]}, token=people.parent.token)
    node = data["node"]
    assert node["subject"] == {"id": session}
    assert node["unreadCount"] == 1  # the clinician's reply; her own message is read
    assert node["viewerIsParticipant"] is True
    assert [m["author"]["displayName"] for m in node["messages"]["nodes"]] == [
        "Jamie Rivera",
        "Dr. Sami Reyes",
    ]
    assert node["participants"][1]["invitedBy"] == {"displayName": "Jamie Rivera"}

    read = await client.data(
        "mutation($id: ID!) { markThreadRead(input: {id: $id}) { thread { unreadCount } } }",
        {"id": thread["id"]},
        token=people.parent.token,
    )
    assert read["markThreadRead"]["thread"]["unreadCount"] == 0

    extension = await client.data(
        "query($id: ID!) { node(id: $id) { ... on LearningSession { threads { title } } } }",
        {"id": session},
        token=people.participant.token,
    )
    assert extension["node"]["threads"] == [{"title": "Parent panel"}]
    hidden_from = await client.data(
        "query($id: ID!) { node(id: $id) { ... on LearningSession { threads { title } } } }",
        {"id": session},
        token=people.outsider.token,
    )
    assert hidden_from["node"]["threads"] == []


async def _learning_session(client: GraphQLClient, staff_token: str) -> str:
    data = await client.data(
        """mutation { createLearningSession(input: {
            title: "Spring 2014 Learning Session", season: SPRING, year: 2014,
            startsOn: "2014-04-03", endsOn: "2014-04-05", venue: "Chicago",
            timezone: "America/Chicago"}) {
          learningSession { id } userErrors { field message } } }""",
        token=staff_token,
    )
    payload = data["createLearningSession"]
    assert payload["userErrors"] == []
    session_id: str = payload["learningSession"]["id"]
    return session_id


async def test_threads_filter_by_participant_audience_subject_and_unread(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    center = to_global_id("Center", people.center.id)
    team = await start(client, people.participant, audience="CENTER", subjectId=center)
    network = await start(client, people.staff, audience="NETWORK", title="Call to action")
    await post(client, people.staff, network["id"], "Draft is up.")
    query = """query($filter: ThreadFilter) {
      threads(filter: $filter) { totalCount nodes { title } } }"""

    async def titles(token: str, **filter: object) -> list[str]:
        data = await client.data(query, {"filter": filter}, token=token)
        return [node["title"] for node in data["threads"]["nodes"]]

    assert await titles(people.colleague.token) == ["Call to action", "Parent panel"]
    assert await titles(people.outsider.token) == ["Call to action"]
    assert await titles(people.colleague.token, audience="CENTER") == ["Parent panel"]
    assert await titles(people.colleague.token, subjectId=center) == ["Parent panel"]
    assert await titles(people.participant.token, participantId=people.participant.id) == [
        "Parent panel"
    ]
    # The clinician takes part in the network thread once she posts; then the staff's next
    # message is unread for her.
    await post(client, people.participant, network["id"], "Count me in.")
    assert await titles(people.participant.token, unread=True) == []
    await post(client, people.staff, network["id"], "Welcome!")
    assert await titles(people.participant.token, unread=True) == ["Call to action"]
    assert team["audience"] == "CENTER"


async def test_refused_input_writes_nothing(db: Database, client: GraphQLClient) -> None:
    people = await cast(db)
    before = await snapshot(db)
    cases = [
        ({"title": "  ", "audience": "NETWORK"}, ("title", "REQUIRED")),
        ({"title": "x" * 201, "audience": "NETWORK"}, ("title", "TOO_LONG")),
        ({"title": "Team", "audience": "CENTER"}, ("centerId", "INVALID")),
        (
            {
                "title": "Theirs",
                "audience": "CENTER",
                "centerId": to_global_id("Center", people.other_center.id),
            },
            ("centerId", "INVALID"),
        ),
        (
            {"title": "On nothing", "audience": "NETWORK", "subjectId": to_global_id("Goal", 99)},
            ("subjectId", "NOT_FOUND"),
        ),
        (
            {
                "title": "Ghosts",
                "audience": "PARTICIPANTS",
                "personIds": [to_global_id("Person", 999_999)],
            },
            ("personIds[0]", "NOT_FOUND"),
        ),
    ]
    for input, expected in cases:
        data = await client.data(START, {"input": input}, token=people.parent.token)
        assert data["startThread"]["thread"] is None
        assert expected in user_errors(data["startThread"]), (input, data)
    thread = await start(client, people.parent, audience="NETWORK")
    before = await snapshot(db)
    for body, code in [("   ", "REQUIRED"), ("x" * 20_001, "TOO_LONG")]:
        data = await client.data(
            POST, {"thread": thread["id"], "body": body}, token=people.parent.token
        )
        assert user_errors(data["postMessage"]) == [("body", code)]
    assert await snapshot(db) == before


async def test_mentions_reach_only_people_who_may_see_the_thread(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    thread = await start(
        client, people.parent, audience="PARTICIPANTS", personIds=[people.participant.id]
    )
    body = (
        "Thanks @Dr. Sami Reyes and @nora (not here), @Dr. Lee Park too, and "
        f"@{people.staff.person.email}!"
    )
    message = await post(client, people.parent, thread["id"], body)
    assert message["mentions"] == [
        {"displayName": "Dr. Sami Reyes"},
        {"displayName": "Tania Staff"},
    ]


async def test_invitations_need_people_who_can_see_the_subject(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    thread = await start(client, people.parent, audience="PARTICIPANTS")
    invite = """mutation($id: ID!, $people: [ID!]!) {
      inviteToThread(input: {threadId: $id, personIds: $people}) {
        thread { participants { person { displayName } } } userErrors { field code } } }"""
    data = await client.data(
        invite, {"id": thread["id"], "people": [people.colleague.id]}, token=people.parent.token
    )
    names = [p["person"]["displayName"] for p in data["inviteToThread"]["thread"]["participants"]]
    assert names == ["Jamie Rivera", "Nora Quinn"]
    # Now Nora sees it; the outsider still does not, and cannot invite herself.
    body = await client.execute(
        invite, {"id": thread["id"], "people": [people.outsider.id]}, token=people.outsider.token
    )
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    other = await member(db, "Beth Lane", PersonKind.PARENT_PARTNER)
    assert other.person.id


async def test_messages_keep_their_lines_and_refuse_other_control_characters(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    thread = await start(client, people.parent, audience="NETWORK")
    body = "Objectives:\r\n\r\n1. Name two ways in\n2. Say what got in the way\n\n\tThanks!"
    message = await post(client, people.parent, thread["id"], body)
    assert (
        message["body"]
        == "Objectives:\n\n1. Name two ways in\n2. Say what got in the way\n\n\tThanks!"
    )
    assert "<ol>" in message["bodyHtml"]
    for bad in ["a\x00b", "a\x1bb", "a\u2028b", "a\u202eb"]:
        data = await client.data(
            POST, {"thread": thread["id"], "body": bad}, token=people.parent.token
        )
        assert user_errors(data["postMessage"]) == [("body", "INVALID")], bad


async def test_only_the_people_mentioned_are_told_they_were(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    thread = await start(
        client,
        people.parent,
        audience="NETWORK",
        personIds=[people.participant.id, people.colleague.id],
    )
    await post(client, people.parent, thread["id"], "@Dr. Sami Reyes and @Tania Staff: thoughts?")
    await client.settle()
    inbox = "{ viewer { notifications { nodes { type summary } } } }"

    async def told(who: Member) -> list[tuple[str, str]]:
        data = await client.data(inbox, token=who.token)
        return sorted((n["type"], n["summary"]) for n in data["viewer"]["notifications"]["nodes"])

    wrote = ("thread.message_posted", "Jamie Rivera wrote in 'Parent panel'")
    mentioned = ("thread.mentioned", "Jamie Rivera mentioned you in 'Parent panel'")
    invited = "thread.invited"
    assert [n for n in await told(people.participant) if n[0] != invited] == [mentioned, wrote]
    # A participant who was not mentioned hears of the message, not of someone else's mention.
    assert [n for n in await told(people.colleague) if n[0] != invited] == [wrote]
    # Staff follow nothing here: the mention alone reaches them.
    assert await told(people.staff) == [mentioned]


async def test_messages_page_newest_first_and_a_cursor_keeps_to_its_order(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    thread = await start(client, people.parent, audience="NETWORK")
    for number in range(1, 4):
        await post(client, people.parent, thread["id"], f"Message {number}")
    query = """query($id: ID!, $order: ThreadMessageOrder!, $after: String) {
      node(id: $id) { ... on Thread { messages(first: 2, order: $order, after: $after) {
        pageInfo { hasNextPage endCursor } nodes { body } } } } }"""
    variables = {"id": thread["id"], "order": "NEWEST_FIRST"}
    first = await client.data(query, variables, token=people.parent.token)
    page = first["node"]["messages"]
    assert [m["body"] for m in page["nodes"]] == ["Message 3", "Message 2"]
    after = page["pageInfo"]["endCursor"]
    older = await client.data(query, {**variables, "after": after}, token=people.parent.token)
    assert [m["body"] for m in older["node"]["messages"]["nodes"]] == ["Message 1"]
    body = await client.execute(
        query, {**variables, "order": "OLDEST_FIRST", "after": after}, token=people.parent.token
    )
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}
    assert error["message"] == (
        "after: this cursor belongs to another ordering; keep the order (orderBy, order) "
        "the same while paging."
    )
