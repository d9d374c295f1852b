"""Key results linked to measures: validation, values from data as each reader may see them,
and no N+1 for goal listings with linked key results."""

from __future__ import annotations

from datetime import date
from typing import Any

from icn_graph.db.database import Database
from icn_graph.ids import to_global_id
from icn_graph.models import Center, CenterRole, Goal, KeyResult, PersonKind
from icn_graph.testing import (
    GraphQLClient,
    StatementCounter,
    make_center,
    make_person,
    token_for,
)
from tests.report_helpers import Audience, make_audience, month, store_values

KEY_RESULT_FIELDS = """
id currentValue currentValueMonth progress measure { key title }
"""

CREATE = f"""
mutation($input: CreateGoalInput!) {{
  createGoal(input: $input) {{
    goal {{ id progress keyResults {{ {KEY_RESULT_FIELDS} }} }}
    userErrors {{ field message code }}
  }}
}}
"""

GOAL = f"""
query($id: ID!) {{ node(id: $id) {{ ... on Goal {{
  progress keyResults {{ {KEY_RESULT_FIELDS} }}
}} }} }}
"""


def goal_input(owner_id: str, measure_key: str | None = "remission_rate") -> dict[str, Any]:
    return {
        "ownerId": owner_id,
        "title": "More patients in remission",
        "aim": "Raise remission from 50 % to 80 % by spring.",
        "startsOn": "2024-01-01",
        "keyResults": [
            {
                "title": "Remission rate",
                "unit": "%",
                "startValue": 50,
                "targetValue": 80,
                "measureKey": measure_key,
            }
        ],
    }


async def create(client: GraphQLClient, token: str, owner_id: str) -> dict[str, Any]:
    data = await client.data(CREATE, {"input": goal_input(owner_id)}, token=token)
    assert data["createGoal"]["userErrors"] == []
    goal: dict[str, Any] = data["createGoal"]["goal"]
    return goal


async def read(client: GraphQLClient, token: str, goal_id: str) -> dict[str, Any]:
    node: dict[str, Any] = (await client.data(GOAL, {"id": goal_id}, token=token))["node"]
    return node


async def test_the_current_value_comes_from_the_latest_month(
    db: Database, client: GraphQLClient
) -> None:
    audience = await make_audience(db)
    await store_values(db, audience.center, [(20, 40), (26, 40), (28, 40)])

    goal = await create(client, audience.member, audience.center_id)

    key_result = goal["keyResults"][0]
    assert key_result["measure"] == {"key": "remission_rate", "title": "Remission rate"}
    assert key_result["currentValue"] == 70.0  # 28 / 40 in the latest month
    assert key_result["currentValueMonth"] == month(2).isoformat()
    assert key_result["progress"] == 2 / 3 * 100
    assert goal["progress"] == key_result["progress"]


async def test_small_counts_show_only_to_the_centers_team(
    db: Database, client: GraphQLClient
) -> None:
    audience = await make_audience(db)
    await store_values(db, audience.center, [(28, 40), (36, 40)])  # complement 4: suppressed
    goal = await create(client, audience.member, audience.center_id)

    own = (await read(client, audience.member, goal["id"]))["keyResults"][0]
    assert (own["currentValue"], own["currentValueMonth"]) == (90.0, month(1).isoformat())

    for token in (audience.staff, audience.data_manager, audience.other_member):
        seen = await read(client, token, goal["id"])
        key_result = seen["keyResults"][0]
        assert key_result["currentValue"] == 50.0  # the recorded value
        assert key_result["currentValueMonth"] is None
        assert key_result["progress"] == 0.0
        assert seen["progress"] == 0.0


async def test_staff_see_unsuppressed_months_and_other_teams_never(
    db: Database, client: GraphQLClient
) -> None:
    audience = await make_audience(db)
    await store_values(db, audience.center, [(26, 40)])
    goal = await create(client, audience.member, audience.center_id)

    staff = (await read(client, audience.staff, goal["id"]))["keyResults"][0]
    assert staff["currentValue"] == 65.0
    other = (await read(client, audience.other_member, goal["id"]))["keyResults"][0]
    assert other["currentValue"] == 50.0


async def test_a_persons_goal_follows_the_network(db: Database, client: GraphQLClient) -> None:
    audience = await make_audience(db)
    await store_values(db, audience.center, [(30, 40), (20, 39)])
    await store_values(db, audience.other_center, [(10, 40), (30, 41)])
    parent = await make_person(db)
    token = await token_for(db, parent)
    goal = await create(client, token, to_global_id("Person", parent.id))

    key_result = goal["keyResults"][0]
    assert key_result["currentValue"] == 62.5  # (20 + 30) / (39 + 41) in the latest month
    assert key_result["currentValueMonth"] == month(1).isoformat()


