"""A failing field that a plugin added to a core type is logged under the plugin's name, not
under the core area whose root field the query came through."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pytest

from icn_graph.db.database import Database
from icn_graph.testing import GraphQLClient, make_person, token_for
from tests.goal_helpers import make_goal
from tests.plugins import failing_extension


@pytest.fixture
def icn_plugins() -> Sequence[tuple[str, object]]:
    return [("icn-streaks", failing_extension)]


async def test_an_extension_field_error_names_the_extending_plugin(
    db: Database, client: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    owner = await make_person(db)
    await make_goal(db, created_by=owner, person=owner)
    token = await token_for(db, owner)
    with caplog.at_level(logging.ERROR, logger="icn_graph.graphql"):
        body = await client.execute("{ goals(first: 5) { nodes { title streak } } }", token=token)
    assert body["data"]["goals"]["nodes"][0]["streak"] is None
    (record,) = [r for r in caplog.records if r.name == "icn_graph.graphql"]
    assert record.plugin == "icn-streaks"  # type: ignore[attr-defined]
    assert record.getMessage().endswith("(plugin icn-streaks)")
