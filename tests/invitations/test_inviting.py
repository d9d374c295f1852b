"""invitePerson's rules: who may invite, what input is refused (naming the field), that the
answer never tells who has an account, re-inviting, and accounts that already exist."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select, update

from icn_graph.db.database import Database
from icn_graph.events.models import OutboxEvent
from icn_graph.models import ApiToken, CenterRole, Invitation, Membership, Person, PersonKind
from icn_graph.schema.relay import to_global_id
from icn_graph.testing import (
    GraphQLClient,
    SmtpServer,
    make_center,
    make_person,
    snapshot,
    token_for,
)
from tests.helpers import error_codes
from tests.invitations.helpers import (
    ACCEPT,
    CENTER_INVITATIONS,
    INVITE,
    Team,
    invitation_input,
    invite,
    invite_and_read_link,
    mailed_link,
)


def refused_fields(data: dict[str, Any]) -> list[tuple[str, str]]:
    payload = data["invitePerson"]
    assert payload["invitation"] is None
    return [(error["field"], error["code"]) for error in payload["userErrors"]]


@pytest.mark.parametrize("who", ["other-center-qi-lead", "parent-partner", "anonymous"])
async def test_only_staff_and_the_centers_qi_lead_may_invite(
    db: Database, client: GraphQLClient, smtp: SmtpServer, team: Team, who: str
) -> None:
    token = {
        "other-center-qi-lead": team.other_lead_token,
        "parent-partner": team.partner_token,
        "anonymous": None,
    }[who]
    before = await snapshot(db)
    body = await client.execute(INVITE, invitation_input(team.center_id), token=token)
    assert error_codes(body) == ["UNAUTHENTICATED" if token is None else "FORBIDDEN"]
    assert body["data"] is None
    assert await snapshot(db) == before
    assert smtp.messages == []


async def test_staff_invite_to_any_center(
    client: GraphQLClient, smtp: SmtpServer, team: Team
) -> None:
    for center_id in (team.center_id, team.other_center_id):
        payload = await invite(client, team.staff_token, center_id)
        assert payload["invitation"]["state"] == "PENDING"
    assert len(smtp.messages) == 2


async def test_hostile_input_gets_user_errors_naming_each_field(
    db: Database, client: GraphQLClient, smtp: SmtpServer, team: Team
) -> None:
    before = await snapshot(db)
    cases: list[tuple[dict[str, Any], list[tuple[str, str]]]] = [
        ({"email": "not an email"}, [("email", "INVALID")]),
        ({"email": "dana@example.org\r\nBcc: all@example.org"}, [("email", "INVALID")]),
        ({"email": " "}, [("email", "REQUIRED")]),
        ({"displayName": "Dana\r\nBcc: all@example.org"}, [("displayName", "INVALID")]),
        ({"displayName": "Dana\u2028Parent"}, [("displayName", "INVALID")]),
        ({"displayName": "Dana \u202eParent"}, [("displayName", "INVALID")]),
        ({"displayName": "x" * 121}, [("displayName", "TOO_LONG")]),
        ({"displayName": "  "}, [("displayName", "REQUIRED")]),
        ({"message": "x" * 10_000}, [("message", "TOO_LONG")]),
        ({"message": "Hello\x00there"}, [("message", "INVALID")]),
        (
            {"email": "@", "displayName": "", "message": "m" * 1001},
            [("email", "INVALID"), ("displayName", "REQUIRED"), ("message", "TOO_LONG")],
        ),
    ]
    for fields, expected in cases:
        data = await client.data(
            INVITE, invitation_input(team.center_id, **fields), token=team.lead_token
        )
        assert refused_fields(data) == expected, fields
    # A center that does not exist: staff learn it; for a QI lead it is not theirs to manage.
    missing = to_global_id("Center", 999_999)
    data = await client.data(INVITE, invitation_input(missing), token=team.staff_token)
    assert refused_fields(data) == [("centerId", "NOT_FOUND")]
    body = await client.execute(INVITE, invitation_input(missing), token=team.lead_token)
    assert error_codes(body) == ["FORBIDDEN"]
    body = await client.execute(INVITE, invitation_input("not-an-id"), token=team.staff_token)
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert await snapshot(db) == before
    assert smtp.messages == []


async def test_a_message_of_1000_characters_and_markup_in_names_are_fine(
    client: GraphQLClient, smtp: SmtpServer, team: Team
) -> None:
    name = '<img src=x onerror=alert(1)> "Dana" & Co'
    payload = await invite(
        client, team.lead_token, team.center_id, displayName=name, message="m" * 1000
    )
    assert payload["invitation"]["displayName"] == name
    [message] = smtp.messages
    # The name stays inside the To header's display name; the address is the one invited.
    assert message["To"].addresses[0].addr_spec == "dana.parent@example.org"
    assert message["To"].addresses[0].display_name == name
    html = message.get_body(("html",))
    assert html is not None
    assert "<img" not in html.get_content()
    assert "&lt;img src=x onerror=alert(1)&gt; &#34;Dana&#34; &amp; Co" in html.get_content()


async def test_names_from_the_database_cannot_add_headers_to_the_mail(
    db: Database, client: GraphQLClient, smtp: SmtpServer
) -> None:
    """Names that bypassed validation (older rows, direct imports) still stay on one line."""
    center = await make_center(db, name="Gamma\r\nBcc: center@example.org")
    lead = await make_person(
        db,
        PersonKind.QI_LEAD,
        center=center,
        role=CenterRole.QI_LEAD,
        display_name="Quinn\r\nBcc: lead@example.org\r\n\r\n<b>body</b>",
    )
    await invite(client, await token_for(db, lead), to_global_id("Center", center.id))
    [received] = smtp.received
    assert received.rcpt_tos == ["dana.parent@example.org"]
    message = received.message
    assert message["Bcc"] is None
    assert message["Subject"] == (
        "You are invited to join Gamma Bcc: center@example.org's care team as a parent partner "
        "on Test Network"
    )
    html = message.get_body(("html",))
    assert html is not None
    assert "<b>body</b>" not in html.get_content()


async def test_the_answer_is_the_same_whether_the_email_has_an_account_or_not(
    db: Database, client: GraphQLClient, smtp: SmtpServer, team: Team
) -> None:
    await make_person(db, display_name="Known Nurse", email="known@example.org")
    answers = []
    for email in ("known@example.org", "stranger@example.org"):
        data = await client.data(
            INVITE,
            invitation_input(team.center_id, email=email, displayName="Someone"),
            token=team.lead_token,
        )
        payload = data["invitePerson"]
        assert payload["invitation"].pop("email") == email
        assert payload["invitation"].pop("id")
        answers.append(payload)
    assert answers[0] == answers[1]
    assert answers[0]["userErrors"] == []
    assert [message["To"].addresses[0].display_name for message in smtp.messages] == [
        "Someone",
        "Someone",
    ]


async def test_an_account_with_the_email_gets_the_membership_not_a_second_person(
    db: Database, client: GraphQLClient, smtp: SmtpServer, team: Team
) -> None:
    nurse = await make_person(
        db,
        PersonKind.NURSE,
        center=team.other_center,
        display_name="Nia Nurse",
        email="Nia.Nurse@example.org",
    )
    _, token = await invite_and_read_link(
        client,
        smtp,
        team.lead_token,
        team.center_id,
        email="nia.nurse@EXAMPLE.org",
        displayName="Nia N.",
        role="NURSE",
    )
    people_before = await _count(db, Person)
    tokens_before = await _count(db, ApiToken)
    accepted = (await client.data(ACCEPT, {"token": token}))["acceptInvitation"]
    assert accepted["userErrors"] == []
    assert accepted["person"] == {
        "id": to_global_id("Person", nurse.id),
        "displayName": "Nia Nurse",  # the account's own name, not the invitation's
        "kind": "NURSE",
    }
    assert accepted["membership"] == {"role": "NURSE", "center": {"name": "Alpha Hospital"}}
    assert await _count(db, Person) == people_before
    # No session (review F6): the invitation is not a 14-day sign-in link to the account.
    assert accepted["token"] is None
    assert accepted["expiresAt"] is None
    assert await _count(db, ApiToken) == tokens_before
    async with db.session() as session:
        types = (await session.scalars(select(OutboxEvent.type).order_by(OutboxEvent.id))).all()
        centers = set(
            await session.scalars(
                select(Membership.center_id).where(Membership.person_id == nurse.id)
            )
        )
    assert types == ["membership.added"]
    assert centers == {team.center.id, team.other_center.id}


async def test_someone_already_on_the_team_is_refused_to_staff_and_the_qi_lead(
    db: Database, client: GraphQLClient, smtp: SmtpServer, team: Team
) -> None:
    await make_person(db, center=team.center, email="On.Team@example.org")
    before = await snapshot(db)
    for token in (team.lead_token, team.staff_token):
        data = await client.data(
            INVITE, invitation_input(team.center_id, email="on.team@example.org"), token=token
        )
        assert data["invitePerson"]["userErrors"] == [
            {
                "field": "email",
                "code": "TAKEN",
                "message": "Someone with this email is already on Alpha Hospital's team.",
            }
        ]
    assert await snapshot(db) == before
    # On another center's team they can be invited.
    await invite(client, team.staff_token, team.other_center_id, email="on.team@example.org")


async def test_inviting_again_withdraws_the_earlier_link(
    db: Database, client: GraphQLClient, smtp: SmtpServer, team: Team
) -> None:
    first, first_link = await invite_and_read_link(client, smtp, team.lead_token, team.center_id)
    elsewhere, elsewhere_link = await invite_and_read_link(
        client, smtp, team.staff_token, team.other_center_id
    )
    second, second_link = await invite_and_read_link(
        client, smtp, team.staff_token, team.center_id, email="DANA.parent@example.org"
    )
    listed = await client.data(CENTER_INVITATIONS, {"id": team.center_id}, token=team.lead_token)
    states = [(node["id"], node["state"]) for node in listed["node"]["invitations"]["nodes"]]
    assert states == [
        (second["invitation"]["id"], "PENDING"),
        (first["invitation"]["id"], "REVOKED"),
    ]
    refused = (await client.data(ACCEPT, {"token": first_link}))["acceptInvitation"]
    assert refused["token"] is None
    assert (await client.data(ACCEPT, {"token": second_link}))["acceptInvitation"]["token"]
    # The invitation to the other center was not touched, and adds that membership too.
    joined = (await client.data(ACCEPT, {"token": elsewhere_link}))["acceptInvitation"]
    assert joined["membership"]["center"] == {"name": "Beta Hospital"}
    assert elsewhere["invitation"]["state"] == "PENDING"


async def test_an_account_already_on_the_team_when_accepting_keeps_its_role(
    db: Database, client: GraphQLClient, smtp: SmtpServer, team: Team
) -> None:
    _, token = await invite_and_read_link(client, smtp, team.lead_token, team.center_id)
    # Made and put on the team some other way in the meantime.
    dana = await make_person(
        db, PersonKind.NURSE, center=team.center, email="dana.parent@example.org"
    )
    accepted = (await client.data(ACCEPT, {"token": token}))["acceptInvitation"]
    assert accepted["person"]["id"] == to_global_id("Person", dana.id)
    assert accepted["membership"] == {"role": "NURSE", "center": {"name": "Alpha Hospital"}}
    async with db.session() as session:
        count = await session.scalar(select(func.count()).select_from(OutboxEvent))
    assert count == 0


async def test_a_deactivated_accounts_invitation_is_refused_like_an_unknown_link(
    db: Database, client: GraphQLClient, smtp: SmtpServer, team: Team
) -> None:
    gone = await make_person(db, email="gone@example.org")
    _, token = await invite_and_read_link(
        client, smtp, team.lead_token, team.center_id, email="gone@example.org"
    )
    async with db.transaction() as session:
        await session.execute(
            update(Person).where(Person.id == gone.id).values(deactivated_at=datetime.now(UTC))
        )
    before = await snapshot(db)
    refused = (await client.data(ACCEPT, {"token": token}))["acceptInvitation"]
    unknown = (await client.data(ACCEPT, {"token": "icninv_" + "y" * 43}))["acceptInvitation"]
    assert refused == unknown
    assert refused["token"] is None
    page = await client.http.post(f"/invitation/{token}")
    shown = await client.http.get(f"/invitation/{token}")
    unknown_page = await client.http.get("/invitation/icninv_unknown")
    assert page.status_code == shown.status_code == 400
    assert page.text == shown.text == unknown_page.text
    assert await snapshot(db) == before


async def test_withdrawing_who_may_and_what_it_does(
    db: Database, client: GraphQLClient, smtp: SmtpServer, team: Team
) -> None:
    sent, token = await invite_and_read_link(client, smtp, team.lead_token, team.center_id)
    invitation_id = sent["invitation"]["id"]
    revoke = (
        "mutation($id: ID!) { revokeInvitation(input: {id: $id}) {"
        " invitation { state } userErrors { field code } } }"
    )
    before = await snapshot(db)
    for other in (team.other_lead_token, team.partner_token):
        body = await client.execute(revoke, {"id": invitation_id}, token=other)
        assert error_codes(body) == ["NOT_FOUND"]
    assert await snapshot(db) == before
    # The inviter may, even once no longer the center's QI lead.
    async with db.transaction() as session:
        await session.execute(
            update(Membership)
            .where(Membership.person_id == team.qi_lead.id)
            .values(role=CenterRole.CLINICIAN)
        )
    data = await client.data(revoke, {"id": invitation_id}, token=team.lead_token)
    assert data["revokeInvitation"] == {"invitation": {"state": "REVOKED"}, "userErrors": []}
    # Again: still withdrawn, nothing else changes.
    again = await client.data(revoke, {"id": invitation_id}, token=team.staff_token)
    assert again == data
    assert (await client.data(ACCEPT, {"token": token}))["acceptInvitation"]["token"] is None

    # An accepted invitation cannot be withdrawn.
    accepted, accepted_link = await invite_and_read_link(
        client, smtp, team.staff_token, team.center_id, email="ama@example.org"
    )
    assert (await client.data(ACCEPT, {"token": accepted_link}))["acceptInvitation"]["token"]
    before = await snapshot(db)
    data = await client.data(revoke, {"id": accepted["invitation"]["id"]}, token=team.staff_token)
    assert data["revokeInvitation"] == {
        "invitation": None,
        "userErrors": [{"field": "id", "code": "CONFLICT"}],
    }
    assert await snapshot(db) == before


async def test_kind_follows_the_role(
    db: Database, client: GraphQLClient, smtp: SmtpServer, team: Team
) -> None:
    for role in ("PATIENT_PARTNER", "QI_LEAD", "DATA_MANAGER"):
        _, token = await invite_and_read_link(
            client, smtp, team.staff_token, team.center_id, email=f"{role}@example.org", role=role
        )
        accepted = (await client.data(ACCEPT, {"token": token}))["acceptInvitation"]
        assert accepted["person"]["kind"] == role
        assert accepted["membership"]["role"] == role
    # A QI lead made by an invitation may invite in turn.
    async with db.session() as session:
        new_lead = (
            await session.scalars(select(Person).where(Person.email_key == "qi_lead@example.org"))
        ).one()
    payload = await invite(
        client, await token_for(db, new_lead), team.center_id, email="next@example.org"
    )
    assert mailed_link(smtp.messages[-1])
    assert payload["invitation"]["invitedBy"]["displayName"] == new_lead.display_name


async def _count(db: Database, model: type[Invitation] | type[Person] | type[ApiToken]) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_on_the_page_an_existing_account_joins_and_signs_in_as_usual(
    db: Database, client: GraphQLClient, smtp: SmtpServer, team: Team
) -> None:
    """Review F6: the page adds the membership, opens no session, shows no token, and points
    to the usual sign-in."""
    nurse = await make_person(
        db, PersonKind.NURSE, display_name="Nia Nurse", email="nia@example.org"
    )
    _, token = await invite_and_read_link(
        client, smtp, team.lead_token, team.center_id, email="nia@example.org", role="NURSE"
    )
    tokens_before = await _count(db, ApiToken)
    page = await client.http.post(f"/invitation/{token}")
    await client.settle()
    assert page.status_code == 200
    assert "You joined Alpha Hospital" in page.text
    assert "sign in as usual" in page.text
    assert '<a href="https://icn.example.org/graphql">Sign in</a>' in page.text
    assert "icn_" not in page.text
    assert await _count(db, ApiToken) == tokens_before
    async with db.session() as session:
        centers = set(
            await session.scalars(
                select(Membership.center_id).where(Membership.person_id == nurse.id)
            )
        )
    assert centers == {team.center.id}


async def test_a_deactivated_accounts_email_is_not_invited(
    db: Database, client: GraphQLClient, smtp: SmtpServer, team: Team
) -> None:
    """Review F9: refused with a userError instead of mailing a link that cannot work."""
    await make_person(db, email="gone@example.org", deactivated_at=datetime.now(UTC))
    before = await snapshot(db)
    data = await client.data(
        INVITE, invitation_input(team.center_id, email="Gone@example.org"), token=team.lead_token
    )
    assert refused_fields(data) == [("email", "CONFLICT")]
    await client.settle()
    assert smtp.messages == []
    assert await snapshot(db) == before
