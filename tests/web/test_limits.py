"""Protection, through real requests on the ASGI app (both backends where a database is
involved): the body limit, the document length limit, the static query cost and its limit, each
client's cost budget, the execution timeout, and the issue's attack queries. Every GraphQL answer
carries ``extensions.cost``."""

from __future__ import annotations

import base64
import json
import re
import warnings
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLInterfaceType,
    GraphQLObjectType,
    get_introspection_query,
    graphql_sync,
    parse,
)
from starlette.applications import Starlette
from strawberry.types import ExecutionContext

from icn_graph.app import create_app
from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.host import core_schema
from icn_graph.models import NetworkRole, PersonKind
from icn_graph.plugins.manager import PluginHost
from icn_graph.schema.document_cache import COST_KEY_VARIABLES_LIMIT, cost_key
from icn_graph.schema.limits.budget import CostBudget
from icn_graph.schema.limits.cost import (
    ASSUMED_LIST_SIZE,
    MUTATION_COST,
    TYPE_WEIGHTS,
    operation_cost,
)
from icn_graph.schema.limits.introspection_answers import IntrospectionAnswers
from icn_graph.schema.limits.introspection_cost import points
from icn_graph.testing import (
    GraphQLClient,
    StatementCounter,
    make_center,
    make_person,
    make_staff_token,
    token_for,
)
from tests.web import stall_plugin

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*starlette.testclient.*")
    from starlette.testclient import TestClient

STRAWBERRY_SCHEMA = core_schema()
SCHEMA = STRAWBERRY_SCHEMA._schema
REPORT = TYPE_WEIGHTS["Report"]


def cost_of(document: str, variables: dict[str, Any] | None = None, name: str | None = None) -> int:
    return operation_cost(SCHEMA, parse(document), name, variables)


def center_ids(count: int) -> list[str]:
    return [base64.b64encode(f"Center:{n}".encode()).decode() for n in range(1, count + 1)]


# --------------------------------------------------------------------------------------------
# The cost formula (docs/api.md, "Query cost")
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        pytest.param("{ network { name } }", 1, id="one-object"),
        pytest.param("{ __typename network { name centerCount } }", 1, id="scalars-are-free"),
        pytest.param("{ centers(first: 5) { totalCount } }", 1, id="connection-alone"),
        pytest.param("{ centers(first: 5) { nodes { name } } }", 1 + 5, id="nodes"),
        pytest.param("{ centers(first: 5) { edges { cursor node { name } } } }", 1 + 5, id="edges"),
        pytest.param("{ centers { nodes { name } } }", 1 + 20, id="default-first"),
        pytest.param("{ centers(first: 5000) { nodes { name } } }", 1 + 100, id="first-capped"),
        pytest.param(
            "{ centers(first: 5) { pageInfo { hasNextPage } nodes { name } } }",
            1 + 1 + 5,
            id="page-info",
        ),
        pytest.param(
            "{ centers(first: 5) { nodes { members { person { displayName } } } } }",
            1 + 5 * (1 + 20 * (1 + 1)),
            id="nested-multipliers",
        ),
        pytest.param(
            "{ people(first: 2) { nodes { memberships { role } } } }",
            1 + 2 * (1 + ASSUMED_LIST_SIZE),
            id="unpaged-list",
        ),
        pytest.param(
            '{ network { report(measure: "remission_rate") { centerLine } } }',
            1 + REPORT,
            id="report-weight",
        ),
        pytest.param("{ a: network { name } b: network { name } }", 2, id="aliases-count-each"),
        pytest.param("{ network { name } network { centerCount } }", 1, id="merged-count-once"),
        pytest.param(
            "{ centers(first: 5) { ...C } } fragment C on CenterConnection { nodes { name } }",
            1 + 5,
            id="fragment",
        ),
        pytest.param(
            "{ centers(first: 5) { ...C ...C } } fragment C on CenterConnection { nodes { id } }",
            1 + 5,
            id="fragment-twice",
        ),
        pytest.param(
            "{ centers(first: 5) { nodes { ... on Center { members { role } } } } }",
            1 + 5 * (1 + 20),
            id="inline-fragment",
        ),
        pytest.param(
            "{ centers(first: 5) @skip(if: true) { nodes { name } } network { name } }",
            1,
            id="skip",
        ),
        pytest.param(
            "{ centers(first: 5) @include(if: false) { nodes { name } } }", 0, id="include"
        ),
        pytest.param("{ __schema { queryType { name } } }", 1, id="introspection"),
    ],
)
def test_costs(document: str, expected: int) -> None:
    assert cost_of(document) == expected


