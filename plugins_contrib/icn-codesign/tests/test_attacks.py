"""Attacks on co-design threads that once worked, each kept as the test that shows it no longer
does: what the attacker tried, through the real app, and what they get now."""

from __future__ import annotations

import difflib

from codesign_helpers import cast, start
from draft_helpers import revise
from icn_codesign.diff import MAX_COMPARISONS, diff
from test_drafts import DIFF

from icn_graph.plugin_api import Database
from icn_graph.testing import GraphQLClient


def _alternating(lines: int, first: str, second: str) -> str:
    return "\n".join(first if index % 2 else second for index in range(lines))


async def test_a_diff_of_two_huge_revisions_costs_a_bounded_amount_of_work(
    db: Database, client: GraphQLClient
) -> None:
    """Attack: two revisions of a few thousand short repeated lines ("a", "b", "a", ...) make
    difflib compare every line with every other (25,000 lines took a minute of CPU per
    ``diff`` query). Now texts beyond ``MAX_COMPARISONS`` line pairs get a coarse diff: the
    common first and last lines as context, everything between replaced."""
    people = await cast(db)
    lines = 2_500
    assert lines * lines > MAX_COMPARISONS
    thread = await start(client, people.participant, audience="NETWORK")
    first = await revise(
        client, people.participant, thread["id"], "Big", _alternating(lines, "a", "b")
    )
    await revise(client, people.parent, thread["id"], "Big", _alternating(lines, "b", "a"))
    data = await client.data(
        DIFF, {"id": first["draft"]["id"], "from": 1, "to": 2}, token=people.colleague.token
    )
    found = data["node"]["diff"]
    assert (found["added"], found["removed"]) == (lines, lines)
    [hunk] = found["hunks"]
    assert hunk["header"] == f"@@ -1,{lines} +1,{lines} @@"


def test_a_small_change_in_a_huge_text_still_gets_an_exact_diff() -> None:
    """The lines both texts start and end with are set aside before the bound applies: one line
    changed in the middle of 4,000 is still a hunk of one line and its context."""
    old = [f"line {index}" for index in range(4_000)]
    new = [*old[:2_000], "changed", *old[2_001:]]
    found = diff("\n".join(old), "\n".join(new), old_label="1", new_label="2")
    [hunk] = found.hunks
    assert hunk.header == "@@ -1998,7 +1998,7 @@"
    assert (found.added, found.removed) == (1, 1)
    expected = difflib.unified_diff(old, new, fromfile="1", tofile="2", lineterm="")
    assert found.text == "\n".join(expected)


def test_the_text_of_a_diff_is_the_unified_diff() -> None:
    old = "one\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\neleven\ntwelve"
    new = "one\nTWO\nthree\nfour\nfive\nsix\nseven\neight\nnine\nten\neleven\ntwelve\nthirteen"
    found = diff(old, new, old_label="a (1)", new_label="a (2)")
    expected = difflib.unified_diff(
        old.splitlines(), new.splitlines(), fromfile="a (1)", tofile="a (2)", lineterm=""
    )
    assert found.text == "\n".join(expected)
    assert len(found.hunks) == 2
