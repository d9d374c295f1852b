"""The people around one data request, and the GraphQL documents of the workflow's tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from icn_graph.db.database import Database
from icn_graph.models import Center, CenterRole, NetworkRole, Person, PersonKind
from icn_graph.schema.relay import to_global_id
from icn_graph.testing import GraphQLClient, make_center, make_person, token_for

MEASURE = "remission_rate"


def today() -> date:
    return datetime.now(UTC).date()


def in_days(days: int) -> str:
    return (today() + timedelta(days=days)).isoformat()


@dataclass
class Member:
    person: Person
    token: str

    @property
    def id(self) -> str:
        return to_global_id("Person", self.person.id)


@dataclass
class Cast:
    """Everyone the authorization matrix names."""

    center_a: Center  # named in the request's views
    center_b: Center  # named too
    center_c: Center  # never named
    requester: Member  # a parent partner of center A
    other_parent: Member  # a parent partner of center B
    qi_lead_a: Member
    data_manager_a: Member  # center A's own data manager (a center role)
    qi_lead_b: Member
    qi_lead_c: Member  # of a center the request does not name
    network_dm: Member  # the network's data manager
    staff: Member

    def center_id(self, center: Center) -> str:
        return to_global_id("Center", center.id)

    @property
    def a(self) -> str:
        return self.center_id(self.center_a)

    @property
    def b(self) -> str:
        return self.center_id(self.center_b)

    @property
    def c(self) -> str:
        return self.center_id(self.center_c)


async def member(db: Database, name: str, kind: PersonKind, **fields: Any) -> Member:
    person = await make_person(db, kind, display_name=name, **fields)
    return Member(person, await token_for(db, person))


async def cast(db: Database) -> Cast:
    a = await make_center(db, name="Cincinnati Children's")
    b = await make_center(db, name="Seattle Children's")
    c = await make_center(db, name="Nationwide Children's")
    parent = PersonKind.PARENT_PARTNER
    return Cast(
        center_a=a,
        center_b=b,
        center_c=c,
        requester=await member(db, "Pat Parent", parent, center=a, role=CenterRole.PARENT_PARTNER),
        other_parent=await member(
            db, "Robin Parent", parent, center=b, role=CenterRole.PARENT_PARTNER
        ),
        qi_lead_a=await member(db, "Dr. Quinn A", PersonKind.QI_LEAD, center=a),
        data_manager_a=await member(db, "Dana Data A", PersonKind.DATA_MANAGER, center=a),
        qi_lead_b=await member(db, "Dr. Quinn B", PersonKind.QI_LEAD, center=b),
        qi_lead_c=await member(db, "Dr. Quinn C", PersonKind.QI_LEAD, center=c),
        network_dm=await member(
            db, "Nia Network", PersonKind.DATA_MANAGER, network_role=NetworkRole.DATA_MANAGER
        ),
        staff=await member(db, "Tania Staff", PersonKind.STAFF, network_role=NetworkRole.STAFF),
    )


USER_ERRORS = "userErrors { field message code }"

REQUEST_FIELDS = """
  id state purpose audience measureKeys wholeNetwork periodStart periodEnd expiresOn
  closedReason viewerCanComment viewerCanPropose viewerCanDecline viewerCanWithdraw
  requester { displayName }
  centers { name }
  comments { body author { displayName } }
  currentView { id version status }
  views { id version status }
"""

VIEW_FIELDS = """
  id version status measureKey chart others includeNetwork note response
  viewerCanAccept viewerCanReject viewerCanDecide
  centers { letter center { id name } decision { id decision } suggestedDecision viewerCanDecide }
