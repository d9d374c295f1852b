"""The demo: Spring 2014's proposals read back as history (the parent panel delivered, on its
agenda item, with the co-design thread's objectives and call to action; stalled and declined
proposals beside it), and the next session's call is open with proposals across the pipeline,
one of them slipping: the overdue job flags that one stage and nothing from 2014."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

import icn_codesign.plugin
import icn_panels.plugin
import pytest
from icn_codesign import demo_story
from icn_panels import demo_texts
from icn_panels.overdue import flag_overdue_stages
from sqlalchemy import select

from icn_graph.plugin_api import Database, Person, PluginHost
from icn_graph.testing import GraphQLClient, load_demo_network, token_for

TODAY = date(2026, 12, 6)

BOARD = """
query($year: Int!) {
  learningSessions(first: 2, filter: {year: $year}) {
    nodes {
      title startsOn
      callForProposals { isOpen }
      proposals(first: 100) {
        title status decisionReason callToAction objectives
        agendaItem { title } proposer { displayName }
        currentStage { stage isOverdue } reviews { score }
        panelists { role state } thread { title } stages { completedAt }
        adoptions { status center { name } goal { title } }
      }
      feedback { community { overall { suppressed count } } }
    }
  }
}
"""


@pytest.fixture
def icn_plugins() -> list[tuple[str, object]]:
    """The demo's story is icn-codesign's: both plugins."""
    return [("icn-codesign", icn_codesign.plugin), ("icn-panels", icn_panels.plugin)]


async def _person(db: Database, email: str) -> Person:
    async with db.session() as session:
        person = await session.scalar(select(Person).where(Person.email == email))
    assert person is not None
    return person


def _nodes(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [n for s in data["learningSessions"]["nodes"] for n in s["proposals"]]


async def test_the_demo_has_spring_2014_history_and_a_present_call(
    db: Database, client: GraphQLClient, plugin_host: PluginHost
) -> None:
    await load_demo_network(db, plugin_host, today=TODAY)
    staff = await token_for(db, await _person(db, "staff@network.example.org"))

    spring = _nodes(await client.data(BOARD, {"year": 2014}, token=staff))
    [panel] = [p for p in spring if p["title"] == demo_story.OFFHAND_COMMENT_AGENDA_TITLE]
    assert panel["status"] == "ACCEPTED_WITH_COACHING"
    assert panel["agendaItem"] == {"title": demo_story.OFFHAND_COMMENT_AGENDA_TITLE}
    assert panel["callToAction"] == demo_story.CALL_V3
    assert panel["objectives"] == demo_story.OBJECTIVES_V4
    assert panel["currentStage"] is None  # delivered
    assert panel["reviews"]
    assert {p["role"] for p in panel["panelists"]} >= {"MODERATOR", "PANELIST"}
    assert {p["state"] for p in panel["panelists"]} == {"ACCEPTED"}
    assert panel["thread"] == {"title": demo_story.THREAD_TITLE}
    assert len(panel["adoptions"]) == 5
    assert sorted(a["status"] for a in panel["adoptions"]) == ["AT_RISK"] + ["DONE"] * 4
    sessions = (await client.data(BOARD, {"year": 2014}, token=staff))["learningSessions"]
    [spring_session] = [
        n for n in sessions["nodes"] if panel["title"] in {p["title"] for p in n["proposals"]}
    ]
    poll = spring_session["feedback"]["community"]
    assert all(row["overall"]["count"] >= 60 for row in poll)
    statuses = Counter(p["status"] for p in spring)
    declined = [r for (*_, r) in demo_texts.DECLINED_2014 if r is not None]
    assert statuses["DECLINED"] == len(declined)
    assert all(p["decisionReason"] for p in spring if p["status"] == "DECLINED")
    stalled = {p["currentStage"]["stage"] for p in spring if p["currentStage"]}
    assert stalled == {"OUTLINE", "COACHED", "PREPPED"}
    for proposal in spring:  # each stage is done after the one before it
        done = [s["completedAt"] for s in proposal["stages"] if s["completedAt"]]
        assert done == sorted(done), proposal["title"]
    on_agenda = [p for p in spring if p["agendaItem"]]
    assert len(on_agenda) >= 10
    assert all(p["currentStage"] is None for p in on_agenda)

    upcoming = await client.data(BOARD, {"year": 2027}, token=staff)
    [session] = [s for s in upcoming["learningSessions"]["nodes"] if s["startsOn"] > str(TODAY)]
    assert session["callForProposals"]["isOpen"] is True
    present = session["proposals"]
    assert len(present) == len(demo_texts.PRESENT_PROPOSALS)
    stages = Counter(p["currentStage"]["stage"] for p in present if p["currentStage"])
    assert set(stages) == {"OUTLINE", "COACHED", "PREPPED", "RUN_THROUGH", "DELIVERED"}
    overdue = [p["title"] for p in present if (p["currentStage"] or {}).get("isOverdue")]
    assert overdue == [demo_texts.PRESENT_PROPOSALS[0].title]

    # The parent sees her own proposals, never their reviews.
    parent = await token_for(db, await _person(db, "parent@partners.example.org"))
    mine = _nodes(await client.data(BOARD, {"year": 2014}, token=parent))
    assert panel["title"] in {p["title"] for p in mine}
    assert all(p["reviews"] is None for p in mine)

    # The worker's overdue job alerts about the slipping outline alone, once.
    now = datetime.combine(TODAY, datetime.min.time(), tzinfo=UTC)
    assert await flag_overdue_stages(db, now) == 1
    assert await flag_overdue_stages(db, now) == 0
