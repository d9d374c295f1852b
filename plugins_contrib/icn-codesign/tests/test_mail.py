"""Mail about a thread through core's engine, to a real SMTP server: one mail thread per person
and thread, its subject the thread's title, its body the messages since the last mail with who
wrote them and when on the writer's own clock, as text and as sanitized HTML."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from codesign_helpers import cast, member, post, start

from icn_graph.plugin_api import Database, PersonKind, PluginHost, Settings
from icn_graph.testing import GraphQLClient, SmtpServer, deliver_mail

PREFERENCES = """mutation {
  updateNotificationPreferences(input: {delivery: IMMEDIATE, quietHoursStart: null,
                                        quietHoursEnd: null}) { userErrors { field } } }"""


def parts(message: EmailMessage) -> tuple[str, str]:
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None
    assert html is not None
    return text.get_content(), html.get_content()


def clock(moment: str, zone: str) -> str:
    """``10:58 PM PST``: how a moment reads on a writer's clock."""
    local = datetime.fromisoformat(moment).astimezone(ZoneInfo(zone))
    return (
        f"{local.hour % 12 or 12}:{local:%M} {'AM' if local.hour < 12 else 'PM'} {local.tzname()}"
    )


async def test_a_thread_is_one_mail_thread_listing_each_message_and_its_writers_time(
    db: Database,
    client: GraphQLClient,
    settings: Settings,
    plugin_host: PluginHost,
    smtp: SmtpServer,
) -> None:
    settings = smtp.settings_for(settings)
    people = await cast(db)
    writer = await member(
        db, "Justin Parent", PersonKind.PARENT_PARTNER, timezone="America/Los_Angeles"
    )
    reader = people.participant  # America/New_York
    await client.data(PREFERENCES, token=reader.token)
    thread = await start(
        client, writer, audience="PARTICIPANTS", personIds=[reader.id], title="Parent panel"
    )
    first = await post(client, writer, thread["id"], "Could parents run a **panel**?")
    second = await post(client, writer, thread["id"], "<script>x</script> Also: a call to action.")
    await client.settle()
    created = await client.data(
        """query($id: ID!) { node(id: $id) { ... on Thread {
          messages { nodes { createdAt } } } } }""",
        {"id": thread["id"]},
        token=writer.token,
    )
    moments = [m["createdAt"] for m in created["node"]["messages"]["nodes"]]
    now = datetime.now(ZoneInfo("UTC"))

    assert await deliver_mail(db, settings, plugin_host, now=now + timedelta(minutes=10)) == 1
    [mail] = smtp.received
    assert mail.rcpt_tos == [reader.person.email]
    message = mail.message
    assert message["Subject"] == "[Test Network] Parent panel"
    text, html = parts(message)
    assert "Justin Parent invited you to 'Parent panel'" in text  # the reader: "you"
    for moment, body in [(moments[0], first["body"]), (moments[1], second["body"])]:
        written = f", {clock(moment, 'America/Los_Angeles')}):"
        assert any(
            line.startswith("Justin Parent wrote (") and line.endswith(written)
            for line in text.splitlines()
        ), text
        assert body in text
    assert text.index("Could parents") < text.index("Also: a call")
    assert "<strong>panel</strong>" in html
    assert "<script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt; Also: a call to action." in html

    third = await post(client, writer, thread["id"], "Late-night thought: @Dr. Sami Reyes?")
    await client.settle()
    later = now + timedelta(hours=1)
    assert await deliver_mail(db, settings, plugin_host, now=later) == 1
    follow_up = smtp.messages[1]
    assert follow_up["Subject"] == "[Test Network] Parent panel"
    assert follow_up["In-Reply-To"] == message["In-Reply-To"]
    assert follow_up["References"].split()[0] == message["References"].split()[0]
    text, _html = parts(follow_up)
    assert third["body"] in text
    assert "Could parents" not in text  # only what is new since the last mail
    assert "mentioned you" in text
    # The writer hears nothing of their own messages; nobody else was told.
    assert [m.rcpt_tos for m in smtp.received] == [[reader.person.email]] * 2


HIDE = """mutation($id: ID!) { hideMessage(input: {id: $id, reason: "Off topic"}) {
  userErrors { field } } }"""
EDIT = """mutation($id: ID!, $body: String!) { editMessage(input: {id: $id, body: $body}) {
  userErrors { field } } }"""


