"""Data views over GraphQL: ``DataView.rendering``/``files``/``links``, ``dataViewRendering``,
``publishDataView``, ``createDataViewLink``, ``revokeDataViewLink`` and
``network.centerComparison``, through the real app; the story from request to revocation with
the workflow's own mutations."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from icn_graph.db.database import Database
from icn_graph.db.types import utcnow
from icn_graph.ids import to_global_id
from icn_graph.models import CenterRole, PersonKind
from icn_graph.models.stewardship import (
    DataAudience,
    DataRequest,
    DataView,
    DataViewStatus,
    IdentifiedRead,
    IdentifiedReadCenter,
)
from icn_graph.testing import (
    GraphQLClient,
    StatementCounter,
    make_person,
    single_error,
    user_errors,
)
from tests.stewardship.view_helpers import (
    MONTHS,
    Network,
    consent_all,
    make_network,
    make_request,
    make_view,
    publish_rows,
)

USER_ERRORS = "userErrors { field message code }"

RENDERING = """
  measure { key } chart months asOf
  series { label kind centerLine points { month numerator denominator value suppressed }
           withheldMonths }
  funnel { target targetNumerator targetDenominator unplaced
           points { label kind numerator denominator rate position months
                    limits { denominator lower998 lower95 upper95 upper998 } }
           limits { denominator lower95 upper95 } }
  withheld { series month reason explanation }
  vegaLite
