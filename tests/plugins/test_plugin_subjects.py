"""A plugin's own Node type as a subject: followed, named in the inbox and in mail (title, app
link, "Mute this co-design note"), rolled up onto its center, hidden from whom the plugin denies;
and the plugin's event worded by the event type itself."""

from __future__ import annotations

from typing import Any

import pytest

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.events.registry import UnknownEvent
from icn_graph.host import load_plugins
from icn_graph.models import Center, CenterRole, Person
from icn_graph.notifications.mail.compose import compose_due_mail
from icn_graph.notifications.mail.sender import send_due_mail
from icn_graph.notifications.mail.transport import SmtpTransport
from icn_graph.notifications.subjects import describe_subjects, visible_subjects
from icn_graph.notifications.summaries import summarize
from icn_graph.plugin_api import (
    DomainEvent,
    SubjectRef,
    SubjectType,
    Viewer,
    event_type,
    hookimpl,
    to_global_id,
)
from icn_graph.plugins.manager import PluginStartupError
from icn_graph.testing import (
    GraphQLClient,
    StatementCounter,
    make_center,
    make_person,
    token_for,
)
from tests.mail_helpers import mail_settings, notifications
from tests.plugins import codesign_plugin
from tests.plugins.codesign_plugin import add_note, comment, create_table, describe_notes
from tests.smtp_server import SmtpServer

FOLLOW = """mutation($id: ID!, $level: FollowLevel!) {
  follow(input: {subjectId: $id, level: $level}) {
    follow { subjectId } userErrors { field message code } } }"""
IMMEDIATE = """mutation { updateNotificationPreferences(input: {
  delivery: IMMEDIATE, quietHoursStart: null, quietHoursEnd: null }) { userErrors { field } } }"""
INBOX = """{ viewer { notifications(first: 10) { nodes { type summary reason subjectId
  subject { __typename id ... on IcnCodesignNote { title } } } } } }"""


@pytest.fixture
def icn_plugins() -> list[tuple[str, object]]:
    return [("icn-codesign", codesign_plugin)]


async def _member(db: Database, center: Center, name: str) -> tuple[Person, str]:
    person = await make_person(db, center=center, display_name=name)
    return person, await token_for(db, person)


async def _follow(
    client: GraphQLClient, subject_id: str, token: str, level: str = "NORMAL"
) -> dict[str, Any]:
    data = await client.data(FOLLOW, {"id": subject_id, "level": level}, token=token)
    result: dict[str, Any] = data["follow"]
    return result


async def test_a_follower_of_a_plugin_subject_gets_the_plugins_wording_and_subject(
    db: Database, client: GraphQLClient
) -> None:
    await create_table(db)
    center = await make_center(db, name="Cincinnati Children's")
    follower, follower_token = await _member(db, center, "Maria Lopez")
    author, _ = await _member(db, center, "Sam Carter")
    watcher, watcher_token = await _member(db, center, "Priya Raman")
    note = await add_note(db, center.id, "An idea")
    note_id = to_global_id("IcnCodesignNote", note)

    assert (await _follow(client, note_id, follower_token))["userErrors"] == []
    center_id = to_global_id("Center", center.id)
    assert (await _follow(client, center_id, watcher_token, "WATCHING"))["userErrors"] == []
    await comment(db, note, by=author.id)
    await client.settle()

    inbox = (await client.data(INBOX, token=follower_token))["viewer"]["notifications"]["nodes"]
    assert inbox == [
        {
            "type": "icn_codesign.comment_added",
            "summary": "Sam Carter commented on the co-design note 'An idea'",
            "reason": "You follow this co-design note.",
            "subjectId": note_id,
            "subject": {"__typename": "IcnCodesignNote", "id": note_id, "title": "An idea"},
        }
    ]
    # Rolled up onto its center: the person watching the center hears of it through it.
    watched = (await client.data(INBOX, token=watcher_token))["viewer"]["notifications"]["nodes"]
    assert [(n["summary"], n["reason"]) for n in watched] == [
        (
            "Sam Carter commented on the co-design note 'An idea'",
            "You watch Cincinnati Children's.",
        )
    ]
    rows = {n.person_id: n for n in await notifications(db)}
    assert rows[follower.id].followed_subject_id == note_id
    assert rows[watcher.id].followed_subject_id == center_id


