"""The docs' examples run: every ```graphql block in docs/api.md, docs/data-requests.md,
docs/data-views.md and README.md, and the README's curl bodies, go through the real app over the
demo network, on SQLite and on PostgreSQL.

Markup the docs may use around a ```graphql block (HTML comments, invisible when rendered):

- ``<!-- expect-error: CODE -->`` just above: the example must fail with that ``extensions.code``.
- ``<!-- as: clinician -->`` just above: run as that demo persona (``staff``, ``clinician``,
  ``parent``), as ``qi_lead`` (the QI lead of the parent persona's center) or ``data_manager``
  (the network's first data manager), or ``anonymous``; the default is the demo staff member.
- ``<!-- expect-user-errors: name, shortCode -->`` just above: a mutation whose input is refused;
  its payload's ``userErrors`` must name exactly these fields. Otherwise ``userErrors`` must be
  empty.
- ``<!-- variables -->`` then a ```json block just below: the operation's variables.
- ``<!-- plugin: icn-codesign -->`` just above: run with that first-party plugin installed
  (its schema, and its demo data in the demo network).

Each guide runs from top to bottom on one demo network loaded today, as a reader follows it
against ``make run`` (one token per persona, minted before the first example, as ``make run``
prints them): no example may break a later one, and the IDs of rows an example creates are the
ones a reader following the guide from the top gets. The plugins any example of a guide asks
for are installed for the whole guide.
"""

from __future__ import annotations

import importlib
import json
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.demo import DEMO_PERSONAS, SMALL_VISIT_SCALE, load_demo
from icn_graph.host import printed_schema
from icn_graph.models import CenterRole, Membership, NetworkRole, Person
from icn_graph.plugins.manager import PluginHost
from tests.helpers import GraphQLClient, error_codes, token_for

ROOT = Path(__file__).resolve().parent.parent
API_GUIDE = ROOT / "docs" / "api.md"
DATA_REQUESTS = ROOT / "docs" / "data-requests.md"
README = ROOT / "README.md"
DATA_VIEWS = ROOT / "docs" / "data-views.md"
DOCS = (API_GUIDE, DATA_REQUESTS, DATA_VIEWS, README)
# The guides whose examples show the mutations (each mutation needs one somewhere in them).
GUIDES = {"api.md", "data-requests.md", "data-views.md"}

