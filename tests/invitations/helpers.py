"""Invitation tests: GraphQL documents, the link read from the mail, a team to invite to."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from icn_graph.db.database import Database
from icn_graph.models import Center, CenterRole, NetworkRole, Person, PersonKind
from icn_graph.schema.relay import to_global_id
from icn_graph.testing import GraphQLClient, SmtpServer, make_center, make_person, token_for

LINK = re.compile(r"https://icn\.example\.org/invitation/(icninv_[A-Za-z0-9_-]+)")

INVITE = (
    "mutation($input: InvitePersonInput!) { invitePerson(input: $input) {"
    " invitation { id state email displayName role message expiresAt"
    " center { name } invitedBy { displayName } acceptedBy { id } }"
    " userErrors { field message code } } }"
)
REVOKE = (
    "mutation($id: ID!) { revokeInvitation(input: {id: $id}) {"
    " invitation { id state revokedAt } userErrors { field message code } } }"
)
ACCEPT = (
    "mutation($token: String!) { acceptInvitation(input: {token: $token}) {"
    " token expiresAt person { id displayName kind }"
    " membership { role center { name } } userErrors { field message code } } }"
)
VIEWER = "{ viewer { person { displayName kind } centers { name } } }"
CENTER_INVITATIONS = (
    "query($id: ID!, $state: InvitationState) { node(id: $id) { ... on Center {"
    " viewerCanInvite invitations(state: $state) { totalCount nodes {"
    " id state email displayName acceptedBy { displayName } } } } } }"
)


@dataclass(frozen=True)
class Team:
    """A center with a QI lead, and the staff member and another center's QI lead around it."""

    center: Center
    other_center: Center
    qi_lead: Person
    lead_token: str
    other_lead_token: str
    staff_token: str
    partner_token: str

    @property
    def center_id(self) -> str:
        return to_global_id("Center", self.center.id)

    @property
    def other_center_id(self) -> str:
        return to_global_id("Center", self.other_center.id)


async def make_team(db: Database) -> Team:
    center = await make_center(db, name="Alpha Hospital", short_code="ALPHA")
    other = await make_center(db, name="Beta Hospital", short_code="BETA")
    qi_lead = await make_person(
        db, PersonKind.QI_LEAD, center=center, role=CenterRole.QI_LEAD, display_name="Quinn Lead"
    )
    other_lead = await make_person(db, PersonKind.QI_LEAD, center=other, role=CenterRole.QI_LEAD)
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    partner = await make_person(db, PersonKind.PARENT_PARTNER, center=center)
    return Team(
        center,
        other,
        qi_lead,
        await token_for(db, qi_lead),
        await token_for(db, other_lead),
        await token_for(db, staff),
        await token_for(db, partner),
    )


def invitation_input(center_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "input": {
            "email": "dana.parent@example.org",
            "displayName": "Dana Parent",
            "centerId": center_id,
            "role": "PARENT_PARTNER",
        }
        | fields
    }


async def invite(client: GraphQLClient, token: str, center_id: str, **fields: Any) -> Any:
    """``invitePerson``'s payload, which must have no userErrors."""
    data = await client.data(INVITE, invitation_input(center_id, **fields), token=token)
    payload = data["invitePerson"]
    assert payload["userErrors"] == [], payload
    return payload


def mailed_link(message: EmailMessage) -> str:
    """The one invitation link in a message (the same in its text and HTML parts)."""
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None
    assert html is not None
    [token] = set(LINK.findall(text.get_content()))
    assert set(LINK.findall(html.get_content())) == {token}
    return str(token)


async def invite_and_read_link(
    client: GraphQLClient, smtp: SmtpServer, token: str, center_id: str, **fields: Any
) -> tuple[Any, str]:
    """Invite, and read the link from the one mail that sent."""
    before = len(smtp.messages)
    payload = await invite(client, token, center_id, **fields)
    assert len(smtp.messages) == before + 1
    return payload, mailed_link(smtp.messages[-1])
