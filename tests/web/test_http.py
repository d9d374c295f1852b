"""The HTTP surface, through real requests on the ASGI app: health probes, the GraphQL endpoint's
methods and abuse limits, error masking and logging, the offline explorer and websockets."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import warnings
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql.language.lexer import Lexer
from graphql.language.source import Source
from graphql.language.token_kind import TokenKind
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from starlette.websockets import WebSocketDisconnect

from icn_graph.app import create_app
from icn_graph.config import Settings
from icn_graph.db.base import Base
from icn_graph.db.database import Database
from icn_graph.demo.present import STORY_TODAY
from icn_graph.host import core_host, core_schema
from icn_graph.models import ApiToken, Center, NetworkRole, Person, PersonKind
from icn_graph.schema import MAX_ALIASES, MAX_DEPTH, MAX_TOKENS
from icn_graph.schema.context import Context
from icn_graph.schema.relay import to_global_id
from icn_graph.services.viewer import Viewer
from icn_graph.testing import make_staff_token
from tests.helpers import (
    GraphQLClient,
    StatementCounter,
    error_codes,
    make_center,
    make_person,
    token_for,
)

with warnings.catch_warnings():
    # Starlette nags about its httpx-based TestClient; it is still the real ASGI websocket client.
    warnings.filterwarnings("ignore", message=".*starlette.testclient.*")
    from starlette.testclient import TestClient

UNREACHABLE_URL = "postgresql+asyncpg://nobody@127.0.0.1:1/none"
DB_DOWN_MESSAGE = "The database is unavailable; try again shortly."
TRANSPORT_WS = "graphql-transport-ws"
LEGACY_WS = "graphql-ws"


def make_settings(database_url: str, network_name: str = "Test Network") -> Settings:
    return Settings(database_url=database_url, network_name=network_name, _env_file=None)  # type: ignore[arg-type,call-arg]


@pytest.fixture
async def offline() -> AsyncIterator[httpx.AsyncClient]:
    """A client for an app whose database cannot be reached."""
    database = Database.from_url(UNREACHABLE_URL)
    app = create_app(make_settings(UNREACHABLE_URL), db=database)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http
    await database.dispose()


def without_cost(body: dict[str, Any]) -> dict[str, Any]:
    """The body without ``extensions``, which holds only the cost every GraphQL answer carries."""
    assert set(body["extensions"]) == {"cost"}
    assert set(body["extensions"]["cost"]) >= {"requested", "actual", "limit", "remaining"}
    return {key: value for key, value in body.items() if key != "extensions"}


def no_internals(text: str) -> None:
    """Nothing a client receives may show how the server is built or where its database is."""
    for leak in ("Traceback", "asyncpg", "sqlalchemy", "sqlite", "127.0.0.1", "SELECT", "File "):
        assert leak not in text, f"{leak!r} leaked: {text[:500]}"


async def count_centers(db: Database) -> int:
    async with db.session() as session:
        return int((await session.execute(select(func.count()).select_from(Center))).scalar_one())


def create_center_mutation(short_code: str = "GAMMA") -> str:
    return (
        "mutation { createCenter(input: {"
        f' name: "Center {short_code}", shortCode: "{short_code}", city: "Dayton",'
        ' region: "Midwest", country: "US", joinedOn: "2024-05-01"'
        " }) { center { name } userErrors { field } } }"
    )


# --------------------------------------------------------------------------------------------
# Health probes and routing
# --------------------------------------------------------------------------------------------


async def test_healthz(client: GraphQLClient) -> None:
    response = await client.http.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_with_the_database_up(client: GraphQLClient) -> None:
    response = await client.http.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "migrations": "ok"}


async def test_readyz_with_the_database_down(offline: httpx.AsyncClient) -> None:
    response = await offline.get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "status": "unavailable",
        "database": "unreachable",
        "migrations": "unknown",
    }
    # Liveness does not depend on the database.
    assert (await offline.get("/healthz")).status_code == 200


@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_a_token_with_the_database_down_gets_a_clean_503(
    offline: httpx.AsyncClient, method: str, caplog: pytest.LogCaptureFixture
) -> None:
    headers = {"Authorization": "Bearer icn_some-token"}
    query = "{ viewer { person { id } } network { name } }"
    if method == "POST":
        response = await offline.post("/graphql", json={"query": query}, headers=headers)
    else:
        response = await offline.get("/graphql", params={"query": query}, headers=headers)
    assert response.status_code == 503
    no_internals(response.text)
    body = response.json()
    assert body["errors"][0]["message"] == DB_DOWN_MESSAGE
    assert "data" not in body
    # Operators get told why, in one line, without a traceback.
    [record] = [r for r in caplog.records if r.name == "icn_graph.web.graphql_app"]
    assert record.levelno == logging.ERROR
    assert "database unavailable" in record.getMessage()


async def test_public_fields_still_answer_with_the_database_down(
    offline: httpx.AsyncClient,
) -> None:
    response = await offline.post(
        "/graphql", json={"query": "{ network { name } viewer { person { id } } }"}
    )
    assert response.status_code == 200
    assert without_cost(response.json()) == {
        "data": {"network": {"name": "Test Network"}, "viewer": None}
    }


async def test_root_redirects_to_graphql(client: GraphQLClient) -> None:
    response = await client.http.get("/", follow_redirects=False)
    assert response.status_code in (302, 303, 307)
    assert response.headers["location"] == "/graphql"


# --------------------------------------------------------------------------------------------
# The offline explorer
# --------------------------------------------------------------------------------------------


class _AssetRefs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"script": "src", "link": "href", "img": "src", "iframe": "src"}.get(tag)
        for name, value in attrs:
            if name == wanted and value is not None:
                self.refs.append(value)


async def test_explorer_uses_only_local_assets(client: GraphQLClient) -> None:
    response = await client.http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<title>Test Network · GraphiQL</title>" in page

    parser = _AssetRefs()
    parser.feed(page)
    # data: URIs (an inline favicon) are part of the page itself: nothing to fetch.
    refs = [ref for ref in parser.refs if not ref.startswith("data:")]
    names = {ref.rsplit("/", 1)[-1] for ref in refs}
    assert {"graphiql.min.js", "react.production.min.js", "graphiql.min.css"} <= names
    for ref in refs:
        assert not re.match(r"^(https?:)?//", ref), f"external asset {ref}"
        assert ref.startswith("/graphiql-assets/"), ref
    # No URL to another host anywhere on the page (a CDN fallback would break offline use);
    # the SVG namespace is a name, never fetched.
    urls = re.findall(r"https?://[^\s\"'<>]+", page)
    assert [url for url in urls if url != "http://www.w3.org/2000/svg"] == []

    for ref in refs:
        asset = await client.http.get(ref)
        assert asset.status_code == 200, ref
        assert len(asset.content) > 100, ref
        expected_type = "text/css" if ref.endswith(".css") else "javascript"
        assert expected_type in asset.headers["content-type"], (ref, asset.headers)


async def test_missing_asset_is_404(client: GraphQLClient) -> None:
    assert (await client.http.get("/graphiql-assets/nope.js")).status_code == 404


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
async def test_an_unknown_path_is_a_json_404_naming_it(client: GraphQLClient, method: str) -> None:
    response = await client.http.request(method, "/graphq1")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "errors": [
            {
                "message": "Nothing is served at /graphq1; the GraphQL API is at /graphql.",
                "extensions": {"code": "NOT_FOUND"},
            }
        ]
    }
    assert response.headers["x-content-type-options"] == "nosniff"
    long = await client.http.get("/x" * 500 + "<script>")
    [error] = long.json()["errors"]
    assert len(error["message"]) < 300  # a huge path is not echoed whole
    assert long.headers["content-type"] == "application/json"


async def test_a_trailing_slash_is_not_redirected_to_the_host_header(
    client: GraphQLClient,
) -> None:
    """Starlette redirected `/graphql/` to an absolute address made from the Host header."""
    response = await client.http.get("/graphql/", headers={"host": "evil.example"})
    assert response.status_code == 404
    assert "location" not in response.headers
    assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_every_answer_says_nosniff_and_probes_are_never_kept(client: GraphQLClient) -> None:
    answered = await client.http.post("/graphql", json={"query": "{ network { name } }"})
    assert answered.headers["x-content-type-options"] == "nosniff"
    for probe in ("/healthz", "/readyz"):
        response = await client.http.get(probe)
        assert response.headers["cache-control"] == "no-store", probe
        assert response.headers["x-content-type-options"] == "nosniff", probe


async def test_explorer_escapes_the_network_name() -> None:
    settings = make_settings(UNREACHABLE_URL, network_name='<script>alert("x")</script>')
    database = Database.from_url(UNREACHABLE_URL)
    app = create_app(settings, db=database)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        page = (await http.get("/graphql", headers={"Accept": "text/html"})).text
    await database.dispose()
    assert '<script>alert("x")' not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; · GraphiQL" in page


# --------------------------------------------------------------------------------------------
# Methods
# --------------------------------------------------------------------------------------------


async def test_query_over_get(client: GraphQLClient) -> None:
    response = await client.http.get("/graphql", params={"query": "{network{name}}"})
    assert response.status_code == 200
    assert without_cost(response.json()) == {"data": {"network": {"name": "Test Network"}}}


async def test_query_over_get_with_variables(db: Database, client: GraphQLClient) -> None:
    center = await make_center(db, name="Alpha Children's")
    token = await make_staff_token(db)
    response = await client.http.get(
        "/graphql",
        params={
            "query": "query($id: ID!) { node(id: $id) { ... on Center { name } } }",
            "variables": json.dumps({"id": to_global_id("Center", center.id)}),
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    assert without_cost(response.json()) == {"data": {"node": {"name": "Alpha Children's"}}}


@pytest.mark.parametrize(
    ("query", "operation_name"),
    [
        pytest.param(create_center_mutation(), None, id="mutation"),
        pytest.param(
            "query Harmless { network { name } } "
            + create_center_mutation().replace("mutation {", "mutation Sneaky {"),
            "Sneaky",
            id="mutation-picked-by-operationName",
        ),
    ],
)
async def test_mutation_over_get_is_refused(
    db: Database, client: GraphQLClient, query: str, operation_name: str | None
) -> None:
    token = await make_staff_token(db)
    params = {"query": query} | ({"operationName": operation_name} if operation_name else {})
    response = await client.http.get(
        "/graphql", params=params, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 400
    assert "mutations are not allowed when using GET" in response.text
    assert await count_centers(db) == 0

    # The same operation over POST is fine: the refusal was about the method alone.
    posted = await client.http.post(
        "/graphql",
        json={"query": query, "operationName": operation_name},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert posted.status_code == 200
    assert posted.json()["data"]["createCenter"]["center"] == {"name": "Center GAMMA"}
    assert await count_centers(db) == 1


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
async def test_other_methods_are_405(client: GraphQLClient, method: str) -> None:
    response = await client.http.request(method, "/graphql", json={"query": "{network{name}}"})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert response.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"


# --------------------------------------------------------------------------------------------
# Malformed requests
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        pytest.param(b"{not json", "application/json", id="broken-json"),
        pytest.param(b"", "application/json", id="empty-body"),
        pytest.param(b"\xff\xfe\x00", "application/json", id="not-utf8"),
        pytest.param(b"[" * 100_000, "application/json", id="absurdly-nested"),
        pytest.param(
            b'{"query": "{ network { name } }", "variables": {"a": '
            + b"[" * 100_000
            + b"]" * 100_000
            + b"}}",
            "application/json",
            id="absurdly-nested-variables",
        ),
        pytest.param(b'"just a string"', "application/json", id="json-string"),
        pytest.param(b"42", "application/json", id="json-number"),
        pytest.param(b"null", "application/json", id="json-null"),
        pytest.param(b"true", "application/json", id="json-bool"),
        pytest.param(b'[{"query": "{ network { name } }"}]', "application/json", id="batch"),
        pytest.param(b"{}", "application/json", id="no-query"),
        pytest.param(b'{"query": 5}', "application/json", id="query-not-a-string"),
        pytest.param(
            b'{"query": "{ network { name } }", "variables": "x"}',
            "application/json",
            id="variables-not-an-object",
        ),
        pytest.param(b'{"query": "{ network { name } }"}', "text/plain", id="wrong-content-type"),
    ],
)
async def test_malformed_requests_are_client_errors(
    client: GraphQLClient, content: bytes, content_type: str
) -> None:
    response = await client.http.post(
        "/graphql", content=content, headers={"Content-Type": content_type}
    )
    assert response.status_code == 400, response.text
    no_internals(response.text)
    message = response.json()["errors"][0]["message"]
    assert message
    assert "Internal" not in message


UPLOAD = (
    'mutation($file: Upload!) { importVisits(input: {centerId: "Q2VudGVyOjE", file: $file})'
    " { userErrors { field } } }"
)


def upload_operations(variables: object) -> str:
    return json.dumps({"query": UPLOAD, "variables": variables})


CSV = ("visits.csv", b"mrn,visit_date\n", "text/csv")


@pytest.mark.parametrize(
    ("fields", "files", "expected"),
    [
        pytest.param(
            {"map": "{}"},
            {"operations": ("ops.json", upload_operations({"file": None}).encode(), "text/json")},
            "`operations` must be a text field",
            id="operations-as-a-file",
        ),
        pytest.param(
            {"operations": upload_operations({"file": None})},
            {"map": ("map.json", b'{"0": ["variables.file"]}', "text/json"), "0": CSV},
            "`map` must be a text field",
            id="map-as-a-file",
        ),
        pytest.param(
            {"operations": upload_operations({"file": None}), "map": '["variables.file"]'},
            {"0": CSV},
            "`map` must be a JSON object",
            id="map-not-an-object",
        ),
        pytest.param(
            {"operations": upload_operations({"file": None}), "map": '{"0": "variables.file"}'},
            {"0": CSV},
            "`map` must be a JSON object",
            id="map-path-not-in-a-list",
        ),
        pytest.param(
            {"operations": upload_operations({"file": None}), "map": '{"0": [7]}'},
            {"0": CSV},
            "`map` must be a JSON object",
            id="map-path-not-a-string",
        ),
        pytest.param(
            {"operations": upload_operations({"file": None}), "map": '{"0": ["variables.file.x"]}'},
            {"0": CSV},
            "variables.file.x",
            id="map-path-through-null",
        ),
        pytest.param(
            {
                "operations": upload_operations({"file": [None]}),
                "map": '{"0": ["variables.file.x"]}',
            },
            {"0": CSV},
            "variables.file.x",
            id="map-path-bad-list-index",
        ),
        pytest.param(
            {"operations": upload_operations({"file": None}), "map": '{"0": ["variables.file"]}'},
            {},
            "File(s) missing",
            id="map-names-a-missing-file",
        ),
        pytest.param(
            {
                "operations": upload_operations({"file": None}),
                "map": '{"0": ["variables.file"]}',
                "0": "not a file",
            },
            {},
            "`0` is not a file",
            id="map-names-a-text-field",
        ),
        pytest.param(
            {"operations": upload_operations({"file": None, "x": "#" * 1_100_000}), "map": "{}"},
            {"0": CSV},
            "exceeded maximum size",
            id="text-field-over-a-megabyte",
        ),
    ],
)
async def test_malformed_multipart_requests_are_json_client_errors(
    client: GraphQLClient, fields: dict[str, str], files: dict[str, Any], expected: str
) -> None:
    response = await client.http.post(
        "/graphql",
        data=fields,
        files=files or {"unused": ("unused.txt", b"", "text/plain")},
        headers={"Authorization": "Bearer icn_not-a-real-token"},
    )
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/json"
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "BAD_REQUEST"}
    assert expected in error["message"]
    no_internals(response.text)


# --------------------------------------------------------------------------------------------
# Abuse limits
# --------------------------------------------------------------------------------------------


def token_count(document: str) -> int:
    """Lexical tokens as the parser counts them (no comments, no end marker)."""
    lexer, count = Lexer(Source(document)), 0
    while lexer.advance().kind is not TokenKind.EOF:
        count += 1
    return count


def nested(fields: list[str], leaf: str) -> str:
    selection = leaf
    for field in reversed(fields):
        selection = f"{field} {{ {selection} }}"
    return selection


# A field chain that can go as deep as needed: Center -> members -> person -> memberships -> ...
_CHAIN = ["members", "person", "memberships", "center"] * 4


def query_of_depth(depth: int) -> str:
    """A query whose deepest field sits ``depth`` levels below its root field."""
    # One center: the chain is deep, and its cost (docs/api.md) stays within the limit.
    fields = ["centers(first: 1)", "edges", "node", *_CHAIN][:depth]
    return "{ " + nested(fields, "__typename") + " }"


def mutation_of_depth(depth: int) -> str:
    fields = ["center", *_CHAIN][: depth - 1]
    return create_center_mutation().replace(
        "{ center { name } userErrors { field } }", "{ " + nested(fields, "__typename") + " }"
    )


def query_with_aliases(count: int) -> str:
    return "{ " + " ".join(f"a{i}: network {{ name }}" for i in range(count)) + " }"


def mutation_with_aliases(count: int) -> str:
    body = create_center_mutation()
    inner = body[len("mutation { ") : -len(" }")]
    return "mutation { " + " ".join(f"m{i}: {inner}" for i in range(count)) + " }"


def document_of_tokens(total: int) -> str:
    """Many small named queries (cheap to validate), run by name; exactly ``total`` tokens."""
    filler = (total - 8) // 8
    extra = total - 8 - 8 * filler
    document = " ".join(f"query Q{i} {{ network {{ name }} }}" for i in range(filler))
    document += " query Run { network { name" + " __typename" * extra + " } }"
    assert token_count(document) == total
    return document


def test_the_limits_are_the_documented_ones() -> None:
    assert (MAX_DEPTH, MAX_ALIASES, MAX_TOKENS) == (10, 15, 2000)


async def test_depth_at_the_limit_is_accepted(db: Database, client: GraphQLClient) -> None:
    token = await make_staff_token(db)
    data = await client.data(query_of_depth(MAX_DEPTH), token=token)
    assert data == {"centers": {"edges": []}}


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(query_of_depth(MAX_DEPTH + 1), id="query"),
        pytest.param(
            "query Deep { centers { ...E } } fragment E on CenterConnection { edges { node {"
            " ...M } } } fragment M on Center { " + nested(_CHAIN[:9], "__typename") + " }",
            id="query-hidden-in-fragments",
        ),
    ],
)
async def test_too_deep_is_rejected(
    db: Database, client: GraphQLClient, statements: StatementCounter, document: str
) -> None:
    token = await make_staff_token(db)
    statements.reset()
    body = await client.execute(document, token=token)
    assert body["data"] is None
    [error] = body["errors"]
    assert "exceeds maximum operation depth of 10" in error["message"]
    # Only the token lookup ran: nothing touched the centers table.
    assert not [s for s in statements.statements if re.search(r"\bFROM centers\b", s)]


async def test_too_deep_mutation_writes_nothing(db: Database, client: GraphQLClient) -> None:
    token = await make_staff_token(db)
    assert "center { members { person" in mutation_of_depth(MAX_DEPTH + 1)
    body = await client.execute(mutation_of_depth(MAX_DEPTH + 1), token=token)
    assert "exceeds maximum operation depth of 10" in body["errors"][0]["message"]
    assert await count_centers(db) == 0
    # At the limit it runs.
    data = await client.data(mutation_of_depth(MAX_DEPTH), token=token)
    assert data["createCenter"]["center"] is not None
    assert await count_centers(db) == 1


async def test_aliases_at_the_limit_are_accepted(client: GraphQLClient) -> None:
    data = await client.data(query_with_aliases(MAX_ALIASES))
    assert len(data) == 15
    assert data["a14"] == {"name": "Test Network"}


async def test_too_many_aliases_are_rejected(db: Database, client: GraphQLClient) -> None:
    body = await client.execute(query_with_aliases(MAX_ALIASES + 1))
    assert body["data"] is None
    assert [e["message"] for e in body["errors"]] == ["16 aliases found. Allowed: 15"]

    token = await make_staff_token(db)
    body = await client.execute(mutation_with_aliases(MAX_ALIASES + 1), token=token)
    assert [e["message"] for e in body["errors"]] == ["16 aliases found. Allowed: 15"]
    assert await count_centers(db) == 0


async def test_tokens_at_the_limit_are_accepted(client: GraphQLClient) -> None:
    document = document_of_tokens(MAX_TOKENS)
    response = await client.http.post("/graphql", json={"query": document, "operationName": "Run"})
    assert response.status_code == 200
    assert without_cost(response.json()) == {"data": {"network": {"name": "Test Network"}}}


async def test_too_many_tokens_are_rejected(db: Database, client: GraphQLClient) -> None:
    document = document_of_tokens(MAX_TOKENS + 1)
    response = await client.http.post("/graphql", json={"query": document, "operationName": "Run"})
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    assert [e["message"] for e in body["errors"]] == [
        "Syntax Error: Document contains more than 2000 tokens. Parsing aborted."
    ]

    # A mutation padded past the limit is never run.
    token = await make_staff_token(db)
    padded = create_center_mutation().replace(
        "userErrors { field }", "userErrors { field }" + " __typename" * MAX_TOKENS
    )
    assert token_count(padded) > MAX_TOKENS
    body = await client.execute(padded, token=token)
    assert "more than 2000 tokens" in body["errors"][0]["message"]
    assert await count_centers(db) == 0


# --------------------------------------------------------------------------------------------
# Unexpected errors: masked for clients, logged in full for operators
# --------------------------------------------------------------------------------------------


def partial_sqlite(path: Path) -> tuple[str, str]:
    """A SQLite database with people, tokens and memberships but no centers table, and a staff
    token: authentication works, anything touching centers fails inside the resolver."""
    engine = create_engine(f"sqlite:///{path}")
    tables = [Base.metadata.tables[name] for name in ("people", "api_tokens", "memberships")]
    Base.metadata.create_all(engine, tables=tables)
    secret = "icn_partial-database-staff-token"
    with Session(engine) as session, session.begin():
        person = Person(
            display_name="Stella Staff",
            email="stella@example.org",
            email_key="stella@example.org",
            kind=PersonKind.STAFF,
            network_role=NetworkRole.STAFF,
            timezone="UTC",
        )
        session.add(person)
        session.flush()
        token_hash = hashlib.sha256(secret.encode()).hexdigest()
        session.add(ApiToken(person_id=person.id, token_hash=token_hash, label="test"))
    engine.dispose()
    return f"sqlite+aiosqlite:///{path}", secret


def assert_masked(error: dict[str, Any], path: list[str]) -> None:
    assert error["message"] == "Unexpected error."
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR"}
    assert error["path"] == path
    no_internals(json.dumps(error))
    assert "no such table" not in json.dumps(error)


def logged_unexpected(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.levelno >= logging.ERROR]


@pytest.mark.parametrize(
    ("document", "path"),
    [
        pytest.param("{ centers { totalCount } }", ["centers"], id="centers"),
        pytest.param("{ network { centerCount } }", ["network", "centerCount"], id="count"),
        pytest.param(create_center_mutation(), ["createCenter"], id="mutation"),
    ],
)
async def test_unexpected_error_is_masked_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, document: str, path: list[str]
) -> None:
    database = Database.from_url(f"sqlite+aiosqlite:///{tmp_path / 'unmigrated.db'}")
    context = Context(
        db=database,
        viewer=Viewer(person_id=1, network_role=NetworkRole.STAFF),
        settings=make_settings(UNREACHABLE_URL),
    )
    try:
        result = await core_schema().execute(document, context_value=context)
    finally:
        await database.dispose()

    assert result.errors is not None
    [error] = result.errors
    assert_masked(dict(error.formatted), path)
    assert error.original_error is None  # nothing downstream can leak it either

    [record] = logged_unexpected(caplog)
    assert record.name == "icn_graph.graphql"
    assert record.exc_info is not None
    assert "no such table: centers" in str(record.exc_info[1])
    assert path[-1] in record.getMessage()


async def test_unexpected_error_over_http(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    url, secret = partial_sqlite(tmp_path / "partial.db")
    database = Database.from_url(url)
    app = create_app(make_settings(url), db=database)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            client = GraphQLClient(http)
            data = await client.data("{ viewer { person { displayName } } }", token=secret)
            assert data["viewer"]["person"] == {"displayName": "Stella Staff"}
            assert logged_unexpected(caplog) == []
            response = await client.post(
                "{ viewer { person { displayName } } centers { totalCount } }", token=secret
            )
    finally:
        await database.dispose()

    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    [error] = body["errors"]
    assert_masked(error, ["centers"])
    no_internals(response.text)

    [record] = logged_unexpected(caplog)
    assert record.name == "icn_graph.graphql"
    assert record.exc_info is not None
    assert "no such table: centers" in str(record.exc_info[1])


async def test_expected_errors_are_not_logged_as_errors(
    db: Database, client: GraphQLClient, caplog: pytest.LogCaptureFixture
) -> None:
    center = await make_center(db)
    member = await make_person(db, PersonKind.CLINICIAN, center=center)
    token = await token_for(db, member)
    cases = [
        (create_center_mutation(), token, ["FORBIDDEN"]),
        ("{ centers { totalCount } }", None, ["UNAUTHENTICATED"]),
        ("{ centers { totalCount } }", "icn_garbage", ["UNAUTHENTICATED"]),
        ('{ node(id: "not-an-id") { id } }', token, ["BAD_USER_INPUT"]),
        ('{ node(id: "' + to_global_id("Center", 999_999) + '") { id } }', token, ["NOT_FOUND"]),
        ("{ centers(first: 1000) { totalCount } }", token, ["BAD_USER_INPUT"]),
        ("{ noSuchField }", token, ["GRAPHQL_VALIDATION_FAILED"]),
        ("{ centers {", token, ["GRAPHQL_PARSE_FAILED"]),
    ]
    for document, who, codes in cases:
        body = await client.execute(document, token=who)
        assert error_codes(body) == codes, (document, body)
    # Refused input comes back as userErrors, also without logging.
    admin_input = (
        'mutation { createPerson(input: {displayName: "", email: "nope", kind: STAFF}) {'
        " userErrors { field code } } }"
    )
    staff = await make_staff_token(db)
    data = await client.data(admin_input, token=staff)
    assert {e["field"] for e in data["createPerson"]["userErrors"]} == {"displayName", "email"}

    assert logged_unexpected(caplog) == []
    assert not [r for r in caplog.records if r.name == "icn_graph.graphql"]


# --------------------------------------------------------------------------------------------
# Websockets (Starlette's TestClient: a real ASGI websocket client, run synchronously)
# --------------------------------------------------------------------------------------------


def ws_app(database_url: str = UNREACHABLE_URL) -> TestClient:
    """The app over ``database_url``; its lifespan (run by the TestClient) owns the engine."""
    return TestClient(create_app(make_settings(database_url)))


def open_session(ws: Any) -> None:
    ws.send_json({"type": "connection_init"})
    assert ws.receive_json() == {"type": "connection_ack"}


def run_operation(ws: Any, query: str, operation_id: str = "1") -> dict[str, Any]:
    ws.send_json({"id": operation_id, "type": "subscribe", "payload": {"query": query}})
    result = ws.receive_json()
    assert result["id"] == operation_id
    assert result["type"] == "next", result
    assert ws.receive_json() == {"id": operation_id, "type": "complete"}
    payload: dict[str, Any] = result["payload"]
    return payload


def test_websocket_legacy_protocol_is_refused() -> None:
    with ws_app() as client, client.websocket_connect("/graphql", subprotocols=[LEGACY_WS]) as ws:
        # The server never agrees to the legacy protocol...
        assert ws.accepted_subprotocol != LEGACY_WS
        # ...and hangs up at once with graphql-ws's "Subprotocol not acceptable".
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4406


def test_websocket_without_a_subprotocol_is_refused() -> None:
    with ws_app() as client, client.websocket_connect("/graphql") as ws:
        assert ws.accepted_subprotocol is None
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4406


@pytest.mark.parametrize(
    "offered", [[TRANSPORT_WS], [LEGACY_WS, TRANSPORT_WS]], ids=["transport-ws", "both"]
)
def test_websocket_transport_protocol_is_accepted(offered: list[str]) -> None:
    with ws_app() as client, client.websocket_connect("/graphql", subprotocols=offered) as ws:
        assert ws.accepted_subprotocol == TRANSPORT_WS
        open_session(ws)
        assert without_cost(run_operation(ws, "{ network { name } }")) == {
            "data": {"network": {"name": "Test Network"}}
        }
        # Service errors keep their code over the websocket too.
        payload = run_operation(ws, "{ centers { totalCount } }", "2")
        assert payload["data"] is None
        assert [e["extensions"]["code"] for e in payload["errors"]] == ["UNAUTHENTICATED"]
        # And the abuse limits apply: the operation is refused before it runs.
        refused = query_with_aliases(MAX_ALIASES + 1)
        ws.send_json({"id": "3", "type": "subscribe", "payload": {"query": refused}})
        assert ws.receive_json() == {
            "id": "3",
            "type": "error",
            "payload": [
                {
                    "message": "16 aliases found. Allowed: 15",
                    "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
                }
            ],
        }


def test_websocket_from_another_origin_is_refused() -> None:
    headers = {"Origin": "http://evil.example"}
    with ws_app() as client:
        session = client.websocket_connect("/graphql", subprotocols=[TRANSPORT_WS], headers=headers)
        with pytest.raises(WebSocketDisconnect) as refused:
            session.__enter__()  # the handshake itself is refused
    assert refused.value.code == 1008


def test_websocket_with_the_database_down_closes_cleanly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    headers = {"Authorization": "Bearer icn_some-token"}
    with (
        ws_app() as client,
        client.websocket_connect("/graphql", subprotocols=[TRANSPORT_WS], headers=headers) as ws,
        pytest.raises(WebSocketDisconnect) as closed,
    ):
        ws.receive_json()
    assert closed.value.code == 1013  # "Try Again Later": the websocket's 503
    assert closed.value.reason == DB_DOWN_MESSAGE
    assert any("database unavailable" in r.getMessage() for r in caplog.records)


def test_websocket_masks_unexpected_errors(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    url, secret = partial_sqlite(tmp_path / "partial-ws.db")
    headers = {"Authorization": f"Bearer {secret}"}
    with (
        ws_app(url) as client,
        client.websocket_connect("/graphql", subprotocols=[TRANSPORT_WS], headers=headers) as ws,
    ):
        open_session(ws)
        assert without_cost(run_operation(ws, "{ viewer { person { displayName } } }")) == {
            "data": {"viewer": {"person": {"displayName": "Stella Staff"}}}
        }
        payload = run_operation(ws, "{ centers { totalCount } }", "2")
    assert payload["data"] is None
    [error] = payload["errors"]
    assert_masked(error, ["centers"])
    [record] = logged_unexpected(caplog)
    assert record.name == "icn_graph.graphql"
    assert record.exc_info is not None
    assert "no such table: centers" in str(record.exc_info[1])


@pytest.fixture
def ws_network(tmp_path: Path) -> tuple[str, str]:
    """(database URL, staff token) of a migrated SQLite file holding the demo network."""
    from icn_graph.db import migrations
    from icn_graph.demo import SMALL_VISIT_SCALE, load_demo
    from icn_graph.services.tokens import issue_token

    url = f"sqlite+aiosqlite:///{tmp_path / 'ws.db'}"
    migrations.upgrade(url)

    async def prepare() -> str:
        database = Database.from_url(url)
        try:
            await load_demo(
                database, plugins=core_host(), visit_scale=SMALL_VISIT_SCALE, today=STORY_TODAY
            )
            return (await issue_token(database, "staff@network.example.org")).secret
        finally:
            await database.dispose()

    return url, asyncio.run(prepare())


def test_websocket_token_in_connection_init(ws_network: tuple[str, str]) -> None:
    url, secret = ws_network
    with (
        ws_app(url) as client,
        client.websocket_connect("/graphql", subprotocols=[TRANSPORT_WS]) as ws,
    ):
        ws.send_json({"type": "connection_init", "payload": {"Authorization": f"Bearer {secret}"}})
        assert ws.receive_json() == {"type": "connection_ack"}
        payload = run_operation(ws, "{ viewer { person { displayName } } network { centerCount } }")
    assert without_cost(payload) == {
        "data": {
            "viewer": {"person": {"displayName": "Jordan Avery"}},
            "network": {"centerCount": 61},
        }
    }


def test_websocket_with_a_bad_token_in_connection_init_is_closed(
    ws_network: tuple[str, str],
) -> None:
    url, _ = ws_network
    with (
        ws_app(url) as client,
        client.websocket_connect("/graphql", subprotocols=[TRANSPORT_WS]) as ws,
    ):
        ws.send_json({"type": "connection_init", "payload": {"Authorization": "Bearer icn_nope"}})
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4403
