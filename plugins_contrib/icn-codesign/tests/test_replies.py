"""Replies by email: mail about a thread offers a signed Reply-To, and core's mail-in hands the
reply's new text to ``post_reply``, which posts it as the person through the same rules as the
app, or refuses (nothing is posted)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from codesign_helpers import Member, cast, post, start
from icn_codesign.replies import post_reply

from icn_graph.plugin_api import (
    BadInput,
    Database,
    InboundReply,
    NotFound,
    PluginHost,
    ServiceError,
    Settings,
    parse_global_id,
    to_global_id,
    viewers_of,
)
from icn_graph.testing import GraphQLClient, SmtpServer, deliver_mail, snapshot

PREFERENCES = """mutation {
  updateNotificationPreferences(input: {delivery: IMMEDIATE, quietHoursStart: null,
                                        quietHoursEnd: null}) { userErrors { field } } }"""
MESSAGES = """query($id: ID!) { node(id: $id) { ... on Thread {
  messages { nodes { body source author { displayName } } } } } }"""


async def reply_as(db: Database, who: Member, subject_id: str, text: str) -> None:
    received = datetime.now(UTC)
    reply = InboundReply(
        person_id=who.person.id,
        subject_id=subject_id,
        text=text,
        message_id="<reply-1@mail.example.org>",
        received_at=received,
    )
    async with db.transaction() as session:
        viewer = (await viewers_of(session, [who.person.id]))[who.person.id]
        await post_reply(session, viewer, reply)


async def test_mail_about_a_thread_can_be_answered_and_the_answer_is_posted(
    db: Database,
    client: GraphQLClient,
    settings: Settings,
    plugin_host: PluginHost,
    smtp: SmtpServer,
) -> None:
    settings = smtp.settings_for(settings).model_copy(
        update={"mail_reply_domain": "reply.icn.example.org"}
    )
    people = await cast(db)
    await client.data(PREFERENCES, token=people.parent.token)
    thread = await start(
        client, people.participant, audience="PARTICIPANTS", personIds=[people.parent.id]
    )
    await post(client, people.participant, thread["id"], "Would you speak on the panel?")
    await client.settle()
    later = datetime.now(UTC) + timedelta(minutes=10)
    assert await deliver_mail(db, settings, plugin_host, now=later) == 1
    [message] = smtp.messages
    reply_to = message["Reply-To"].addresses[0].addr_spec
    assert reply_to.startswith("reply+")
    assert reply_to.endswith("@reply.icn.example.org")

    await reply_as(db, people.parent, thread["id"], "Yes, **gladly**. @Dr. Sami Reyes")
    data = await client.data(MESSAGES, {"id": thread["id"]}, token=people.participant.token)
    assert data["node"]["messages"]["nodes"][-1] == {
        "body": "Yes, **gladly**. @Dr. Sami Reyes",
        "source": "EMAIL",
        "author": {"displayName": "Jamie Rivera"},
    }


async def test_refused_replies_post_nothing(db: Database, client: GraphQLClient) -> None:
    people = await cast(db)
    thread = await start(client, people.participant, audience="PARTICIPANTS")
    before = await snapshot(db)
    cases: list[tuple[Member, str, str, type[ServiceError]]] = [
        (people.outsider, thread["id"], "Let me in", NotFound),  # may not see the thread
        (people.participant, to_global_id("Center", people.center.id), "Hi", BadInput),
        (people.participant, thread["id"], "   ", BadInput),
        (people.participant, "not an id", "Hi", BadInput),
    ]
    for who, subject, text, refusal in cases:
        with pytest.raises(refusal):
            await reply_as(db, who, subject, text)
    assert await snapshot(db) == before
    assert parse_global_id(thread["id"])[0] == "Thread"


async def test_a_reply_of_several_lines_is_posted_with_its_line_breaks(
    db: Database, client: GraphQLClient
) -> None:
    """Replies by mail are rarely one line; they are checked as messages are (line feeds and
    tabs kept, other control characters refused), not as a one-line title."""
    people = await cast(db)
    thread = await start(
        client, people.participant, audience="PARTICIPANTS", personIds=[people.parent.id]
    )
    text = "Yes, gladly.\n\nTwo things:\n- evening meetings\n- a buddy\n\n\tJamie"
    await reply_as(db, people.parent, thread["id"], text)
    data = await client.data(MESSAGES, {"id": thread["id"]}, token=people.participant.token)
    assert data["node"]["messages"]["nodes"][-1]["body"] == text.strip()
    with pytest.raises(BadInput):
        await reply_as(db, people.parent, thread["id"], "Bell\x07")