def test_nodes_cost_by_the_number_of_ids_and_their_costliest_type() -> None:
    ids = json.dumps(center_ids(7))
    assert cost_of(f"{{ nodes(ids: {ids}) {{ id }} }}") == 7
    asking_reports = (
        f"{{ nodes(ids: {ids}) {{ id ... on Center {{ name"
        ' report(measure: "remission_rate") { centerLine } } ... on Goal { title } } }'
    )
    assert cost_of(asking_reports) == 7 * (1 + REPORT)


def test_variables_and_their_defaults_set_page_sizes() -> None:
    document = "query($n: Int = 3) { centers(first: $n) { nodes { name } } }"
    assert cost_of(document) == 1 + 3
    assert cost_of(document, {"n": 40}) == 1 + 40
    ids = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    assert cost_of(ids, {"ids": center_ids(12)}) == 12
    skipped = "query($no: Boolean!) { centers(first: 9) @skip(if: $no) { totalCount } }"
    assert cost_of(skipped, {"no": True}) == 0
    assert cost_of(skipped, {"no": False}) == 1


def test_the_operation_named_is_the_one_costed() -> None:
    document = "query Small { network { name } } query Big { centers(first: 50) { nodes { id } } }"
    assert cost_of(document, name="Small") == 1
    assert cost_of(document, name="Big") == 51


def test_mutations_cost_more_per_top_level_field() -> None:
    document = 'mutation { follow(input: {subjectId: "R29hbDox"}) { userErrors { field } } }'
    assert cost_of(document) == MUTATION_COST + 1 + ASSUMED_LIST_SIZE


# --------------------------------------------------------------------------------------------
# Apps with other limits
# --------------------------------------------------------------------------------------------


AppFactory = Callable[..., GraphQLClient]


@pytest.fixture
async def limited(
    db: Database, plugin_host: PluginHost, settings: Settings
) -> AsyncIterator[AppFactory]:
    """``limited(client=("10.0.0.1", 1), **settings)``: a client of an app with those settings."""
    opened: list[httpx.AsyncClient] = []
    apps: dict[str, Starlette] = {}

    def make(client: tuple[str, int] = ("127.0.0.1", 123), **overrides: Any) -> GraphQLClient:
        key = json.dumps(overrides, sort_keys=True)
        if key not in apps:  # one app (so one set of budgets) per settings
            apps[key] = create_app(
                settings.model_copy(update=overrides), db=db, plugins=plugin_host
            )
        transport = httpx.ASGITransport(app=apps[key], client=client)
        http = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        opened.append(http)
        return GraphQLClient(http, apps[key])

    yield make
    for http in opened:
        await http.aclose()


def single_error(body: dict[str, Any]) -> dict[str, Any]:
    assert body.get("data") is None, body
    [error] = body["errors"]
    return dict(error)


# --------------------------------------------------------------------------------------------
# extensions.cost on every answer
# --------------------------------------------------------------------------------------------


async def test_every_answer_carries_its_cost(db: Database, client: GraphQLClient) -> None:
    token = await make_staff_token(db)
    await make_center(db)
    answered = await client.execute("{ centers(first: 10) { nodes { name } } }", token=token)
    assert answered["extensions"]["cost"] == {
        "requested": 11,
        "actual": 11,
        "limit": 25_000,
        "remaining": answered["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"],
        "throttleStatus": {
            "maximumAvailable": 50_000,
            "currentlyAvailable": answered["extensions"]["cost"]["remaining"],
            "restoreRate": 2500.0,
        },
    }
    assert 50_000 - 11 <= answered["extensions"]["cost"]["remaining"] < 50_000

    refused = await client.execute("{ centers(first: 10) { nodes { name } } }")  # anonymous
    assert refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert refused["extensions"]["cost"]["requested"] == 11
    for broken in ("{ nosuchfield }", "{ centers {"):
        body = await client.execute(broken, token=token)
        assert body["extensions"]["cost"]["requested"] == 0
        assert body["extensions"]["cost"]["actual"] == 0


