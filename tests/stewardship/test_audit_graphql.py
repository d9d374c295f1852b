"""``identifiedReads`` and ``Center.identifiedReads``: staff and network data managers see every
read; a center's QI lead the reads of their center, listing only their centers; anyone else is
refused. Reads through a public link and under a consent show their IDs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from icn_graph.db.database import Database
from icn_graph.ids import to_global_id
from icn_graph.models import Center, CenterRole, NetworkRole, Person, PersonKind
from icn_graph.models.stewardship import (
    ConsentDecision,
    DataAudience,
    DataRequest,
    DataView,
    DataViewCenter,
    DataViewChart,
    DataViewLink,
    DisplayConsent,
    OthersShown,
)
from icn_graph.services.stewardship.read_audit import ShownCenter, record_identified_read
from icn_graph.testing import GraphQLClient, make_center, make_person, token_for
from tests.helpers import error_codes

READS = """
query($since: DateTime, $centerId: ID, $first: Int, $after: String) {
  identifiedReads(since: $since, centerId: $centerId, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id at channel subject measureKey linkId viewId
      reader { displayName }
      centers { center { shortCode } consentId }
    }
  }
}
"""

CENTER_READS = """
query($id: ID!) { node(id: $id) { ... on Center {
  viewerCanSeeIdentifiedReads
  identifiedReads { totalCount nodes { measureKey centers { center { shortCode } } } }
} } }
"""


@dataclass
class Log:
    a: Center
    b: Center
    staff: Person
    tokens: dict[str, str]
    consent_id: int
    link_id: int
    view_id: int


def _at(day: int) -> datetime:
    return datetime(2025, 3, day, 12, tzinfo=UTC)


async def _log(db: Database) -> Log:
    """Three reads: staff read A and B (March 1), a data manager read B (March 2), and a public
    link showed A under its consent (March 3)."""
    a, b = await make_center(db), await make_center(db)
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    manager = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.DATA_MANAGER)
    lead_a = await make_person(db, center=a, role=CenterRole.QI_LEAD)
    clinician_a = await make_person(db, center=a, role=CenterRole.CLINICIAN)
    async with db.transaction() as session:
        request = DataRequest(
            requester_id=clinician_a.id,
            purpose="A poster",
            audience=DataAudience.PUBLIC,
            measure_keys=["remission_rate"],
            whole_network=False,
            period_start=date(2024, 1, 1),
            period_end=date(2024, 12, 1),
            presentation="A poster at the Learning Session.",
            expires_on=date(2030, 1, 1),
        )
        session.add(request)
        await session.flush()
        view = DataView(
            request_id=request.id,
            version=1,
            proposed_by_id=manager.id,
            measure_key="remission_rate",
            chart=DataViewChart.RUN_CHART,
            period_start=date(2024, 1, 1),
            period_end=date(2024, 12, 1),
            others=OthersShown.BLINDED,
        )
        session.add(view)
        await session.flush()
        session.add(DataViewCenter(view_id=view.id, center_id=a.id, letter="A"))
        consent = DisplayConsent(
            view_id=view.id,
            center_id=a.id,
            decision=ConsentDecision.CONSENT,
            audience=DataAudience.PUBLIC,
            purpose="A poster",
            expires_on=date(2030, 1, 1),
            decided_by_id=lead_a.id,
        )
        link = DataViewLink(
            view_id=view.id,
            token_hash="0" * 64,
            created_by_id=manager.id,
            expires_at=datetime(2030, 1, 1, tzinfo=UTC),
        )
        session.add_all([consent, link])
        await session.flush()
        await record_identified_read(
            session,
            reader_id=staff.id,
            link_id=None,
            channel="CSV",
            subject="REPORT",
            measure_key="remission_rate",
            centers=[ShownCenter(a.id, None), ShownCenter(b.id, None)],
            at=_at(1),
        )
        await record_identified_read(
            session,
            reader_id=manager.id,
            link_id=None,
            channel="GRAPHQL",
            subject="KEY_RESULT",
            measure_key="pre_visit_planning_rate",
            centers=[ShownCenter(b.id, None)],
            at=_at(2),
        )
        await record_identified_read(
            session,
            reader_id=None,
            link_id=link.id,
            channel="PNG",
            subject="DATA_VIEW",
            measure_key="remission_rate",
            centers=[ShownCenter(a.id, consent.id)],
            view_id=view.id,
            at=_at(3),
        )
    people = {
        "staff": staff,
        "manager": manager,
        "lead_a": lead_a,
        "clinician_a": clinician_a,
        "lead_b": await make_person(db, center=b, role=CenterRole.QI_LEAD),
    }
    tokens = {name: await token_for(db, person) for name, person in people.items()}
    return Log(a, b, staff, tokens, consent.id, link.id, view.id)


async def _reads(client: GraphQLClient, token: str, **variables: Any) -> dict[str, Any]:
    data = await client.data(READS, variables, token=token)
    reads: dict[str, Any] = data["identifiedReads"]
    return reads


def _summary(reads: dict[str, Any]) -> list[tuple[str, list[str]]]:
    return [
        (read["measureKey"], [c["center"]["shortCode"] for c in read["centers"]])
        for read in reads["nodes"]
    ]


async def test_staff_and_network_data_managers_see_every_read(
    db: Database, client: GraphQLClient
) -> None:
    log = await _log(db)
    a, b = log.a.short_code, log.b.short_code

    for who in ("staff", "manager"):
        reads = await _reads(client, log.tokens[who])
        assert reads["totalCount"] == 3
        assert _summary(reads) == [
            ("remission_rate", [a]),
            ("pre_visit_planning_rate", [b]),
            ("remission_rate", [a, b]),  # in the order of the centers' IDs
        ]

    newest, _, oldest = (await _reads(client, log.tokens["staff"]))["nodes"]
    assert newest["reader"] is None
    assert newest["linkId"] == to_global_id("DataViewLink", log.link_id)
    assert newest["viewId"] == to_global_id("DataView", log.view_id)
    assert (newest["channel"], newest["subject"]) == ("PNG", "DATA_VIEW")
    assert newest["centers"] == [
        {
            "center": {"shortCode": a},
            "consentId": to_global_id("DisplayConsent", log.consent_id),
        }
    ]
    assert oldest["reader"] == {"displayName": log.staff.display_name}
    assert (oldest["channel"], oldest["subject"], oldest["linkId"]) == ("CSV", "REPORT", None)
    assert oldest["at"] == "2025-03-01T12:00:00+00:00"
    assert {c["consentId"] for c in oldest["centers"]} == {None}


async def test_a_qi_lead_sees_only_their_centers_reads(db: Database, client: GraphQLClient) -> None:
    log = await _log(db)
    a, b = log.a.short_code, log.b.short_code

    lead_a = await _reads(client, log.tokens["lead_a"])
    # The staff read showed A and B: the lead of A sees it, but only A in it.
    assert _summary(lead_a) == [("remission_rate", [a]), ("remission_rate", [a])]
    assert lead_a["totalCount"] == 2
    lead_b = await _reads(client, log.tokens["lead_b"])
    assert _summary(lead_b) == [("pre_visit_planning_rate", [b]), ("remission_rate", [b])]

    own = await _reads(client, log.tokens["lead_a"], centerId=to_global_id("Center", log.a.id))
    assert own["totalCount"] == 2
    body = await client.execute(
        READS, {"centerId": to_global_id("Center", log.b.id)}, token=log.tokens["lead_a"]
    )
    assert error_codes(body) == ["FORBIDDEN"]


async def test_everyone_else_is_refused(db: Database, client: GraphQLClient) -> None:
    log = await _log(db)

    body = await client.execute(READS, token=log.tokens["clinician_a"])
    assert error_codes(body) == ["FORBIDDEN"]
    assert "QI lead" in body["errors"][0]["message"]
    anonymous = await client.execute(READS)
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]


async def test_center_identified_reads_follow_the_same_rule(
    db: Database, client: GraphQLClient
) -> None:
    log = await _log(db)
    a_id, b_id = to_global_id("Center", log.a.id), to_global_id("Center", log.b.id)

    async def center(token: str, center_id: str) -> dict[str, Any]:
        node: dict[str, Any] = (await client.data(CENTER_READS, {"id": center_id}, token=token))[
            "node"
        ]
        return node

    mine = await center(log.tokens["lead_a"], a_id)
    assert mine["viewerCanSeeIdentifiedReads"] is True
    assert mine["identifiedReads"]["totalCount"] == 2
    assert {
        c["center"]["shortCode"] for r in mine["identifiedReads"]["nodes"] for c in r["centers"]
    } == {log.a.short_code}
    assert await center(log.tokens["lead_a"], b_id) == {
        "viewerCanSeeIdentifiedReads": False,
        "identifiedReads": None,
    }
    assert await center(log.tokens["clinician_a"], a_id) == {
        "viewerCanSeeIdentifiedReads": False,
        "identifiedReads": None,
    }
    staff_b = await center(log.tokens["staff"], b_id)
    assert staff_b["identifiedReads"]["totalCount"] == 2


async def test_since_and_pages(db: Database, client: GraphQLClient) -> None:
    log = await _log(db)
    token = log.tokens["staff"]

    recent = await _reads(client, token, since="2025-03-02T00:00:00Z")
    assert recent["totalCount"] == 2
    first = await _reads(client, token, first=2)
    assert first["pageInfo"]["hasNextPage"] is True
    rest = await _reads(client, token, first=2, after=first["pageInfo"]["endCursor"])
    assert rest["pageInfo"]["hasNextPage"] is False
    ids = [read["id"] for read in first["nodes"] + rest["nodes"]]
    assert ids == [read["id"] for read in (await _reads(client, token))["nodes"]]
    naive = await client.execute(READS, {"since": "2025-03-02T00:00:00"}, token=token)
    assert error_codes(naive) == ["BAD_USER_INPUT"]
    assert naive["errors"][0]["extensions"]["field"] == "since"
    bad = await client.execute(READS, {"after": "nonsense"}, token=token)
    assert error_codes(bad) == ["BAD_USER_INPUT"]
    too_many = await client.execute(READS, {"first": 101}, token=token)
    assert error_codes(too_many) == ["BAD_USER_INPUT"]


async def test_a_read_is_a_node_its_viewers_can_refetch(
    db: Database, client: GraphQLClient
) -> None:
    log = await _log(db)
    reads = await _reads(client, log.tokens["staff"])
    link_read, manager_read, _ = (read["id"] for read in reads["nodes"])
    query = "query($id: ID!) { node(id: $id) { ... on IdentifiedRead { measureKey } } }"

    staff = await client.data(query, {"id": manager_read}, token=log.tokens["staff"])
    assert staff["node"] == {"measureKey": "pre_visit_planning_rate"}
    lead = await client.data(query, {"id": link_read}, token=log.tokens["lead_a"])
    assert lead["node"] == {"measureKey": "remission_rate"}
    for who, read in (("lead_a", manager_read), ("clinician_a", link_read)):
        body = await client.execute(query, {"id": read}, token=log.tokens[who])
        assert error_codes(body) == ["NOT_FOUND"]
