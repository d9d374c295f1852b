"""The committed schema.graphql is the schema the server serves."""

from __future__ import annotations

from pathlib import Path

from icn_graph.host import printed_schema

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema.graphql"


def test_committed_schema_matches_the_code() -> None:
    committed = SCHEMA_FILE.read_text(encoding="utf-8")
    assert committed == printed_schema(), (
        "schema.graphql is out of date: run `icn-graph schema export` (or `make schema`) "
        "and commit the result"
    )
