"""Drafts through the real app: revisions, diffs, agreement per revision, finalising, and the
rules that refuse (naming the field, writing nothing)."""

from __future__ import annotations

from codesign_helpers import Cast, Member, cast, member, start
from draft_helpers import FINALISE, REVISE, agree, revise

from icn_graph.plugin_api import Database, PersonKind, to_global_id
from icn_graph.testing import (
    GraphQLClient,
    StatementCounter,
    single_error,
    snapshot,
    user_errors,
)

V1 = """\
1. Parents tell what engaging families in QI looked like.
2. Centers hear what helped.
3. Everyone leaves with one idea.
"""

V2 = """\
1. Parents tell what engaging families in QI looked like.
2. Centers hear what helped and what got in the way.
3. Everyone leaves with one idea.
4. Each team writes a 90-day goal.
"""

DIFF = """
query($id: ID!, $from: Int!, $to: Int!) { node(id: $id) { ... on Draft {
  diff(from: $from, to: $to) {
    fromNumber toNumber added removed text
    hunks { header oldStart oldCount newStart newCount
            lines { kind text oldNumber newNumber } }
  } } } }
"""


async def test_a_draft_is_revised_agreed_with_and_made_final(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    owner, parent = people.participant, people.parent
    thread = await start(client, owner, audience="PARTICIPANTS", personIds=[parent.id])
    first = await revise(client, owner, thread["id"], "Panel objectives", V1, note="A rough start")
    assert first["draft"] == {
        "id": first["draft"]["id"],
        "name": "Panel objectives",
        "kind": "general",
        "status": "DRAFT",
        "owner": {"displayName": "Dr. Sami Reyes"},
    }
    assert first["revision"]["number"] == 1
    assert first["revision"]["note"] == "A rough start"
    second = await revise(client, parent, thread["id"], "panel OBJECTIVES", V2)
    assert second["draft"]["id"] == first["draft"]["id"]  # the same draft, whatever the case
    assert second["revision"]["number"] == 2
    draft, v1, v2 = first["draft"]["id"], first["revision"]["id"], second["revision"]["id"]

    assert await can_agree(client, owner, v1) is False  # superseded
    assert await can_agree(client, parent, v2) is False  # her own
    assert await can_agree(client, owner, v2) is True
    stale = await agree(client, owner, v1)
    assert user_errors(stale) == [("id", "CONFLICT")]
    assert "superseded by revision 2" in stale["userErrors"][0]["message"]
    own = await agree(client, parent, v2)
    assert user_errors(own) == [("id", "INVALID")]

    early = await client.data(FINALISE, {"draft": draft}, token=owner.token)
    assert user_errors(early["finaliseDraft"]) == [("id", "INVALID")]

    for _ in range(2):  # agreeing twice is agreeing once
        agreed = await agree(client, owner, v2)
        assert agreed["userErrors"] == []
    assert agreed["revision"]["agreements"] == [{"person": {"displayName": "Dr. Sami Reyes"}}]
    assert agreed["revision"]["viewerHasAgreed"] is True
    assert await can_agree(client, owner, v2) is False  # agreed already
    assert await can_agree(client, people.staff, v2) is True

    refused = await client.execute(FINALISE, {"draft": draft}, token=parent.token)
    assert single_error(refused)["extensions"]["code"] == "FORBIDDEN"

    final = await client.data(FINALISE, {"draft": draft}, token=owner.token)
    assert final["finaliseDraft"] == {
        "draft": {
            "id": draft,
            "status": "FINAL",
            "finalisedBy": {"displayName": "Dr. Sami Reyes"},
            "finalRevision": {"number": 2},
        },
        "userErrors": [],
    }
    before = await snapshot(db)
    again = await client.data(
        REVISE,
        {"input": {"threadId": thread["id"], "name": "Panel objectives", "body": "More"}},
        token=owner.token,
    )
    assert user_errors(again["reviseDraft"]) == [("name", "CONFLICT")]
    assert await can_agree(client, people.staff, v2) is False  # final
    late = await agree(client, people.staff, v2)
    assert user_errors(late) == [("id", "CONFLICT")]
    assert await snapshot(db) == before


async def test_staff_may_finalise_an_older_agreed_revision(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    owner, parent = people.participant, people.parent
    thread = await start(client, owner, audience="PARTICIPANTS", personIds=[parent.id])
    first = await revise(client, owner, thread["id"], "Call to action", V1)
    await agree(client, parent, first["revision"]["id"])
    second = await revise(client, owner, thread["id"], "Call to action", V2)
    draft = first["draft"]["id"]
    unagreed = await client.data(
        FINALISE, {"draft": draft, "revision": second["revision"]["id"]}, token=owner.token
    )
    assert user_errors(unagreed["finaliseDraft"]) == [("draftRevisionId", "INVALID")]
    final = await client.data(
        FINALISE, {"draft": draft, "revision": first["revision"]["id"]}, token=people.staff.token
    )
    assert final["finaliseDraft"]["draft"]["status"] == "FINAL"
    assert final["finaliseDraft"]["draft"]["finalRevision"] == {"number": 1}


async def test_the_diff_between_two_revisions(db: Database, client: GraphQLClient) -> None:
    people = await cast(db)
    thread = await start(client, people.participant, audience="NETWORK")
    first = await revise(client, people.participant, thread["id"], "Objectives", V1)
    await revise(client, people.parent, thread["id"], "Objectives", V2)
    draft = first["draft"]["id"]
    data = await client.data(DIFF, {"id": draft, "from": 1, "to": 2}, token=people.colleague.token)
    found = data["node"]["diff"]
    assert (found["fromNumber"], found["toNumber"], found["added"], found["removed"]) == (
        1,
        2,
        2,
        1,
    )
    [hunk] = found["hunks"]
    assert hunk["header"] == "@@ -1,3 +1,4 @@"
    assert [(line["kind"], line["oldNumber"], line["newNumber"]) for line in hunk["lines"]] == [
        ("CONTEXT", 1, 1),
        ("REMOVED", 2, None),
        ("ADDED", None, 2),
        ("CONTEXT", 3, 3),
        ("ADDED", None, 4),
    ]
    assert hunk["lines"][2]["text"] == "2. Centers hear what helped and what got in the way."
    assert found["text"].splitlines()[:3] == [
        "--- Objectives (revision 1)",
        "+++ Objectives (revision 2)",
        "@@ -1,3 +1,4 @@",
    ]
    assert "+4. Each team writes a 90-day goal." in found["text"]
    same = await client.data(DIFF, {"id": draft, "from": 2, "to": 2}, token=people.staff.token)
    assert same["node"]["diff"]["hunks"] == []
    assert same["node"]["diff"]["text"] == ""
    missing = await client.execute(
        DIFF, {"id": draft, "from": 1, "to": 7}, token=people.staff.token
    )
    error = single_error(missing)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["message"] == "to: 'Objectives' has no revision 7."


async def test_refused_revisions_name_the_field_and_write_nothing(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    thread = await start(client, people.participant, audience="NETWORK")
    await revise(client, people.participant, thread["id"], "Objectives", V1)
    before = await snapshot(db)
    for name, body, more, expected in [
        ("", V2, {}, [("name", "REQUIRED")]),
        ("x" * 101, V2, {}, [("name", "TOO_LONG")]),
        ("New", "   ", {}, [("body", "REQUIRED")]),
        ("New", "a\x00b", {}, [("body", "INVALID")]),
        ("New", "a\u202eb", {}, [("body", "INVALID")]),
        ("New", "x" * 50_001, {}, [("body", "TOO_LONG")]),
        ("Objectives", V1, {}, [("body", "INVALID")]),  # nothing changed
        ("Objectives", V2, {"kind": "panel.objectives"}, [("kind", "INVALID")]),
        ("New", V2, {"kind": "Not A Kind"}, [("kind", "INVALID")]),
        ("New", V2, {"note": "n" * 501}, [("note", "TOO_LONG")]),
    ]:
        variables = {"input": {"threadId": thread["id"], "name": name, "body": body, **more}}
        data = await client.data(REVISE, variables, token=people.parent.token)
        assert data["reviseDraft"]["revision"] is None
        assert user_errors(data["reviseDraft"]) == expected, (name, body[:10], more)
    assert await snapshot(db) == before


async def test_draft_text_is_markdown_made_inert(db: Database, client: GraphQLClient) -> None:
    people = await cast(db)
    thread = await start(client, people.participant, audience="NETWORK")
    body = (
        "# Objectives\n\n<script>alert(1)</script>\n\n"
        '[click](javascript:alert(1)) <img src=x onerror="alert(1)"> **bold**'
    )
    written = await revise(client, people.participant, thread["id"], "Objectives", body)
    html = written["revision"]["bodyHtml"]
    assert "<h1>Objectives</h1>" in html
    assert "<strong>bold</strong>" in html
    assert "<script" not in html
    assert "href" not in html  # the javascript: link stays text
    assert "<img" not in html
    assert "&lt;img" in html
    assert written["revision"]["body"] == body  # the source is kept as written


async def test_a_new_member_who_may_post_joins_by_revising(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    thread = await start(client, people.participant, audience="NETWORK")
    newcomer = await member(db, "Jennie Parent", PersonKind.PARENT_PARTNER)
    await revise(client, newcomer, thread["id"], "Objectives", V1)
    data = await client.data(
        PARTICIPANTS,
        {"id": thread["id"]},
        token=newcomer.token,
    )
    names = [p["person"]["displayName"] for p in data["node"]["participants"]]
    assert names == ["Dr. Sami Reyes", "Jennie Parent"]


PARTICIPANTS = """
query($id: ID!) { node(id: $id) { ... on Thread { participants { person { displayName } } } } }
"""

DRAFTS = """
query($id: ID!) { node(id: $id) { ... on Thread {
  drafts { name status owner { displayName } latestRevision { number }
           revisions { number author { displayName } agreements { person { displayName } } } }
} } }
"""


async def test_a_threads_drafts_cost_the_same_statements_however_many(
    db: Database, client: GraphQLClient, statements: StatementCounter
) -> None:
    people = await cast(db)
    thread = await start(client, people.participant, audience="NETWORK")

    async def add_draft(name: str) -> None:
        first = await revise(client, people.participant, thread["id"], name, V1)
        await agree(client, people.parent, first["revision"]["id"])
        second = await revise(client, people.colleague, thread["id"], name, V2)
        await agree(client, people.staff, second["revision"]["id"])

    await add_draft("One")
    statements.reset()
    data = await client.data(DRAFTS, {"id": thread["id"]}, token=people.parent.token)
    one = statements.count
    assert len(data["node"]["drafts"]) == 1
    for name in ("Two", "Three", "Four"):
        await add_draft(name)
    statements.reset()
    data = await client.data(DRAFTS, {"id": thread["id"]}, token=people.parent.token)
    assert [d["name"] for d in data["node"]["drafts"]] == ["One", "Two", "Three", "Four"]
    assert data["node"]["drafts"][3]["revisions"][1]["agreements"] == [
        {"person": {"displayName": "Tania Staff"}}
    ]
    assert statements.count == one


async def can_agree(client: GraphQLClient, who: Member, revision: str) -> bool:
    query = "query($id: ID!) { node(id: $id) { ... on DraftRevision { viewerCanAgree } } }"
    data = await client.data(query, {"id": revision}, token=who.token)
    return bool(data["node"]["viewerCanAgree"])


async def test_a_revision_is_activity_in_the_thread(db: Database, client: GraphQLClient) -> None:
    people = await cast(db)
    thread = await start(client, people.participant, audience="PARTICIPANTS", body="Hello")
    revised = await revise(client, people.participant, thread["id"], "Panel objectives", V1)
    query = """query($id: ID!) { node(id: $id) { ... on Thread { lastActivityAt
      draft(name: "Panel objectives") { latestRevision { createdAt } } } } }"""
    data = await client.data(query, {"id": thread["id"]}, token=people.participant.token)
    assert revised["revision"]["number"] == 1
    node = data["node"]
    assert node["lastActivityAt"] == node["draft"]["latestRevision"]["createdAt"]


async def test_agreeing_answers_the_thread_it_joins_for_client_caches(
    db: Database, client: GraphQLClient
) -> None:
    """A colleague who agrees joins the thread: Apollo Client updates its participants from the
    payload alone."""
    people = await cast(db)
    thread = await start(client, people.participant, audience="CENTER", centerId=center_id(people))
    first = await revise(client, people.participant, thread["id"], "Panel objectives", V1)
    data = await client.data(
        """
        mutation($revision: ID!) { agreeToRevision(input: {id: $revision}) {
          thread { id viewerIsParticipant participants { person { displayName } } }
        } }""",
        {"revision": first["revision"]["id"]},
        token=people.colleague.token,
    )
    assert data["agreeToRevision"]["thread"] == {
        "id": thread["id"],
        "viewerIsParticipant": True,
        "participants": [
            {"person": {"displayName": "Dr. Sami Reyes"}},
            {"person": {"displayName": "Nora Quinn"}},
        ],
    }


def center_id(people: Cast) -> str:
    return to_global_id("Center", people.center.id)
