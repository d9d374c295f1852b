"""Attacks on co-design threads that once worked, each kept as the test that shows it no longer
does: what the attacker tried, through the real app, and what they get now."""

from __future__ import annotations

import asyncio
import difflib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from codesign_helpers import Member, cast, member, post, start
from draft_helpers import AGREE, REVISE, revise
from icn_codesign.diff import MAX_COMPARISONS, diff
from icn_codesign.markup import MAX_NESTING
from sqlalchemy import select
from starlette.applications import Starlette
from test_activity import (
    HIDE,
    POST,
    TIMEOUT,
    Subscriber,
    _Client,
    mutate,
    registered,
    serving,
    subscribed,
)
from test_drafts import DIFF
from test_mail import PREFERENCES, parts
from websockets.exceptions import ConnectionClosed

from icn_graph.plugin_api import (
    Database,
    Membership,
    NetworkRole,
    PersonKind,
    PluginHost,
    Settings,
    to_global_id,
)
from icn_graph.testing import (
    GraphQLClient,
    SmtpServer,
    deliver_mail,
    revoke_tokens,
    set_network_role,
    user_errors,
)


def _alternating(lines: int, first: str, second: str) -> str:
    return "\n".join(first if index % 2 else second for index in range(lines))


async def test_a_diff_of_two_huge_revisions_costs_a_bounded_amount_of_work(
    db: Database, client: GraphQLClient
) -> None:
    """Attack: two revisions of a few thousand short repeated lines ("a", "b", "a", ...) make
    difflib compare every line with every other (25,000 lines took a minute of CPU per
    ``diff`` query). Now texts beyond ``MAX_COMPARISONS`` line pairs get a coarse diff: the
    common first and last lines as context, everything between replaced."""
    people = await cast(db)
    lines = 2_500
    assert lines * lines > MAX_COMPARISONS
    thread = await start(client, people.participant, audience="NETWORK")
    first = await revise(
        client, people.participant, thread["id"], "Big", _alternating(lines, "a", "b")
    )
    await revise(client, people.parent, thread["id"], "Big", _alternating(lines, "b", "a"))
    data = await client.data(
        DIFF, {"id": first["draft"]["id"], "from": 1, "to": 2}, token=people.colleague.token
    )
    found = data["node"]["diff"]
    assert (found["added"], found["removed"]) == (lines, lines)
    [hunk] = found["hunks"]
    assert hunk["header"] == f"@@ -1,{lines} +1,{lines} @@"


def test_a_small_change_in_a_huge_text_still_gets_an_exact_diff() -> None:
    """The lines both texts start and end with are set aside before the bound applies: one line
    changed in the middle of 4,000 is still a hunk of one line and its context."""
    old = [f"line {index}" for index in range(4_000)]
    new = [*old[:2_000], "changed", *old[2_001:]]
    found = diff("\n".join(old), "\n".join(new), old_label="1", new_label="2")
    [hunk] = found.hunks
    assert hunk.header == "@@ -1998,7 +1998,7 @@"
    assert (found.added, found.removed) == (1, 1)
    expected = difflib.unified_diff(old, new, fromfile="1", tofile="2", lineterm="")
    assert found.text == "\n".join(expected)


def test_the_text_of_a_diff_is_the_unified_diff() -> None:
    old = "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\neleven\ntwelve"
    new = "one\nTWO\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\neleven\ntwelve\nthirteen"
    found = diff(old, new, old_label="a (1)", new_label="a (2)")
    expected = difflib.unified_diff(
        old.splitlines(), new.splitlines(), fromfile="a (1)", tofile="a (2)", lineterm=""
    )
    assert found.text == "\n".join(expected)
    assert len(found.hunks) == 2


async def _start(base_url: str, who: Member, audience: str, invited: list[str], **more: str) -> str:
    query = """mutation($input: StartThreadInput!) { startThread(input: $input) {
      thread { id } userErrors { field } } }"""
    variables = {
        "input": {"title": "Parent panel", "audience": audience, "personIds": invited, **more}
    }
    async with httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT) as http:
        response = await http.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {who.token}"},
        )
    thread_id: str = response.json()["data"]["startThread"]["thread"]["id"]
    return thread_id


async def _ended(subscriber: Subscriber) -> dict[str, Any]:
    """The message that ends a subscription: ``complete``, an error, or the socket closed (as
    a revocation does, with 4403); never activity."""
    try:
        got = await subscriber.receive()
    except ConnectionClosed as closed:
        got = {"type": "closed", "code": closed.rcvd.code if closed.rcvd else None}
    if got["type"] == "closed":
        assert got["code"] == 4403, got
        return got
    assert got["type"] in {"complete", "error"} or got["payload"].get("errors"), got
    return got