async def test_a_repeated_operation_costs_by_its_own_variables_and_name(
    db: Database, client: GraphQLClient
) -> None:
    """Costs are kept per text, operation and variables: asking again with another page size or
    another operation of the same document costs that, not what the first request cost."""
    token = await make_staff_token(db)
    page = """query Page($first: Int!) { centers(first: $first) { nodes { name } } }
        query Two { centers(first: 2) { nodes { name } } }"""
    asked = [("Page", {"first": 10}), ("Page", {"first": 50}), ("Two", None)] * 2
    costs = []
    for name, variables in asked:
        payload = {"query": page, "variables": variables, "operationName": name}
        response = await client.http.post(
            "/graphql", json=payload, headers={"Authorization": f"Bearer {token}"}
        )
        body = response.json()
        assert "errors" not in body, body
        costs.append(body["extensions"]["cost"]["requested"])
    assert costs == [11, 51, 3] * 2


def test_costs_are_not_kept_for_padded_variables() -> None:
    """Variables nobody needs could fill the cost cache (a 1 MB body each, 512 kept): over 4 KB
    of JSON, or not JSON, the cost is walked each time instead of kept."""
    query = "{ __typename }"
    assert cost_key(query, None, {"pad": "x" * COST_KEY_VARIABLES_LIMIT}) is None
    assert cost_key(query, None, {"file": object()}) is None
    kept = cost_key(query, None, {"first": 10})
    assert kept is not None
    assert len(kept) == 32
    assert kept == cost_key(query, None, {"first": 10})
    others = [
        cost_key(query, None, {"first": 11}),
        cost_key(query, "Page", {"first": 10}),
        cost_key(query + " ", None, {"first": 10}),
    ]
    assert kept not in others


# --------------------------------------------------------------------------------------------
# The cost limit
# --------------------------------------------------------------------------------------------


async def test_an_operation_over_the_cost_limit_is_refused_before_it_runs(
    db: Database, limited: AppFactory, statements: StatementCounter
) -> None:
    client = limited(max_query_cost=100, cost_budget=1000)
    token = await make_staff_token(db)
    await make_center(db)
    at_limit = await client.execute("{ centers(first: 99) { nodes { name } } }", token=token)
    assert "errors" not in at_limit
    assert at_limit["extensions"]["cost"]["requested"] == 100

    statements.reset()
    body = await client.execute("{ centers(first: 100) { nodes { name } } }", token=token)
    error = single_error(body)
    assert error["extensions"] == {"code": "MAX_COST_EXCEEDED", "cost": 101, "limit": 100}
    assert "costs 101 points" in error["message"]
    assert "at most 100" in error["message"]
    assert body["extensions"]["cost"]["requested"] == 101
    assert body["extensions"]["cost"]["actual"] == 0  # nothing ran, nothing charged
    assert body["extensions"]["cost"]["limit"] == 100
    assert not [s for s in statements.statements if re.search(r"\bFROM centers\b", s)]


async def test_a_mutation_over_the_cost_limit_writes_nothing(
    db: Database, limited: AppFactory
) -> None:
    client = limited(max_query_cost=30, cost_budget=1000)
    token = await make_staff_token(db)
    mutation = (
        'mutation { createCenter(input: { name: "Center Gamma", shortCode: "GAMMA",'
        ' city: "Dayton", region: "Midwest", country: "US", joinedOn: "2024-05-01" })'
        " { center { name members { person { displayName } } } userErrors { field } } }"
    )
    body = await client.execute(mutation, token=token)
    assert single_error(body)["extensions"]["code"] == "MAX_COST_EXCEEDED"
    listing = await client.data("{ centers { totalCount } }", token=token)
    assert listing["centers"]["totalCount"] == 0


def chain_attack() -> str:
    """15 aliases of a depth-10 ``centers -> members -> person -> memberships -> center``."""
    chain = "members { person { memberships { center { members { person { memberships {"
    chain += " role } } } } } } }"
    inner = f"centers {{ edges {{ node {{ {chain} }} }} }}"
    return "{ " + " ".join(f"a{i}: {inner}" for i in range(15)) + " }"


