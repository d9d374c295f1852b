"""docs/plugins.md stays true to the code.

- Its "Hook reference" has a section for every hook in ``HOOK_NAMES`` and for nothing else
  (a heading ``### `name` ``), showing the hook's real signature and an example that loads as a
  plugin.
- Every tutorial block whose info string names a file (```python title="icn_kudos/models.py"```)
  is that file of ``plugins_contrib/icn-kudos`` byte for byte (modulo a trailing newline), and
  every file the plugin ships appears in the tutorial.
- The guide's GraphQL (```graphql blocks and the bodies its curl commands send) is valid against
  the schema with icn-kudos installed, and its ```graphql blocks run as staff without errors.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import re
import shlex
import sys
import textwrap
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from graphql import parse, validate

from icn_graph.config import Settings
from icn_graph.db.database import Database
from icn_graph.host import load_plugins
from icn_graph.models import NetworkRole, PersonKind
from icn_graph.plugins import hookspecs
from icn_graph.schema import build_schema
from icn_graph.testing import GraphQLClient, make_person, token_for

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "plugins.md"
PLUGIN_DIR = ROOT / "plugins_contrib" / "icn-kudos"
REFERENCE_HEADING = "## Hook reference"
# Build and tool output that is not part of the plugin's source.
NOT_SHIPPED = re.compile(r"(^|/)(__pycache__|[^/]+\.egg-info|build|dist|\.[^/]+)(/|$)")

# Imported by name so that type-checking this file alone doesn't need the plugin's sources.
KUDOS_PLUGIN = importlib.import_module("icn_kudos.plugin")

_FENCE = re.compile(r'^(?P<indent> *)```(?P<lang>[\w+-]*)(?:\s+title="(?P<title>[^"]+)")?\s*$')
_HOOK_HEADING = re.compile(r"^### `(?P<name>\w+)`\s*$")


@dataclass(frozen=True)
class Block:
    line: int  # 1-based line of the opening fence
    lang: str
    title: str | None
    text: str


def _blocks(text: str) -> list[Block]:
    """Fenced code blocks, indented ones (inside list items) included."""
    lines = text.splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if not opening or not opening.group("lang"):
            index += 1
            continue
        indent = opening.group("indent")
        end = index + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        assert end < len(lines), f"plugins.md:{index + 1}: unclosed code fence"
        body = [line.removeprefix(indent) for line in lines[index + 1 : end]]
        found.append(
            Block(index + 1, opening.group("lang"), opening.group("title"), "\n".join(body))
        )
        index = end + 1
    return found


GUIDE_TEXT = GUIDE.read_text(encoding="utf-8")
BLOCKS = _blocks(GUIDE_TEXT)


def _reference_sections() -> dict[str, str]:
    """``{hook name: text of its section}`` for each ``### `name` `` under the Hook reference."""
    assert REFERENCE_HEADING in GUIDE_TEXT.splitlines(), f"plugins.md has no '{REFERENCE_HEADING}'"
    reference = GUIDE_TEXT.split(f"\n{REFERENCE_HEADING}\n", 1)[1]
    reference = re.split(r"^## ", reference, flags=re.MULTILINE)[0]
    sections: dict[str, str] = {}
    current: str | None = None
    for line in reference.splitlines():
        heading = _HOOK_HEADING.match(line)
        if heading:
            current = heading.group("name")
            assert current not in sections, f"the hook {current} is documented twice"
            sections[current] = ""
        elif line.startswith("### "):
            raise AssertionError(
                f"plugins.md: '{line}' in the Hook reference is not a hook heading (### `name`)"
            )
        elif current is not None:
            sections[current] += line + "\n"
    return sections


SECTIONS = _reference_sections()


# -- the reference -------------------------------------------------------------------------


def test_every_hook_is_documented() -> None:
    missing = sorted(set(hookspecs.HOOK_NAMES) - set(SECTIONS))
    assert not missing, f"docs/plugins.md has no '### `name`' section for the hook(s) {missing}"


def test_only_real_hooks_are_documented() -> None:
    unknown = sorted(set(SECTIONS) - set(hookspecs.HOOK_NAMES))
    assert not unknown, f"docs/plugins.md documents hook(s) that don't exist: {unknown}"


