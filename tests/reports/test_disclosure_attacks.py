"""The review's two attacks on the demo network, replayed through the HTTP API by a parent
partner, a clinician of another center and network staff pooling their CSVs.

- Across viewers: the parent's network CSV minus the centers staff, the parent and the
  clinician see gave away ORF-CH's 13/22 in 2008-05 (and GEG-CHO's 7/333 sustained remission in
  2007-08). Now everyone gets the same network CSV, and in every month it is published, the
  network minus every center any of them sees reveals no count from 1 to 10. (The readers are
  on neither reviewed center's team: a team sees its own center in full.)
- Across measures: remission minus steroid-free remission at BGR-UCH in 2007-04 (16/35 - 13/35)
  gave away 3 patients in remission on steroids. Now no center-month shows both measures with a
  difference (or its complement) from 1 to 10, nor with sustained remission.
"""

from __future__ import annotations

import csv
import io
from datetime import date

from sqlalchemy import select

from icn_graph.db.database import Database
from icn_graph.demo import load_demo
from icn_graph.demo.present import STORY_TODAY
from icn_graph.host import core_host
from icn_graph.models import Center, CenterRole, Membership, NetworkRole, Person
from icn_graph.services.reports.disclosure import is_small_count, reveals_small_count
from icn_graph.testing import GraphQLClient, token_for

REVIEWED_CENTERS = frozenset({"ORF-CH", "BGR-UCH"})
"""The centers of the review's cases: the readers are on neither team."""

Series = dict[date, tuple[int, int] | None]
"""Month -> (numerator, denominator), ``None`` when suppressed."""


async def _csv(client: GraphQLClient, token: str, measure: str, center: str | None) -> Series:
    params = {"from": "2007-01", "to": "2014-02"}
    if center is not None:
        params["center"] = center
    response = await client.http.get(
        f"/reports/{measure}.csv", params=params, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    series: Series = {}
    for row in csv.DictReader(io.StringIO(response.text)):
        month = date.fromisoformat(row["month"] + "-01")
        series[month] = (
            None
            if row["suppressed"] == "true"
            else (int(row["numerator"]), int(row["denominator"]))
        )
    return series


async def _readers(db: Database) -> tuple[dict[str, str], dict[str, str]]:
    """Tokens of a parent partner, a clinician of another center and staff; each one's own
    center code (staff: none)."""
    async with db.session() as session:
        memberships = (
            await session.execute(
                select(Membership.person_id, Membership.role, Center.short_code)
                .join(Center, Center.id == Membership.center_id)
                .order_by(Membership.id)
            )
        ).all()
        staff = await session.scalar(
            select(Person).where(Person.network_role == NetworkRole.STAFF).order_by(Person.id)
        )
        people = {p.id: p for p in (await session.scalars(select(Person))).all()}
    parent = next(
        m
        for m in memberships
        if m.role is CenterRole.PARENT_PARTNER and m.short_code not in REVIEWED_CENTERS
    )
    clinician = next(
        m
        for m in memberships
        if m.role is CenterRole.CLINICIAN
        and m.short_code not in {*REVIEWED_CENTERS, parent.short_code}
    )
    assert staff is not None
    tokens = {
        "parent": await token_for(db, people[parent.person_id]),
        "clinician": await token_for(db, people[clinician.person_id]),
        "staff": await token_for(db, staff),
    }
    return tokens, {"parent": parent.short_code, "clinician": clinician.short_code}


async def test_the_reviews_attacks_no_longer_work(db: Database, client: GraphQLClient) -> None:
    await load_demo(db, plugins=core_host(), today=STORY_TODAY)
    tokens, own = await _readers(db)
    async with db.session() as session:
        codes = list(await session.scalars(select(Center.short_code).order_by(Center.id)))

    seen: dict[str, dict[str, Series]] = {}
    for measure in ("remission_rate", "steroid_free_remission", "sustained_remission"):
        networks = [await _csv(client, token, measure, None) for token in tokens.values()]
        assert networks[0] == networks[1] == networks[2]  # one table for everyone
        network = networks[0]
        # What the three see of each center, pooled: their own in full, the rest as staff do.
        by_center = {code: await _csv(client, tokens["staff"], measure, code) for code in codes}
        for reader, code in own.items():
            by_center[code] = await _csv(client, tokens[reader], measure, code)
        seen[measure] = by_center

        for month, total in network.items():
            if total is None:
                continue
            known = [cell for s in by_center.values() if (cell := s.get(month)) is not None]
            rest_y = total[0] - sum(y for y, _ in known)
            rest_n = total[1] - sum(n for _, n in known)
            assert not reveals_small_count(rest_y, rest_n), (measure, month, rest_y, rest_n)

    # The review's first case: hidden from staff, and not derivable (checked above).
    assert seen["remission_rate"]["ORF-CH"][date(2008, 5, 1)] is None

    for code in codes:
        if code in own.values():
            continue  # their own team sees everything of it anyway
        remission = seen["remission_rate"][code]
        for nested in ("steroid_free_remission", "sustained_remission"):
            for month, inner in seen[nested][code].items():
                outer = remission.get(month)
                if inner is None or outer is None:
                    continue
                difference = outer[0] - inner[0]
                assert not is_small_count(difference), (code, nested, month, difference)
                assert not is_small_count(outer[1] - difference), (code, nested, month)
    # The review's second case: 16/35 and 13/35, hidden together (one family, one cell).
    april_2007 = date(2007, 4, 1)
    assert seen["remission_rate"]["BGR-UCH"][april_2007] is None
    assert seen["steroid_free_remission"]["BGR-UCH"][april_2007] is None
