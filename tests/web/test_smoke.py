from __future__ import annotations

from icn_graph.db.database import Database
from icn_graph.models import NetworkRole, PersonKind
from tests.helpers import GraphQLClient, make_center, make_person, token_for


async def test_staff_lists_centers(db: Database, client: GraphQLClient) -> None:
    center = await make_center(db)
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    await make_person(db, PersonKind.NURSE, center=center)
    token = await token_for(db, staff)
    data = await client.data(
        "{ network { name centerCount } centers(first: 5) { totalCount edges { node { id name "
        "members { role person { displayName email } } } } } viewer { person { displayName } } }",
        token=token,
    )
    assert data["network"] == {"name": "Test Network", "centerCount": 1}
    assert data["centers"]["totalCount"] == 1
    assert data["centers"]["edges"][0]["node"]["members"][0]["role"] == "NURSE"