# First-party plugins examples may ask for, by distribution name: their ``icn_graph`` module.
PLUGINS = {"icn-codesign": "icn_codesign.plugin", "icn-panels": "icn_panels.plugin"}
KNOWN_CODES = {"UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "BAD_USER_INPUT"}
ROLE_PERSONAS = {"qi_lead", "data_manager"}
PERSONAS = {*DEMO_PERSONAS, *ROLE_PERSONAS, "anonymous"}

_FENCE = re.compile(r"^```(\w*)\s*$")
_COMMENT = re.compile(r"^<!--\s*(.*?)\s*-->$")


@dataclass
class Example:
    source: str
    line: int
    heading: str
    query: str
    variables: dict[str, Any] = field(default_factory=dict)
    expect_error: str | None = None
    expect_user_errors: set[str] = field(default_factory=set)
    persona: str = "staff"
    plugins: tuple[str, ...] = ()
    id: str = ""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "top"


def _fence_end(lines: list[str], start: int, where: str) -> int:
    """Index of the closing fence of the block opened at ``start``."""
    for index in range(start + 1, len(lines)):
        if lines[index].strip() == "```":
            return index
    raise AssertionError(f"{where}: unclosed code fence")


def _directives(lines: list[str], fence: int) -> list[str]:
    """The HTML comments directly above line ``fence`` (blank lines between them allowed)."""
    found: list[str] = []
    index = fence - 1
    while index >= 0:
        text = lines[index].strip()
        match = _COMMENT.match(text)
        if match:
            found.append(match.group(1))
        elif text:
            break
        index -= 1
    return found


def _next_content(lines: list[str], start: int) -> int:
    index = start
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index


def _parse(path: Path) -> tuple[list[Example], list[tuple[int, str, str]]]:
    """The ```graphql examples of ``path`` and its shell blocks (line, heading, text)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    examples: list[Example] = []
    shell: list[tuple[int, str, str]] = []
    heading = ""
    index = 0
    while index < len(lines):
        line = lines[index]
        fence = _FENCE.match(line.strip())
        if line.startswith("#"):
            heading = line.lstrip("#").strip()
        if not fence:
            index += 1
            continue
        where = f"{path.name}:{index + 1}"
        end = _fence_end(lines, index, where)
        body = "\n".join(lines[index + 1 : end])
        language = fence.group(1)
        if language in {"bash", "sh", "shell", "console"}:
            shell.append((index + 1, heading, body))
        if language != "graphql":
            index = end + 1
            continue
        example = Example(source=path.name, line=index + 1, heading=heading, query=body)
        for directive in _directives(lines, index):
            name, _, value = directive.partition(":")
            if name.strip() == "expect-error":
                example.expect_error = value.strip()
            elif name.strip() == "expect-user-errors":
                example.expect_user_errors = {part.strip() for part in value.split(",")}
            elif name.strip() == "as":
                example.persona = value.strip()
            elif name.strip() == "plugin":
                assert value.strip() in PLUGINS, f"{where}: unknown plugin {value.strip()!r}"
                example.plugins = (*example.plugins, value.strip())
            else:
                raise AssertionError(f"{where}: unknown directive <!-- {directive} -->")
        after = _next_content(lines, end + 1)
        comment = _COMMENT.match(lines[after].strip()) if after < len(lines) else None
        if comment and comment.group(1) == "variables":
            json_fence = _next_content(lines, after + 1)
            assert lines[json_fence].strip() == "```json", f"{where}: <!-- variables --> needs json"
            json_end = _fence_end(lines, json_fence, where)
            example.variables = json.loads("\n".join(lines[json_fence + 1 : json_end]))
            end = json_end
        examples.append(example)
        index = end + 1
    return examples, shell


def _curl_examples(path: Path, blocks: list[tuple[int, str, str]]) -> list[Example]:
    """GraphQL bodies sent with ``curl ... -d '<json>'`` to /graphql."""
    examples: list[Example] = []
    for line, heading, block in blocks:
        for command in re.split(r"\n(?=curl )", block.replace("\\\n", " ")):
            if not command.startswith("curl ") or "/graphql" not in command:
                continue
            words = shlex.split(command)
            for flag in ("-d", "--data", "--data-raw"):
                if flag in words:
                    body = json.loads(words[words.index(flag) + 1])
                    examples.append(
                        Example(
                            source=path.name,
                            line=line,
                            heading=f"curl {heading}",
                            query=body["query"],
                            variables=body.get("variables") or {},
                        )
                    )
    return examples


def _collect() -> list[Example]:
    examples: list[Example] = []
    for path in DOCS:
        found, shell = _parse(path)
        examples += found
        if path == README:
            examples += _curl_examples(path, shell)
    seen: dict[str, int] = {}
    for example in examples:
        base = f"{Path(example.source).stem}-{_slug(example.heading)}"
        seen[base] = seen.get(base, 0) + 1
        example.id = base if seen[base] == 1 else f"{base}-{seen[base]}"
    return examples


EXAMPLES = _collect()


async def _token(db: Database, persona: str) -> str | None:
    if persona == "anonymous":
        return None
    async with db.session() as session:
        if persona == "qi_lead":
            parent_center = (
                select(Membership.center_id)
                .join(Person, Person.id == Membership.person_id)
                .where(Person.email == DEMO_PERSONAS["parent"])
                .scalar_subquery()
            )
            statement = (
                select(Person)
                .join(Membership, Membership.person_id == Person.id)
                .where(Membership.center_id == parent_center, Membership.role == CenterRole.QI_LEAD)
            )
        elif persona == "data_manager":
            statement = (
                select(Person)
                .where(Person.network_role == NetworkRole.DATA_MANAGER)
                .order_by(Person.id)
                .limit(1)
            )
        else:
            statement = select(Person).where(Person.email == DEMO_PERSONAS[persona])
        person = (await session.scalars(statement)).one()
    return await token_for(db, person)


def _user_errors(data: Any) -> list[dict[str, Any]]:
    """Every ``userErrors`` entry anywhere in ``data``."""
    if isinstance(data, list):
        return [error for item in data for error in _user_errors(item)]
    if not isinstance(data, dict):
        return []
    found: list[dict[str, Any]] = list(data.get("userErrors") or [])
    for key, value in data.items():
        if key != "userErrors":
            found += _user_errors(value)
    return found


@pytest.fixture
def settings(migrated_url: str) -> Settings:
    """As in production: the docs show the default network name."""
    return Settings(database_url=migrated_url, _env_file=None)  # type: ignore[arg-type,call-arg]


@pytest.fixture
def icn_plugins(request: pytest.FixtureRequest) -> Sequence[tuple[str, object]]:
    """Every plugin an example of the guide asks for (``<!-- plugin: ... -->``)."""
    callspec = getattr(request.node, "callspec", None)
    source = callspec.params.get("source") if callspec is not None else None
    names = sorted({name for e in EXAMPLES if e.source == source for name in e.plugins})
    return [(name, importlib.import_module(PLUGINS[name])) for name in names]


def _check(example: Example, body: dict[str, Any]) -> None:
    where = f"{example.source}:{example.line} ({example.heading})"
    if example.expect_error is None:
        assert "errors" not in body, f"{where}: {body['errors']}"
        assert body["data"], where
        refused = {error["field"] for error in _user_errors(body["data"])}
        assert refused == example.expect_user_errors, f"{where}: {body['data']}"
    else:
        assert example.expect_error in error_codes(body), f"{where}: {body}"


@pytest.mark.parametrize("source", sorted({example.source for example in EXAMPLES}))
async def test_a_guide_runs_in_order_on_one_network(
    source: str, db: Database, client: GraphQLClient, plugin_host: PluginHost
) -> None:
    """What a reader does: one demo network loaded today (as ``make run`` does), one token per
    persona minted before the first example (as ``make run`` prints them), then every example
    of the guide from top to bottom. Every failing example is listed, not only the first."""
    await load_demo(db, plugins=plugin_host, visit_scale=SMALL_VISIT_SCALE)
    guide = [example for example in EXAMPLES if example.source == source]
    tokens = {persona: await _token(db, persona) for persona in {e.persona for e in guide}}
    broken: list[str] = []
    for example in guide:
        body = await client.execute(example.query, example.variables, token=tokens[example.persona])
        try:
            _check(example, body)
        except AssertionError as failure:
            broken.append(str(failure).splitlines()[0][:400])
    assert not broken, "\n".join(broken)


def test_the_docs_have_examples_and_valid_markup() -> None:
    sources = {example.source for example in EXAMPLES}
    assert sources == {"api.md", "data-requests.md", "data-views.md", "README.md"}
    assert any(example.heading.startswith("curl") for example in EXAMPLES), "README curl"
    for example in EXAMPLES:
        where = f"{example.source}:{example.line}"
        assert example.persona in PERSONAS, f"{where}: unknown persona {example.persona!r}"
        if example.expect_error is not None:
            assert example.expect_error in KNOWN_CODES, f"{where}: {example.expect_error!r}"


def test_every_mutation_has_an_example_in_a_guide() -> None:
    mutation_block = printed_schema().split("type Mutation {", 1)[1].split("}", 1)[0]
    mutations = set(re.findall(r"^\s+(\w+)\(", mutation_block, flags=re.MULTILINE))
    shown = {
        name
        for example in EXAMPLES
        if example.source in GUIDES
        for name in re.findall(r"\b(\w+)\s*\(\s*input:", example.query)
    }
    assert mutations, "no mutations found in the schema"
    assert mutations <= shown, f"no guide shows an example of {sorted(mutations - shown)}"


def test_readme_lists_every_setting() -> None:
    readme = README.read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`ICN_{name.upper()}`" in readme, f"README.md does not document ICN_{name.upper()}"