async def test_a_message_hidden_before_its_mail_is_composed_is_never_mailed(
    db: Database,
    client: GraphQLClient,
    settings: Settings,
    plugin_host: PluginHost,
    smtp: SmtpServer,
) -> None:
    settings = smtp.settings_for(settings)
    people = await cast(db)
    writer, reader, staff = people.parent, people.participant, people.staff
    await client.data(PREFERENCES, token=reader.token)
    thread = await start(client, writer, audience="PARTICIPANTS", personIds=[reader.id])
    kept = await post(client, writer, thread["id"], "The panel could open the session.")
    hidden = await post(client, writer, thread["id"], "Private rant @Dr. Sami Reyes: SECRET-TEXT")
    await client.settle()
    hide = await client.data(HIDE, {"id": hidden["id"]}, token=staff.token)
    assert hide["hideMessage"]["userErrors"] == []
    await client.settle()

    now = datetime.now(ZoneInfo("UTC")) + timedelta(minutes=10)
    assert await deliver_mail(db, settings, plugin_host, now=now) == 1
    [message] = smtp.messages
    text, html = parts(message)
    assert kept["body"] in text
    assert "SECRET-TEXT" not in text
    assert "SECRET-TEXT" not in html
    assert "mentioned you" not in text  # the mention was in the hidden message

    # Hidden after a post whose mail is all it would be: no mail at all.
    alone = await post(client, writer, thread["id"], "ANOTHER-SECRET")
    await client.settle()
    await client.data(HIDE, {"id": alone["id"]}, token=staff.token)
    await client.settle()
    assert await deliver_mail(db, settings, plugin_host, now=now + timedelta(hours=1)) == 0
    assert len(smtp.messages) == 1


async def test_a_message_edited_before_its_mail_is_composed_is_mailed_as_edited(
    db: Database,
    client: GraphQLClient,
    settings: Settings,
    plugin_host: PluginHost,
    smtp: SmtpServer,
) -> None:
    settings = smtp.settings_for(settings)
    people = await cast(db)
    writer, reader = people.parent, people.participant
    await client.data(PREFERENCES, token=reader.token)
    thread = await start(client, writer, audience="PARTICIPANTS", personIds=[reader.id])
    message = await post(client, writer, thread["id"], "Panel on Saturday, FIRST-DRAFT")
    await client.settle()
    edit = await client.data(
        EDIT, {"id": message["id"], "body": "Panel on *Sunday*, SECOND-DRAFT"}, token=writer.token
    )
    assert edit["editMessage"]["userErrors"] == []
    await client.settle()

    now = datetime.now(ZoneInfo("UTC")) + timedelta(minutes=10)
    assert await deliver_mail(db, settings, plugin_host, now=now) == 1
    text, html = parts(smtp.messages[0])
    assert "Panel on *Sunday*, SECOND-DRAFT" in text
    assert "<em>Sunday</em>" in html
    assert "FIRST-DRAFT" not in text + html


DAILY = """mutation {
  updateNotificationPreferences(input: {delivery: DAILY_DIGEST, quietHoursStart: null,
                                        quietHoursEnd: null}) { userErrors { field } } }"""


async def test_a_message_mentioning_the_reader_is_shown_once_as_the_mention(
    db: Database,
    client: GraphQLClient,
    settings: Settings,
    plugin_host: PluginHost,
    smtp: SmtpServer,
) -> None:
    settings = smtp.settings_for(settings)
    people = await cast(db)
    writer, right_away, digest = people.staff, people.participant, people.parent
    await client.data(PREFERENCES, token=right_away.token)
    await client.data(DAILY, token=digest.token)
    thread = await start(
        client, writer, audience="PARTICIPANTS", personIds=[right_away.id, digest.id]
    )
    await post(client, writer, thread["id"], "@Dr. Sami Reyes and @Jamie Rivera: MENTION-TEXT")
    await post(client, writer, thread["id"], "Plain follow-up: PLAIN-TEXT")
    await client.settle()
    later = datetime.now(ZoneInfo("UTC")) + timedelta(days=2)
    assert await deliver_mail(db, settings, plugin_host, now=later) == 2

    for received in smtp.received:
        text, html = parts(received.message)
        assert text.count("MENTION-TEXT") == 1, text
        assert html.count("MENTION-TEXT") == 1
        assert "Tania Staff mentioned you (" in text
        assert text.count("Tania Staff wrote (") == 1  # the follow-up only
        assert "PLAIN-TEXT" in text
    digest_mail = next(m for m in smtp.received if m.rcpt_tos == [digest.person.email])
    assert digest_mail.message["Subject"] == "[Test Network] Your daily digest: 4 updates"  # not 5
