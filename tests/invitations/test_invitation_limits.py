"""Review F4: invitePerson is rate limited per inviter and per email invited, like sign-in mail
(the same machinery, RATE_LIMITED, nothing written or mailed); only invitations sent count."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.plugins.manager import PluginHost
from icn_graph.testing import GraphQLClient, SmtpServer, snapshot
from tests.helpers import error_codes
from tests.invitations.helpers import INVITE, Team, invitation_input, invite
from tests.sign_in.helpers import FakeClock, client_from, sign_in_app

TOO_MANY = "Too many invitations from you, or to this email; wait a while and try again."


@pytest.fixture
def app(
    db: Database, settings: Settings, plugin_host: PluginHost, smtp: SmtpServer, clock: FakeClock
) -> Starlette:
    limited = settings.model_copy(
        update={
            "invitation_rate_per_inviter": "4 per hour",
            "invitation_rate_per_email": "2 per day",
        }
    )
    return sign_in_app(db, limited, plugin_host, smtp, clock)


async def _refused(
    client: GraphQLClient, db: Database, token: str, center_id: str, email: str
) -> None:
    before = await snapshot(db)
    body = await client.execute(INVITE, invitation_input(center_id, email=email), token=token)
    await client.settle()
    assert body["data"] is None
    assert error_codes(body) == ["RATE_LIMITED"]
    assert body["errors"][0]["message"] == TOO_MANY
    assert body["errors"][0]["path"] == ["invitePerson"]
    assert await snapshot(db) == before


async def test_one_address_gets_at_most_so_many_whoever_invites(
    db: Database, app: Starlette, smtp: SmtpServer, team: Team
) -> None:
    async with client_from(app) as client:
        await invite(client, team.lead_token, team.center_id, email="flood@example.org")
        await invite(client, team.staff_token, team.other_center_id, email="Flood@example.org")
        await client.settle()
        await _refused(client, db, team.staff_token, team.center_id, "flood@example.org")
        # Another address is fine.
        await invite(client, team.lead_token, team.center_id, email="other@example.org")
        await client.settle()
    assert len(smtp.messages) == 3


async def test_one_inviter_sends_at_most_so_many(
    db: Database, app: Starlette, smtp: SmtpServer, team: Team
) -> None:
    async with client_from(app) as client:
        # A refused invitation (a bad address) does not count.
        body = await client.data(
            INVITE, invitation_input(team.center_id, email="nope"), token=team.lead_token
        )
        assert body["invitePerson"]["userErrors"][0]["field"] == "email"
        for n in range(4):
            await invite(client, team.lead_token, team.center_id, email=f"p{n}@example.org")
        await client.settle()
        await _refused(client, db, team.lead_token, team.center_id, "p9@example.org")
        # Others still invite.
        await invite(client, team.staff_token, team.center_id, email="p9@example.org")
        await client.settle()
    assert len(smtp.messages) == 5
