"""More attacks on the published table, through the importer and the HTTP API, on small crafted
networks (pre-visit planning: a visit-level measure, so each month's counts are easy to craft).

- **Across versions.** The table is recomputed when data change; whoever saved an earlier CSV
  still knows the cells it published. A late import that turns one center's month small hides
  it with complementary cells whose counts did not change and were published before: the
  network total minus the centers published now minus those saved counts gives it away.
- **Stale flags.** After an import turns a large cell small, the incremental refresh must not
  leave the month published (and its network total must be the new sum).
"""

from __future__ import annotations

import csv
import io
from datetime import date

from icn_graph.db.database import Database
from icn_graph.models import Center, NetworkRole, PersonKind
from icn_graph.reports.measures.builtin import core_registry
from icn_graph.services.registry import import_visits
from icn_graph.services.reports import refresh_measures
from icn_graph.services.reports.disclosure import reveals_small_count
from icn_graph.testing import GraphQLClient, make_center, make_person, token_for

SECRET = "attack-secret"
MEASURE = "pre_visit_planning_rate"
MONTH = date(2023, 3, 1)
HEADER = "patient_key,visit_date,pga,diagnosis,on_steroids,pre_visit_planning\n"

Series = dict[date, tuple[int, int] | None]


def visits_file(planned: int, unplanned: int, *, first_patient: int = 0) -> str:
    """One visit per patient in ``MONTH``: ``planned`` with planning done, then ``unplanned``."""
    rows = [
        f"p{first_patient + index},{MONTH:%Y-%m}-{1 + index % 28:02d},QUIESCENT,UC,no,"
        + ("yes" if index < planned else "no")
        for index in range(planned + unplanned)
    ]
    return HEADER + "\n".join(rows) + "\n"


async def upload(db: Database, center: Center, text: str) -> None:
    """What the upload mutation does: import, then refresh the months the visits can change."""
    summary = await import_visits(db, center.short_code, io.StringIO(text), secret=SECRET)
    async with db.transaction() as session:
        await refresh_measures(session, core_registry(), visit_months={center.id: summary.months})


async def read_csv(
    client: GraphQLClient, token: str, center: Center | None
) -> tuple[int, int] | None:
    params = {"from": f"{MONTH:%Y-%m}", "to": f"{MONTH:%Y-%m}"}
    if center is not None:
        params["center"] = center.short_code
    response = await client.http.get(
        f"/reports/{MEASURE}.csv", params=params, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    (row,) = list(csv.DictReader(io.StringIO(response.text)))
    if row["suppressed"] == "true":
        return None
    return int(row["numerator"]), int(row["denominator"])


async def test_a_late_import_cannot_be_differenced_against_an_earlier_csv(
    db: Database, client: GraphQLClient
) -> None:
    sizes = [(30, 30), (40, 40), (45, 45), (50, 50), (60, 60)]  # planned, unplanned
    centers = [await make_center(db) for _ in sizes]
    for center, (planned, unplanned) in zip(centers, sizes, strict=True):
        await upload(db, center, visits_file(planned, unplanned))
    staff = await token_for(
        db, await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    )
    before = {c.id: await read_csv(client, staff, c) for c in centers}
    assert all(cell is not None for cell in before.values())  # all large: all published

    # The first center's late import: 25 of its 30 unplanned visits were planned after all
    # (the same patients and dates, updated): 55/60, a complement of 5.
    first = centers[0]
    await upload(db, first, visits_file(55, 5))
    # A full refresh (``icn-graph measures refresh``) stores every cell again: the same counts
    # stay known.
    async with db.transaction() as session:
        await refresh_measures(session, core_registry())
    assert await read_csv(client, staff, first) is None  # hidden now

    network = await read_csv(client, staff, None)
    if network is None:
        return  # no margin: nothing links the centers
    now = {c.id: await read_csv(client, staff, c) for c in centers}
    # The attacker's best knowledge of every other center: published now, or saved before
    # (their visits did not change).
    known = [now[c.id] or before[c.id] for c in centers[1:]]
    rest_y = network[0] - sum(y for y, _ in known if y is not None)  # type: ignore[misc]
    rest_n = network[1] - sum(n for _, n in known)  # type: ignore[misc]
    assert not reveals_small_count(rest_y, rest_n), (rest_y, rest_n)


async def test_an_import_that_turns_a_cell_small_leaves_no_stale_published_flag(
    db: Database, client: GraphQLClient
) -> None:
    sizes = [(30, 30), (40, 40), (45, 45), (50, 50), (60, 60), (70, 70)]
    centers = [await make_center(db) for _ in sizes]
    for center, (planned, unplanned) in zip(centers, sizes, strict=True):
        await upload(db, center, visits_file(planned, unplanned))
    staff = await token_for(
        db, await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    )
    assert await read_csv(client, staff, centers[0]) == (30, 60)
    await upload(db, centers[0], visits_file(55, 5))
    assert await read_csv(client, staff, centers[0]) is None
    network = await read_csv(client, staff, None)
    assert network is None or network == (
        55 + 40 + 45 + 50 + 60 + 70,
        60 + 80 + 90 + 100 + 120 + 140,
    )
