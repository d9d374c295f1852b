"""A write in a request makes the request's loaders forget what they loaded: a later field of
the same mutation reads what the write changed, not what an earlier field loaded before it."""

from __future__ import annotations

from icn_graph.db.database import Database
from icn_graph.testing import GraphQLClient, make_center, make_person, token_for

RENAME_AFTER_READING = """
mutation($name: String!) {
  first: updateViewer(input: {pronouns: "they/them"}) { viewer { person { displayName } } }
  second: updateViewer(input: {displayName: $name}) {
    person { displayName }
    viewer { person { displayName } }
  }
}
"""


async def test_a_later_mutation_field_reads_the_person_an_earlier_field_loaded_afresh(
    db: Database, client: GraphQLClient
) -> None:
    center = await make_center(db)
    me = await make_person(db, center=center, display_name="Old Name")
    token = await token_for(db, me)

    data = await client.data(RENAME_AFTER_READING, {"name": "New Name"}, token=token)

    assert data["first"]["viewer"]["person"] == {"displayName": "Old Name"}
    assert data["second"]["person"] == {"displayName": "New Name"}
    assert data["second"]["viewer"]["person"] == {"displayName": "New Name"}