async def test_mail_about_a_plugin_subject_names_it_links_to_the_app_and_offers_to_mute_it(
    db: Database, client: GraphQLClient, settings: Settings, smtp: SmtpServer
) -> None:
    settings = mail_settings(
        settings, smtp_host="127.0.0.1", smtp_port=smtp.port, app_url="https://app.example.org"
    )
    await create_table(db)
    center = await make_center(db)
    follower, follower_token = await _member(db, center, "Maria Lopez")
    author, _ = await _member(db, center, "Sam Carter")
    note = await add_note(db, center.id, "An idea")
    note_id = to_global_id("IcnCodesignNote", note)
    await _follow(client, note_id, follower_token)
    await client.data(IMMEDIATE, token=follower_token)
    await comment(db, note, by=author.id)
    await client.settle()

    [notification] = await notifications(db)
    due = notification.email_due_at
    assert due is not None
    assert await compose_due_mail(db, settings, now=due) == 1
    transport = SmtpTransport(settings)
    try:
        assert await send_due_mail(db, settings, transport, now=due, worker_id="t") == 1
    finally:
        await transport.close()

    [received] = smtp.received
    message = received.message
    assert received.rcpt_tos == [follower.email]
    assert message["Subject"] == "[Test Network] An idea"
    text_part, html_part = message.get_body(("plain",)), message.get_body(("html",))
    assert text_part is not None
    assert html_part is not None
    text, html = text_part.get_content(), html_part.get_content()
    link = f"https://app.example.org/codesign/notes/{note_id}"
    assert "Sam Carter commented on the co-design note 'An idea'" in text
    assert link in text
    assert link in html
    assert "Mute this co-design note" in text
    assert "Mute this co-design note" in html
    assert "Mute this item" not in text


async def test_a_viewer_the_plugin_denies_cannot_follow_and_learns_nothing(
    db: Database, client: GraphQLClient
) -> None:
    await create_table(db)
    note = await add_note(db, (await make_center(db)).id, "Secret plan")
    note_id = to_global_id("IcnCodesignNote", note)
    _, outsider_token = await _member(db, await make_center(db), "Other Center")
    missing = to_global_id("IcnCodesignNote", note + 100)

    denied = await _follow(client, note_id, outsider_token)
    absent = await _follow(client, missing, outsider_token)

    assert denied["follow"] is None
    assert [e["code"] for e in denied["userErrors"]] == ["NOT_FOUND"]
    assert "Secret plan" not in str(denied)
    assert denied["userErrors"][0]["message"] == absent["userErrors"][0]["message"].replace(
        missing, note_id
    )


async def test_a_type_that_does_not_say_who_may_see_it_is_seen_by_nobody(db: Database) -> None:
    await create_table(db)
    center = await make_center(db)
    member = await make_person(db, center=center)
    note = await add_note(db, center.id, "An idea")
    member_viewer = Viewer(person_id=member.id, center_roles={center.id: CenterRole.CLINICIAN})
    silent = SubjectType("IcnCodesignNote", "co-design note", describe_notes)

    async with db.session() as session:
        described = await describe_notes(session, [note])
        assert list(await silent.visible(session, member_viewer, described)) == []
        # The plugin's own type says the center's members may: the same viewer sees it.
        note_id = to_global_id("IcnCodesignNote", note)
        assert list(await visible_subjects(session, member_viewer, [note_id])) == [note_id]


async def test_describing_plugin_subjects_takes_one_query_however_many(
    db: Database, statements: StatementCounter
) -> None:
    await create_table(db)
    center = await make_center(db)

    async def count(how_many: int) -> int:
        pks = [await add_note(db, center.id, f"Note {n}") for n in range(how_many)]
        ids = [to_global_id("IcnCodesignNote", pk) for pk in pks]
        async with db.session() as session:
            statements.reset()
            found = await describe_subjects(session, ids)
            assert set(found) == set(ids)
            return statements.count

    assert await count(1) == await count(6) == 1


def test_two_plugins_declaring_one_subject_type_stop_start_up() -> None:
    class Twin:
        @staticmethod
        @hookimpl
        def register_subject_types() -> list[SubjectType]:
            return [SubjectType("IcnCodesignNote", "note", describe_notes)]

    with pytest.raises(
        PluginStartupError,
        match="subject type 'IcnCodesignNote' is declared twice: by 'icn-codesign' and by 'twin'",
    ):
        load_plugins(
            Settings(_env_file=None),  # type: ignore[call-arg]
            extra=[("icn-codesign", codesign_plugin), ("twin", Twin)],
            discover=False,
        )


# -- how a plugin's event reads ----------------------------------------------------------------


@event_type("icn_codesign_test.note_pinned", subject="note")
class NotePinned(DomainEvent):
    """An event type that words nothing itself."""

    note: SubjectRef
    title: str


@event_type("icn_codesign_test.note_broken", subject="note")
class NoteBroken(DomainEvent):
    """An event type whose wording fails."""

    note: SubjectRef

    def summary(self, actor: str, title: str) -> str:
        raise RuntimeError("a plugin's bug")


def test_an_event_type_words_its_own_line_or_gets_the_generic_one() -> None:
    note = SubjectRef("IcnCodesignNote", 1)
    commented = codesign_plugin.CommentAdded(note=note, title="An idea")

    assert summarize(commented, "Sam", None) == "Sam commented on the co-design note 'An idea'"
    assert summarize(commented, None, "Renamed") == (
        "Someone commented on the co-design note 'Renamed'"
    )
    assert summarize(NotePinned(note=note, title="An idea"), "Sam", None) == (
        "Sam: icn codesign test note pinned on 'An idea'"
    )
    assert summarize(NoteBroken(note=note), "Sam", "An idea") == (
        "Sam: icn codesign test note broken on 'An idea'"
    )
    unknown = UnknownEvent(about=note, type_name="gone.plugin_event", fields={})
    assert summarize(unknown, "Sam", None) == "Sam: gone plugin event"