"""

VIEW = f"""
query($id: ID!) {{
  node(id: $id) {{
    ... on DataView {{
      id publishedAt isPublished viewerCanReadRendering notRenderedReason viewerCanManageLinks
      files {{ png svg vegaLite csv }}
      links {{ id active expiresAt revokedAt createdBy {{ displayName }} }}
      rendering {{ {RENDERING} }}
    }}
  }}
}}
"""

PUBLISHED_RENDERING = f"""
query($id: ID!) {{ dataViewRendering(viewId: $id) {{ {RENDERING} }} }}
"""

PUBLISH = f"""
mutation($input: PublishDataViewInput!) {{
  publishDataView(input: $input) {{
    view {{ id publishedAt status }}
    dataRequest {{ id state }}
    link {{ id active expiresAt }}
    linkUrl
    linkFiles {{ png svg vegaLite csv }}
    {USER_ERRORS}
  }}
}}
"""

CREATE_LINK = f"""
mutation($input: CreateDataViewLinkInput!) {{
  createDataViewLink(input: $input) {{
    link {{ id active expiresAt }} url files {{ csv }} {USER_ERRORS}
  }}
}}
"""

REVOKE_LINK = f"""
mutation($input: RevokeDataViewLinkInput!) {{
  revokeDataViewLink(input: $input) {{ link {{ id active revokedAt }} {USER_ERRORS} }}
}}
"""

COMPARISON = """
query($measure: String!, $from: Date!, $to: Date!) {
  network {
    centerComparison(measure: $measure, from: $from, to: $to) {
      measure { key } fromMonth toMonth
      funnel { target points { label kind numerator denominator position } unplaced }
      vegaLite
    }
  }
}
"""


def _gid(view: DataView) -> str:
    return to_global_id("DataView", view.id)


def _path(url: str) -> str:
    """A URL of the app as a path (the test client's base URL differs from public_url)."""
    return "/" + url.split("/", 3)[3]


async def _published(
    db: Database, *, audience: DataAudience = DataAudience.NETWORK
) -> tuple[Network, DataRequest, DataView]:
    network = await make_network(db, 14)
    request = await make_request(db, network.requester, audience=audience)
    view = await make_view(db, request, network.centers[:10], proposer=network.steward)
    await consent_all(db, network, view, request, network.centers[:6])
    await publish_rows(db, view, request, network.steward)
    return network, request, view


async def test_the_story_from_request_to_revocation(db: Database, client: GraphQLClient) -> None:
    network = await make_network(db, 14)
    parent = await network.token(db, network.requester)
    steward = await network.token(db, network.steward)
    expires = (utcnow().date() + timedelta(days=90)).isoformat()

    asked = await client.data(
        """mutation($input: RequestDataInput!) {
             requestData(input: $input) { dataRequest { id } userErrors { field message } } }""",
        {
            "input": {
                "purpose": "Spring 2014 Learning Session talk",
                "audience": "PUBLIC",
                "measureKeys": ["remission_rate"],
                "periodStart": "2014-01-01",
                "periodEnd": "2014-03-01",
                "presentation": "One slide: every center's remission rate, named if they agree.",
                "expiresOn": expires,
            }
        },
        token=parent,
    )
    request_id = asked["requestData"]["dataRequest"]["id"]
    centers = network.centers[:10]
    proposed = await client.data(
        """mutation($input: ProposeDataViewInput!) {
             proposeDataView(input: $input) { view { id } userErrors { field message } } }""",
        {
            "input": {
                "dataRequestId": request_id,
                "measureKey": "remission_rate",
                "chart": "FUNNEL",
                "periodStart": "2014-01-01",
                "periodEnd": "2014-03-01",
                "centerIds": [to_global_id("Center", c.id) for c in centers],
                "others": "BLINDED",
                "note": "A funnel plot: consenting centers named, the others blinded.",
            }
        },
        token=steward,
    )
    view_id = proposed["proposeDataView"]["view"]["id"]

    # The requester previews the proposal: every center blinded until it is accepted and answered.
    preview = (await client.data(VIEW, {"id": view_id}, token=parent))["node"]
    assert preview["isPublished"] is False
    assert sorted(p["kind"] for p in preview["rendering"]["funnel"]["points"]) == ["BLINDED"] * 10

    accepted = await client.data(
        """mutation($input: AcceptDataViewInput!) {
             acceptDataView(input: $input) { view { status } userErrors { field message } } }""",
        {"input": {"id": view_id}},
        token=parent,
    )
    assert accepted["acceptDataView"]["view"]["status"] == "ACCEPTED"
    consent_ids = {}
    for index, center in enumerate(centers):
        decision = "CONSENT" if index < 6 else "DECLINE"
        decided = await client.data(
            """mutation($input: DecideConsentInput!) {
                 decideConsent(input: $input) { consent { id } userErrors { field message } } }""",
            {
                "input": {
                    "dataViewId": view_id,
                    "centerId": to_global_id("Center", center.id),
                    "decision": decision,
                }
            },
            token=await network.token(db, network.deciders[center.id]),
        )
        assert decided["decideConsent"]["userErrors"] == [], decided
        consent_ids[center.id] = decided["decideConsent"]["consent"]["id"]

    published = await client.data(PUBLISH, {"input": {"id": view_id}}, token=steward)
    payload = published["publishDataView"]
    assert payload["userErrors"] == []
    assert payload["dataRequest"]["state"] == "APPROVED"
    assert payload["view"]["publishedAt"] is not None
    assert payload["linkUrl"].startswith(client.app.state.settings.public_url)  # type: ignore[union-attr]
    assert payload["linkUrl"].endswith(".png")
    public_csv = _path(payload["linkFiles"]["csv"])

    # An anonymous viewer of the public link: six centers named, four blinded.
    shown = await client.http.get(public_csv)
    assert shown.status_code == 200, shown.text
    rows = list(csv.DictReader(io.StringIO(shown.text)))
    named = {row["center"] for row in rows if row["kind"] == "NAMED"}
    assert named == {center.name for center in centers[:6]}
    assert [row["center"] for row in rows if row["kind"] == "BLINDED"] != []
    png = await client.http.get(_path(payload["linkUrl"]))
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"

    # One center revokes after the session: gone from the slide at its next load.
    revoked = await client.data(
        """mutation($input: RevokeConsentInput!) {
             revokeConsent(input: $input) {
               consent { revokedAt } userErrors { field message } } }""",
        {"input": {"id": consent_ids[centers[0].id], "reason": "After the session."}},
        token=await network.token(db, network.deciders[centers[0].id]),
    )
    assert revoked["revokeConsent"]["userErrors"] == []
    again = list(csv.DictReader(io.StringIO((await client.http.get(public_csv)).text)))
    assert {row["center"] for row in again if row["kind"] == "NAMED"} == {
        center.name for center in centers[1:6]
    }
    assert centers[0].name not in (await client.http.get(public_csv)).text

    # The link revoked: the same 404 as a token that never was.
    view = (await client.data(VIEW, {"id": view_id}, token=parent))["node"]
    [link] = view["links"]
    gone = await client.data(REVOKE_LINK, {"input": {"id": link["id"]}}, token=parent)
    assert gone["revokeDataViewLink"]["link"]["active"] is False
    missing = await client.http.get(public_csv)
    never = await client.http.get("/data-views/public/never-was.csv")
    assert (missing.status_code, missing.json()) == (404, never.json())

    # Every read through the link that named centers is in the audit log, under the link.
    async with db.session() as session:
        link_reads = list(
            await session.scalars(select(IdentifiedRead).where(IdentifiedRead.link_id.is_not(None)))
        )
    assert [read.channel for read in link_reads] == ["CSV", "PNG", "CSV", "CSV"]


async def test_every_permitted_reader_gets_the_same_rendering(
    db: Database, client: GraphQLClient
) -> None:
    network, _, view = await _published(db)
    readers = [
        network.requester,
        network.steward,
        network.staff,
        network.deciders[network.centers[0].id],
        network.deciders[network.centers[9].id],
    ]
    seen = []
    for reader in readers:
        data = await client.data(VIEW, {"id": _gid(view)}, token=await network.token(db, reader))
        seen.append(data["node"]["rendering"])
    # A member who may not see the request reads the published view by its ID.
    outsider = await make_person(db, center=network.centers[11], role=CenterRole.CLINICIAN)
    token = await network.token(db, outsider)
    hidden = await client.execute(VIEW, {"id": _gid(view)}, token=token)
    assert single_error(hidden)["extensions"]["code"] == "NOT_FOUND"
    seen.append(
        (await client.data(PUBLISHED_RENDERING, {"id": _gid(view)}, token=token))[
            "dataViewRendering"
        ]
    )
    assert all(rendering == seen[0] for rendering in seen)
    funnel = seen[0]["funnel"]
    assert len(funnel["points"]) == 10
    assert {p["kind"] for p in funnel["points"]} == {"NAMED", "BLINDED"}
    assert seen[0]["vegaLite"]["$schema"].endswith("vega-lite/v5.json")


async def test_preview_and_refusals_over_graphql(db: Database, client: GraphQLClient) -> None:
    network = await make_network(db, 8)
    request = await make_request(db, network.requester)
    view = await make_view(db, request, network.centers[:4], proposer=network.steward)
    outsider = await network.token(
        db, await make_person(db, center=network.centers[7], role=CenterRole.QI_LEAD)
    )
    body = await client.execute(PUBLISHED_RENDERING, {"id": _gid(view)}, token=outsider)
    assert single_error(body)["extensions"]["code"] == "NOT_FOUND"
    decider = await network.token(db, network.deciders[network.centers[0].id])
    node = (await client.data(VIEW, {"id": _gid(view)}, token=decider))["node"]
    assert node["viewerCanReadRendering"] is True
    assert node["rendering"] is not None
    assert node["links"] is None  # a decider does not manage links
    assert node["viewerCanManageLinks"] is False
    assert node["files"]["png"].endswith(f"/data-views/{_gid(view)}.png")

    from tests.stewardship.view_helpers import set_view

    await set_view(db, view, status=DataViewStatus.SUPERSEDED)
    node = (await client.data(VIEW, {"id": _gid(view)}, token=decider))["node"]
    assert node["rendering"] is None
    assert node["viewerCanReadRendering"] is False
    assert "replaced" in node["notRenderedReason"]
    body = await client.execute(PUBLISHED_RENDERING, {"id": _gid(view)}, token=decider)
    assert single_error(body)["extensions"]["code"] == "FORBIDDEN"


async def test_publish_refusals(db: Database, client: GraphQLClient) -> None:
    network = await make_network(db, 8)
    request = await make_request(db, network.requester)
    proposed = await make_view(
        db, request, network.centers[:4], proposer=network.steward, status=DataViewStatus.PROPOSED
    )
    steward = await network.token(db, network.steward)
    requester = await network.token(db, network.requester)
    stranger = await network.token(db, await make_person(db, PersonKind.PARENT_PARTNER))

    body = await client.execute(PUBLISH, {"input": {"id": _gid(proposed)}}, token=requester)
    assert single_error(body)["extensions"]["code"] == "FORBIDDEN"
    body = await client.execute(PUBLISH, {"input": {"id": _gid(proposed)}}, token=stranger)
    assert single_error(body)["extensions"]["code"] == "NOT_FOUND"
    body = await client.execute(PUBLISH, {"input": {"id": _gid(proposed)}})
    assert single_error(body)["extensions"]["code"] == "UNAUTHENTICATED"

    async def errors(variables: dict[str, Any]) -> list[tuple[str, str]]:
        data = await client.data(PUBLISH, {"input": variables}, token=steward)
        assert data["publishDataView"]["view"] is None
        return user_errors(data["publishDataView"])

    assert await errors({"id": "not-an-id"}) == [("id", "INVALID")]
    assert await errors({"id": _gid(proposed)}) == [("id", "CONFLICT")]
    accepted = await make_view(
        db, request, network.centers[:4], proposer=network.steward, version=2
    )
    later = (utcnow() + timedelta(days=1)).isoformat()
    assert await errors({"id": _gid(accepted), "linkExpiresAt": later}) == [
        ("linkExpiresAt", "INVALID")
    ]
    data = await client.data(PUBLISH, {"input": {"id": _gid(accepted)}}, token=steward)
    assert data["publishDataView"]["userErrors"] == []
    assert data["publishDataView"]["link"] is None  # a network audience has no public link
    assert await errors({"id": _gid(accepted)}) == [("id", "CONFLICT")]


async def test_links_made_listed_and_revoked(db: Database, client: GraphQLClient) -> None:
    network, request, view = await _published(db, audience=DataAudience.PUBLIC)
    requester = await network.token(db, network.requester)
    steward = await network.token(db, network.steward)

    too_late = (utcnow() + timedelta(days=400)).isoformat()
    refused = await client.data(
        CREATE_LINK, {"input": {"dataViewId": _gid(view), "expiresAt": too_late}}, token=requester
    )
    assert user_errors(refused["createDataViewLink"]) == [("expiresAt", "INVALID")]
    past = (utcnow() - timedelta(hours=1)).isoformat()
    refused = await client.data(
        CREATE_LINK, {"input": {"dataViewId": _gid(view), "expiresAt": past}}, token=requester
    )
    assert user_errors(refused["createDataViewLink"]) == [("expiresAt", "INVALID")]

    made = (await client.data(CREATE_LINK, {"input": {"dataViewId": _gid(view)}}, token=requester))[
        "createDataViewLink"
    ]
    assert made["userErrors"] == []
    assert made["link"]["active"] is True
    assert (await client.http.get(_path(made["files"]["csv"]))).status_code == 200

    listed = (await client.data(VIEW, {"id": _gid(view)}, token=steward))["node"]["links"]
    assert [link["id"] for link in listed] == [made["link"]["id"]]
    assert listed[0]["createdBy"]["displayName"] == network.requester.display_name
    # The token is never shown again: not in the listing.
    assert made["url"].rsplit("/", 1)[1].split(".")[0] not in str(listed)

    revoked = await client.data(REVOKE_LINK, {"input": {"id": made["link"]["id"]}}, token=steward)
    assert revoked["revokeDataViewLink"]["link"]["revokedAt"] is not None
    again = await client.data(REVOKE_LINK, {"input": {"id": made["link"]["id"]}}, token=steward)
    assert user_errors(again["revokeDataViewLink"]) == [("id", "CONFLICT")]
    assert (await client.http.get(_path(made["files"]["csv"]))).status_code == 404

    decider = await network.token(db, network.deciders[network.centers[0].id])
    body = await client.execute(CREATE_LINK, {"input": {"dataViewId": _gid(view)}}, token=decider)
    assert single_error(body)["extensions"]["code"] == "FORBIDDEN"
    assert request.audience is DataAudience.PUBLIC


async def test_a_network_view_has_no_public_links(db: Database, client: GraphQLClient) -> None:
    network, _, view = await _published(db)
    data = await client.data(
        CREATE_LINK,
        {"input": {"dataViewId": _gid(view)}},
        token=await network.token(db, network.steward),
    )
    assert user_errors(data["createDataViewLink"]) == [("dataViewId", "INVALID")]


async def test_center_comparison_for_stewards_only(db: Database, client: GraphQLClient) -> None:
    network = await make_network(db, 6)
    variables = {"measure": "remission_rate", "from": "2014-01-01", "to": "2014-03-31"}
    steward = await network.token(db, network.steward)

    data = await client.data(COMPARISON, variables, token=steward)
    comparison = data["network"]["centerComparison"]
    assert comparison["fromMonth"] == MONTHS[0].isoformat()
    assert comparison["toMonth"] == MONTHS[-1].isoformat()
    points = comparison["funnel"]["points"]
    assert sorted(p["label"] for p in points) == sorted(c.name for c in network.centers)
    assert {p["kind"] for p in points} == {"NAMED"}
    assert comparison["vegaLite"]["layer"]

    member = await network.token(db, network.deciders[network.centers[0].id])
    body = await client.execute(COMPARISON, variables, token=member)
    assert "errors" not in body  # null with a reason: Network.viewerCanCompareCenters
    assert body["data"]["network"]["centerComparison"] is None
    bad = await client.execute(COMPARISON, {**variables, "from": "2014-05-01"}, token=steward)
    assert single_error(bad)["extensions"]["code"] == "BAD_USER_INPUT"

    async with db.session() as session:
        reads = list(await session.scalars(select(IdentifiedRead)))
        centers = list(await session.execute(select(IdentifiedReadCenter.consent_id)))
    assert [(r.subject, r.channel, r.reader_id) for r in reads] == [
        ("COMPARISON", "GRAPHQL", network.steward.id)
    ]
    assert len(centers) == 6
    assert {consent_id for (consent_id,) in centers} == {None}


async def test_renderings_of_a_page_are_read_in_one_transaction(
    db: Database, client: GraphQLClient, statements: StatementCounter
) -> None:
    network = await make_network(db, 12)
    views = []
    for index in range(3):
        request = await make_request(db, network.requester, purpose=f"Talk {index}")
        view = await make_view(db, request, network.centers[:10], proposer=network.steward)
        await consent_all(db, network, view, request, network.centers[:6])
        await publish_rows(db, view, request, network.steward)
        views.append(view)
    token = await network.token(db, network.requester)
    query = """
      query($ids: [ID!]!) {
        nodes(ids: $ids) {
          ... on DataView { rendering { funnel { target } } again: rendering { chart } }
        }
      }
    """
    counts = []
    for size in (1, 3):
        statements.reset()
        data = await client.data(query, {"ids": [_gid(v) for v in views[:size]]}, token=token)
        assert all(node["rendering"]["funnel"]["target"] for node in data["nodes"])
        counts.append(len(statements.statements))
    # Each view read once (the alias shares it) in the page's one transaction: 8 reads (the
    # view, its request, the views of its family, centers with consents, centers with data,
    # names, the network's and the centers' months) and its audit read (2 inserts).
    assert counts == [5 + 10, 5 + 3 * 10]
    async with db.session() as session:
        reads = list(await session.scalars(select(IdentifiedRead.view_id)))
    assert sorted(read or 0 for read in reads) == sorted(
        [views[0].id, *(view.id for view in views)]
    )


ONE_VIEW_TWICE = """
query($id: ID!) {
  dataViewRendering(viewId: $id) { chart }
  node(id: $id) { ... on DataView { rendering { chart } } }
}
"""


async def test_a_view_shown_twice_in_one_query_is_read_and_audited_once(
    db: Database, client: GraphQLClient
) -> None:
    """The rendering loader's batch writes the audit row in a transaction of its own: that
    write must not make the request forget the rendering it just read (and read it again,
    auditing it twice, for the second field asking)."""
    network, _, view = await _published(db)
    token = await network.token(db, network.requester)
    async with db.session() as session:
        before = len(list(await session.scalars(select(IdentifiedRead.id))))

    data = await client.data(ONE_VIEW_TWICE, {"id": _gid(view)}, token=token)

    assert data["node"]["rendering"]["chart"] == data["dataViewRendering"]["chart"]
    async with db.session() as session:
        after = len(list(await session.scalars(select(IdentifiedRead.id))))
    assert after - before == 1