def nodes_attack() -> str:
    """15 aliases of ``nodes`` with 100 ids, each asking for a report."""
    ids = json.dumps(center_ids(100))
    selection = '... on Center { name report(measure: "remission_rate") { points { value } } }'
    return "{ " + " ".join(f"a{i}: nodes(ids: {ids}) {{ {selection} }}" for i in range(15)) + " }"


@pytest.mark.parametrize("attack", [chain_attack, nodes_attack], ids=["chain", "nodes"])
async def test_the_issues_attack_queries_are_refused(
    db: Database, client: GraphQLClient, statements: StatementCounter, attack: Callable[[], str]
) -> None:
    center = await make_center(db)
    parent = await make_person(db, PersonKind.PARENT_PARTNER, center=center)
    token = await token_for(db, parent)
    statements.reset()
    body = await client.execute(attack(), token=token)
    error = single_error(body)
    assert error["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert error["extensions"]["cost"] > 25_000
    assert body["extensions"]["cost"]["requested"] == error["extensions"]["cost"]
    # Only the token was looked up.
    assert not [s for s in statements.statements if re.search(r"\bFROM (centers|visits)\b", s)]


# --------------------------------------------------------------------------------------------
# Introspection
# --------------------------------------------------------------------------------------------

# What GraphiQL and code generators send (graphql-core's, every option on).
FULL_INTROSPECTION = get_introspection_query(
    descriptions=True,
    specified_by_url=True,
    directive_is_repeatable=True,
    schema_description=True,
    input_value_deprecation=True,
)


def answer_fields(value: object) -> int:
    """The fields of an answer: every key, at every level."""
    if isinstance(value, dict):
        return len(value) + sum(answer_fields(item) for item in value.values())
    if isinstance(value, list):
        return sum(answer_fields(item) for item in value)
    return 0


def introspection_attack(aliases: int = 15) -> str:
    """The review's: the standard introspection query's ``__schema`` under 15 aliases."""
    schema_block = FULL_INTROSPECTION[FULL_INTROSPECTION.index("__schema {") :].split("\n}\n")[0]
    fragments = FULL_INTROSPECTION[FULL_INTROSPECTION.index("fragment ") :]
    aliased = "\n".join(f"a{i}: {schema_block}" for i in range(aliases))
    return f"query {{\n{aliased}\n}}\n{fragments}"


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        pytest.param(FULL_INTROSPECTION, None, id="standard-query"),
        pytest.param(get_introspection_query(descriptions=False), None, id="standard-plain"),
        pytest.param(
            '{ __type(name: "Center") { name kind fields { name args { name type { kind name'
            " ofType { kind name } } } type { kind name ofType { kind name ofType { kind name"
            " ofType { name } } } } } interfaces { name } possibleTypes { name } } }",
            None,
            id="one-type",
        ),
        pytest.param(
            '{ n: __type(name: "Node") { possibleTypes { name } }'
            ' k: __type(name: "PersonKind") { enumValues { name } }'
            ' i: __type(name: "CreateCenterInput") { inputFields { name type { name } } }'
            ' nothing: __type(name: "NoSuchType") { name } }',
            None,
            id="aliases",
        ),
        pytest.param(
            "{ __schema { ...S } } fragment S on __Schema { description queryType { name"
            " fields { name } } mutationType { name } subscriptionType { name } directives"
            " { name locations args { name type { kind ofType { name } } } } }",
            None,
            id="fragment-roots-directives",
        ),
        pytest.param(
            "query($name: String!, $plain: Boolean!) { __type(name: $name) { name inputFields"
            " { name type { kind name @skip(if: $plain) ofType { kind ofType { name } } } } } }",
            {"name": "CreateCenterInput", "plain": True},
            id="variables-and-skip",
        ),
    ],
)
def test_introspection_costs_what_its_answer_holds(
    document: str, variables: dict[str, Any] | None
) -> None:
    result = graphql_sync(SCHEMA, document, variable_values=variables)
    assert not result.errors
    assert result.data
    expected = sum(points(answer_fields({key: value})) for key, value in result.data.items())
    assert cost_of(document, variables) == expected


