"""Attacks on blinding: telling which center is "Center X" by matching its values against a
series that names the center elsewhere, then reading what it shows only blinded."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from typing import Any

from icn_graph.db.database import Database
from icn_graph.ids import to_global_id
from icn_graph.models import Center, CenterRole, PersonKind
from icn_graph.models.stewardship import (
    ConsentDecision,
    DataRequest,
    DataRequestState,
    DataView,
    DataViewChart,
    OthersShown,
)
from icn_graph.testing import GraphQLClient, make_person
from tests.helpers import error_codes
from tests.stewardship.view_helpers import (
    MONTHS,
    Network,
    consent_all,
    make_network,
    make_request,
    make_view,
    publish_rows,
    revoke,
    set_request,
)


async def _series(
    client: GraphQLClient, view: DataView, token: str
) -> dict[tuple[str, str], dict[str, tuple[str, str]]]:
    """(kind, label) -> month -> (numerator, denominator), from the view's CSV."""
    path = f"/data-views/{to_global_id('DataView', view.id)}.csv"
    response = await client.http.get(path, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    found: dict[tuple[str, str], dict[str, tuple[str, str]]] = defaultdict(dict)
    for row in csv.DictReader(io.StringIO(response.text)):
        if row["numerator"]:
            found[(row["kind"], row["series"])][row["month"]] = (
                row["numerator"],
                row["denominator"],
            )
    return found


def _matches(
    named: dict[tuple[str, str], dict[str, tuple[str, str]]],
    blinded: dict[tuple[str, str], dict[str, tuple[str, str]]],
) -> list[tuple[str, str]]:
    """(center name, blinded label) pairs whose values agree on every month both show."""
    found = []
    for (kind, name), months in named.items():
        if kind != "NAMED":
            continue
        for (other_kind, label), other in blinded.items():
            common = set(months) & set(other)
            if other_kind == "BLINDED" and common and all(months[m] == other[m] for m in common):
                found.append((name, label))
    return found


async def _poster(db: Database, network: Network) -> tuple[DataRequest, DataView]:
    """A poster's run chart of the first ten centers in January and February, the others
    shown only in the network total; no center has consented to be named yet."""
    request = await make_request(db, network.requester, purpose="A poster")
    view = await make_view(
        db,
        request,
        network.centers[:10],
        proposer=network.steward,
        chart=DataViewChart.RUN_CHART,
        others=OthersShown.NETWORK_TOTAL_ONLY,
        period=(MONTHS[0], MONTHS[1]),
    )
    return request, view


async def _talk(db: Database, network: Network) -> DataView:
    """A talk's run chart of the same ten centers, over all the months, published: blinded."""
    request = await make_request(db, network.requester)
    view = await make_view(
        db, request, network.centers[:10], proposer=network.steward, chart=DataViewChart.RUN_CHART
    )
    await publish_rows(db, view, request, network.steward)
    return view


async def test_a_center_named_in_one_view_is_not_told_apart_blinded_in_another(
    db: Database, client: GraphQLClient
) -> None:
    # A poster names six centers in January and February; a talk shows the same ten centers
    # blinded from January to March. Matching January and February tells which letter each
    # named center has in the talk, and so its March, which it never agreed to show named.
    network = await make_network(db, 14)
    poster, named_view = await _poster(db, network)
    await consent_all(db, network, named_view, poster, network.centers[:6])
    await publish_rows(db, named_view, poster, network.steward)
    blinded_view = await _talk(db, network)

    member = await make_person(db, PersonKind.PARENT_PARTNER)
    token = await network.token(db, member)
    named = await _series(client, named_view, token)
    assert sum(1 for kind, _ in named if kind == "NAMED") == 6
    blinded = await _series(client, blinded_view, token)
    assert any(kind == "BLINDED" for kind, _ in blinded)
    assert _matches(named, blinded) == []


async def test_a_revoked_consent_does_not_leave_the_center_blinded_under_its_letter(
    db: Database, client: GraphQLClient
) -> None:
    # A center named in a view revokes its consent: shown blinded with the same values under
    # its letter, everyone who read the view before still knows which letter it is.
    network = await make_network(db, 14)
    request = await make_request(db, network.requester)
    view = await make_view(
        db, request, network.centers[:10], proposer=network.steward, chart=DataViewChart.RUN_CHART
    )
    consents = await consent_all(db, network, view, request, network.centers[:6])
    await publish_rows(db, view, request, network.steward)
    reader = await make_person(db, center=network.centers[12], role=CenterRole.CLINICIAN)
    token = await network.token(db, reader)
    before = await _series(client, view, token)

    await revoke(db, consents[0], network.deciders[network.centers[0].id])
    after = await _series(client, view, token)
    assert network.centers[0].name not in {label for _, label in after}
    assert _matches(before, after) == []


async def test_a_consent_revoked_in_one_view_does_not_leave_the_center_blinded_in_another(
    db: Database, client: GraphQLClient
) -> None:
    # A poster names six centers; one revokes its consent there. A talk over the same months
    # shows the ten centers blinded: readers of the poster kept its named values, which would
    # match that center's blinded series month for month and give its letter away, with the
    # months it never agreed to show named.
    network = await make_network(db, 14)
    poster, named_view = await _poster(db, network)
    consents = await consent_all(db, network, named_view, poster, network.centers[:6])
    await publish_rows(db, named_view, poster, network.steward)
    member = await make_person(db, PersonKind.PARENT_PARTNER)
    token = await network.token(db, member)
    kept = await _series(client, named_view, token)  # what readers of the poster saved
    assert sum(1 for kind, _ in kept if kind == "NAMED") == 6
    await revoke(db, consents[0], network.deciders[network.centers[0].id])

    blinded_view = await _talk(db, network)
    blinded = await _series(client, blinded_view, token)
    assert any(kind == "BLINDED" for kind, _ in blinded)
    assert _matches(kept, blinded) == []


async def test_the_order_of_a_view_s_centers_does_not_give_their_letters_away(
    db: Database, client: GraphQLClient
) -> None:
    # Letters run A, B, C ... without gaps: listed in letter order, the requester (who is not
    # told the letters) would read each center's letter from its place in the list.
    network = await make_network(db, 6)
    request = await make_request(db, network.requester)
    view = await make_view(db, request, network.centers, proposer=network.steward, letters="DAFCEB")
    query = """query($id: ID!) { node(id: $id) { ... on DataView {
      centers { letter center { id } } } } }"""
    variables = {"id": to_global_id("DataView", view.id)}
    as_requester = await client.data(
        query, variables, token=await network.token(db, network.requester)
    )
    rows = as_requester["node"]["centers"]
    assert [row["letter"] for row in rows] == [None] * 6
    in_order = [to_global_id("Center", center.id) for center in network.centers]
    assert [row["center"]["id"] for row in rows] == in_order  # by center, not by letter
    as_steward = await client.data(query, variables, token=await network.token(db, network.steward))
    assert [row["letter"] for row in as_steward["node"]["centers"]] == list("ABCDEF")


async def _named(
    db: Database, network: Network, centers: list[Center], purpose: str
) -> tuple[DataRequest, DataView]:
    """A published run chart over all the months naming ``centers`` (each consented), the
    others only in the network total."""
    request = await make_request(db, network.requester, purpose=purpose)
    view = await make_view(
        db,
        request,
        centers,
        proposer=network.steward,
        chart=DataViewChart.RUN_CHART,
        others=OthersShown.NETWORK_TOTAL_ONLY,
    )
    await consent_all(db, network, view, request, centers)
    await publish_rows(db, view, request, network.steward)
    return request, view


async def test_a_closed_view_s_named_values_still_count_as_shown(
    db: Database, client: GraphQLClient
) -> None:
    # Twelve centers have data. A poster names six and is read, then withdrawn; a talk names
    # four others. Network total minus the talk minus the poster readers kept would be the sum
    # of the last two centers, whose own teams might pool what they know: the talk withholds
    # those months, as it would while the poster still rendered.
    network = await make_network(db, 12)
    poster, named_view = await _named(db, network, network.centers[:6], "A poster")
    token = await network.token(db, await make_person(db, PersonKind.PARENT_PARTNER))
    kept = await _series(client, named_view, token)
    assert sum(1 for kind, _ in kept if kind == "NAMED") == 6
    await set_request(db, poster, state=DataRequestState.WITHDRAWN)

    _talk_request, talk_view = await _named(db, network, network.centers[6:10], "A talk")
    shown = await _series(client, talk_view, token)
    assert not [label for kind, label in shown if kind == "NAMED"], shown


async def test_a_center_named_in_a_withdrawn_view_is_not_blinded_in_another(
    db: Database, client: GraphQLClient
) -> None:
    # The poster stops rendering (withdrawn), but its readers kept its named values.
    network = await make_network(db, 14)
    poster, named_view = await _poster(db, network)
    await consent_all(db, network, named_view, poster, network.centers[:6])
    await publish_rows(db, named_view, poster, network.steward)
    token = await network.token(db, await make_person(db, PersonKind.PARENT_PARTNER))
    kept = await _series(client, named_view, token)
    await set_request(db, poster, state=DataRequestState.WITHDRAWN)

    blinded = await _series(client, await _talk(db, network), token)
    assert any(kind == "BLINDED" for kind, _ in blinded)
    assert _matches(kept, blinded) == []


async def test_the_requester_is_not_told_which_center_answered_other_than_consent(
    db: Database, client: GraphQLClient
) -> None:
    # Each unnamed answer adds a blinded series to the view at that moment: told which center
    # gave it, and when, the requester would tie the series to the center.
    network = await make_network(db, 6)
    request = await make_request(db, network.requester)
    view = await make_view(db, request, network.centers, proposer=network.steward)
    unnamed, consented = network.centers[0], network.centers[1]
    [hidden] = await consent_all(db, network, view, request, [unnamed], ConsentDecision.UNNAMED)
    await consent_all(db, network, view, request, [consented])
    query = """query($id: ID!) { node(id: $id) { ... on DataView {
      centers { center { id } decision { decision } history { decision } } } } }"""
    variables = {"id": to_global_id("DataView", view.id)}
    consent_query = "query($id: ID!) { node(id: $id) { id } }"
    consent = {"id": to_global_id("DisplayConsent", hidden.id)}

    def answers(data: dict[str, Any]) -> dict[str, tuple[str | None, list[str]]]:
        return {
            row["center"]["id"]: (
                row["decision"] and row["decision"]["decision"],
                [entry["decision"] for entry in row["history"]],
            )
            for row in data["node"]["centers"]
        }

    as_requester = await network.token(db, network.requester)
    as_steward = await network.token(db, network.steward)
    requester = await client.data(query, variables, token=as_requester)
    steward = await client.data(query, variables, token=as_steward)
    unnamed_id, consented_id = (to_global_id("Center", c.id) for c in (unnamed, consented))
    assert answers(requester)[unnamed_id] == (None, [])
    assert answers(requester)[consented_id] == ("CONSENT", ["CONSENT"])
    assert answers(steward)[unnamed_id] == ("UNNAMED", ["UNNAMED"])
    refused = await client.execute(consent_query, consent, token=as_requester)
    assert error_codes(refused) == ["NOT_FOUND"]
    assert await client.data(consent_query, consent, token=as_steward) == {"node": consent}
