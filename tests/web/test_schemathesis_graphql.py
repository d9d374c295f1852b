"""Fuzzing the GraphQL API with schemathesis: queries and mutations generated from the schema the
app serves (core and the first-party plugins), sent over real HTTP through the ASGI app to the
demo network, as the demo's network staff person and as its parent partner. Every answer must be
one a client can read: never a 5xx, always a JSON object with ``data`` and/or ``errors``, every
error with a ``message`` and an ``extensions.code``, and no INTERNAL_SERVER_ERROR (an unexpected
exception, masked).

Runs on both databases (the ``db`` fixture). Deterministic: hypothesis derandomized, no example
database; the examples are shared out evenly among the operations (every query and mutation),
and ID arguments get real IDs of the demo network most of the time (of the type the argument
names, else of any type), so generated operations reach real objects.

``ICN_FUZZ_EXAMPLES`` sets the examples per persona and database (default below). A longer hunt,
in one process: ``ICN_FUZZ_EXAMPLES=2000 pytest -p no:xdist tests/web/test_schemathesis_graphql.py``
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import graphql
import hypothesis
import icn_codesign.plugin
import icn_kudos.plugin
import icn_panels.plugin
import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode
from schemathesis.generation.case import Case
from schemathesis.graphql import nodes
from schemathesis.schemas import APIOperation
from schemathesis.specs.graphql.schemas import GraphQLSchema
from sqlalchemy import select

from icn_graph.config import Settings
from icn_graph.db.base import Base
from icn_graph.db.database import Database
from icn_graph.demo import DEMO_PERSONAS, SMALL_VISIT_SCALE, load_demo
from icn_graph.demo.present import STORY_TODAY
from icn_graph.ids import to_global_id
from icn_graph.models import Membership, Person
from icn_graph.plugins.manager import PluginHost
from icn_graph.testing import GraphQLClient, token_for

EXAMPLES = int(os.environ.get("ICN_FUZZ_EXAMPLES", "150"))
# Real IDs offered to ID arguments: the first rows of each table behind a Node type.
IDS_PER_TYPE = 4
# How often an ID argument gets a real ID instead of a generated string.
REAL_ID_PROBABILITY = 0.8
# One case in this many is negative (arguments of the wrong type, missing ones).
NEGATIVE_ONE_IN = 5
# ID arguments whose name does not say their type as `<camelCaseType>Id`.
ID_ARGUMENT_TYPES = {"view": "DataView", "request": "DataRequest", "requester": "Person"}
ANY_TYPE = "any"

Operation = APIOperation[Any, Any, Any, Any]
GraphQLCase = Case[Operation]

# Files come as multipart parts; inline in a query a string stands in for one (to be refused).
schemathesis.graphql.scalar("Upload", st.text(max_size=20).map(nodes.String))


@pytest.fixture
def icn_plugins() -> Sequence[tuple[str, object]]:
    """The first-party plugins too: the API as `make run` serves it."""
    return [
        ("icn-kudos", icn_kudos.plugin),
        ("icn-codesign", icn_codesign.plugin),
        ("icn-panels", icn_panels.plugin),
    ]


@pytest.fixture
def settings(migrated_url: str, tmp_path: Path) -> Settings:
    """A cost budget no fuzz run exhausts; each operation is still held to ICN_MAX_QUERY_COST."""
    return Settings(
        database_url=migrated_url,  # type: ignore[arg-type]
        network_name="Test Network",
        mail_dir=str(tmp_path / "mail"),
        cost_budget=1_000_000_000,
        cost_restore_rate=1_000_000_000.0,
        _env_file=None,  # type: ignore[call-arg]
    )


def _id_arguments(schema: graphql.GraphQLSchema) -> list[tuple[str, str]]:
    """(schemathesis binding key, name) of every argument of type ID, or [ID], on any field,
    and of every such field of an input object given as an argument."""
    found: list[tuple[str, str]] = []

    def walk(type_: graphql.GraphQLInputType, key: str, name: str, depth: int) -> None:
        named = graphql.get_named_type(type_)
        is_list = isinstance(graphql.get_nullable_type(type_), graphql.GraphQLList)
        if isinstance(named, graphql.GraphQLScalarType) and named.name == "ID":
            found.append((f"{key}[*]" if is_list else key, name))
        elif isinstance(named, graphql.GraphQLInputObjectType) and depth < 3 and not is_list:
            for field_name, field in named.fields.items():
                walk(field.type, f"{key}.{field_name}", field_name, depth + 1)

    for type_name, type_ in schema.type_map.items():
        if isinstance(type_, graphql.GraphQLObjectType) and not type_name.startswith("__"):
            for field_name, field in type_.fields.items():
                for argument, definition in field.args.items():
                    walk(definition.type, f"{type_name}.{field_name}.{argument}", argument, 0)
    return found


def _type_named_by(argument: str, types: set[str]) -> str:
    """``centerIds`` -> Center; ``id``, and names of no type with IDs at hand -> any type."""
    stem = argument.removesuffix("s").removesuffix("Id")
    named = ID_ARGUMENT_TYPES.get(stem, stem[:1].upper() + stem[1:])
    return named if named in types else ANY_TYPE


async def _real_ids(
    db: Database, schema: graphql.GraphQLSchema, persona: Person
) -> dict[str, list[str]]:
    """Global IDs by type: the first rows of every table behind a Node type (core's and the
    plugins' models named like their type), the persona and the persona's centers."""
    node = schema.type_map["Node"]
    assert isinstance(node, graphql.GraphQLInterfaceType)
    implementations = {type_.name for type_ in schema.get_implementations(node).objects}
    models = {
        mapper.class_.__name__: mapper.class_
        for mapper in Base.registry.mappers
        if mapper.class_.__name__ in implementations
    }
    ids: dict[str, list[str]] = {}
    async with db.session() as session:
        for name, model in sorted(models.items()):
            pks = await session.scalars(select(model.id).order_by(model.id).limit(IDS_PER_TYPE))
            ids[name] = [to_global_id(name, pk) for pk in pks]
        own_centers = await session.scalars(
            select(Membership.center_id).where(Membership.person_id == persona.id)
        )
        ids["Center"] += [to_global_id("Center", pk) for pk in own_centers]
    ids["Person"].append(to_global_id("Person", persona.id))
    return {name: sorted(set(values)) for name, values in ids.items() if values}


def _config(schema: graphql.GraphQLSchema, ids: dict[str, list[str]]) -> SchemathesisConfig:
    """Every ID argument draws from a dictionary of real IDs (``REAL_ID_PROBABILITY``)."""
    dictionaries = {name: {"values": values} for name, values in ids.items()}
    dictionaries[ANY_TYPE] = {"values": sorted({v for values in ids.values() for v in values})}
    parameters = {
        key: {"dictionary": _type_named_by(argument, set(ids)), "probability": REAL_ID_PROBABILITY}
        for key, argument in _id_arguments(schema)
    }
    return SchemathesisConfig.from_dict({"dictionaries": dictionaries, "parameters": parameters})


def _generate(schema: GraphQLSchema, count: int) -> list[GraphQLCase]:
    """About ``count`` cases, the same on every run, shared out evenly among the operations."""
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operations.append(result.ok())
    cases: list[GraphQLCase] = []
    for index, operation in enumerate(operations):
        share = count // len(operations) + (index < count % len(operations))
        if share:
            cases.extend(_cases_of(operation, share))
    return cases


def _cases_of(operation: Operation, count: int) -> list[GraphQLCase]:
    """Up to ``count`` different cases of one operation (fewer when it has no more); the first
    is its simplest (a positive one)."""
    positive = operation.as_strategy(GenerationMode.POSITIVE)
    negative = operation.as_strategy(GenerationMode.NEGATIVE)
    strategy = st.integers(1, NEGATIVE_ONE_IN).flatmap(
        lambda n: negative if n == NEGATIVE_ONE_IN else positive
    )
    cases: list[GraphQLCase] = []

    @hypothesis.settings(
        max_examples=count,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(strategy)
    def collect(case: GraphQLCase) -> None:
        # A query already sent tells nothing new: hypothesis draws another instead.
        hypothesis.assume(case.body not in {seen.body for seen in cases})
        cases.append(case)

    collect()
    return cases


def _problems(status: int, text: str) -> list[str]:
    """What is wrong with an answer: nothing when a GraphQL client can read it."""
    if status >= 500:
        return [f"HTTP {status}"]
    try:
        body = json.loads(text)
    except ValueError:
        return [f"HTTP {status}, not JSON"]
    if not isinstance(body, dict) or not {"data", "errors"} & body.keys():
        return [f"HTTP {status}, neither data nor errors"]
    problems = []
    for error in body.get("errors") or []:
        if not isinstance(error, dict) or not isinstance(error.get("message"), str):
            problems.append(f"an error without a message: {error!r}")
            continue
        code = (error.get("extensions") or {}).get("code")
        if not isinstance(code, str):
            problems.append(f"an error without extensions.code: {error['message']!r}")
        elif code == "INTERNAL_SERVER_ERROR":
            problems.append(f"INTERNAL_SERVER_ERROR at {error.get('path')}")
    return problems


GOOD = '{"data": null, "errors": [{"message": "No.", "extensions": {"code": "FORBIDDEN"}}]}'


@pytest.mark.parametrize(
    ("status", "text", "problem"),
    [
        (200, '{"data": {"network": {"name": "ICN"}}}', None),
        (200, GOOD, None),
        (400, '{"errors": [{"message": "Syntax Error", "extensions": {"code": "X"}}]}', None),
        (500, GOOD, "HTTP 500"),
        (502, "Bad Gateway", "HTTP 502"),
        (200, "<html></html>", "HTTP 200, not JSON"),
        (200, "[]", "HTTP 200, neither data nor errors"),
        (200, '{"extensions": {}}', "HTTP 200, neither data nor errors"),
        (200, '{"errors": [{"extensions": {"code": "X"}}]}', "an error without a message"),
        (200, '{"errors": [{"message": "Hm."}]}', "an error without extensions.code: 'Hm.'"),
        (200, '{"errors": [{"message": "Hm.", "extensions": null}]}', "an error without"),
        (
            200,
            '{"data": null, "errors": [{"message": "Unexpected error.", "path": ["goals"],'
            ' "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]}',
            "INTERNAL_SERVER_ERROR at ['goals']",
        ),
    ],
)
def test_the_check_tells_a_proper_answer_from_a_bad_one(
    status: int, text: str, problem: str | None
) -> None:
    problems = _problems(status, text)
    if problem is None:
        assert problems == []
    else:
        [found] = problems
        assert found.startswith(problem)


async def _persona(db: Database, label: str) -> Person:
    async with db.session() as session:
        statement = select(Person).where(Person.email == DEMO_PERSONAS[label])
        person: Person = (await session.scalars(statement)).one()
    return person


@pytest.mark.parametrize("label", ["staff", "parent"])
async def test_fuzzed_operations_always_answer_in_the_graphql_json_shape(
    db: Database, plugin_host: PluginHost, client: GraphQLClient, label: str
) -> None:
    await load_demo(db, plugins=plugin_host, visit_scale=SMALL_VISIT_SCALE, today=STORY_TODAY)
    persona = await _persona(db, label)
    token = await token_for(db, persona)
    introspection = await client.data(graphql.get_introspection_query(), token=token)
    client_schema = graphql.build_client_schema(cast("graphql.IntrospectionQuery", introspection))
    ids = await _real_ids(db, client_schema, persona)
    schema = schemathesis.graphql.from_dict(introspection, config=_config(client_schema, ids))

    failures = []
    cases = _generate(schema, EXAMPLES)
    answered = 0
    for case in cases:
        assert isinstance(case.body, str)
        response = await client.post(case.body, token=token)
        problems = _problems(response.status_code, response.text)
        for problem in problems:
            failures.append(f"{case.operation.label}: {problem}\n{case.body}\n-> {response.text}")
        if not problems and "errors" not in response.json():
            answered += 1
    assert not failures, f"{len(failures)} bad answers:\n\n" + "\n\n".join(failures)
    # The run reached the resolvers: it was not refused wholesale (a token gone bad, say).
    assert answered >= len(cases) / 4, f"only {answered} of {len(cases)} answered without errors"
