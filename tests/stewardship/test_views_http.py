"""``/data-views/{id}.{png,svg,vl.json,csv}`` and ``/data-views/public/{token}.…`` through the
real app: who reads what, the same bytes for every reader, consent and expiry at the next read,
public links before and after revocation and expiry, and the audit rows of named reads."""

from __future__ import annotations

import json
from datetime import date, timedelta

import httpx
import pytest
from sqlalchemy import select, update

from icn_graph.db.database import Database
from icn_graph.db.types import utcnow
from icn_graph.ids import to_global_id
from icn_graph.models import CenterRole, PersonKind
from icn_graph.models.stewardship import (
    DataAudience,
    DataRequest,
    DataView,
    DataViewChart,
    DataViewLink,
    IdentifiedRead,
    IdentifiedReadCenter,
    OthersShown,
)
from icn_graph.services.data_views.publish import publish_view
from icn_graph.services.tokens import viewer_for_token
from icn_graph.testing import GraphQLClient, make_person
from tests.stewardship.audit_helpers import audit_refused
from tests.stewardship.view_helpers import (
    Network,
    consent_all,
    make_network,
    make_request,
    make_view,
    publish_rows,
    revoke,
    set_request,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EXTENSIONS = ("png", "svg", "vl.json", "csv")


def _path(view: DataView, extension: str) -> str:
    return f"/data-views/{to_global_id('DataView', view.id)}.{extension}"


async def _get(client: GraphQLClient, path: str, token: str | None = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.http.get(path, headers=headers)


async def _story(
    db: Database,
    *,
    audience: DataAudience = DataAudience.NETWORK,
    chart: DataViewChart = DataViewChart.FUNNEL,
    published: bool = True,
) -> tuple[Network, DataRequest, DataView]:
    """14 centers; a view of 10: the first 6 consent, 4 are blinded; 4 in no view."""
    network = await make_network(db, 14)
    request = await make_request(db, network.requester, audience=audience)
    view = await make_view(db, request, network.centers[:10], proposer=network.steward, chart=chart)
    await consent_all(db, network, view, request, network.centers[:6])
    if published:
        await publish_rows(db, view, request, network.steward)
    return network, request, view


async def _reads(db: Database) -> list[tuple[IdentifiedRead, list[tuple[int, int | None]]]]:
    async with db.session() as session:
        reads = list(await session.scalars(select(IdentifiedRead).order_by(IdentifiedRead.id)))
        rows = await session.execute(
            select(
                IdentifiedReadCenter.read_id,
                IdentifiedReadCenter.center_id,
                IdentifiedReadCenter.consent_id,
            )
        )
        centers: dict[int, list[tuple[int, int | None]]] = {}
        for read_id, center_id, consent_id in rows:
            centers.setdefault(read_id, []).append((center_id, consent_id))
    return [(read, sorted(centers.get(read.id, []))) for read in reads]


async def test_every_member_reads_the_same_published_view(
    db: Database, client: GraphQLClient, tmp_path_factory: pytest.TempPathFactory
) -> None:
    network, _, view = await _story(db)
    outsider = await make_person(db, center=network.centers[11], role=CenterRole.CLINICIAN)
    parent = await make_person(db, PersonKind.PARENT_PARTNER)
    readers = [
        network.requester,
        network.steward,
        network.staff,
        network.deciders[network.centers[0].id],
        network.deciders[network.centers[8].id],
        outsider,
        parent,
    ]
    bodies: dict[str, set[bytes]] = {extension: set() for extension in EXTENSIONS}
    for reader in readers:
        token = await network.token(db, reader)
        for extension in EXTENSIONS:
            response = await _get(client, _path(view, extension), token)
            assert response.status_code == 200, (extension, response.text)
            assert response.headers["cache-control"] == "no-store"
            bodies[extension].add(response.content)
    assert {k: len(v) for k, v in bodies.items()} == {k: 1 for k in EXTENSIONS}

    png = bodies["png"].pop()
    assert png[:8] == PNG_SIGNATURE
    (tmp_path_factory.getbasetemp() / "data-view-funnel.png").write_bytes(png)
    spec = json.loads(bodies["vl.json"].pop())
    assert spec["$schema"].endswith("vega-lite/v5.json")
    svg = bodies["svg"].pop().decode()
    assert svg.startswith("<svg")
    text = bodies["csv"].pop().decode()
    for center in network.centers[:6]:
        assert center.name in svg
        assert center.name in text
        assert center.name in json.dumps(spec)
    for center in network.centers[6:]:
        assert center.name not in svg + text + json.dumps(spec)
    for letter in "GHIJ":
        assert f"Center {letter}" in text


async def test_media_types_and_file_names(db: Database, client: GraphQLClient) -> None:
    network, _, view = await _story(db)
    token = await network.token(db, network.requester)
    expected = {
        "png": "image/png",
        "svg": "image/svg+xml",
        "vl.json": "application/json",
        "csv": "text/csv; charset=utf-8",
    }
    for extension, media_type in expected.items():
        response = await _get(client, _path(view, extension), token)
        assert response.headers["content-type"] == media_type
        assert response.headers["content-disposition"].endswith(
            f'filename="remission_rate-view-{view.id}-2014-01-to-2014-03.{extension}"'
        )


@pytest.mark.parametrize("chart", [DataViewChart.RUN_CHART, DataViewChart.P_CHART])
async def test_run_and_p_charts_render_as_panels(
    db: Database,
    client: GraphQLClient,
    tmp_path_factory: pytest.TempPathFactory,
    chart: DataViewChart,
) -> None:
    network, _, view = await _story(db, chart=chart)
    token = await network.token(db, network.requester)
    png = await _get(client, _path(view, "png"), token)
    assert png.status_code == 200, png.text
    name = f"data-view-{chart.value.lower()}.png"
    (tmp_path_factory.getbasetemp() / name).write_bytes(png.content)
    spec = (await _get(client, _path(view, "vl.json"), token)).json()
    titles = [panel["title"]["text"] for panel in spec["concat"]]
    assert titles[0] == "Network"
    assert len(titles) == 1 + 6 + 4
    rows = (await _get(client, _path(view, "csv"), token)).text.splitlines()
    assert rows[0].startswith("series,kind,month,numerator,denominator,value,suppressed")
    assert len(rows) == 1 + 11 * 3


async def test_preview_is_for_the_requester_stewards_and_deciders(
    db: Database, client: GraphQLClient
) -> None:
    network, _, view = await _story(db, published=False)
    allowed = [
        network.requester,
        network.steward,
        network.staff,
        network.deciders[network.centers[9].id],
    ]
    for person in allowed:
        response = await _get(client, _path(view, "csv"), await network.token(db, person))
        assert response.status_code == 200, response.text
    outsider = await make_person(db, center=network.centers[11], role=CenterRole.QI_LEAD)
    clinician = await make_person(db, center=network.centers[0], role=CenterRole.CLINICIAN)
    unknown = DataView(id=view.id + 1000)
    for person in (outsider, clinician):
        token = await network.token(db, person)
        response = await _get(client, _path(view, "csv"), token)
        missing = await _get(client, _path(unknown, "csv"), token)
        assert response.status_code == missing.status_code == 404
        assert response.json() == missing.json()
        assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_signed_in_route_refusals(db: Database, client: GraphQLClient) -> None:
    network, _, view = await _story(db)
    token = await network.token(db, network.requester)

    anonymous = await _get(client, _path(view, "png"))
    assert anonymous.status_code == 401
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert anonymous.headers["cache-control"] == "no-store"
    assert (await _get(client, _path(view, "png"), "icn_not-a-token")).status_code == 401

    for path in (
        _path(view, "gif"),
        f"/data-views/{to_global_id('Center', view.id)}.png",
        "/data-views/not-an-id.png",
        "/data-views/nothing",
    ):
        response = await _get(client, path, token)
        assert response.status_code == 404, path
        assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
        refused = await client.http.request(
            method, _path(view, "png"), headers={"Authorization": f"Bearer {token}"}
        )
        assert refused.status_code == 405, method
        assert refused.headers["allow"] == "GET, HEAD", method
        assert refused.headers["cache-control"] == "no-store"


async def test_revocation_and_expiry_change_the_next_read(
    db: Database, client: GraphQLClient
) -> None:
    network, request, view = await _story(db, chart=DataViewChart.RUN_CHART)
    token = await network.token(db, await make_person(db, PersonKind.PARENT_PARTNER))
    named = network.centers[0]
    assert named.name in (await _get(client, _path(view, "csv"), token)).text

    async with db.session() as session:
        from icn_graph.models.stewardship import DisplayConsent

        consent = await session.scalar(
            select(DisplayConsent).where(
                DisplayConsent.view_id == view.id, DisplayConsent.center_id == named.id
            )
        )
    assert consent is not None
    await revoke(db, consent, network.deciders[named.id])
    after = (await _get(client, _path(view, "csv"), token)).text
    assert named.name not in after
    assert network.centers[1].name in after

    # The request expires: the view stops rendering, for everyone.
    await set_request(db, request, expires_on=utcnow().date() - timedelta(days=1))
    member = await _get(client, _path(view, "csv"), token)
    assert member.status_code == 404
    requester = await _get(client, _path(view, "csv"), await network.token(db, network.requester))
    assert requester.status_code == 403
    assert "expired" in requester.json()["errors"][0]["message"]


async def test_withdrawal_stops_the_view(db: Database, client: GraphQLClient) -> None:
    from icn_graph.models.stewardship import DataRequestState

    network, request, view = await _story(db)
    token = await network.token(db, network.steward)
    await set_request(db, request, state=DataRequestState.WITHDRAWN)
    response = await _get(client, _path(view, "png"), token)
    assert response.status_code == 403
    assert "withdrawn" in response.json()["errors"][0]["message"]


async def test_public_link_before_and_after_revocation_and_expiry(
    db: Database, client: GraphQLClient
) -> None:
    network, request, view = await _story(db, audience=DataAudience.PUBLIC, published=False)
    steward = await viewer_for_token(db, await network.token(db, network.steward))
    published = await publish_view(db, steward, view.id)
    assert published.link is not None
    token = published.link.token
    assert len(token) >= 43  # 32 random bytes, URL-safe base64

    nothing = await _get(client, "/data-views/public/made-up-token.png")
    assert nothing.status_code == 404
    assert nothing.headers["cache-control"] == "no-store"
    for extension in EXTENSIONS:
        response = await _get(client, f"/data-views/public/{token}.{extension}")
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
    assert network.centers[0].name in (await _get(client, f"/data-views/public/{token}.csv")).text
    # A bad extension on a good token answers exactly like a made-up token.
    bad = await _get(client, f"/data-views/public/{token}.gif")
    assert (bad.status_code, bad.json()) == (404, nothing.json())
    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
        refused = await client.http.request(method, f"/data-views/public/{token}.csv")
        assert refused.status_code == 405, method
        assert refused.headers["allow"] == "GET, HEAD", method
        assert refused.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"

    # Revoked: the same 404 as a token that never existed.
    link_id = published.link.link.id
    async with db.transaction() as session:
        await session.execute(
            update(DataViewLink).where(DataViewLink.id == link_id).values(revoked_at=utcnow())
        )
    revoked = await _get(client, f"/data-views/public/{token}.png")
    assert (revoked.status_code, revoked.json()) == (404, nothing.json())

    # Expired: a second link, past its expiry.
    second = await publish_link(db, network, view)
    assert (await _get(client, f"/data-views/public/{second}.csv")).status_code == 200
    async with db.transaction() as session:
        await session.execute(
            update(DataViewLink)
            .where(DataViewLink.view_id == view.id, DataViewLink.revoked_at.is_(None))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    expired = await _get(client, f"/data-views/public/{second}.csv")
    assert (expired.status_code, expired.json()) == (404, nothing.json())

    # The request expiring closes every link with it.
    third = await publish_link(db, network, view)
    assert (await _get(client, f"/data-views/public/{third}.csv")).status_code == 200
    await set_request(db, request, expires_on=utcnow().date() - timedelta(days=1))
    closed = await _get(client, f"/data-views/public/{third}.csv")
    assert (closed.status_code, closed.json()) == (404, nothing.json())


async def publish_link(db: Database, network: Network, view: DataView) -> str:
    from icn_graph.services.data_views.links import create_link

    requester = await viewer_for_token(db, await network.token(db, network.requester))
    return (await create_link(db, requester, view.id)).token


async def test_named_reads_are_audited_in_the_read(db: Database, client: GraphQLClient) -> None:
    network, _, view = await _story(db, audience=DataAudience.PUBLIC, published=False)
    steward = await viewer_for_token(db, await network.token(db, network.steward))
    published = await publish_view(db, steward, view.id)
    assert published.link is not None
    parent = await make_person(db, PersonKind.PARENT_PARTNER)
    own = network.deciders[network.centers[0].id]
    async with db.session() as session:
        from icn_graph.models.stewardship import DisplayConsent

        consents = {
            center_id: consent_id
            for center_id, consent_id in await session.execute(
                select(DisplayConsent.center_id, DisplayConsent.id).where(
                    DisplayConsent.view_id == view.id
                )
            )
        }
    named = sorted(consents.items())

    await _get(client, _path(view, "png"), await network.token(db, parent))
    await _get(client, _path(view, "csv"), await network.token(db, own))
    await _get(client, f"/data-views/public/{published.link.token}.svg")

    reads = await _reads(db)
    assert [(r.channel, r.subject, r.view_id, r.measure_key) for r, _ in reads] == [
        ("PNG", "DATA_VIEW", view.id, "remission_rate"),
        ("CSV", "DATA_VIEW", view.id, "remission_rate"),
        ("SVG", "DATA_VIEW", view.id, "remission_rate"),
    ]
    (by_parent, parent_centers), (by_own, own_centers), (by_link, link_centers) = reads
    assert (by_parent.reader_id, by_parent.link_id) == (parent.id, None)
    assert parent_centers == named
    # A center's own QI lead reading their own center is no disclosure.
    assert by_own.reader_id == own.id
    assert own_centers == [c for c in named if c[0] != network.centers[0].id]
    assert (by_link.reader_id, by_link.link_id) == (None, published.link.link.id)
    assert link_centers == named


async def test_a_read_naming_no_one_writes_no_audit_row(
    db: Database, client: GraphQLClient
) -> None:
    network = await make_network(db, 8)
    request = await make_request(db, network.requester)
    view = await make_view(
        db, request, network.centers[:4], proposer=network.steward, others=OthersShown.BLINDED
    )
    await publish_rows(db, view, request, network.steward)
    response = await _get(client, _path(view, "csv"), await network.token(db, network.requester))
    assert response.status_code == 200
    assert "Center A" in response.text
    assert await _reads(db) == []


async def test_token_of_a_member_is_needed_even_for_a_public_view(
    db: Database, client: GraphQLClient
) -> None:
    _, _, view = await _story(db, audience=DataAudience.PUBLIC)
    response = await _get(client, _path(view, "csv"))
    assert response.status_code == 401


async def test_a_read_that_cannot_be_audited_shows_nothing(
    db: Database, client: GraphQLClient
) -> None:
    network, _, view = await _story(db, audience=DataAudience.PUBLIC, published=False)
    steward = await viewer_for_token(db, await network.token(db, network.steward))
    published = await publish_view(db, steward, view.id)
    assert published.link is not None
    token = await network.token(db, network.requester)
    async with audit_refused(db):
        signed = await _get(client, _path(view, "csv"), token)
        public = await _get(client, f"/data-views/public/{published.link.token}.png")
    for response in (signed, public):
        assert response.status_code == 503
        assert response.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
        assert network.centers[0].name not in response.text
    assert await _reads(db) == []
    assert (await _get(client, _path(view, "csv"), token)).status_code == 200


@pytest.mark.parametrize("chart", list(DataViewChart))
async def test_a_view_with_nothing_to_show_still_draws(
    db: Database, client: GraphQLClient, chart: DataViewChart
) -> None:
    network = await make_network(db, 6)
    request = await make_request(db, network.requester)
    # Months without data, no network series, every center only inside the total.
    view = await make_view(
        db,
        request,
        network.centers[:2],
        proposer=network.steward,
        chart=chart,
        others=OthersShown.NETWORK_TOTAL_ONLY,
        include_network=False,
        period=(date(2020, 1, 1), date(2020, 3, 1)),
    )
    await publish_rows(db, view, request, network.steward)
    token = await network.token(db, network.requester)
    for extension in EXTENSIONS:
        response = await _get(client, _path(view, extension), token)
        assert response.status_code == 200, (extension, response.text)
    png = (await _get(client, _path(view, "png"), token)).content
    assert png[:8] == PNG_SIGNATURE
