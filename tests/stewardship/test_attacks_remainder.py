"""Attacks on the unnamed remainder: working out the values of centers a view does not show by
subtracting what it (and other views) do show from the network total."""

from __future__ import annotations

import csv
import io
from collections import defaultdict

from icn_graph.db.database import Database
from icn_graph.ids import to_global_id
from icn_graph.models.stewardship import DataView, DataViewChart
from icn_graph.testing import GraphQLClient
from tests.stewardship.view_helpers import (
    MONTHS,
    consent_all,
    counts_of,
    make_network,
    make_request,
    make_view,
    publish_rows,
)


async def _csv(client: GraphQLClient, view: DataView, token: str) -> list[dict[str, str]]:
    path = f"/data-views/{to_global_id('DataView', view.id)}.csv"
    response = await client.http.get(path, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.text)))


async def test_blinded_values_do_not_let_the_requester_subtract_out_the_centers_left_out(
    db: Database, client: GraphQLClient
) -> None:
    # 12 centers with data; the view lists 10: 6 consent, 4 blinded; 2 are in no view. The
    # requester sees which centers the view lists. Network - named - blinded is the sum of the
    # two left out; the team of one of them then has the other's counts exactly.
    network = await make_network(db, 12)
    request = await make_request(db, network.requester)
    view = await make_view(
        db, request, network.centers[:10], proposer=network.steward, chart=DataViewChart.RUN_CHART
    )
    await consent_all(db, network, view, request, network.centers[:6])
    await publish_rows(db, view, request, network.steward)

    rows = await _csv(client, view, await network.token(db, network.requester))
    by_month: dict[str, dict[str, dict[str, str]]] = defaultdict(dict)
    for row in rows:
        by_month[row["month"]][row["series"]] = row
    assert sum(1 for row in rows if row["kind"] == "BLINDED") == 4 * len(MONTHS)
    for offset, month in enumerate(MONTHS):
        series = by_month[f"{month:%Y-%m}"]
        network_row = series.pop("Network")
        assert network_row["numerator"] != ""
        left_out = sum(counts_of(index, offset)[0] for index in (10, 11))
        shown = [row["numerator"] for row in series.values()]
        if all(shown):
            derived = int(network_row["numerator"]) - sum(int(n) for n in shown)
            assert derived != left_out, f"{month}: the two centers left out are pinned down"