def test_types_reached_through_a_reference_count_as_the_largest() -> None:
    # A goal's interfaces are not known before it runs: each counts the most fields any type has.
    document = '{ __type(name: "Goal") { interfaces { fields { name } } } }'
    result = graphql_sync(SCHEMA, document)
    assert result.data == {
        "__type": {
            "interfaces": [
                {
                    "fields": [
                        {"name": "id"},
                        {"name": "viewerFollowLevel"},
                        {"name": "viewerIsFollowing"},
                    ]
                },
                {"fields": [{"name": "id"}]},
            ]
        }
    }
    most_fields = max(
        len(named.fields)
        for named in SCHEMA.type_map.values()
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType)
    )
    assert most_fields > 40
    most_interfaces = max(
        len(named.interfaces)
        for named in SCHEMA.type_map.values()
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType)
    )
    assert most_interfaces == 2  # Followable & Node
    assert cost_of(document) == points(1 + 1 + most_interfaces * (1 + most_fields * 1))


async def test_one_schema_field_per_operation(client: GraphQLClient) -> None:
    twice = "{ a: __schema { queryType { name } } b: __schema { types { name } } }"
    error = single_error(await client.execute(twice))
    assert error["message"] == (
        "An operation may select `__schema` once; this one selects it 2 times (a, b). Ask for"
        " everything in one `__schema` field."
    )
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    through_a_fragment = (
        "{ __schema { queryType { name } } ...More } fragment More on Query"
        " { more: __schema { types { name } } }"
    )
    error = single_error(await client.execute(through_a_fragment))
    assert "2 times (__schema, more)" in error["message"]
    # The same response key twice is one field (execution merges them).
    merged = "{ __schema { queryType { name } } __schema { mutationType { name } } }"
    assert await client.data(merged) == {
        "__schema": {"queryType": {"name": "Query"}, "mutationType": {"name": "Mutation"}}
    }


async def test_the_reviews_introspection_attack_is_refused(client: GraphQLClient) -> None:
    body = await client.execute(introspection_attack())
    error = single_error(body)
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "selects it 15 times" in error["message"]
    assert body["extensions"]["cost"]["actual"] == 0


