"""Nested pages of many parents in one query (icn_graph/services/goals/windows.py): the first
pages' statement is built once and takes its parents and page size when it runs, so pages of
different sizes, parents and cursors in one request each get their own rows."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from icn_graph.db.database import Database
from icn_graph.models import Goal, NetworkRole, PersonKind
from icn_graph.services.goals import windows
from icn_graph.services.goals.queries import OwnerGoalsRequest, center_goal_pages
from icn_graph.services.goals.windows import FIRST_PAGES_KEPT, PageRequest, pages_by_parent
from icn_graph.services.pagination import SortKey
from tests.goal_helpers import make_goal
from tests.helpers import make_center, make_person


async def _centers_with_goals(db: Database, goals_each: tuple[int, ...]) -> list[int]:
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    ids = []
    for count in goals_each:
        center = await make_center(db)
        for n in range(count):
            await make_goal(
                db,
                created_by=staff,
                center=center,
                title=f"{center.id}-{n}",
                due_on=date(2014, 3, 1) + timedelta(days=n),
            )
        ids.append(center.id)
    return ids


def _titles(page: object) -> list[str]:
    return [goal.title for _, goal in page.items]  # type: ignore[attr-defined]


async def test_pages_of_several_sizes_parents_and_cursors_in_one_batch(db: Database) -> None:
    first, second, empty = await _centers_with_goals(db, (5, 3, 0))
    pages = await center_goal_pages(
        db,
        [
            OwnerGoalsRequest(first, first=2),
            OwnerGoalsRequest(second, first=2),
            OwnerGoalsRequest(first, first=4),
            OwnerGoalsRequest(empty, first=2),
        ],
    )
    assert [_titles(page) for page in pages] == [
        [f"{first}-0", f"{first}-1"],
        [f"{second}-0", f"{second}-1"],
        [f"{first}-{n}" for n in range(4)],
        [],
    ]
    assert [page.has_next_page for page in pages] == [True, True, True, False]
    assert [await page.count_total() for page in pages] == [5, 3, 5, 0]

    cursor = str(pages[0].items[-1][0])
    (after,) = await center_goal_pages(db, [OwnerGoalsRequest(first, first=2, after=cursor)])
    assert _titles(after) == [f"{first}-2", f"{first}-3"]
    assert after.has_previous_page
    # Asked again, the first pages come from the statement built the first time.
    kept = dict(windows._FIRST_PAGES)
    again = await center_goal_pages(db, [OwnerGoalsRequest(second, first=1)])
    assert _titles(again[0]) == [f"{second}-0"]
    assert kept == windows._FIRST_PAGES


async def test_callers_passing_a_new_statement_each_time_do_not_grow_the_cache(
    db: Database,
) -> None:
    (center,) = await _centers_with_goals(db, (2,))
    await center_goal_pages(db, [OwnerGoalsRequest(center, first=1)])
    stable = next(reversed(windows._FIRST_PAGES))  # the goals' statement, just used
    key = SortKey("due_on", Goal.due_on, Goal.id, lambda goal: goal.due_on)
    for _ in range(FIRST_PAGES_KEPT + 5):
        (page,) = await pages_by_parent(
            db,
            Goal,
            select(Goal),
            Goal.center_id,
            key,
            [PageRequest(center, first=1)],
            parse_value=date.fromisoformat,
        )
        assert _titles(page) == [f"{center}-0"]
        assert len(windows._FIRST_PAGES) <= FIRST_PAGES_KEPT
        # A stable statement in use stays built, whatever passes through.
        await center_goal_pages(db, [OwnerGoalsRequest(center, first=1)])
        assert stable in windows._FIRST_PAGES
