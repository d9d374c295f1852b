"""A data request's discussion is a co-design thread like any other: opened with the request,
the asked centers' deciders joining by commenting (not brought in), and answered by email
through ``icn-graph mail-in`` (real SMTP both ways)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from typing import Any

from codesign_helpers import Member, member
from test_reply_by_email import NEW_TEXT, PREFERENCES, REPLY_DOMAIN, relay, reply_to, text_of

from icn_graph.plugin_api import (
    CenterRole,
    Database,
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
    mail_in_listener,
    make_center,
)

REQUEST = """
mutation($input: RequestDataInput!) {
  requestData(input: $input) { dataRequest { id discussion { id } } userErrors { field } }
}
"""
PROPOSE = """
mutation($input: ProposeDataViewInput!) {
  proposeDataView(input: $input) { view { id } userErrors { field } }
}
"""
COMMENT = """
mutation($input: CommentOnDataRequestInput!) {
  commentOnDataRequest(input: $input) { message { id } userErrors { field } }
}
"""
ACCEPT = """
mutation($id: ID!) {
  acceptDataView(input: {id: $id}) { dataRequest { state } userErrors { field } }
}
"""
THREAD = """
query($id: ID!) { node(id: $id) { ... on Thread {
  participants { person { displayName } }
  messages { nodes { body source author { displayName } } }
} } }
"""


async def ok(client: GraphQLClient, document: str, who: Member, **variables: Any) -> Any:
    data = await client.data(document, variables, token=who.token)
    [payload] = data.values()
    assert payload["userErrors"] == [], payload
    return payload


def thread_mail(smtp: SmtpServer, seen: int, address: str) -> EmailMessage:
    """The one message since ``seen`` to ``address`` that takes replies (the thread's)."""
    found = [
        item.message
        for item in smtp.received[seen:]
        if address in item.rcpt_tos and item.message["Reply-To"] is not None
    ]
    assert len(found) == 1, found
    return found[0]


async def test_deciders_join_the_thread_by_commenting_and_then_reply_by_email(
    db: Database,
    client: GraphQLClient,
    settings: Settings,
    plugin_host: PluginHost,
    smtp: SmtpServer,
) -> None:
    settings = smtp.settings_for(settings).model_copy(update={"mail_reply_domain": REPLY_DOMAIN})
    center = await make_center(db, name="Cincinnati Children's")
    parent = await member(
        db, "Pat Parent", PersonKind.PARENT_PARTNER, center=center, role=CenterRole.PARENT_PARTNER
    )
    manager = await member(
        db, "Nia Network", PersonKind.DATA_MANAGER, network_role=NetworkRole.DATA_MANAGER
    )
    lead = await member(db, "Dr. Quinn", PersonKind.QI_LEAD, center=center)
    for who in (parent, manager, lead):
        await client.data(PREFERENCES, token=who.token)
    expires = (date.today() + timedelta(days=90)).isoformat()
    request = (
        await ok(
            client,
            REQUEST,
            parent,
            input={
                "purpose": "Spring 2014 Learning Session talk",
                "audience": "PUBLIC",
                "measureKeys": ["remission_rate"],
                "periodStart": "2013-01-01",
                "periodEnd": "2014-03-01",
                "presentation": "One slide of remission by center.",
                "expiresOn": expires,
            },
        )
    )["dataRequest"]
    thread_id = request["discussion"]["id"]
    view = (
        await ok(
            client,
            PROPOSE,
            manager,
            input={
                "dataRequestId": request["id"],
                "measureKey": "remission_rate",
                "chart": "FUNNEL",
                "periodStart": "2013-01-01",
                "periodEnd": "2014-03-01",
                "centerIds": [to_global_id("Center", center.id)],
            },
        )
    )["view"]
    clock = datetime.now(UTC) + timedelta(minutes=10)
    await deliver_mail(db, settings, plugin_host, now=clock)
    seen = len(smtp.received)
    accepted = await ok(client, ACCEPT, parent, id=view["id"])
    assert accepted["dataRequest"]["state"] == "AWAITING_CENTERS"

    # The QI lead is asked by mail but not put into the thread (its participants see one
    # another); commenting is how the lead joins, and from then on the thread's mail takes
    # replies by email.
    clock += timedelta(minutes=10)
    await deliver_mail(db, settings, plugin_host, now=clock)
    assert not [
        item
        for item in smtp.received[seen:]
        if lead.person.email in item.rcpt_tos and item.message["Reply-To"] is not None
    ]
    await ok(client, COMMENT, lead, input={"dataRequestId": request["id"], "body": "Count us in."})
    await ok(client, COMMENT, manager, input={"dataRequestId": request["id"], "body": "Thank you!"})
    seen = len(smtp.received)
    clock += timedelta(minutes=10)
    await deliver_mail(db, settings, plugin_host, now=clock)
    mail = thread_mail(smtp, seen, lead.person.email)
    assert mail["Subject"] == "[Test Network] Spring 2014 Learning Session talk"

    async with mail_in_listener(db, settings) as port:
        address = mail["Reply-To"].addresses[0].addr_spec
        await relay(port, lead.person.email, address, reply_to(mail, lead))
        await client.settle()
    data = await client.data(THREAD, {"id": thread_id}, token=parent.token)
    participants = {p["person"]["displayName"] for p in data["node"]["participants"]}
    assert participants == {"Pat Parent", "Nia Network", "Dr. Quinn"}
    last = data["node"]["messages"]["nodes"][-1]
    assert last == {"body": NEW_TEXT, "source": "EMAIL", "author": {"displayName": "Dr. Quinn"}}

    # The requester hears of the reply in the thread's own mail.
    clock += timedelta(minutes=10)
    seen = len(smtp.received)
    await deliver_mail(db, settings, plugin_host, now=clock)
    assert "Should we ask about *school days* too?" in text_of(
        thread_mail(smtp, seen, parent.person.email)
    )