"""

REQUEST_DATA = f"""
mutation($input: RequestDataInput!) {{
  requestData(input: $input) {{ dataRequest {{ {REQUEST_FIELDS} }} {USER_ERRORS} }}
}}
"""

COMMENT = f"""
mutation($input: CommentOnDataRequestInput!) {{
  commentOnDataRequest(input: $input) {{
    dataRequest {{ id state }}
    comment {{ body author {{ displayName }} }}
    message {{ id __typename }}
    {USER_ERRORS}
  }}
}}
"""

PROPOSE = f"""
mutation($input: ProposeDataViewInput!) {{
  proposeDataView(input: $input) {{
    view {{ {VIEW_FIELDS} }} dataRequest {{ id state }} {USER_ERRORS}
  }}
}}
"""

ACCEPT = f"""
mutation($input: AcceptDataViewInput!) {{
  acceptDataView(input: $input) {{ view {{ id status }} dataRequest {{ id state }} {USER_ERRORS} }}
}}
"""

REJECT = f"""
mutation($input: RejectDataViewInput!) {{
  rejectDataView(input: $input) {{
    view {{ id status response }} dataRequest {{ id state }} {USER_ERRORS}
  }}
}}
"""

DECLINE = f"""
mutation($input: DeclineDataRequestInput!) {{
  declineDataRequest(input: $input) {{ dataRequest {{ id state closedReason }} {USER_ERRORS} }}
}}
"""

WITHDRAW = f"""
mutation($input: WithdrawDataRequestInput!) {{
  withdrawDataRequest(input: $input) {{ dataRequest {{ id state closedReason }} {USER_ERRORS} }}
}}
"""

DECIDE = f"""
mutation($input: DecideConsentInput!) {{
  decideConsent(input: $input) {{
    consent {{
      id decision audience purpose expiresOn note viewerCanRevoke
      center {{ name }} decidedBy {{ displayName }} prefilledFrom {{ preference }}
    }}
    view {{ id dataRequest {{ state }} }}
    {USER_ERRORS}
  }}
}}
"""

REVOKE = f"""
mutation($input: RevokeConsentInput!) {{
  revokeConsent(input: $input) {{
    consent {{ id decision revokedAt revokeReason revokedBy {{ displayName }} viewerCanRevoke }}
    {USER_ERRORS}
  }}
}}
"""

SET_STANDING = f"""
mutation($input: SetStandingConsentInput!) {{
  setStandingConsent(input: $input) {{
    standingConsent {{ preference validUntil note inForce setBy {{ displayName }} }}
    center {{ name standingConsent {{ preference }} }}
    {USER_ERRORS}
  }}
}}
"""

REQUEST = f"""
query($id: ID!) {{ node(id: $id) {{ ... on DataRequest {{ {REQUEST_FIELDS} }} }} }}
"""

VIEW = f"""
query($id: ID!) {{ node(id: $id) {{ ... on DataView {{ {VIEW_FIELDS} }} }} }}
"""


def request_input(**overrides: Any) -> dict[str, Any]:
    return {
        "purpose": "Spring 2014 Learning Session talk",
        "audience": "PUBLIC",
        "measureKeys": [MEASURE],
        "periodStart": "2013-01-01",
        "periodEnd": "2014-03-01",
        "presentation": "A slide of remission by center, in my talk to parents.",
        "expiresOn": in_days(180),
    } | overrides


def view_input(request_id: str, centers: list[str], **overrides: Any) -> dict[str, Any]:
    return {
        "dataRequestId": request_id,
        "measureKey": MEASURE,
        "chart": "FUNNEL",
        "periodStart": "2013-01-01",
        "periodEnd": "2014-03-01",
        "centerIds": centers,
        "note": "Let's try it this way: a funnel plot.",
    } | overrides


async def mutate(
    client: GraphQLClient, document: str, who: Member | None, input: dict[str, Any]
) -> dict[str, Any]:
    """The mutation's payload (the one root field); GraphQL errors fail the test."""
    data = await client.data(document, {"input": input}, token=who.token if who else None)
    [payload] = data.values()
    result: dict[str, Any] = payload
    return result


async def ok(
    client: GraphQLClient, document: str, who: Member, input: dict[str, Any]
) -> dict[str, Any]:
    """The payload of a mutation that must succeed."""
    payload = await mutate(client, document, who, input)
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload


async def new_request(client: GraphQLClient, cast: Cast, **overrides: Any) -> dict[str, Any]:
    payload = await ok(client, REQUEST_DATA, cast.requester, input=request_input(**overrides))
    request: dict[str, Any] = payload["dataRequest"]
    return request


async def accepted_view(
    client: GraphQLClient, cast: Cast, centers: list[str] | None = None
) -> tuple[str, str]:
    """A request with an accepted view naming ``centers`` (A and B): (request ID, view ID)."""
    request = await new_request(client, cast)
    named = [cast.a, cast.b] if centers is None else centers
    view = (await ok(client, PROPOSE, cast.network_dm, input=view_input(request["id"], named)))[
        "view"
    ]
    await ok(client, ACCEPT, cast.requester, input={"id": view["id"]})
    return request["id"], view["id"]
