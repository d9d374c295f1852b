"""Who hears of what, in a real inbox (aiosmtpd on loopback): a new request reaches the network's
data manager; an accepted view asks each named center's deciders; every decision and every
revocation reaches the requester alone; comments, declines and withdrawals reach the request's
participants."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage

import pytest

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.plugins.manager import PluginHost
from icn_graph.testing import GraphQLClient, SmtpServer, deliver_mail
from tests.stewardship.workflow_helpers import (
    ACCEPT,
    COMMENT,
    DECIDE,
    PROPOSE,
    REVOKE,
    WITHDRAW,
    Cast,
    cast,
    new_request,
    ok,
    view_input,
)

PURPOSE = "Spring 2014 Learning Session talk"
PUBLISH = """
mutation($input: PublishDataViewInput!) {
  publishDataView(input: $input) { view { id } userErrors { field message code } }
}
"""


@pytest.fixture
def settings(migrated_url: str, smtp: SmtpServer) -> Settings:
    """Mail to the test server, at once, at any hour, for partners too."""
    base = Settings(database_url=migrated_url, network_name="Test Network", _env_file=None)  # type: ignore[arg-type,call-arg]
    return smtp.settings_for(base).model_copy(
        update={
            "notify_partner_delivery": "IMMEDIATE",
            "notify_care_team_delivery": "IMMEDIATE",
            "notify_quiet_hours": "",
        }
    )


class Inbox:
    """What the SMTP server received since the last look, by recipient."""

    def __init__(
        self, db: Database, settings: Settings, plugins: PluginHost, smtp: SmtpServer
    ) -> None:
        self.db, self.settings, self.plugins, self.smtp = db, settings, plugins, smtp
        self.seen = 0
        self.clock = datetime.now(UTC)

    async def new(self) -> dict[str, EmailMessage]:
        self.clock += timedelta(minutes=10)
        await deliver_mail(self.db, self.settings, self.plugins, now=self.clock)
        received = self.smtp.received[self.seen :]
        self.seen += len(received)
        found: dict[str, EmailMessage] = {}
        for item in received:
            for address in item.rcpt_tos:
                assert address not in found, f"two messages to {address}"
                found[address] = item.message
        return found


def text(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert isinstance(body, EmailMessage)
    return str(body.get_content())


def email(people: Cast, *roles: str) -> set[str]:
    return {getattr(people, role).person.email for role in roles}


NOTIFICATIONS = "{ viewer { notifications(first: 50) { nodes { type actor { displayName } } } } }"


async def test_each_step_mails_the_people_it_concerns(
    db: Database,
    client: GraphQLClient,
    settings: Settings,
    plugin_host: PluginHost,
    smtp: SmtpServer,
) -> None:
    people = await cast(db)
    inbox = Inbox(db, settings, plugin_host, smtp)

    request = await new_request(client, people, purpose=PURPOSE)
    mail = await inbox.new()
    assert set(mail) == email(people, "network_dm")
    message = mail[people.network_dm.person.email]
    assert message["Subject"] == f"[Test Network] {PURPOSE}"
    assert "Pat Parent asked to use network data" in text(message)
    assert "A slide of remission by center" in text(message)
    assert "Measures: remission rate" in text(message)  # words, not the measure's key

    await ok(client, COMMENT, people.network_dm, {"dataRequestId": request["id"], "body": "Why?"})
    mail = await inbox.new()
    assert set(mail) == email(people, "requester")
    assert "Why?" in text(mail[people.requester.person.email])

    view = (
        await ok(
            client, PROPOSE, people.network_dm, view_input(request["id"], [people.a, people.b])
        )
    )["view"]
    mail = await inbox.new()
    assert set(mail) == email(people, "requester")
    proposed = text(mail[people.requester.person.email])
    assert "proposed a view (version 1)" in proposed
    assert "Chart: a funnel plot of remission rate" in proposed

    await ok(client, ACCEPT, people.requester, {"id": view["id"]})
    mail = await inbox.new()
    # Each named center's deciders are asked; the other center's QI lead hears nothing.
    assert set(mail) == email(people, "network_dm", "qi_lead_a", "data_manager_a", "qi_lead_b")
    asked = text(mail[people.qi_lead_a.person.email])
    assert "accepted version 1 of the view" in asked
    assert "whether it may be named" in asked

    consent = (
        await ok(
            client,
            DECIDE,
            people.qi_lead_a,
            {"dataViewId": view["id"], "centerId": people.a, "decision": "CONSENT", "note": "Go!"},
        )
    )["consent"]
    mail = await inbox.new()
    assert set(mail) == email(people, "requester")  # personal: no other center learns it
    decided = text(mail[people.requester.person.email])
    assert "Cincinnati Children's consented to be named" in decided
    assert "Go!" in decided
    until = date.fromisoformat(consent["expiresOn"])
    assert f"Until {until.day} {until:%B %Y}, for version 1 of the view." in decided

    await ok(
        client,
        DECIDE,
        people.qi_lead_b,
        {"dataViewId": view["id"], "centerId": people.b, "decision": "DECLINE"},
    )
    mail = await inbox.new()
    # B's decline reaches no one by itself (told which center declined, and when, the requester
    # would tie it to the blinded series it adds); the approval that follows reaches every
    # participant, B's QI lead included: the approval is no one's act, so it names no one
    # (naming B's QI lead would tell center A that B is in the view).
    assert "Seattle" not in text(mail[people.requester.person.email])
    assert set(mail) == email(
        people, "requester", "network_dm", "qi_lead_a", "data_manager_a", "qi_lead_b"
    )
    assert "Seattle" not in text(mail[people.qi_lead_a.person.email])
    notifications = await client.data(NOTIFICATIONS, token=people.qi_lead_a.token)
    [approval] = [
        n
        for n in notifications["viewer"]["notifications"]["nodes"]
        if n["type"] == "data_request.approved"
    ]
    assert approval["actor"] is None

    published = await client.data(
        PUBLISH, {"input": {"id": view["id"]}}, token=people.network_dm.token
    )
    assert published["publishDataView"]["userErrors"] == []
    mail = await inbox.new()
    # Everyone following the request but the publisher hears that its audience can open it now.
    assert set(mail) == email(people, "requester", "qi_lead_a", "data_manager_a", "qi_lead_b")
    told = " ".join(text(mail[people.requester.person.email]).split())
    assert "Nia Network published the view for 'Spring 2014 Learning Session talk'" in told
    assert "anyone holding its public link can now open it" in told

    await ok(
        client, REVOKE, people.data_manager_a, {"id": consent["id"], "reason": "After the talk"}
    )
    mail = await inbox.new()
    assert set(mail) == email(people, "requester")
    revoked = text(mail[people.requester.person.email])
    assert "Cincinnati Children's revoked its consent" in revoked
    assert "After the talk" in revoked

    await ok(client, WITHDRAW, people.requester, {"id": request["id"]})
    mail = await inbox.new()
    assert set(mail) == email(people, "network_dm", "qi_lead_a", "data_manager_a", "qi_lead_b")
    assert "Nothing of it is shown any more" in text(mail[people.qi_lead_b.person.email])
    assert people.qi_lead_c.person.email not in {
        address for item in smtp.received for address in item.rcpt_tos
    }


FOLLOW = """
mutation($input: FollowInput!) {
  follow(input: $input) {
    follow { subjectId level reason subject { __typename ... on DataRequest { purpose } } }
    userErrors { field code }
  }
}
"""


async def test_people_who_see_a_request_may_follow_it_and_no_one_else(
    db: Database, client: GraphQLClient
) -> None:
    people = await cast(db)
    request = await new_request(client, people, purpose=PURPOSE)
    follow = {"input": {"subjectId": request["id"], "level": "WATCHING"}}
    data = await client.data(FOLLOW, follow, token=people.staff.token)
    assert data["follow"]["follow"] == {
        "subjectId": request["id"],
        "level": "WATCHING",
        "reason": "MANUAL",
        "subject": {"__typename": "DataRequest", "purpose": PURPOSE},
    }
    # The requester and the data manager told already follow it (they may mute it).
    data = await client.data(
        FOLLOW,
        {"input": {"subjectId": request["id"], "level": "MUTED"}},
        token=people.network_dm.token,
    )
    assert data["follow"]["follow"]["level"] == "MUTED"
    for stranger in (people.qi_lead_c, people.other_parent):
        data = await client.data(FOLLOW, follow, token=stranger.token)
        assert data["follow"]["follow"] is None
        assert data["follow"]["userErrors"] == [{"field": "subjectId", "code": "NOT_FOUND"}]
