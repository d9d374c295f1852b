"""Every read of a center's identified data from outside its team writes exactly one audit read
(per measure and request) naming the centers shown; own-team and network reads write none; and a
read whose audit cannot be written fails showing nothing. Over real HTTP, on both backends."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import httpx

from icn_graph.db.database import Database
from icn_graph.ids import to_global_id
from icn_graph.models import Center, CenterRole, Goal, KeyResult, NetworkRole, Person, PersonKind
from icn_graph.plugin_api import ReportQuery, build_report
from icn_graph.reports.measures.builtin import core_registry
from icn_graph.services.viewer import Viewer
from icn_graph.testing import (
    GraphQLClient,
    StatementCounter,
    make_center,
    make_person,
    snapshot,
    token_for,
)
from tests.helpers import error_codes
from tests.report_helpers import store_values
from tests.stewardship.audit_helpers import Logged, audit_refused, by_role, logged_reads

MEASURE = "remission_rate"
COUNTS = [(26, 40), (30, 50), (33, 50)]

REPORT = """
query($centerId: ID) { report(measure: "remission_rate", centerId: $centerId) {
  points { numerator denominator suppressed }
} }
"""

CENTER_REPORTS = """
query($first: Int!) { centers(first: $first) { nodes {
  name
  remission: report(measure: "remission_rate") { points { value } }
  planning: report(measure: "pre_visit_planning_rate") { points { value } }
} } }
"""

GOAL = """
query($id: ID!) { node(id: $id) { ... on Goal {
  progress keyResults { currentValue currentValueMonth progress }
} } }
"""


@dataclass
class Network:
    a: Center
    b: Center
    staff: Person
    staff_token: str
    member_token: str
    """A clinician on A's team."""
    data_manager: Person
    """A network data manager who is also on A's team."""
    data_manager_token: str


async def _network(db: Database) -> Network:
    a, b = await make_center(db), await make_center(db)
    for center in (a, b):
        await store_values(db, center, COUNTS)
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    member = await make_person(db, center=a, role=CenterRole.CLINICIAN)
    manager = await make_person(
        db,
        PersonKind.STAFF,
        network_role=NetworkRole.DATA_MANAGER,
        center=a,
        role=CenterRole.DATA_MANAGER,
    )
    return Network(
        a=a,
        b=b,
        staff=staff,
        staff_token=await token_for(db, staff),
        member_token=await token_for(db, member),
        data_manager=manager,
        data_manager_token=await token_for(db, manager),
    )


def _center_id(center: Center) -> str:
    return to_global_id("Center", center.id)


async def _get(client: GraphQLClient, path: str, token: str) -> httpx.Response:
    return await client.http.get(path, headers={"Authorization": f"Bearer {token}"})


async def test_staff_reading_a_centers_report_is_logged(
    db: Database, client: GraphQLClient
) -> None:
    net = await _network(db)

    data = await client.data(REPORT, {"centerId": _center_id(net.a)}, token=net.staff_token)

    assert [p["numerator"] for p in data["report"]["points"]] == [26, 30, 33]
    assert await logged_reads(db) == [
        Logged(net.staff.id, None, "GRAPHQL", "REPORT", MEASURE, by_role(net.a.id))
    ]


async def test_own_team_and_network_reads_are_not_logged(
    db: Database, client: GraphQLClient
) -> None:
    net = await _network(db)

    await client.data(REPORT, {"centerId": _center_id(net.a)}, token=net.member_token)
    await client.data(REPORT, {"centerId": None}, token=net.member_token)
    await client.data(REPORT, {"centerId": None}, token=net.staff_token)
    own = await _get(client, f"/reports/{MEASURE}.csv?center={net.a.short_code}", net.member_token)
    assert own.status_code == 200, own.text

    assert await logged_reads(db) == []


