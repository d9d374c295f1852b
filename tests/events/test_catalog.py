"""docs/plugins.md lists every core event type with its fields, as the code declares them."""

from __future__ import annotations

from pathlib import Path

from icn_graph.events.catalog import END, START
from icn_graph.host import core_event_table

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"


def test_the_guides_event_table_is_the_generated_one() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    assert START in text, f"docs/plugins.md lacks the marker {START}"
    documented = text.split(START, 1)[1].split(END, 1)[0].strip()
    assert documented == core_event_table(), (
        "docs/plugins.md's table of core events is stale: replace it with the output of "
        "`icn-graph schema event-types`"
    )


def test_the_table_names_all_36_core_event_types_and_their_fields() -> None:
    rows = [line for line in core_event_table().splitlines() if line.startswith("| `")]
    assert len(rows) == 36
    [check_in] = [row for row in rows if row.startswith("| `goal.checked_in`")]
    assert "`status: GoalStatus`" in check_in
    assert "`confidence: int \\| None`" in check_in