async def test_a_revoked_token_stops_hearing_a_thread(db: Database, app: Starlette) -> None:
    """Attack: subscribe, then keep the websocket open after the token is revoked."""
    people = await cast(db)
    async with serving(app) as base_url:
        thread = await _start(base_url, people.participant, "PARTICIPANTS", [people.parent.id])
        await app.state.dispatcher.drain()
        async with subscribed(base_url, people.parent, thread) as parent:
            await registered(app, thread)
            await revoke_tokens(db, people.parent.person)
            await mutate(base_url, people.participant, POST, {"id": thread, "body": "Secret"})
            ended = await _ended(parent)
            assert "Secret" not in json.dumps(ended)


async def test_leaving_a_centers_team_stops_hearing_its_thread(
    db: Database, app: Starlette
) -> None:
    """Attack: subscribe to the center's thread, then stay connected after staff remove one's
    membership of the center."""
    people = await cast(db)
    async with db.session() as session:
        membership = await session.scalar(
            select(Membership.id).where(Membership.person_id == people.colleague.person.id)
        )
    assert membership is not None
    remove = (
        """mutation($id: ID!) { removeMembership(input: {id: $id}) { userErrors { field } } }"""
    )
    async with serving(app) as base_url:
        thread = await _start(
            base_url,
            people.participant,
            "CENTER",
            [],
            centerId=to_global_id("Center", people.center.id),
        )
        await app.state.dispatcher.drain()
        async with subscribed(base_url, people.colleague, thread) as colleague:
            await registered(app, thread)
            await mutate(
                base_url, people.staff, remove, {"id": to_global_id("Membership", membership)}
            )
            await mutate(base_url, people.participant, POST, {"id": thread, "body": "Secret"})
            ended = await _ended(colleague)
            assert "Secret" not in json.dumps(ended)


async def test_staff_who_are_no_longer_staff_do_not_see_hidden_text_live(
    db: Database, app: Starlette
) -> None:
    """Attack: subscribe to a thread one takes part in while network staff, lose the staff
    role, keep the websocket open and read hidden messages' text in the activity (the
    connection's viewer was the one of subscribe time)."""
    people = await cast(db)
    other_staff = await member(db, "Ola Staff", PersonKind.STAFF, network_role=NetworkRole.STAFF)
    async with serving(app) as base_url:
        http = _Client(base_url)
        thread = await _start(base_url, people.staff, "PARTICIPANTS", [people.parent.id])
        message = await http.post(people.parent, thread, "Something better hidden")
        await app.state.dispatcher.drain()
        async with subscribed(base_url, people.staff, thread) as former:
            await registered(app, thread)
            await set_network_role(db, people.staff.person, NetworkRole.MEMBER)
            await mutate(base_url, other_staff, HIDE, {"id": message})
            got = (await former.receive())["payload"]["data"]["threadActivity"]
            assert got["kind"] == "MESSAGE_HIDDEN"
            assert got["subject"] == {"body": None, "hidden": True, "hiddenReason": "Duplicate"}


START_FOR = """mutation($input: StartThreadInput!) { startThread(input: $input) {
  thread { id center { name } } userErrors { field code } } }"""
CENTER_THREADS = "query($id: ID!) { node(id: $id) { ... on Center { threads { title } } } }"


@pytest.mark.parametrize("audience", ["NETWORK", "PARTICIPANTS"])
async def test_no_one_files_a_thread_under_another_center(
    db: Database, client: GraphQLClient, audience: str
) -> None:
    """Attack: a clinician of Cincinnati starts a NETWORK (or PARTICIPANTS) thread with
    Seattle's ``centerId``: only CENTER threads checked that the center was the starter's own,
    so the thread said ``center: Seattle Children's`` and was listed in Seattle's
    ``Center.threads``, as if Seattle's team had started it."""
    people = await cast(db)
    seattle = to_global_id("Center", people.other_center.id)
    variables = {"input": {"title": "Seattle's numbers", "audience": audience, "centerId": seattle}}
    data = await client.data(START_FOR, variables, token=people.participant.token)
    assert data["startThread"]["thread"] is None
    assert user_errors(data["startThread"]) == [("centerId", "INVALID")]
    listed = await client.data(CENTER_THREADS, {"id": seattle}, token=people.outsider.token)
    assert listed["node"]["threads"] == []
    # Their own center, or any center for network staff, is fine.
    own = to_global_id("Center", people.center.id)
    for who, center in ((people.participant, own), (people.staff, seattle)):
        variables["input"]["centerId"] = center
        data = await client.data(START_FOR, variables, token=who.token)
        assert data["startThread"]["userErrors"] == []


