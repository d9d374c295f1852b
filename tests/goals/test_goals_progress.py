"""Progress arithmetic: a key result's progress towards its target, and a goal's mean."""

from __future__ import annotations

import pytest

from icn_graph.db.database import Database
from icn_graph.models import KeyResult, NetworkRole, PersonKind
from icn_graph.schema.relay import to_global_id
from icn_graph.services.goals import (
    current_value,
    goal_progress,
    key_result_progress,
    progress_percent,
)
from tests.goal_helpers import make_goal
from tests.helpers import GraphQLClient, make_center, make_person, token_for


@pytest.mark.parametrize(
    ("start", "target", "current", "expected"),
    [
        pytest.param(0, 10, 0, 0.0, id="at-start"),
        pytest.param(0, 10, 4, 40.0, id="normal"),
        pytest.param(70, 80, 75, 50.0, id="normal-offset"),
        pytest.param(0, 10, 10, 100.0, id="at-target"),
        pytest.param(0, 10, 15, 100.0, id="beyond-target-clamps-at-100"),
        pytest.param(10, 20, 5, 0.0, id="below-start-clamps-at-0"),
        pytest.param(30, 7, 30, 0.0, id="decreasing-at-start"),
        pytest.param(30, 7, 18.5, 50.0, id="decreasing-halfway"),
        pytest.param(30, 7, 7, 100.0, id="decreasing-at-target"),
        pytest.param(30, 7, 2, 100.0, id="decreasing-beyond-target-clamps"),
        pytest.param(30, 7, 40, 0.0, id="decreasing-wrong-way-clamps"),
        pytest.param(5, 5, 5, 100.0, id="start-equals-target-reached"),
        pytest.param(5, 5, 6, 0.0, id="start-equals-target-above"),
        pytest.param(5, 5, 4, 0.0, id="start-equals-target-below"),
        pytest.param(-10, 10, 0, 50.0, id="negative-start"),
        pytest.param(0, 3, 1, 100 / 3, id="fraction"),
    ],
)
def test_key_result_progress(start: float, target: float, current: float, expected: float) -> None:
    assert progress_percent(start, target, current) == pytest.approx(expected)


def _key_result(start: float, target: float, current: float) -> KeyResult:
    return KeyResult(start_value=start, target_value=target, current_value=current)


def test_goal_progress_is_the_mean_of_its_key_results() -> None:
    key_results = [_key_result(0, 10, 5), _key_result(30, 7, 7), _key_result(0, 4, 9)]
    assert [key_result_progress(kr) for kr in key_results] == [50.0, 100.0, 100.0]
    assert goal_progress(key_results) == pytest.approx(250 / 3)
    assert goal_progress([_key_result(0, 10, -3), _key_result(5, 5, 5)]) == 50.0


def test_goal_without_key_results_has_no_progress() -> None:
    assert goal_progress([]) is None


def test_current_value_is_the_stored_value_today() -> None:
    """The seam for measure-based values: it reads the stored value, measure key or not."""
    key_result = _key_result(0, 10, 3)
    key_result.measure_key = "remission_rate"
    assert current_value(key_result) == 3


QUERY = """
query($id: ID!) {
  node(id: $id) {
    ... on Goal { progress keyResults { startValue targetValue currentValue progress } }
  }
}
"""


@pytest.mark.parametrize(
    ("key_results", "progresses", "mean"),
    [
        pytest.param([], [], None, id="none"),
        pytest.param([(0, 10, 4)], [40.0], 40.0, id="one"),
        pytest.param([(0, 10, 4), (30, 7, 7)], [40.0, 100.0], 70.0, id="mixed-directions"),
        pytest.param([(5, 5, 5), (10, 20, 0)], [100.0, 0.0], 50.0, id="equal-and-clamped"),
    ],
)
async def test_progress_through_the_api(
    db: Database,
    client: GraphQLClient,
    key_results: list[tuple[float, float, float]],
    progresses: list[float],
    mean: float | None,
) -> None:
    center = await make_center(db)
    member = await make_person(db, PersonKind.NURSE, network_role=NetworkRole.MEMBER)
    goal = await make_goal(db, created_by=member, center=center, key_results=key_results)
    data = await client.data(
        QUERY, {"id": to_global_id("Goal", goal.id)}, token=await token_for(db, member)
    )
    node = data["node"]
    assert [kr["progress"] for kr in node["keyResults"]] == pytest.approx(progresses)
    assert node["progress"] == (pytest.approx(mean) if mean is not None else None)
    assert [kr["currentValue"] for kr in node["keyResults"]] == [kr[2] for kr in key_results]