async def test_introspection_over_the_cost_limit_is_refused(client: GraphQLClient) -> None:
    nested = (
        "{ __schema { types { fields { type { name fields { name description args { name"
        " description } type { name } } ofType { name fields { name description args { name"
        " description } type { name } } ofType { name fields { name description } } } } } } } }"
    )
    body = await client.execute(nested)
    error = single_error(body)
    assert error["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert error["extensions"]["cost"] > 25_000
    assert body["extensions"]["cost"]["actual"] == 0


async def test_the_standard_introspection_query_answers_and_is_charged(
    client: GraphQLClient,
) -> None:
    first = await client.execute(FULL_INTROSPECTION)
    again = await client.execute(FULL_INTROSPECTION)  # from memory
    assert "errors" not in first
    assert first["data"] == again["data"]
    assert first["data"]["__schema"]["queryType"] == {"name": "Query", "kind": "OBJECT"}
    assert first["extensions"]["cost"]["requested"] == points(answer_fields(first["data"]))
    assert again["extensions"]["cost"]["actual"] == first["extensions"]["cost"]["actual"]
    # Errors of an operation that only introspects are answered as usual.
    needs_a_name = "query($name: String!) { __type(name: $name) { name } }"
    error = single_error(await client.execute(needs_a_name))
    assert error["message"] == (
        "Variable '$name' has invalid value: Expected a value of non-null type 'String!' to be"
        " provided."
    )


def execution(query: str, variables: dict[str, Any] | None = None) -> ExecutionContext:
    return ExecutionContext(
        query=query,
        schema=STRAWBERRY_SCHEMA,
        allowed_operations=(),
        variables=variables,
        graphql_document=parse(query),
    )


async def test_answers_to_introspection_are_computed_once_and_the_latest_kept() -> None:
    answers = IntrospectionAnswers(kept=2)
    first = await answers.answer(execution(FULL_INTROSPECTION))
    assert first is not None
    assert first.data == graphql_sync(SCHEMA, FULL_INTROSPECTION).data
    again = await answers.answer(execution(FULL_INTROSPECTION))
    assert again is not None
    assert again.data is first.data  # from memory, not computed again

    named = "query($n: String!) { __type(name: $n) { name } }"
    center = await answers.answer(execution(named, {"n": "Center"}))
    goal = await answers.answer(execution(named, {"n": "Goal"}))
    assert center is not None
    assert goal is not None
    assert (center.data, goal.data) == (
        {"__type": {"name": "Center"}},
        {"__type": {"name": "Goal"}},
    )
    recomputed = await answers.answer(execution(FULL_INTROSPECTION))  # the oldest went
    assert recomputed is not None
    assert recomputed.data == first.data
    assert recomputed.data is not first.data

    # Operations that also ask for data, or for nothing but __typename, run as usual.
    for document in (
        "{ network { name } __schema { queryType { name } } }",
        '{ ... on Query { network { name } } __type(name: "Center") { name } }',
        "{ __typename }",
        'mutation { follow(input: {subjectId: "R29hbDox"}) { userErrors { field } } }',
    ):
        assert await answers.answer(execution(document)) is None


async def test_introspection_runs_under_the_timeout(db: Database, limited: AppFactory) -> None:
    client = limited(request_timeout=0.001)
    # A name of its own: not an answer kept from another test.
    query = FULL_INTROSPECTION.replace("query IntrospectionQuery", "query UnderTheTimeout")
    error = single_error(await client.execute(query))
    assert error["extensions"] == {"code": "TIMEOUT", "timeoutSeconds": 0.001}
    assert await client.data("{ network { name } }") == {"network": {"name": "Test Network"}}


# --------------------------------------------------------------------------------------------
# The budget
# --------------------------------------------------------------------------------------------


def test_a_bucket_refills_over_time() -> None:
    now = [1000.0]
    budget = CostBudget(100, 10.0, clock=lambda: now[0])
    assert budget.withdraw("a", 60).granted
    assert budget.status("a").currently_available == 40
    refused = budget.withdraw("a", 50)
    assert not refused.granted
    assert refused.status.currently_available == 40  # a refusal takes nothing
    assert refused.retry_after == pytest.approx(1.0)
    now[0] += 1.0
    assert budget.withdraw("a", 50).granted
    now[0] += 60
    assert budget.status("a").currently_available == 100  # never above the capacity
    assert budget.status("b").currently_available == 100  # each client its own


async def test_a_client_over_its_budget_is_throttled(db: Database, limited: AppFactory) -> None:
    # The budget refills so slowly that it does not during the test.
    client = limited(max_query_cost=200, cost_budget=250, cost_restore_rate=0.0001)
    token = await make_staff_token(db)
    query = "{ centers(first: 99) { nodes { name } } }"  # 100 points
    first = await client.execute(query, token=token)
    assert first["extensions"]["cost"]["remaining"] == 150
    second = await client.execute(query, token=token)
    assert second["extensions"]["cost"]["remaining"] == 50

    response = await client.post(query, token=token)
    body = response.json()
    error = single_error(body)
    assert error["extensions"]["code"] == "THROTTLED"
    assert error["extensions"]["cost"] == 100
    assert error["extensions"]["retryAfterSeconds"] > 0
    assert "Throttled" in error["message"]
    assert "50" in error["message"]  # what the budget holds
    assert response.headers["retry-after"] == str(error["extensions"]["retryAfterSeconds"])
    cost = body["extensions"]["cost"]
    assert (cost["requested"], cost["actual"], cost["remaining"]) == (100, 0, 50)
    assert cost["throttleStatus"]["maximumAvailable"] == 250

    # What still fits runs.
    small = await client.execute("{ centers(first: 9) { totalCount } }", token=token)
    assert "errors" not in small
    assert small["extensions"]["cost"]["remaining"] == 49


async def test_a_read_only_tokens_refused_mutation_is_not_charged(
    db: Database, limited: AppFactory
) -> None:
    client = limited(max_query_cost=200, cost_budget=250, cost_restore_rate=0.0001)
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    made = await client.data(
        'mutation { createPersonalAccessToken(input: {name: "dashboards", readOnly: true})'
        " { token } }",
        token=await token_for(db, staff),
    )
    read_only = made["createPersonalAccessToken"]["token"]
    read = await client.execute("{ network { name } }", token=read_only)
    remaining = read["extensions"]["cost"]["remaining"]

    mutation = 'mutation { follow(input: {subjectId: "R29hbDox"}) { userErrors { field } } }'
    body = await client.execute(mutation, token=read_only)
    assert single_error(body)["extensions"]["code"] == "FORBIDDEN"
    cost = body["extensions"]["cost"]
    assert cost["requested"] == MUTATION_COST + 1 + ASSUMED_LIST_SIZE
    assert (cost["actual"], cost["remaining"]) == (0, remaining)


async def test_budgets_are_per_person_and_per_address(db: Database, limited: AppFactory) -> None:
    overrides = {"max_query_cost": 200, "cost_budget": 200, "cost_restore_rate": 0.0001}
    center = await make_center(db)
    first_person = await make_person(db, PersonKind.CLINICIAN, center=center)
    other_person = await make_person(db, PersonKind.CLINICIAN, center=center)
    first_token, second_token = await token_for(db, first_person), await token_for(db, first_person)
    query = "{ centers(first: 99) { nodes { name } } }"

    client = limited(**overrides)
    assert "errors" not in await client.execute(query, token=first_token)
    assert "errors" not in await client.execute(query, token=second_token)
    # Both tokens are the same person's: one budget, now empty.
    third = await client.execute(query, token=first_token)
    assert third["errors"][0]["extensions"]["code"] == "THROTTLED"
    # Another person has their own.
    other = await client.execute(query, token=await token_for(db, other_person))
    assert "errors" not in other

    # Anonymous callers pay by client address.
    anonymous = "{ network { name } __schema { queryType { name } } }"  # 2 points
    here = limited(client=("10.0.0.1", 1), **overrides)
    there = limited(client=("10.0.0.2", 1), **overrides)
    for _ in range(100):
        await here.execute(anonymous)
    throttled = await here.execute(anonymous)
    assert throttled["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert (await there.execute(anonymous))["data"]["network"] == {"name": "Test Network"}


# --------------------------------------------------------------------------------------------
# The timeout
# --------------------------------------------------------------------------------------------


@pytest.fixture
def icn_plugins() -> Sequence[tuple[str, object]]:
    return [("stall", stall_plugin)]


async def test_a_query_over_the_timeout_is_stopped(db: Database, limited: AppFactory) -> None:
    client = limited(request_timeout=0.5)
    token = await make_staff_token(db)
    body = await client.execute("{ stall network { name } }", token=token)
    error = single_error(body)
    assert error["extensions"] == {"code": "TIMEOUT", "timeoutSeconds": 0.5}
    assert "longer than 0.5 seconds" in error["message"]
    assert body["extensions"]["cost"]["requested"] == 1
    # The stopped query gave its database connection back: the app goes on answering.
    await make_center(db, name="After the timeout")
    data = await client.data("{ centers { nodes { name } } }", token=token)
    assert data["centers"]["nodes"] == [{"name": "After the timeout"}]


# --------------------------------------------------------------------------------------------
# Document length
# --------------------------------------------------------------------------------------------


async def test_a_document_over_the_length_limit_is_refused_unread(
    db: Database, limited: AppFactory
) -> None:
    client = limited(max_query_length=500)
    query = "{ network { name } }"
    at_limit = query + "#" * (500 - len(query))
    assert (await client.data(at_limit)) == {"network": {"name": "Test Network"}}

    over = "#" * 480 + "\n" + query  # mostly a comment, as in the issue
    body = await client.execute(over)
    error = single_error(body)
    assert error["extensions"] == {"code": "QUERY_TOO_LONG", "length": 501, "limit": 500}
    assert "501 characters" in error["message"]
    assert "comments and whitespace count" in error["message"]
    assert body["extensions"]["cost"]["requested"] == 0
    # Whitespace counts too, over GET as over POST, and with an operation name.
    spaced = await client.http.get(
        "/graphql", params={"query": "query Named " + " " * 500 + query, "operationName": "Named"}
    )
    assert single_error(spaced.json())["extensions"]["code"] == "QUERY_TOO_LONG"


async def test_an_over_long_mutation_writes_nothing(db: Database, limited: AppFactory) -> None:
    client = limited(max_query_length=300)
    token = await make_staff_token(db)
    mutation = (
        'mutation { createCenter(input: { name: "Center Gamma", shortCode: "GAMMA",'
        ' city: "Dayton", region: "Midwest", country: "US", joinedOn: "2024-05-01" })'
        " { center { name } } }"
    )
    body = await client.execute(mutation + " " * 300, token=token)
    assert single_error(body)["extensions"]["code"] == "QUERY_TOO_LONG"
    assert (await client.data("{ centers { totalCount } }", token=token)) == {
        "centers": {"totalCount": 0}
    }


# --------------------------------------------------------------------------------------------
# The body limit
# --------------------------------------------------------------------------------------------


def assert_413(response: httpx.Response, limit: int) -> None:
    assert response.status_code == 413
    [error] = response.json()["errors"]
    assert error["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    assert f"{limit:,} bytes" in error["message"]
    assert "data" not in response.json()


async def test_a_declared_body_over_the_limit_is_refused_unread(client: GraphQLClient) -> None:
    body = json.dumps({"query": "#" * 1_000_000 + "\n{ network { name } }"}).encode()
    assert len(body) > 1_000_000
    response = await client.http.post(
        "/graphql", content=body, headers={"Content-Type": "application/json"}
    )
    assert_413(response, 1_000_000)


async def test_a_streamed_body_is_refused_once_it_passes_the_limit(client: GraphQLClient) -> None:
    sent: list[int] = []

    async def twenty_megabytes_of_comment() -> AsyncIterator[bytes]:
        yield b'{"query": "'
        for _ in range(200):
            sent.append(100_000)
            yield b"#" * 100_000
        yield b'\\n{ network { name } }"}'

    response = await client.http.post(
        "/graphql",
        content=twenty_megabytes_of_comment(),  # no Content-Length: sent chunked
        headers={"Content-Type": "application/json"},
    )
    assert_413(response, 1_000_000)
    # The server stopped reading a little past the limit, not at the end of 20 MB.
    assert sum(sent) <= 1_200_000


async def test_uploads_have_their_own_larger_limit(db: Database, limited: AppFactory) -> None:
    client = limited(max_body_bytes=10_000, max_upload_bytes=100_000)
    operations = json.dumps(
        {
            "query": "mutation($file: Upload!) { importVisits(input: {centerId: "
            '"Q2VudGVyOjE", file: $file}) { userErrors { field } } }',
            "variables": {"file": None},
        }
    )
    files_map = json.dumps({"0": ["variables.file"]})

    async def upload(size: int) -> httpx.Response:
        return await client.http.post(
            "/graphql",
            data={"operations": operations, "map": files_map},
            files={"0": ("visits.csv", b"x" * size, "text/csv")},
            headers={"Authorization": "Bearer icn_not-a-real-token"},
        )

    allowed = await upload(50_000)  # over the body limit, under the upload limit
    assert allowed.status_code == 200
    assert allowed.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert_413(await upload(150_000), 100_000)
    # JSON bodies keep the smaller limit.
    big_json = await client.http.post("/graphql", json={"query": "#" * 20_000 + "{__typename}"})
    assert_413(big_json, 10_000)


def test_the_cost_limit_applies_over_websockets_too() -> None:
    url = "postgresql+asyncpg://nobody@127.0.0.1:1/none"  # anonymous use needs no database
    settings = Settings(database_url=url, _env_file=None, max_query_cost=5)  # type: ignore[arg-type,call-arg]
    six = "{ " + " ".join(f"a{i}: network {{ name }}" for i in range(6)) + " }"
    with (
        TestClient(create_app(settings)) as client,
        client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws,
    ):
        ws.send_json({"type": "connection_init"})
        assert ws.receive_json() == {"type": "connection_ack"}
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": six}})
        refused = ws.receive_json()
        ws.send_json({"id": "2", "type": "subscribe", "payload": {"query": "{ network { name } }"}})
        answered = ws.receive_json()
    assert refused["type"] == "error"
    [error] = refused["payload"]
    assert error["extensions"] == {"code": "MAX_COST_EXCEEDED", "cost": 6, "limit": 5}
    assert answered["type"] == "next"
    assert answered["payload"]["extensions"]["cost"]["requested"] == 1