async def test_a_refused_report_is_not_logged(db: Database, client: GraphQLClient) -> None:
    net = await _network(db)

    body = await client.execute(REPORT, {"centerId": _center_id(net.b)}, token=net.member_token)

    assert error_codes(body) == ["FORBIDDEN"]
    assert await logged_reads(db) == []


async def test_a_page_of_centers_reports_is_one_audit_read_per_measure(
    db: Database, client: GraphQLClient, statements: StatementCounter
) -> None:
    net = await _network(db)

    async def count(first: int) -> int:
        statements.reset()
        data = await client.data(CENTER_REPORTS, {"first": first}, token=net.staff_token)
        assert len(data["centers"]["nodes"]) == first
        return statements.count

    two = await count(2)
    extra = [await make_center(db) for _ in range(4)]
    for center in extra:
        await store_values(db, center, COUNTS)
    six = await count(6)

    # The centers page, the viewer, one query for the centers, one series query per measure,
    # and per measure two INSERTs (the read and all its centers): the same for 2 or 6 centers.
    assert two == six, statements.statements
    everyone = [net.a.id, net.b.id, *(center.id for center in extra)]
    assert await logged_reads(db) == [
        Logged(net.staff.id, None, "GRAPHQL", "REPORT", MEASURE, by_role(net.a.id, net.b.id)),
        Logged(
            net.staff.id,
            None,
            "GRAPHQL",
            "REPORT",
            "pre_visit_planning_rate",
            by_role(net.a.id, net.b.id),
        ),
        Logged(net.staff.id, None, "GRAPHQL", "REPORT", MEASURE, by_role(*everyone)),
        Logged(
            net.staff.id, None, "GRAPHQL", "REPORT", "pre_visit_planning_rate", by_role(*everyone)
        ),
    ]


async def test_a_data_manager_is_logged_for_other_centers_only(
    db: Database, client: GraphQLClient
) -> None:
    net = await _network(db)

    await client.data(CENTER_REPORTS, {"first": 2}, token=net.data_manager_token)

    assert await logged_reads(db) == [
        Logged(net.data_manager.id, None, "GRAPHQL", "REPORT", MEASURE, by_role(net.b.id)),
        Logged(
            net.data_manager.id,
            None,
            "GRAPHQL",
            "REPORT",
            "pre_visit_planning_rate",
            by_role(net.b.id),
        ),
    ]


async def test_downloads_are_logged_with_their_channel(db: Database, client: GraphQLClient) -> None:
    net = await _network(db)

    for extension in ("csv", "png"):
        response = await _get(
            client, f"/reports/{MEASURE}.{extension}?center={net.b.short_code}", net.staff_token
        )
        assert response.status_code == 200, response.text

    assert await logged_reads(db) == [
        Logged(net.staff.id, None, "CSV", "REPORT", MEASURE, by_role(net.b.id)),
        Logged(net.staff.id, None, "PNG", "REPORT", MEASURE, by_role(net.b.id)),
    ]


async def test_a_plugins_build_report_is_logged(db: Database) -> None:
    net = await _network(db)
    viewer = Viewer(person_id=net.staff.id, network_role=NetworkRole.STAFF)

    report = await build_report(db, viewer, core_registry(), ReportQuery(MEASURE, net.b.id))

    assert [point.numerator for point in report.points] == [26, 30, 33]
    assert await logged_reads(db) == [
        Logged(net.staff.id, None, "GRAPHQL", "REPORT", MEASURE, by_role(net.b.id))
    ]


async def test_build_report_logs_the_channel_and_subject_it_is_given(db: Database) -> None:
    net = await _network(db)
    viewer = Viewer(person_id=net.staff.id, network_role=NetworkRole.STAFF)

    await build_report(
        db,
        viewer,
        core_registry(),
        ReportQuery(MEASURE, net.b.id),
        channel="SVG",
        subject="KEY_RESULT",
    )

    assert await logged_reads(db) == [
        Logged(net.staff.id, None, "SVG", "KEY_RESULT", MEASURE, by_role(net.b.id))
    ]


