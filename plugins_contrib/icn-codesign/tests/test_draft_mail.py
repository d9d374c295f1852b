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
