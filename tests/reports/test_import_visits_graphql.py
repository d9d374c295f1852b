"""``importVisits`` over real HTTP multipart requests (the GraphQL multipart request spec)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from icn_graph.db.database import Database
from icn_graph.ids import to_global_id
from icn_graph.models import Center, CenterRole, MeasureValue, NetworkRole, PersonKind, Visit
from icn_graph.testing import GraphQLClient, make_center, make_person, snapshot, token_for
from tests.helpers import error_codes

MUTATION = """
mutation Import($input: ImportVisitsInput!) {
  importVisits(input: $input) {
    center { shortCode }
    rowsRead imported updated ignoredColumns rowErrorsTotal
    rowErrors { row column problem }
    userErrors { field message }
  }
}
"""

GOOD = (
    "patient_key,visit_date,pga,diagnosis,on_steroids,pre_visit_planning,favourite_colour\n"
    "P-001,2024-01-15,QUIESCENT,CROHNS,no,yes,blue\n"
    "P-001,2024-04-02,MILD,CROHNS,yes,,red\n"
    "P-002,2024-02-20,QUIESCENT,UC,no,no,\n"
    "P-003,2024-03-05,QUIESCENT,IBDU,no,yes,\n"
)

BAD = (
    "patient_key,visit_date,pga,diagnosis\n"
    "P-001,2024-01-15,QUIESCENT,CROHNS\n"
    "P-002,2024-02-30,QUIESCENT,UC\n"
    ",2024-03-01,GREAT,UC\n"
)


async def upload(
    client: GraphQLClient,
    center: Center,
    content: bytes,
    *,
    token: str | None,
    extra_headers: dict[str, str] | None = None,
) -> httpx.Response:
    operations = {
        "query": MUTATION,
        "variables": {"input": {"centerId": to_global_id("Center", center.id), "file": None}},
    }
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.http.post(
        "/graphql",
        data={
            "operations": json.dumps(operations),
            "map": json.dumps({"0": ["variables.input.file"]}),
        },
        files={"0": ("visits.csv", content, "text/csv")},
        headers=headers | (extra_headers or {}),
    )


async def result(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    payload: dict[str, Any] = body["data"]["importVisits"]
    return payload


async def visit_count(db: Database) -> int:
    async with db.session() as session:
        return int(await session.scalar(select(func.count()).select_from(Visit)) or 0)


async def data_manager(db: Database, center: Center) -> str:
    person = await make_person(
        db, PersonKind.DATA_MANAGER, center=center, role=CenterRole.DATA_MANAGER
    )
    return await token_for(db, person)


async def test_a_data_manager_imports_and_measures_are_refreshed(
    db: Database, client: GraphQLClient
) -> None:
    center = await make_center(db)
    token = await data_manager(db, center)

    payload = await result(await upload(client, center, GOOD.encode(), token=token))

    assert payload == {
        "center": {"shortCode": center.short_code},
        "rowsRead": 4,
        "imported": 4,
        "updated": 0,
        "ignoredColumns": ["favourite_colour"],
        "rowErrorsTotal": 0,
        "rowErrors": [],
        "userErrors": [],
    }
    assert await visit_count(db) == 4
    async with db.session() as session:
        keys = set(
            await session.scalars(
                select(MeasureValue.measure_key).where(MeasureValue.center_id == center.id)
            )
        )
    assert "remission_rate" in keys

    report = await client.data(
        'query($id: ID) { report(measure: "remission_rate", centerId: $id) {'
        " points { month numerator denominator } } }",
        {"id": to_global_id("Center", center.id)},
        token=token,
    )
    points = report["report"]["points"]
    assert points, "the import refreshed the center's measures"
    assert points[-1]["denominator"] == 3  # three patients seen in the prior 12 months

    again = await result(await upload(client, center, GOOD.encode(), token=token))
    assert (again["imported"], again["updated"]) == (0, 4)
    assert await visit_count(db) == 4


async def test_a_bad_file_reports_every_row_error_and_changes_nothing(
    db: Database, client: GraphQLClient
) -> None:
    center = await make_center(db)
    token = await data_manager(db, center)
    await result(await upload(client, center, GOOD.encode(), token=token))
    before = await snapshot(db)

    payload = await result(await upload(client, center, BAD.encode(), token=token))

    assert (payload["imported"], payload["updated"], payload["rowErrorsTotal"]) == (0, 0, 3)
    errors = [(e["row"], e["column"]) for e in payload["rowErrors"]]
    assert errors == [(3, "visit_date"), (4, "patient_key"), (4, "pga")]
    assert any("2024-02-30" in e["problem"] for e in payload["rowErrors"])
    after = await snapshot(db)
    assert after == before


async def test_identifier_columns_and_non_utf8_files_are_refused(
    db: Database, client: GraphQLClient
) -> None:
    center = await make_center(db)
    token = await data_manager(db, center)
    before = await snapshot(db)

    named = "patient_key,visit_date,pga,diagnosis,date_of_birth\nP1,2024-01-01,MILD,UC,2010-01-01\n"
    payload = await result(await upload(client, center, named.encode(), token=token))
    assert payload["rowErrors"][0]["column"] == "date_of_birth"
    assert "HIPAA" in payload["rowErrors"][0]["problem"]

    latin1 = "patient_key,visit_date,pga,diagnosis\nJosé,2024-01-01,MILD,UC\n".encode("latin-1")
    payload = await result(await upload(client, center, latin1, token=token))
    assert "utf-8" in payload["rowErrors"][0]["problem"].lower()
    assert await snapshot(db) == before


@pytest.mark.parametrize(
    ("kind", "network_role", "role", "allowed"),
    [
        (PersonKind.DATA_MANAGER, NetworkRole.MEMBER, CenterRole.DATA_MANAGER, True),
        (PersonKind.QI_LEAD, NetworkRole.MEMBER, CenterRole.QI_LEAD, True),
        (PersonKind.CLINICIAN, NetworkRole.MEMBER, CenterRole.CLINICIAN, False),
        (PersonKind.PARENT_PARTNER, NetworkRole.MEMBER, CenterRole.PARENT_PARTNER, False),
        # Visits are the center's patients' data: the network's roles do not reach them
        # (an import's answer tells whether a patient visited on a day).
        (PersonKind.STAFF, NetworkRole.DATA_MANAGER, None, False),
        (PersonKind.STAFF, NetworkRole.STAFF, None, False),
        (PersonKind.STAFF, NetworkRole.ADMIN, None, False),
        (PersonKind.STAFF, NetworkRole.MEMBER, None, False),
        # Staff who join the center's team as its data manager may.
        (PersonKind.STAFF, NetworkRole.STAFF, CenterRole.DATA_MANAGER, True),
    ],
)
async def test_who_may_import(
    db: Database,
    client: GraphQLClient,
    kind: PersonKind,
    network_role: NetworkRole,
    role: CenterRole | None,
    allowed: bool,
) -> None:
    center = await make_center(db)
    person = await make_person(
        db, kind, network_role=network_role, center=center if role else None, role=role
    )
    response = await upload(client, center, GOOD.encode(), token=await token_for(db, person))
    body = response.json()
    if allowed:
        assert (await result(response))["imported"] == 4
    else:
        assert error_codes(body) == ["FORBIDDEN"]
        assert await visit_count(db) == 0


async def test_a_data_manager_of_another_center_may_not_import(
    db: Database, client: GraphQLClient
) -> None:
    center = await make_center(db)
    token = await data_manager(db, await make_center(db))
    body = (await upload(client, center, GOOD.encode(), token=token)).json()
    assert error_codes(body) == ["FORBIDDEN"]
    assert await visit_count(db) == 0


async def test_multipart_needs_a_bearer_token(db: Database, client: GraphQLClient) -> None:
    """A browser can post a multipart form cross-site (CSRF) but cannot add the header."""
    center = await make_center(db)
    response = await upload(
        client, center, GOOD.encode(), token=None, extra_headers={"Cookie": "session=abc"}
    )
    assert response.status_code == 401
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    invalid = await upload(client, center, GOOD.encode(), token="icn_nope")
    assert error_codes(invalid.json()) == ["UNAUTHENTICATED"]
    assert await visit_count(db) == 0


async def test_unknown_center_is_not_found(db: Database, client: GraphQLClient) -> None:
    token = await data_manager(db, await make_center(db))
    ghost = Center(id=999_999, short_code="GHOST", name="Ghost")
    body = (await upload(client, ghost, GOOD.encode(), token=token)).json()
    assert error_codes(body) == ["NOT_FOUND"]
    assert body["errors"][0]["extensions"]["field"] == "centerId"


async def test_a_json_string_is_not_a_file(db: Database, client: GraphQLClient) -> None:
    center = await make_center(db)
    token = await data_manager(db, center)
    body = await client.execute(
        "mutation($id: ID!, $file: Upload!) {"
        " importVisits(input: {centerId: $id, file: $file}) { imported } }",
        {"id": to_global_id("Center", center.id), "file": "patient_key,visit_date,pga,diagnosis"},
        token=token,
    )
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == "file"