HIDE_NOW = """mutation($id: ID!) { hideMessage(input: {id: $id, reason: "Off topic"}) {
  userErrors { field } } }"""


async def test_a_message_hidden_before_its_mail_goes_is_not_mailed(
    db: Database,
    client: GraphQLClient,
    settings: Settings,
    plugin_host: PluginHost,
    smtp: SmtpServer,
) -> None:
    """Attack: post something, let staff hide it within the batching window: the mail already
    queued still carries the text to every participant (and to whom it mentions)."""
    settings = smtp.settings_for(settings)
    people = await cast(db)
    await client.data(PREFERENCES, token=people.parent.token)
    thread = await start(
        client, people.participant, audience="PARTICIPANTS", personIds=[people.parent.id]
    )
    message = await post(client, people.participant, thread["id"], "Unkind words @Jamie Rivera")
    await client.data(HIDE_NOW, {"id": message["id"]}, token=people.staff.token)
    await client.settle()
    later = datetime.now(UTC) + timedelta(minutes=10)
    await deliver_mail(db, settings, plugin_host, now=later)
    for mail in smtp.messages:
        text, html = parts(mail)
        assert "Unkind words" not in text + html


async def test_markdown_nests_at_most_twenty_levels(db: Database, client: GraphQLClient) -> None:
    """Attack: a message (or a 50,000-character draft) of nothing but ``[`` or deeply nested
    quotes and lists: markdown-it's work per character grows with how deep it lets things nest
    (100 levels by default: five seconds of CPU for one draft, with the API process's event loop
    blocked meanwhile). Twenty levels is deeper than any message needs, and costs a fifth."""
    people = await cast(db)
    thread = await start(client, people.participant, audience="NETWORK")
    quoted = await post(client, people.participant, thread["id"], "> " * 40 + "deep")
    assert quoted["bodyHtml"].count("<blockquote>") == MAX_NESTING
    listed = await post(client, people.participant, thread["id"], "- " * 40 + "deep")
    assert listed["bodyHtml"].count("<ul>") <= MAX_NESTING
    shallow = await post(client, people.participant, thread["id"], "> > > three")
    assert shallow["bodyHtml"].count("<blockquote>") == 3


async def test_a_hidden_message_does_not_say_whom_it_named(
    db: Database, client: GraphQLClient
) -> None:
    """Attack: staff hid a message for what it said about someone; its text is gone, but
    ``mentions`` (read from that text) still named the person it was about, to everyone."""
    people = await cast(db)
    thread = await start(client, people.participant, audience="NETWORK")
    message = await post(
        client, people.participant, thread["id"], "@Jamie Rivera should not be a partner"
    )
    await client.data(HIDE_NOW, {"id": message["id"]}, token=people.staff.token)
    query = """query($id: ID!) { node(id: $id) { ... on ThreadMessage {
      body mentions { displayName } } } }"""
    seen = await client.data(query, {"id": message["id"]}, token=people.outsider.token)
    assert seen["node"] == {"body": None, "mentions": []}
    moderated = await client.data(query, {"id": message["id"]}, token=people.staff.token)
    assert moderated["node"]["mentions"] == [{"displayName": "Jamie Rivera"}]


async def test_a_double_click_on_send_posts_twice_rather_than_failing(
    db: Database, client: GraphQLClient
) -> None:
    """Attack (or a double click): someone who has not posted in a NETWORK thread sends the
    same postMessage four times at once. Each joined the thread by reading "not a participant"
    and inserting the row, so all but one failed on the participants' key: INTERNAL errors,
    the messages lost. Agreeing four times at once failed the same way on SQLite."""
    people = await cast(db)
    thread = await start(client, people.participant, audience="NETWORK")
    posted = await asyncio.gather(
        *[
            client.execute(
                POST,
                {"id": thread["id"], "body": f"Count me in ({n})"},
                token=people.colleague.token,
            )
            for n in range(4)
        ]
    )
    assert [body.get("errors") for body in posted] == [None] * 4
    assert all(body["data"]["postMessage"]["userErrors"] == [] for body in posted)
    read = """query($id: ID!) { node(id: $id) { ... on Thread {
      participants { person { displayName } } messages { totalCount } } } }"""
    data = await client.data(read, {"id": thread["id"]}, token=people.colleague.token)
    assert data["node"]["messages"]["totalCount"] == 4
    assert data["node"]["participants"] == [
        {"person": {"displayName": "Dr. Sami Reyes"}},
        {"person": {"displayName": "Nora Quinn"}},
    ]
    written = await revise(client, people.participant, thread["id"], "Objectives", "One.")
    revision = written["revision"]["id"]
    agreed = await asyncio.gather(
        *[
            client.execute(AGREE, {"revision": revision}, token=people.parent.token)
            for _ in range(4)
        ]
    )
    assert [body.get("errors") for body in agreed] == [None] * 4
    [once] = {
        json.dumps(body["data"]["agreeToRevision"]["revision"]["agreements"]) for body in agreed
    }
    assert json.loads(once) == [{"person": {"displayName": "Jamie Rivera"}}]


