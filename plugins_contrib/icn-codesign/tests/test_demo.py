"""The demo: the Spring 2014 parent panel reads back through GraphQL as the story tells it (the
query is the one in docs/api.md), and only the present thread's last steps wait to be mailed."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from icn_codesign import demo, demo_story
from icn_codesign.models import Participant, Thread
from sqlalchemy import select

from icn_graph.plugin_api import Database, Person, PluginHost, Settings
from icn_graph.testing import GraphQLClient, SmtpServer, deliver_mail, load_demo_network, token_for

STORY = """
query SpringPanelStory {
  learningSessions(first: 1, filter: {year: 2014}) {
    nodes {
      title
      agenda {
        title
        threads(first: 2) {
          title
          audience
          participants { person { displayName } }
          messages(first: 100, order: OLDEST_FIRST) {
            totalCount
            nodes { createdAt writtenLocal body author { displayName timezone } }
          }
          drafts {
            name
            status
            owner { displayName }
            finalisedBy { displayName }
            revisions {
              number
              note
              writtenLocal
              author { displayName }
              agreements { person { displayName } }
            }
            finalRevision { number body }
            diff(from: 1, to: 2) { added removed text }
          }
          decisions {
            text
            decidedAt
            decidedBy { displayName }
            revision { number draft { name } }
            messages { body author { displayName } }
          }
        }
      }
    }
  }
}
"""


async def _person(db: Database, email: str) -> Person:
    async with db.session() as session:
        person = await session.scalar(select(Person).where(Person.email == email))
    assert person is not None
    return person


def _text(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return " ".join(part.get_content().split())


def _panel_thread(data: dict[str, Any]) -> dict[str, Any]:
    found: list[dict[str, Any]] = [
        thread
        for session in data["learningSessions"]["nodes"]
        for item in session["agenda"]
        for thread in item["threads"] or []
        if item["title"] == demo_story.OFFHAND_COMMENT_AGENDA_TITLE
    ]
    [thread] = found
    return thread


async def test_the_spring_2014_parent_panel_reads_back(
    db: Database, client: GraphQLClient, plugin_host: PluginHost
) -> None:
    await load_demo_network(db, plugin_host)
    staff = await _person(db, "staff@network.example.org")
    data = await client.data(STORY, token=await token_for(db, staff))
    thread = _panel_thread(data)
    assert thread["title"] == demo_story.THREAD_TITLE
    assert thread["audience"] == "PARTICIPANTS"
    names = [p["person"]["displayName"] for p in thread["participants"]]
    assert names[:2] == ["Dana Whitfield", "Jordan Avery"]
    assert len(names) == 5

    posts = [step for step in demo_story.STORY if isinstance(step, demo_story.Post)]
    messages = thread["messages"]["nodes"]
    assert thread["messages"]["totalCount"] == len(posts) == len(messages)
    assert [m["body"] for m in messages] == [post.text for post in posts]
    assert [m["createdAt"] for m in messages] == sorted(m["createdAt"] for m in messages)
    # Written at the writers' own local times: Dana's offhand comment at 11:12 PM her time,
    # the second parent's at 4:10 AM theirs.
    assert messages[0]["author"]["displayName"] == "Dana Whitfield"
    assert messages[0]["writtenLocal"].startswith("Tue 7 Jan 2014, 11:12 PM")
    assert ", 4:10 AM " in messages[3]["writtenLocal"]
    first = datetime.fromisoformat(messages[0]["createdAt"])
    last = datetime.fromisoformat(messages[-1]["createdAt"])
    assert (first.year, first.month, last.month) == (2014, 1, 4)

    objectives, call = thread["drafts"]
    assert (objectives["name"], call["name"]) == (demo_story.OBJECTIVES, demo_story.CALL_TO_ACTION)
    assert objectives["status"] == call["status"] == "FINAL"
    assert objectives["owner"] == {"displayName": "Jordan Avery"}
    assert call["owner"] == {"displayName": "Dana Whitfield"}
    assert [r["number"] for r in objectives["revisions"]] == [1, 2, 3, 4]
    assert objectives["finalRevision"] == {"number": 4, "body": demo_story.OBJECTIVES_V4.strip()}
    assert call["finalRevision"] == {"number": 3, "body": demo_story.CALL_V3.strip()}
    # Agreement is per revision: revision 3 had two, revision 4 started afresh and got four.
    agreed = [len(r["agreements"]) for r in objectives["revisions"]]
    assert agreed == [0, 0, 2, 4]
    assert len(call["revisions"][-1]["agreements"]) == 4
    assert objectives["diff"]["added"] > 0
    assert objectives["diff"]["text"].startswith("--- Panel objectives (revision 1)")

    decisions = thread["decisions"]
    assert len(decisions) == 3
    assert [d["decidedBy"]["displayName"] for d in decisions] == ["Jordan Avery"] * 3
    assert decisions[0]["revision"] is None
    assert [m["body"] for m in decisions[0]["messages"]] == [posts[i].text for i in (0, 1, 12)]
    assert decisions[1]["revision"] == {"number": 4, "draft": {"name": "Panel objectives"}}
    assert decisions[2]["revision"] == {"number": 3, "draft": {"name": "Call to action"}}


async def _deliver_all(db: Database, settings: Settings, plugins: PluginHost) -> None:
    later = datetime.now(UTC) + timedelta(days=2)  # past anyone's batching and quiet hours
    while await deliver_mail(db, settings, plugins, now=later):
        pass


async def test_the_demo_mails_its_present_and_not_its_history(
    db: Database,
    client: GraphQLClient,
    plugin_host: PluginHost,
    settings: Settings,
    smtp: SmtpServer,
    tmp_path: Path,
) -> None:
    await load_demo_network(db, plugin_host)  # the app's dispatcher hears what it committed
    await client.settle()
    sending = smtp.settings_for(settings).model_copy(update={"mail_dir": str(tmp_path)})
    await _deliver_all(db, sending, plugin_host)
    texts = [_text(mail.message) for mail in smtp.received]
    # Dana was mentioned; Jordan, Priya and the second parent follow the thread (some of them
    # take a daily digest). The story's mail went to the folder only (see below).
    assert len(texts) >= 3
    for text in texts:
        assert demo.PRESENT_TITLE in text
        assert demo_story.THREAD_TITLE not in text
    dana = await _person(db, "parent@partners.example.org")
    assert dana.email in {address for mail in smtp.received for address in mail.rcpt_tos}


def _mailed(folder: Path) -> list[EmailMessage]:
    """The messages written to ``folder``, in the order they were written."""
    found = []
    for path in sorted(folder.glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        found.append(message)
    return found


async def test_the_story_mails_its_participants_as_they_had_it_in_2014(
    db: Database,
    plugin_host: PluginHost,
    settings: Settings,
    smtp: SmtpServer,
    tmp_path: Path,
) -> None:
    # An SMTP server is configured, and still the story's mail only goes to the folder.
    sending = smtp.settings_for(settings).model_copy(update={"mail_dir": str(tmp_path)})
    await load_demo_network(db, plugin_host, settings=settings)
    await _deliver_all(db, sending, plugin_host)
    assert all(demo_story.THREAD_TITLE not in str(m.message["Subject"]) for m in smtp.received)

    story = [m for m in _mailed(tmp_path) if demo_story.THREAD_TITLE in str(m["Subject"])]
    by_person: dict[str, list[EmailMessage]] = defaultdict(list)
    for message in story:
        by_person[message["To"].addresses[0].addr_spec].append(message)
    async with db.session() as session:
        emails = set(
            await session.scalars(select(Person.email).where(Person.id.in_(await _cast(db))))
        )
    assert set(by_person) == emails
    assert len(emails) == 5

    for mails in by_person.values():
        # One conversation per person: same subject, all referring to one root.
        assert {str(m["Subject"]) for m in mails} == {f"[Test Network] {demo_story.THREAD_TITLE}"}
        assert len({m["In-Reply-To"] for m in mails} | {m["References"] for m in mails}) == 1
        assert len({m["Message-ID"] for m in mails}) == len(mails)
        dates = [parsedate_to_datetime(str(m["Date"])) for m in mails]
        assert dates == sorted(dates)  # written to the folder in the order they were sent
        assert datetime(2014, 1, 7, tzinfo=UTC) < dates[0]
        assert dates[-1] < datetime(2014, 5, 1, tzinfo=UTC)

    jordan = " ".join(_text(m) for m in by_person["staff@network.example.org"])
    # Dana's offhand comment at 11:12 PM her time reached Jordan when his quiet hours ended.
    assert "Dana Whitfield wrote (Tue 7 Jan 2014, 11:12 PM EST)" in jordan
    first = by_person["staff@network.example.org"][0]
    assert str(first["Date"]) == "Wed, 08 Jan 2014 12:00:00 +0000"  # 7:00 AM in New York
    # The second parent's message at 4:10 AM their time (Mountain), in Priya's morning mail.
    priya = " ".join(_text(m) for m in by_person["clinician@demo.example.org"])
    assert "wrote (Thu 9 Jan 2014, 4:10 AM MST)" in priya


async def _cast(db: Database) -> list[int]:
    """The story's participants (its thread's, found by its title)."""
    async with db.session() as session:
        thread_id = await session.scalar(
            select(Thread.id).where(Thread.title == demo_story.THREAD_TITLE)
        )
        return list(
            await session.scalars(
                select(Participant.person_id).where(Participant.thread_id == thread_id)
            )
        )