def _signature(name: str) -> str:
    """The hookspec's signature as the guide shows it: ``async def on_event(event: Event, ...)``."""
    function: Callable[..., object] = getattr(hookspecs, name)
    signature = inspect.signature(function)  # annotations are strings (postponed evaluation)
    parameters = ", ".join(f"{p.name}: {p.annotation}" for p in signature.parameters.values())
    prefix = "async def" if inspect.iscoroutinefunction(function) else "def"
    return f"{prefix} {name}({parameters}) -> {signature.return_annotation}"


@pytest.mark.parametrize("name", hookspecs.HOOK_NAMES)
def test_each_hook_shows_its_real_signature(name: str) -> None:
    section = SECTIONS.get(name)
    if section is None:
        pytest.fail(f"the hook {name} is not documented")
    expected = _signature(name)
    assert f"```python\n{expected}\n```" in section, (
        f"the section of {name} must show its signature in a ```python block:\n{expected}"
    )


def _example(name: str) -> str:
    section = SECTIONS.get(name)
    if section is None:
        pytest.fail(f"the hook {name} is not documented")
    examples = [block.text for block in _blocks(section) if "@hookimpl" in block.text]
    assert examples, f"the section of {name} has no example (a ```python block with @hookimpl)"
    return examples[0]


def _as_module(source: str, name: str, monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """The example as an importable module (Strawberry resolves annotations through it)."""
    module = types.ModuleType(f"plugin_docs_example_{name}")
    module.__file__ = str(ROOT / "docs" / f"{name}_example.py")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    exec(compile(source, module.__file__, "exec"), module.__dict__)  # noqa: S102
    return module


@pytest.mark.parametrize("name", hookspecs.HOOK_NAMES)
def test_each_hook_example_loads_as_a_plugin(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    module = _as_module(_example(name), name, monkeypatch)
    host = load_plugins(
        Settings(_env_file=None),  # type: ignore[call-arg]
        extra=[("example", module)],
        discover=False,
    )
    (info,) = [info for info in host.describe() if info.name == "example"]
    assert name in info.hooks, f"the example of {name} does not implement {name}"
    if name == "register_schema":
        contributions = host.schema_contributions()
        assert [plugin for plugin, _ in contributions][-1] == "example"
        build_schema(contributions)
    elif name == "register_migrations":
        assert [plugin for plugin, _ in host.migration_locations()] == ["core.tables", "example"]
    elif name == "register_routes":
        assert host.routes()


def test_every_python_block_is_valid_python() -> None:
    for block in BLOCKS:
        if block.lang != "python" or re.fullmatch(r"(async )?def .*", block.text):
            continue  # signatures are shown without a body
        try:
            ast.parse(block.text)
        except SyntaxError as error:
            pytest.fail(f"plugins.md:{block.line + (error.lineno or 0)}: {error.msg}")


# -- the tutorial --------------------------------------------------------------------------

TITLED = [block for block in BLOCKS if block.title is not None]


def test_the_tutorial_shows_the_files() -> None:
    assert len(TITLED) >= 8, 'the tutorial\'s files must be blocks with a title="path"'
    titles = [block.title for block in TITLED]
    assert len(titles) == len(set(titles)), f"a file is shown twice: {titles}"


@pytest.mark.parametrize("block", TITLED, ids=[block.title or "" for block in TITLED])
def test_each_tutorial_file_is_the_shipped_file(block: Block) -> None:
    assert block.title is not None
    shipped = PLUGIN_DIR / block.title
    assert shipped.is_file(), (
        f"plugins.md:{block.line} shows {block.title}, which plugins_contrib/icn-kudos lacks"
    )
    expected = shipped.read_text(encoding="utf-8").rstrip("\n")
    if block.text.rstrip("\n") != expected:
        diff = "\n".join(
            f"  line {number}: doc {ours!r} != file {theirs!r}"
            for number, (ours, theirs) in enumerate(
                zip(block.text.splitlines(), expected.splitlines(), strict=False), start=1
            )
            if ours != theirs
        )
        pytest.fail(
            f"plugins.md:{block.line}: the block titled {block.title} differs from "
            f"plugins_contrib/icn-kudos/{block.title}; copy the file into the guide.\n"
            f"{diff or '  (one is longer than the other)'}"
        )


def _shipped_files() -> list[str]:
    return sorted(
        path.relative_to(PLUGIN_DIR).as_posix()
        for path in PLUGIN_DIR.rglob("*")
        if path.is_file() and not NOT_SHIPPED.search(path.relative_to(PLUGIN_DIR).as_posix())
    )


def test_every_shipped_file_is_in_the_tutorial() -> None:
    """Source files appear whole; empty marker files (``py.typed``) are created by a command."""
    titles = {block.title for block in TITLED}
    shell = "\n".join(block.text for block in BLOCKS if block.lang == "bash")
    missing = []
    for path in _shipped_files():
        if (PLUGIN_DIR / path).stat().st_size == 0:
            if not re.search(rf"touch\s+(\S+\s+)*{re.escape(path)}\b", shell):
                missing.append(f"{path} (empty: `touch {path}`)")
        elif path not in titles:
            missing.append(path)
    assert not missing, f"the tutorial doesn't show these files of icn-kudos: {missing}"
    assert {"pyproject.toml", "icn_kudos/plugin.py", "tests/test_kudos.py"} <= titles


def test_the_entry_point_in_the_guide_is_the_plugins() -> None:
    pyproject = (PLUGIN_DIR / "pyproject.toml").read_text(encoding="utf-8")
    assert '[project.entry-points.icn_graph]\nicn-kudos = "icn_kudos.plugin"' in pyproject
    assert '[project.entry-points.icn_graph]\nicn-kudos = "icn_kudos.plugin"' in GUIDE_TEXT


# -- the guide's GraphQL -------------------------------------------------------------------


def _curl_bodies() -> list[tuple[int, str]]:
    """(line, query) sent by the guide's curl commands, shell variables filled with an ID."""
    bodies: list[tuple[int, str]] = []
    for block in BLOCKS:
        if block.lang != "bash" or "curl" not in block.text:
            continue
        text = block.text.replace("\\\n", " ")
        payloads = re.findall(r"<<EOF\n(.*?)\nEOF", text, flags=re.DOTALL)
        for command in re.findall(r"^curl .*$", text, flags=re.MULTILINE):
            words = shlex.split(command)
            if "-d" in words:
                payloads.append(words[words.index("-d") + 1])
        for payload in payloads:
            filled = re.sub(r"\$[A-Z_]+", "Q2VudGVyOjE", payload)  # Center:1
            bodies.append((block.line, json.loads(filled)["query"]))
    return bodies


CURL_BODIES = _curl_bodies()
GRAPHQL_BLOCKS = [block for block in BLOCKS if block.lang == "graphql"]


def test_the_guide_shows_graphql() -> None:
    assert len(CURL_BODIES) >= 8
    assert GRAPHQL_BLOCKS


def test_the_guides_graphql_is_valid_with_icn_kudos_installed() -> None:
    host = load_plugins(
        Settings(_env_file=None),  # type: ignore[call-arg]
        extra=[("icn-kudos", KUDOS_PLUGIN)],
        discover=False,
    )
    schema = build_schema(host.schema_contributions())._schema
    queries = CURL_BODIES + [(block.line, block.text) for block in GRAPHQL_BLOCKS]
    for line, query in queries:
        errors = validate(schema, parse(query))
        assert not errors, f"plugins.md:{line}: {[error.message for error in errors]}"


@pytest.fixture
def icn_plugins() -> list[tuple[str, object]]:
    return [("icn-kudos", KUDOS_PLUGIN)]


async def test_the_guides_graphql_blocks_run_as_staff(db: Database, client: GraphQLClient) -> None:
    staff = await make_person(db, PersonKind.STAFF, network_role=NetworkRole.STAFF)
    token = await token_for(db, staff)
    for block in GRAPHQL_BLOCKS:
        body = await client.execute(textwrap.dedent(block.text), token=token)
        assert "errors" not in body, f"plugins.md:{block.line}: {body['errors']}"
