"""The demo's data request tells the Spring 2014 story on a present-day screen: the parent's funnel
plot of March 2013 to February 2014 places eleven centers by name and four blinded ones."""

from __future__ import annotations

from sqlalchemy import select

from icn_graph.db.database import Database
from icn_graph.demo import DEMO_PERSONAS, load_demo
from icn_graph.demo.present import STORY_TODAY
from icn_graph.models import Person
from icn_graph.plugins.manager import PluginHost
from icn_graph.testing import GraphQLClient, token_for

PREVIEW = """
{
  node(id: "RGF0YVZpZXc6Mg") {
    ... on DataView {
      periodStart periodEnd notRenderedReason
      dataRequest { purpose state }
      rendering { funnel { target unplaced points { label kind months } } }
    }
  }
}
"""


async def test_the_parents_funnel_shows_named_and_blinded_centers_with_data(
    db: Database, client: GraphQLClient, plugin_host: PluginHost
) -> None:
    await load_demo(db, plugins=plugin_host, today=STORY_TODAY)
    async with db.session() as session:
        parent = (
            await session.scalars(select(Person).where(Person.email == DEMO_PERSONAS["parent"]))
        ).one()
    body = await client.execute(PREVIEW, token=await token_for(db, parent))
    assert "errors" not in body, body
    view = body["data"]["node"]
    assert (view["periodStart"], view["periodEnd"]) == ("2013-03-01", "2014-02-01")
    assert view["dataRequest"] == {
        "purpose": "Spring 2014 Learning Session talk",
        "state": "AWAITING_CENTERS",
    }
    assert view["notRenderedReason"] is None
    funnel = view["rendering"]["funnel"]
    assert funnel["target"] is not None
    assert funnel["unplaced"] == []
    kinds = [point["kind"] for point in funnel["points"]]
    # The revoked center is only in the network total: once named, never blinded.
    assert (kinds.count("NAMED"), kinds.count("BLINDED")) == (11, 3)
    assert all(point["months"] > 0 for point in funnel["points"])
