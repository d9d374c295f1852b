"""Drafts and decisions in the thread's mail: a revision, an agreement, a final draft (its text)
and a decision, through core's engine to a real SMTP server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from codesign_helpers import cast, start
from draft_helpers import DECIDE, FINALISE, agree, revise
from test_mail import PREFERENCES, parts

from icn_graph.plugin_api import Database, PluginHost, Settings
from icn_graph.testing import GraphQLClient, SmtpServer, deliver_mail


async def test_the_thread_mail_tells_of_drafts_and_decisions(
    db: Database,
    client: GraphQLClient,
    settings: Settings,
    plugin_host: PluginHost,
    smtp: SmtpServer,
) -> None:
    settings = smtp.settings_for(settings)
    people = await cast(db)
    owner, reader = people.participant, people.parent
    # Everyone mailed takes mail at once and has no quiet hours, whatever the hour of the run.
    for who in (reader, owner, people.staff):
        await client.data(PREFERENCES, token=who.token)
    thread = await start(client, owner, audience="PARTICIPANTS", personIds=[reader.id])
    first = await revise(
        client, owner, thread["id"], "Call to action", "Ask one family.", note="Smallest ask"
    )
    await agree(client, people.staff, first["revision"]["id"])
    await client.data(FINALISE, {"draft": first["draft"]["id"]}, token=owner.token)
    await client.data(
        DECIDE,
        {"input": {"threadId": thread["id"], "text": "We ask **one family** each."}},
        token=owner.token,
    )
    await client.settle()
    later = datetime.now(UTC) + timedelta(minutes=10)
    # The parent, and the others for what they did not do themselves: the owner hears of the
    # agreement, staff (who joined by agreeing) of the final draft and the decision.
    assert await deliver_mail(db, settings, plugin_host, now=later) == 3
    [mail] = [m for m in smtp.received if m.rcpt_tos == [reader.person.email]]
    text, html = parts(mail.message)
    flat = " ".join(text.split())
    assert "Dr. Sami Reyes started the draft 'Call to action' in 'Parent panel'" in flat
    assert '"Smallest ask"' in flat
    assert "Tania Staff agreed with revision 1 of 'Call to action'" in flat
    assert "Dr. Sami Reyes made 'Call to action' final (revision 1)" in flat
    assert "Ask one family." in flat
    assert "Dr. Sami Reyes recorded a decision in 'Parent panel'" in flat
    assert "<strong>one family</strong>" in html


OBJECTIVES = (
    "From Priya and Dana's replies:\n\n- <b>Families</b> <script>x</script> lead one session"
)


async def test_a_started_or_revised_draft_is_mailed_with_its_text_escaped_and_cut_when_long(
    db: Database,
    client: GraphQLClient,
    settings: Settings,
    plugin_host: PluginHost,
    smtp: SmtpServer,
) -> None:
    settings = smtp.settings_for(settings)
    people = await cast(db)
    owner, reader = people.participant, people.parent
    await client.data(PREFERENCES, token=reader.token)
    thread = await start(client, owner, audience="PARTICIPANTS", personIds=[reader.id])
    await revise(
        client, owner, thread["id"], "Panel objectives", OBJECTIVES, note="Started together"
    )
    long_text = "A long paragraph. " * 400 + "THE-END"
    await revise(client, owner, thread["id"], "Panel objectives", long_text)
    await client.settle()
    later = datetime.now(UTC) + timedelta(minutes=10)
    assert await deliver_mail(db, settings, plugin_host, now=later) == 1
    [mail] = smtp.received
    text, html = parts(mail.message)

    lines = text.splitlines()
    started = lines.index("* Dr. Sami Reyes started the draft 'Panel objectives' in 'Parent panel'")
    assert lines[started + 1] == '  "Started together"'  # the note and the time each on a line
    assert lines[started + 2].startswith("  ")
    assert "Started together" not in lines[started + 2]
    assert "  From Priya and Dana's replies:" in lines
    assert "  - <b>Families</b> <script>x</script> lead one session" in lines
    assert "<script>" not in html
    assert "&lt;b&gt;Families&lt;/b&gt; &lt;script&gt;x&lt;/script&gt; lead one session" in html
    # The long revision: its start, and a note that there is more; not the whole of it.
    assert "A long paragraph. A long paragraph." in text
    assert "THE-END" not in text
    assert "THE-END" not in html
    assert "(The draft is longer: read it all in the thread.)" in text