async def _goal_of(db: Database, center: Center, author: Person) -> str:
    async with db.transaction() as session:
        goal = Goal(
            center_id=center.id,
            title="More patients in remission",
            aim="From 50 % to 80 %.",
            starts_on=date(2024, 1, 1),
            due_on=date(2024, 3, 31),
            confidence=5,
            created_by_id=author.id,
            updated_by_id=author.id,
        )
        session.add(goal)
        await session.flush()
        session.add(
            KeyResult(
                goal_id=goal.id,
                position=0,
                title="Remission",
                start_value=50,
                target_value=80,
                current_value=50,
                measure_key=MEASURE,
            )
        )
    return to_global_id("Goal", goal.id)


async def test_key_results_shown_from_data_are_logged(db: Database, client: GraphQLClient) -> None:
    net = await _network(db)
    goal_id = await _goal_of(db, net.a, net.staff)

    staff = await client.data(GOAL, {"id": goal_id}, token=net.staff_token)
    own = await client.data(GOAL, {"id": goal_id}, token=net.member_token)

    assert staff["node"]["keyResults"][0]["currentValue"] == 66.0  # 33 / 50
    assert own["node"]["keyResults"][0]["currentValue"] == 66.0
    # progress, currentValue and the goal's progress: one batch, one audit read.
    assert await logged_reads(db) == [
        Logged(net.staff.id, None, "GRAPHQL", "KEY_RESULT", MEASURE, by_role(net.a.id))
    ]


async def test_a_hidden_key_result_value_is_not_logged(db: Database, client: GraphQLClient) -> None:
    net = await _network(db)
    await store_values(db, net.a, [(36, 40)], start=date(2022, 4, 1))  # complement 4: hidden
    goal_id = await _goal_of(db, net.a, net.staff)

    staff = await client.data(GOAL, {"id": goal_id}, token=net.staff_token)

    assert staff["node"]["keyResults"][0]["currentValue"] == 50.0  # the recorded value
    assert await logged_reads(db) == []


async def test_a_read_that_cannot_be_audited_shows_nothing(
    db: Database, client: GraphQLClient
) -> None:
    net = await _network(db)
    goal_id = await _goal_of(db, net.a, net.staff)
    before = await snapshot(db)

    async with audit_refused(db):
        report = await client.execute(
            REPORT, {"centerId": _center_id(net.b)}, token=net.staff_token
        )
        page = await client.execute(CENTER_REPORTS, {"first": 2}, token=net.staff_token)
        goal = await client.execute(GOAL, {"id": goal_id}, token=net.staff_token)
        csv = await _get(
            client, f"/reports/{MEASURE}.csv?center={net.b.short_code}", net.staff_token
        )
        # Reads that are not identified disclosures need no audit and still work.
        own = await client.data(REPORT, {"centerId": _center_id(net.a)}, token=net.member_token)

    assert report["data"] is None
    assert error_codes(report) == ["SERVICE_UNAVAILABLE"]
    assert "audit log" in report["errors"][0]["message"]
    assert "Traceback" not in str(report)
    # Each report is null with the error; the centers around them stay (Center.report is
    # nullable, so one field cannot erase the page).
    nodes = page["data"]["centers"]["nodes"]
    assert [bool(node["name"]) for node in nodes] == [True, True]
    assert [(node["remission"], node["planning"]) for node in nodes] == [(None, None)] * 2
    assert set(error_codes(page)) == {"SERVICE_UNAVAILABLE"}
    assert goal["data"]["node"] is None
    assert set(error_codes(goal)) == {"SERVICE_UNAVAILABLE"}
    assert csv.status_code == 503
    assert csv.headers["content-type"].startswith("application/json")
    assert csv.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert "audit log" in csv.json()["errors"][0]["message"]
    assert [p["numerator"] for p in own["report"]["points"]] == [26, 30, 33]
    assert await snapshot(db) == before
