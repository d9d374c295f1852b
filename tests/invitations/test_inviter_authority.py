"""Review F2: an invitation is only as good as its inviter's authority. Deactivating the inviter,
or removing the QI-lead membership that let them invite, withdraws their pending invitations;
and acceptance checks again that the inviter is active and may still invite to that center, so
an invitation that lost its authority some other way is void too (the same answer as a
withdrawn one)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update

from icn_graph.db.database import Database
from icn_graph.models import CenterRole, Membership, NetworkRole, Person, PersonKind
from icn_graph.schema.relay import to_global_id
from icn_graph.testing import GraphQLClient, SmtpServer, make_person, snapshot, token_for
from tests.accounts.helpers import DEACTIVATE
from tests.invitations.helpers import ACCEPT, CENTER_INVITATIONS, Team, invite_and_read_link

REMOVE_MEMBERSHIP = (
    "mutation($id: ID!) { removeMembership(input: {id: $id}) {"
    " removedMembershipId userErrors { field message code } } }"
)
UNKNOWN_LINK = "icninv_" + "z" * 43


async def _refused_like_an_unknown_link(client: GraphQLClient, db: Database, token: str) -> None:
    before = await snapshot(db)
    refused = (await client.data(ACCEPT, {"token": token}))["acceptInvitation"]
    unknown = (await client.data(ACCEPT, {"token": UNKNOWN_LINK}))["acceptInvitation"]
    assert refused == unknown
    assert refused["token"] is None
    shown = await client.http.get(f"/invitation/{token}")
    pressed = await client.http.post(f"/invitation/{token}")
    unknown_page = await client.http.get(f"/invitation/{UNKNOWN_LINK}")
    assert shown.status_code == pressed.status_code == 400
    assert shown.text == pressed.text == unknown_page.text
    await client.settle()
    assert await snapshot(db) == before


async def _states(client: GraphQLClient, team: Team) -> list[str]:
    listed = await client.data(CENTER_INVITATIONS, {"id": team.center_id}, token=team.staff_token)
    return [node["state"] for node in listed["node"]["invitations"]["nodes"]]


async def _lead_membership_id(db: Database, person: Person) -> str:
    async with db.session() as session:
        membership = (
            await session.scalars(select(Membership).where(Membership.person_id == person.id))
        ).one()
    return to_global_id("Membership", membership.id)


async def test_deactivating_the_inviter_withdraws_their_invitations(
    db: Database, client: GraphQLClient, smtp: SmtpServer, team: Team
) -> None:
    _, token = await invite_and_read_link(
        client, smtp, team.lead_token, team.center_id, email="ghost@example.org", role="QI_LEAD"
    )
    done = await client.data(
        DEACTIVATE,
        {"input": {"id": to_global_id("Person", team.qi_lead.id)}},
        token=team.staff_token,
    )
    assert done["deactivatePerson"]["userErrors"] == []
    assert await _states(client, team) == ["REVOKED"]
    await _refused_like_an_unknown_link(client, db, token)


async def test_removing_the_qi_lead_membership_withdraws_their_invitations_there(
    db: Database, client: GraphQLClient, smtp: SmtpServer, team: Team
) -> None:
    _, token = await invite_and_read_link(
        client, smtp, team.lead_token, team.center_id, email="ghost@example.org", role="QI_LEAD"
    )
    removed = await client.data(
        REMOVE_MEMBERSHIP,
        {"id": await _lead_membership_id(db, team.qi_lead)},
        token=team.staff_token,
    )
    assert removed["removeMembership"]["userErrors"] == []
    assert await _states(client, team) == ["REVOKED"]
    await _refused_like_an_unknown_link(client, db, token)


async def test_acceptance_checks_the_inviter_still_may_invite(
    db: Database, client: GraphQLClient, smtp: SmtpServer, team: Team
) -> None:
    """The lead's role changed under them (here directly in the database, as an import or a
    future mutation could): their invitation no longer stands, though it was not withdrawn."""
    _, token = await invite_and_read_link(
        client, smtp, team.lead_token, team.center_id, email="ghost@example.org", role="QI_LEAD"
    )
    async with db.transaction() as session:
        await session.execute(
            update(Membership)
            .where(Membership.person_id == team.qi_lead.id)
            .values(role=CenterRole.NURSE)
        )
    await _refused_like_an_unknown_link(client, db, token)
    # Back as QI lead, the invitation stands again: it was never withdrawn.
    async with db.transaction() as session:
        await session.execute(
            update(Membership)
            .where(Membership.person_id == team.qi_lead.id)
            .values(role=CenterRole.QI_LEAD)
        )
    accepted = (await client.data(ACCEPT, {"token": token}))["acceptInvitation"]
    assert accepted["membership"]["role"] == "QI_LEAD"


async def test_a_deactivated_inviter_voids_the_invitation_at_acceptance(
    db: Database, client: GraphQLClient, smtp: SmtpServer, team: Team
) -> None:
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    _, token = await invite_and_read_link(
        client, smtp, await token_for(db, staff), team.center_id, email="ghost@example.org"
    )
    async with db.transaction() as session:
        await session.execute(
            update(Person).where(Person.id == staff.id).values(deactivated_at=datetime.now(UTC))
        )
    await _refused_like_an_unknown_link(client, db, token)


async def test_staff_invitations_survive_removing_a_membership_of_theirs(
    db: Database, client: GraphQLClient, smtp: SmtpServer, team: Team
) -> None:
    staff = await make_person(
        db,
        PersonKind.STAFF,
        network_role=NetworkRole.STAFF,
        center=team.center,
        role=CenterRole.QI_LEAD,
    )
    _, token = await invite_and_read_link(
        client, smtp, await token_for(db, staff), team.center_id, email="new@example.org"
    )
    removed = await client.data(
        REMOVE_MEMBERSHIP, {"id": await _lead_membership_id(db, staff)}, token=team.staff_token
    )
    assert removed["removeMembership"]["userErrors"] == []
    accepted = (await client.data(ACCEPT, {"token": token}))["acceptInvitation"]
    assert accepted["token"] is not None
