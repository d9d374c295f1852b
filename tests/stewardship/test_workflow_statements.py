"""Listing data requests with their views, centers, decisions and suggestions costs the same SQL
statements for 2 requests as for 20."""

from __future__ import annotations

from datetime import date, timedelta

from icn_graph.db.database import Database
from icn_graph.models import ConsentDecision, DataAudience, DataViewChart, StandingPreference
from icn_graph.reports.measures.builtin import core_registry
from icn_graph.services.stewardship import consents, requests, standing, views
from icn_graph.services.tokens import viewer_for_token
from icn_graph.testing import GraphQLClient, StatementCounter
from tests.stewardship.workflow_helpers import MEASURE, Cast, cast, today

QUERY = """
query($first: Int!) {
  dataRequests(first: $first) {
    totalCount
    nodes {
      purpose state viewerCanPropose viewerCanWithdraw
      requester { displayName }
      centers { name }
      currentView { version }
      views {
        version status viewerCanAccept viewerCanDecide measure { title }
        proposedBy { displayName }
        centers {
          letter suggestedDecision viewerCanDecide
          center { name standingConsent { preference } }
          decision { decision decidedBy { displayName } prefilledFrom { preference } }
        }
      }
    }
  }
}
"""


async def build(db: Database, people: Cast, count: int) -> None:
    """``count`` requests, each with a rejected view and an accepted one naming A and B, A's
    consent pre-filled by its standing preference."""
    requester = await viewer_for_token(db, people.requester.token)
    steward = await viewer_for_token(db, people.network_dm.token)
    lead = await viewer_for_token(db, people.qi_lead_a.token)
    await standing.set_standing_consent(
        db, lead, standing.StandingDraft(people.center_a.id, StandingPreference.IDENTIFIED)
    )
    for index in range(count):
        request = await requests.request_data(
            db,
            requester,
            requests.RequestDraft(
                purpose=f"Talk {index}",
                audience=DataAudience.NETWORK,
                measure_keys=[MEASURE],
                period_start=date(2013, 1, 1),
                period_end=date(2014, 3, 1),
                presentation="Slides",
                expires_on=today() + timedelta(days=60),
                center_ids=[people.center_a.id, people.center_b.id],
            ),
            measures=core_registry(),
        )
        for attempt in range(2):
            view = await views.propose_view(
                db,
                steward,
                views.ViewDraft(
                    request_id=request.id,
                    measure_key=MEASURE,
                    chart=DataViewChart.RUN_CHART,
                    period_start=date(2013, 1, 1),
                    period_end=date(2014, 3, 1),
                    center_ids=[people.center_a.id, people.center_b.id],
                ),
                measures=core_registry(),
            )
            if attempt == 0:
                await views.reject_view(db, requester, view.id, "Another way")
        await views.accept_view(db, requester, view.id)
        await consents.decide_consent(
            db,
            lead,
            consents.DecisionDraft(view.id, people.center_a.id, ConsentDecision.CONSENT),
        )


async def test_the_listing_costs_the_same_for_2_requests_and_20(
    db: Database, client: GraphQLClient, statements: StatementCounter
) -> None:
    people = await cast(db)
    await build(db, people, 20)
    await client.settle()  # the build's notifications are not the listing's statements
    counts = {}
    for size in (2, 20):
        for who in (people.network_dm, people.qi_lead_a, people.requester):
            statements.reset()
            data = await client.data(QUERY, {"first": size}, token=who.token)
            counts[(size, who.person.display_name)] = statements.count
            nodes = data["dataRequests"]["nodes"]
            assert len(nodes) == size
            accepted = nodes[0]["views"][1]
            assert accepted["status"] == "ACCEPTED"
            seen = {row["center"]["name"] for row in accepted["centers"]}
            if who is people.qi_lead_a:
                assert seen == {"Cincinnati Children's"}
                assert accepted["centers"][0]["decision"]["prefilledFrom"] == {
                    "preference": "IDENTIFIED"
                }
            else:
                assert seen == {"Cincinnati Children's", "Seattle Children's"}
    for who in (people.network_dm, people.qi_lead_a, people.requester):
        name = who.person.display_name
        assert counts[(2, name)] == counts[(20, name)], counts
    assert max(counts.values()) <= 16, counts
