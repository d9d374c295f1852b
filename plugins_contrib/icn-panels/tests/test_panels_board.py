"""The staff pipeline board: every accepted proposal of a session with its stages, current stage
and slippage, for network staff alone, in a fixed number of statements: the same for 10
proposals as for 100."""

from __future__ import annotations

from panels_helpers import ADVANCE, accepted, cast, icn_plugins, ok, session_with_open_call

from icn_graph.plugin_api import Database
from icn_graph.testing import GraphQLClient, StatementCounter

__all__ = ["icn_plugins"]

BOARD = """
query($id: ID!) {
  node(id: $id) {
    ... on LearningSession {
      proposalBoard(first: 100) {
        daysLate
        proposal { id title status proposer { displayName } viewerCanAdvanceStage }
        currentStage { stage dueOn daysLate isOverdue owner { displayName } coach { displayName } }
        stages { stage dueOn completedAt evidence owner { displayName } coach { displayName } }
      }
    }
  }
}
"""


async def test_the_board_is_staff_s_and_costs_the_same_for_10_or_100(
    db: Database, client: GraphQLClient, statements: StatementCounter
) -> None:
    people = await cast(db)
    # A session long past: every stage not done has slipped.
    session = await session_with_open_call(client, people.staff, year=2014)
    for who in (people.parent, people.clinician, people.outsider, people.qi_lead):
        data = await client.data(BOARD, {"id": session}, token=who.token)
        assert data["node"]["proposalBoard"] is None

    async def board() -> tuple[int, list[dict[str, object]]]:
        statements.reset()
        data = await client.data(BOARD, {"id": session}, token=people.staff.token)
        return statements.count, data["node"]["proposalBoard"]

    first = await accepted(client, people, session, title="Proposal 0")
    await ok(client, ADVANCE, "advanceStage", people.parent, proposalId=first, evidence="Outline")
    for n in range(1, 10):
        await accepted(client, people, session, title=f"Proposal {n}")
    ten, rows = await board()
    assert len(rows) == 10
    assert rows[0]["currentStage"]["stage"] == "COACHED"  # type: ignore[index]
    assert {r["currentStage"]["stage"] for r in rows[1:]} == {"OUTLINE"}  # type: ignore[index]
    assert all(r["daysLate"] > 4000 for r in rows)  # type: ignore[operator]
    assert rows[1]["currentStage"]["isOverdue"] is True  # type: ignore[index]
    for n in range(10, 100):
        await accepted(client, people, session, title=f"Proposal {n}")
    hundred, rows = await board()
    assert len(rows) == 100
    assert hundred == ten, statements.statements
    # The viewer, the session, the board's proposals and their stages, the stages again for
    # viewerCanAdvanceStage (the proposal's loader), and the people named: 6.
    assert ten <= 6, statements.statements
