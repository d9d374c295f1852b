"""Text that is not Unicode: JSON can carry a lone UTF-16 surrogate (``"\\ud800"``), which no
database stores. It is refused as BAD_USER_INPUT naming the variable before any resolver runs,
never an internal error, and an answer that quotes it (an unknown operation name) still
encodes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from icn_graph.db.database import Database
from icn_graph.schema.valid_text import lone_surrogate_at
from icn_graph.testing import GraphQLClient, make_staff_token

UPDATE_NAME = """
mutation ($input: UpdateViewerInput!) {
  updateViewer(input: $input) { userErrors { field message } }
}
"""


async def _post(client: GraphQLClient, token: str, raw_json: str) -> tuple[int, dict[str, Any]]:
    """POST a body written by hand: json.dumps would escape the surrogate for us."""
    response = await client.http.post(
        "/graphql",
        content=raw_json.encode("ascii"),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    return response.status_code, response.json()


def _body(query: str, variables: str = "{}", extra: str = "") -> str:
    return f'{{"query": {json.dumps(query)}, "variables": {variables}{extra}}}'


async def test_a_lone_surrogate_in_a_variable_is_bad_input_and_nothing_changes(
    db: Database, client: GraphQLClient
) -> None:
    token = await make_staff_token(db)
    before = await client.data("{ viewer { person { displayName } } }", token=token)
    status, body = await _post(
        client, token, _body(UPDATE_NAME, '{"input": {"displayName": "Ada\\ud800"}}')
    )
    assert status == 200
    assert body["data"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["field"] == "input.displayName"
    assert error["message"] == (
        "Variable $input.displayName is not valid Unicode text: it holds a lone surrogate (U+D800)."
    )
    after = await client.data("{ viewer { person { displayName } } }", token=token)
    assert after == before


async def test_a_lone_surrogate_in_a_search_filter_is_bad_input(
    db: Database, client: GraphQLClient
) -> None:
    token = await make_staff_token(db)
    query = "query ($f: CenterFilter) { centers(filter: $f) { totalCount } }"
    status, body = await _post(client, token, _body(query, '{"f": {"search": "\\udfff"}}'))
    assert status == 200
    assert [(e["extensions"]["code"], e["extensions"]["field"]) for e in body["errors"]] == [
        ("BAD_USER_INPUT", "f.search")
    ]


async def test_a_lone_surrogate_written_into_the_document_is_a_syntax_error(
    db: Database, client: GraphQLClient
) -> None:
    token = await make_staff_token(db)
    # A GraphQL escape sequence, and the character itself (JSON's escape decodes to it).
    escaped = 'mutation { updateViewer(input: {displayName: "A\\ud800"}) { viewer { id } } }'
    raw = 'mutation { updateViewer(input: {displayName: "A\ud800"}) { viewer { id } } }'
    for document in (escaped, raw):
        status, body = await _post(client, token, _body(document))
        assert status == 200
        assert [e["extensions"]["code"] for e in body["errors"]] == ["GRAPHQL_PARSE_FAILED"]


async def test_an_unknown_operation_name_with_a_lone_surrogate_is_quoted_escaped(
    db: Database, client: GraphQLClient
) -> None:
    token = await make_staff_token(db)
    status, body = await _post(
        client, token, _body("{ viewer { id } }", extra=', "operationName": "a\\ud800"')
    )
    assert status == 400
    assert body["errors"][0]["message"] == 'Unknown operation named "a\\ud800".'


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("fine", None),
        ("emoji 😀 is a pair, not lone", None),
        ("\ud83d", ("v", "U+D83D")),
        ({"a": ["ok", {"b": "x\udc00"}]}, ("v.a[1].b", "U+DC00")),
        ({"\ud800": 1}, ("v", "U+D800")),
        ([1, None, True, 2.5], None),
    ],
)
def test_lone_surrogates_are_found_at_their_path(
    value: object, found: tuple[str, str] | None
) -> None:
    assert lone_surrogate_at(value, "v") == found
