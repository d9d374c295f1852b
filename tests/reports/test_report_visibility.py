"""A report a viewer may not see is null with a reason (``viewerCanSeeReports``), never an error
that erases the center around it; the same for ``Network.centerComparison``."""

from __future__ import annotations

from datetime import date

from icn_graph.db.database import Database
from icn_graph.ids import to_global_id
from icn_graph.models import CenterRole, NetworkRole, PersonKind
from icn_graph.testing import GraphQLClient, make_center, make_person, token_for
from tests.goal_helpers import make_goal
from tests.helpers import error_codes
from tests.report_helpers import store_values

CENTER_PAGE = """
query($id: ID!) { node(id: $id) { ... on Center {
  name
  members { person { displayName } }
  goals { nodes { title } }
  viewerCanSeeReports
  report(measure: "remission_rate") { points { numerator } }
} } }
"""

CENTERS_REPORTS = """
{ centers { nodes { shortCode viewerCanSeeReports
  report(measure: "remission_rate") { points { numerator suppressed } } } } }
"""


async def test_a_parent_reads_another_centers_page_without_its_report(
    db: Database, client: GraphQLClient
) -> None:
    center = await make_center(db, name="Alpha Hospital", short_code="ALPHA")
    own = await make_center(db, name="Beta Hospital", short_code="BETA")
    lead = await make_person(
        db, PersonKind.QI_LEAD, center=center, role=CenterRole.QI_LEAD, display_name="Quinn Lead"
    )
    parent = await make_person(db, PersonKind.PARENT_PARTNER, center=own)
    await make_goal(db, created_by=lead, center=center, title="Raise remission")
    await store_values(db, center, [(20, 40)])
    variables = {"id": to_global_id("Center", center.id)}

    body = await client.execute(CENTER_PAGE, variables, token=await token_for(db, parent))

    assert "errors" not in body, body
    assert body["data"]["node"] == {
        "name": "Alpha Hospital",
        "members": [{"person": {"displayName": "Quinn Lead"}}],
        "goals": {"nodes": [{"title": "Raise remission"}]},
        "viewerCanSeeReports": False,
        "report": None,
    }
    # The center's own team reads it.
    data = await client.data(CENTER_PAGE, variables, token=await token_for(db, lead))
    assert data["node"]["viewerCanSeeReports"] is True
    assert data["node"]["report"] == {"points": [{"numerator": 20}]}


async def test_a_page_of_centers_keeps_its_data_when_some_reports_are_hidden(
    db: Database, client: GraphQLClient
) -> None:
    alpha = await make_center(db, short_code="ALPHA")
    beta = await make_center(db, short_code="BETA")
    await store_values(db, alpha, [(20, 40)])
    await store_values(db, beta, [(5, 40)])
    clinician = await make_person(db, center=alpha, role=CenterRole.CLINICIAN)
    manager = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.DATA_MANAGER)

    body = await client.execute(CENTERS_REPORTS, token=await token_for(db, clinician))

    assert "errors" not in body, body
    assert body["data"]["centers"]["nodes"] == [
        {
            "shortCode": "ALPHA",
            "viewerCanSeeReports": True,
            "report": {"points": [{"numerator": 20, "suppressed": False}]},
        },
        {"shortCode": "BETA", "viewerCanSeeReports": False, "report": None},
    ]
    # viewerCanSeeReports is the rule the report follows: a data manager sees both, suppressed.
    data = await client.data(CENTERS_REPORTS, token=await token_for(db, manager))
    assert [node["viewerCanSeeReports"] for node in data["centers"]["nodes"]] == [True, True]
    assert data["centers"]["nodes"][1]["report"] == {
        "points": [{"numerator": None, "suppressed": True}]
    }


async def test_an_unknown_measure_is_still_an_error(db: Database, client: GraphQLClient) -> None:
    center = await make_center(db)
    member = await make_person(db, center=center, role=CenterRole.CLINICIAN)
    query = '{ centers { nodes { report(measure: "nope") { centerLine } } } }'

    body = await client.execute(query, token=await token_for(db, member))

    assert error_codes(body) == ["BAD_USER_INPUT"]


COMPARISON = """
query($from: Date!, $to: Date!) { network { name viewerCanCompareCenters
  centerComparison(measure: "remission_rate", from: $from, to: $to) { fromMonth } } }
"""


async def test_center_comparison_is_null_for_those_who_may_not_compare(
    db: Database, client: GraphQLClient
) -> None:
    center = await make_center(db)
    await store_values(db, center, [(20, 40)])
    clinician = await make_person(db, center=center, role=CenterRole.CLINICIAN)
    manager = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.DATA_MANAGER)
    variables = {"from": str(date(2022, 1, 1)), "to": str(date(2022, 1, 1))}

    body = await client.execute(COMPARISON, variables, token=await token_for(db, clinician))
    assert "errors" not in body, body
    assert body["data"]["network"]["viewerCanCompareCenters"] is False
    assert body["data"]["network"]["centerComparison"] is None

    data = await client.data(COMPARISON, variables, token=await token_for(db, manager))
    assert data["network"]["viewerCanCompareCenters"] is True
    assert data["network"]["centerComparison"] == {"fromMonth": "2022-01-01"}

    anonymous = await client.execute(COMPARISON, variables)
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]