async def test_a_network_value_hides_what_subtracting_a_center_reveals(
    db: Database, client: GraphQLClient
) -> None:
    """The network is A (40/60) plus B (3/4): its 43/64 reveals no small count, but minus A it
    is B's 3/4. Whoever sees A (A's team, staff) could subtract, and the network total is one
    published table for everyone, so nobody gets it: everyone sees the recorded value."""
    audience = await make_audience(db)
    await store_values(db, audience.center, [(40, 60)])
    await store_values(db, audience.other_center, [(3, 4)])
    on_a = await make_person(db, center=audience.center, role=CenterRole.CLINICIAN)
    on_a_token = await token_for(db, on_a)
    goal = await create(client, on_a_token, to_global_id("Person", on_a.id))
    assert goal["keyResults"][0]["currentValue"] == 50.0

    for token in (on_a_token, audience.member, audience.staff, audience.data_manager):
        key_result = (await read(client, token, goal["id"]))["keyResults"][0]
        assert (key_result["currentValue"], key_result["currentValueMonth"]) == (50.0, None)

    # On no center's team (and not staff) the same: the pattern does not depend on the reader
    # (before, this reader got 43/64, and staff's A of 40/60 gave B away).
    parent = await make_person(db, PersonKind.PARENT_PARTNER)
    parent_token = await token_for(db, parent)
    own = await create(client, parent_token, to_global_id("Person", parent.id))
    assert (own["keyResults"][0]["currentValue"], own["keyResults"][0]["currentValueMonth"]) == (
        50.0,
        None,
    )


async def test_without_data_the_recorded_value_stands(db: Database, client: GraphQLClient) -> None:
    audience = await make_audience(db)
    goal = await create(client, audience.member, audience.center_id)
    key_result = goal["keyResults"][0]
    assert (key_result["currentValue"], key_result["currentValueMonth"]) == (50.0, None)
    assert key_result["measure"]["key"] == "remission_rate"


async def test_unknown_measure_keys_are_refused(db: Database, client: GraphQLClient) -> None:
    audience = await make_audience(db)
    data = await client.data(
        CREATE, {"input": goal_input(audience.center_id, "remision")}, token=audience.member
    )
    errors = data["createGoal"]["userErrors"]
    assert [error["field"] for error in errors] == ["keyResults[0].measureKey"]
    assert "remision" in errors[0]["message"]
    assert "remission_rate" in errors[0]["message"]
    assert data["createGoal"]["goal"] is None

    plain = await client.data(
        CREATE, {"input": goal_input(audience.center_id, None)}, token=audience.member
    )
    goal = plain["createGoal"]["goal"]
    goal_id = goal["id"]
    add = await client.data(
        """
        mutation($input: AddKeyResultInput!) {
          addKeyResult(input: $input) {
            keyResult { measure { key } } userErrors { field message }
          }
        }
        """,
        {
            "input": {
                "goalId": goal_id,
                "title": "Pre-visit planning",
                "startValue": 10,
                "targetValue": 90,
                "measureKey": "nope",
            }
        },
        token=audience.member,
    )
    assert [e["field"] for e in add["addKeyResult"]["userErrors"]] == ["measureKey"]


UPDATE = """
mutation($input: UpdateKeyResultInput!) {
  updateKeyResult(input: $input) {
    keyResult { currentValue measure { key } } userErrors { field message }
  }
}
"""


async def test_update_links_and_unlinks_a_measure(db: Database, client: GraphQLClient) -> None:
    audience = await make_audience(db)
    await store_values(db, audience.center, [(30, 40)])
    data = await client.data(
        CREATE, {"input": goal_input(audience.center_id, None)}, token=audience.member
    )
    key_result_id = data["createGoal"]["goal"]["keyResults"][0]["id"]

    async def update(measure_key: str) -> dict[str, Any]:
        variables = {"input": {"id": key_result_id, "measureKey": measure_key}}
        result: dict[str, Any] = (await client.data(UPDATE, variables, token=audience.member))[
            "updateKeyResult"
        ]
        return result

    linked = await update("remission_rate")
    assert linked["keyResult"] == {"currentValue": 75.0, "measure": {"key": "remission_rate"}}
    refused = await update("bogus")
    assert [e["field"] for e in refused["userErrors"]] == ["measureKey"]
    unlinked = await update("")
    assert unlinked["keyResult"] == {"currentValue": 50.0, "measure": None}


LIST = """
query($first: Int!) {
  goals(first: $first) {
    nodes { progress keyResults { currentValue currentValueMonth progress measure { key } } }
  }
}
"""


async def _goals_with_linked_key_results(db: Database, centers: list[Center], person: int) -> None:
    async with db.transaction() as session:
        for center in centers:
            goal = Goal(
                center_id=center.id,
                title=f"Goal of {center.short_code}",
                aim="More remission.",
                starts_on=date(2024, 1, 1),
                due_on=date(2024, 3, 31),
                confidence=5,
                created_by_id=person,
                updated_by_id=person,
            )
            session.add(goal)
            await session.flush()
            session.add_all(
                KeyResult(
                    goal_id=goal.id,
                    position=position,
                    title=f"KR {position}",
                    start_value=50,
                    target_value=80,
                    current_value=50,
                    measure_key=key,
                )
                for position, key in enumerate(("remission_rate", "pre_visit_planning_rate"))
            )


