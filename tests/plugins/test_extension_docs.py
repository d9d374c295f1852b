"""The examples of docs/plugins.md's "Extending core types and other plugins" run as written:
each ```python block loads as a plugin and answers over HTTP on both databases."""

from __future__ import annotations

import re
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.host import load_plugins
from icn_graph.models import GoalStatus, PersonKind
from icn_graph.plugins import SchemaContribution, hookimpl
from icn_graph.schema import SchemaConflict, build_schema
from icn_graph.schema.relay import to_global_id
from icn_graph.testing import (
    GraphQLClient,
    StatementCounter,
    TaskCount,
    make_center,
    make_person,
    token_for,
)
from tests.goal_helpers import make_goal

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"
HEADING = "## Extending core types and other plugins"


def _examples() -> list[str]:
    text = GUIDE.read_text(encoding="utf-8")
    assert f"\n{HEADING}\n" in text, f"docs/plugins.md has no '{HEADING}'"
    section = re.split(r"^## ", text.split(f"\n{HEADING}\n", 1)[1], flags=re.MULTILINE)[0]
    return re.findall(r"^```python\n(.*?)^```$", section, flags=re.MULTILINE | re.DOTALL)


def _module(name: str, source: str) -> types.ModuleType:
    """The example as an importable module (Strawberry resolves annotations through it)."""
    module = types.ModuleType(f"plugin_docs_extending_{name}")
    sys.modules[module.__name__] = module
    exec(compile(source, f"docs/plugins.md ({name})", "exec"), module.__dict__)  # noqa: S102
    return module


EXAMPLES = _examples()
COUNTS, TIPS, JOINERS, PUBLISHER, IMPLEMENTER = (
    _module(name, source)
    for name, source in zip(
        ["counts", "tips", "joiners", "publisher", "implementer"], EXAMPLES, strict=True
    )
)


@pytest.fixture
def icn_plugins() -> list[tuple[str, object]]:
    return [
        ("goalcounts", COUNTS),
        ("tips", TIPS),
        ("joiners", JOINERS),
        ("icn-codesign", PUBLISHER),
        ("icn-panels", IMPLEMENTER),
    ]


async def test_the_examples_answer_over_http(db: Database, client: GraphQLClient) -> None:
    author = await make_person(db)
    center = await make_center(db, name="Lakeside")
    await make_goal(db, created_by=author, center=center, title="Open one")
    await make_goal(db, created_by=author, center=center, title="Open two")
    await make_goal(db, created_by=author, center=center, status=GoalStatus.DONE, title="Done")
    token = await token_for(db, author)
    tip = to_global_id("Tip", 2)

    data = await client.data(
        """
        query ($tip: ID!) {
          centers { nodes { name openGoalCount } }
          node(id: $tip) { id ... on Tip { text } }
          threadBadges(title: "Panel planning for the fall")
        }
        """,
        {"tip": tip},
        token=token,
    )

    assert data == {
        "centers": {"nodes": [{"name": "Lakeside", "openGoalCount": 2}]},
        "node": {"id": tip, "text": "Bring the symptom diary, even the empty weeks."},
        "threadBadges": ["Panel topic"],
    }


JOINERS_QUERY = "{ latestJoiners { joinedOn person { displayName } } }"


async def test_the_joiners_read_their_people_ahead(
    db: Database, client: GraphQLClient, tasks: TaskCount, statements: StatementCounter
) -> None:
    """The reading-ahead example: 3 joiners or 30 cost the same tasks and statements."""
    center = await make_center(db, name="Lakeside")

    async def join(names: range) -> None:
        for n in names:
            name = f"P{n:02d}"
            await make_person(db, PersonKind.PARENT_PARTNER, center=center, display_name=name)

    async def page(token: str) -> tuple[int, int, list[dict[str, Any]]]:
        tasks.reset()
        statements.reset()
        data = await client.data(JOINERS_QUERY, token=token)
        return tasks.count, statements.count, data["latestJoiners"]

    await join(range(3))
    token = await token_for(db, await make_person(db, center=center, display_name="Dr. Reyes"))
    few_tasks, few_statements, few = await page(token)
    await join(range(3, 30))
    many_tasks, many_statements, many = await page(token)

    names = {joiner["person"]["displayName"] for joiner in few}
    assert names == {"P00", "P01", "P02", "Dr. Reyes"}
    assert len(many) == 31
    assert (many_tasks, many_statements) == (few_tasks, few_statements)


def test_the_implementer_starts_without_its_publisher() -> None:
    host = load_plugins(
        Settings(_env_file=None),  # type: ignore[call-arg]
        extra=[("icn-panels", IMPLEMENTER)],
        discover=False,
    )
    assert "icn-panels" in [info.name for info in host.describe()]


def test_the_clash_message_the_guide_quotes() -> None:
    @hookimpl
    def register_schema() -> SchemaContribution:
        return SchemaContribution(extend={"Center": COUNTS.CenterGoalCounts, "Goal": Titles})

    plugin = type("Plugin", (), {"register_schema": staticmethod(register_schema)})
    host = load_plugins(
        Settings(_env_file=None),  # type: ignore[call-arg]
        extra=[("icn-kudos", plugin)],
        discover=False,
    )
    with pytest.raises(SchemaConflict) as raised:
        build_schema(host.schema_contributions())
    assert str(raised.value) == (
        "Goal.title is defined by both 'core.goals' and 'icn-kudos'; rename the plugin's field"
    )
    assert f"`Error: {raised.value}`" in GUIDE.read_text(encoding="utf-8")


Titles = _module(
    "titles",
    """
import strawberry

@strawberry.type
class Titles:
    @strawberry.field
    def title(self, root: object) -> str | None:
        return None
""",
).Titles