async def test_revisions_sent_at_once_are_numbered_or_refused_never_a_crash(
    db: Database, client: GraphQLClient
) -> None:
    """Attack: four reviseDraft of one draft at once. PostgreSQL locks the draft's row; SQLite
    cannot, so all four read the same revision count and all but one failed on the revision
    number's key: INTERNAL errors. Now the losers are told to read the new revision."""
    people = await cast(db)
    thread = await start(client, people.participant, audience="NETWORK")
    await revise(client, people.participant, thread["id"], "Objectives", "One.")
    sent = await asyncio.gather(
        *[
            client.execute(
                REVISE,
                {"input": {"threadId": thread["id"], "name": "Objectives", "body": f"Two ({n})."}},
                token=people.parent.token,
            )
            for n in range(4)
        ]
    )
    assert [body.get("errors") for body in sent] == [None] * 4
    numbers = sorted(
        body["data"]["reviseDraft"]["revision"]["number"]
        for body in sent
        if body["data"]["reviseDraft"]["revision"]
    )
    refused = [body["data"]["reviseDraft"]["userErrors"] for body in sent]
    assert numbers == list(range(2, 2 + len(numbers)))
    for errors in refused:
        assert [(error["field"], error["code"]) for error in errors] in ([], [("name", "CONFLICT")])
    assert len(numbers) + sum(1 for errors in refused if errors) == 4


INBOX_DATA = "{ viewer { notifications { nodes { kind data url appPath summary } } } }"


async def test_a_hidden_messages_text_never_reaches_notification_data(
    db: Database, client: GraphQLClient
) -> None:
    """Attack: read ``Notification.data`` of a message staff hid since it was posted; the event
    kept its text. The text is withheld from data: the app reads the message itself."""
    people = await cast(db)
    thread = await start(
        client, people.participant, audience="PARTICIPANTS", personIds=[people.parent.id]
    )
    message = await post(client, people.participant, thread["id"], "Unkind words @Jamie Rivera")
    await client.data(HIDE_NOW, {"id": message["id"]}, token=people.staff.token)
    data = await client.data(INBOX_DATA, token=people.parent.token)
    nodes = data["viewer"]["notifications"]["nodes"]
    kinds = {node["kind"]: node for node in nodes}
    assert {"THREAD_MESSAGE_POSTED", "THREAD_MENTIONED"} <= set(kinds)
    for kind in ("THREAD_MESSAGE_POSTED", "THREAD_MENTIONED"):
        assert kinds[kind]["data"]["message"] == message["id"]
        assert kinds[kind]["data"]["author_name"] == "Dr. Sami Reyes"
    assert "Unkind words" not in json.dumps(data)


async def test_who_left_a_thread_reads_nothing_of_it_in_old_notifications(
    db: Database, client: GraphQLClient
) -> None:
    """Attack: leave a participants-only thread, then read what the notifications of it kept
    (its title, who wrote, links to it). Once the thread is hidden from them, ``data`` and
    ``appPath`` are null and ``url`` is the app's home."""
    people = await cast(db)
    thread = await start(
        client,
        people.participant,
        audience="PARTICIPANTS",
        personIds=[people.parent.id],
        title="Secret plans",
    )
    await post(client, people.participant, thread["id"], "Before you go")
    before = await client.data(INBOX_DATA, token=people.parent.token)
    assert any(node["data"] for node in before["viewer"]["notifications"]["nodes"])
    left = await client.data(LEAVE_NOW, {"id": thread["id"]}, token=people.parent.token)
    assert left["leaveThread"]["userErrors"] == []
    after = await client.data(INBOX_DATA, token=people.parent.token)
    nodes = after["viewer"]["notifications"]["nodes"]
    assert nodes
    for node in nodes:
        assert (node["data"], node["appPath"]) == (None, None)
        assert "graphql" in node["url"]  # the explorer's home, as mail links what is gone
    assert "Secret plans" not in json.dumps(after)
    assert "Dr. Sami Reyes" not in json.dumps([node["data"] for node in nodes])


LEAVE_NOW = """mutation($id: ID!) { leaveThread(input: {id: $id}) { userErrors { field } } }"""