async def test_goal_listings_batch_the_measure_lookup(
    db: Database, client: GraphQLClient, statements: StatementCounter
) -> None:
    audience: Audience = await make_audience(db)
    person = await make_person(db)
    centers = [await make_center(db) for _ in range(12)]
    for center in centers:
        await store_values(db, center, [(20, 40), (60, 80)])
        await store_values(db, center, [(140, 160)], measure="pre_visit_planning_rate")
    await _goals_with_linked_key_results(db, centers, person.id)

    async def count(first: int) -> tuple[int, list[dict[str, Any]]]:
        statements.reset()
        data = await client.data(LIST, {"first": first}, token=audience.staff)
        return statements.count, data["goals"]["nodes"]

    small, _ = await count(2)
    large, many = await count(12)
    assert small == large, statements.statements
    assert len(many) == 12
    for goal in many:
        values = [key_result["currentValue"] for key_result in goal["keyResults"]]
        assert values == [75.0, 87.5]
        assert goal["progress"] == (25 / 30 * 100 + 100.0) / 2


async def _latest_of_stored(
    db: Database,
    rows: list[tuple[str, Center, date, int]],
    network: list[tuple[str, date, int]],
    sources: list[tuple[str, int | None]],
) -> dict[tuple[str, int | None], Any]:
    """Stores center rows (denominator 50, unpublished) and network rows (denominator 100,
    published) in the order given, then reads ``latest_counts`` of ``sources``."""
    from icn_graph.models import MeasureValue, NetworkValue
    from icn_graph.services.reports.disclosure import latest_counts

    async with db.transaction() as session:
        session.add_all(
            MeasureValue(
                measure_key=key, center_id=center.id, month=when, numerator=y, denominator=50
            )
            for key, center, when, y in rows
        )
        session.add_all(
            NetworkValue(measure_key=key, month=when, numerator=y, denominator=100, published=True)
            for key, when, y in network
        )
    async with db.session() as session:
        return dict(await latest_counts(session, sources))


async def test_latest_counts_reads_each_series_own_latest_month(db: Database) -> None:
    """Each (measure, center) and each network series gets its own latest month, however the
    rows lie: written newest first, with other measures, centers and months around them."""
    from icn_graph.services.reports.disclosure import latest_counts

    one = await make_center(db)
    two = await make_center(db)
    march, april, may = date(2024, 3, 1), date(2024, 4, 1), date(2024, 5, 1)
    rows = [  # (measure, center, month, numerator): newest first
        ("a", one, may, 5),
        ("b", one, april, 4),
        ("b", one, march, 3),
        ("a", one, march, 1),
        ("a", two, april, 24),
        ("b", two, may, 25),
        ("a", two, march, 23),
        ("c", one, may, 9),
    ]
    network = [("a", april, 40), ("b", may, 50), ("b", march, 30), ("a", march, 10)]
    sources = [("a", one.id), ("b", one.id), ("a", two.id), ("a", None), ("b", None)]
    found = await _latest_of_stored(db, rows, network, sources)
    assert {source: (count.month, count.numerator) for source, count in found.items()} == {
        ("a", one.id): (may, 5),
        ("b", one.id): (april, 4),
        ("a", two.id): (april, 24),
        ("a", None): (april, 40),
        ("b", None): (may, 50),
    }
    assert found[("a", None)].published
    assert not found[("a", one.id)].published
    async with db.session() as session:
        assert await latest_counts(session, []) == {}
        only = await latest_counts(session, [("b", two.id)])
    assert {source: count.month for source, count in only.items()} == {("b", two.id): may}


async def test_latest_counts_never_lends_a_series_another_series_latest_month(
    db: Database,
) -> None:
    """A month that is the latest of one series (another measure of the same center, the same
    measure at another center, another network measure) is not the latest of a series that
    goes on past it."""
    one = await make_center(db)
    two = await make_center(db)
    jan, feb, mar = date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)
    rows = [  # (measure, center, month, numerator): each series' latest first
        ("a", one, mar, 3),
        ("a", one, feb, 2),
        ("a", one, jan, 1),
        ("b", one, feb, 12),
        ("a", two, feb, 22),
    ]
    network = [("a", mar, 33), ("a", feb, 32), ("b", feb, 42)]
    sources = [("a", one.id), ("b", one.id), ("a", two.id), ("a", None), ("b", None)]
    found = await _latest_of_stored(db, rows, network, sources)
    assert {source: (count.month, count.numerator) for source, count in found.items()} == {
        ("a", one.id): (mar, 3),
        ("b", one.id): (feb, 12),
        ("a", two.id): (feb, 22),
        ("a", None): (mar, 33),
        ("b", None): (feb, 42),
    }
