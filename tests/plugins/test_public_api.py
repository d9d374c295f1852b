"""The public plugin API: ``icn_graph.plugin_api`` and ``icn_graph.testing``.

- The plugins in ``plugins_contrib/`` import nothing from icn_graph but these two modules.
- Every name the two modules export is in docs/plugins.md's "The public API", and every name
  listed there is exported; the testing factories are shown with their real arguments.
- ``plugin_api`` only re-exports, and importing it first in a fresh interpreter works (no import
  cycle) and loads little: names whose modules load pandas or the demo are imported on first
  use.
"""

from __future__ import annotations

import ast
import enum
import inspect
import json
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from icn_graph import plugin_api, testing

ROOT = Path(__file__).resolve().parents[2]
CONTRIB = ROOT / "plugins_contrib"
GUIDE = ROOT / "docs" / "plugins.md"
PUBLIC_MODULES = frozenset({"icn_graph.plugin_api", "icn_graph.testing"})
NOT_SOURCE = re.compile(r"(^|/)(__pycache__|[^/]+\.egg-info|build|dist|\.[^/]+)/")
IMPORTERS = frozenset({"import_module", "__import__"})


# -- plugins_contrib imports only the public API ------------------------------------------------


def _is_core(module: str) -> bool:
    return module == "icn_graph" or module.startswith("icn_graph.")


def forbidden_imports(source: str) -> Iterator[tuple[int, str]]:
    """(line, module) for each import of icn_graph other than the public modules, wherever it
    is: top level, inside functions, ``import x``, ``from x import y``, ``import_module("x")``."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "icn_graph":  # from icn_graph import plugin_api
                modules = [f"icn_graph.{alias.name}" for alias in node.names]
            else:
                modules = [node.module]
        elif (
            isinstance(node, ast.Call)
            and (getattr(node.func, "id", None) or getattr(node.func, "attr", None)) in IMPORTERS
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            modules = [node.args[0].value]
        else:
            continue
        for module in modules:
            if _is_core(module) and module not in PUBLIC_MODULES:
                yield node.lineno, module


def _contrib_sources() -> list[Path]:
    return sorted(
        path
        for path in CONTRIB.rglob("*.py")
        if not NOT_SOURCE.search(path.relative_to(CONTRIB).as_posix())
    )


def test_plugins_contrib_imports_only_the_public_api() -> None:
    sources = _contrib_sources()
    assert len(sources) >= 5, f"expected the plugins' sources under {CONTRIB}"
    found = [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for path in sources
        for line, module in forbidden_imports(path.read_text(encoding="utf-8"))
    ]
    assert not found, (
        "plugins_contrib may import from icn_graph only icn_graph.plugin_api and "
        "icn_graph.testing (export what a plugin needs from icn_graph.plugin_api):\n"
        + "\n".join(found)
    )


def test_every_form_of_import_is_caught() -> None:
    source = textwrap.dedent(
        """
        import icn_graph.models
        import icn_graph
        from icn_graph.db.base import Base
        from icn_graph import events
        from icn_graph.plugin_api import hookimpl
        from icn_graph import plugin_api, testing
        import icn_graph.testing
        from . import services
        from icn_graph_extra import thing


        def later():
            from icn_graph.services.viewer import Viewer
            return importlib.import_module("icn_graph.schema.context"), __import__("icn_graph")
        """
    )
    assert list(forbidden_imports(source)) == [
        (2, "icn_graph.models"),
        (3, "icn_graph"),
        (4, "icn_graph.db.base"),
        (5, "icn_graph.events"),
        (14, "icn_graph.services.viewer"),
        (15, "icn_graph.schema.context"),
        (15, "icn_graph"),
    ]


# -- every public name is documented, every documented name exists -----------------------------


def _section(heading: str, text: str) -> str:
    """The text under ``heading`` up to the next heading of the same or a higher level."""
    level = heading.split(" ", 1)[0]
    lines = text.splitlines()
    assert heading in lines, f"docs/plugins.md has no heading '{heading}'"
    start = lines.index(heading) + 1
    end = next(
        (
            index
            for index in range(start, len(lines))
            if re.match(rf"#{{1,{len(level)}}} ", lines[index])
        ),
        len(lines),
    )
    return "\n".join(lines[start:end])


PUBLIC_API = _section("## The public API", GUIDE.read_text(encoding="utf-8"))


def _documented(module: str) -> list[str]:
    """The names in the first column of the tables under ``### `module` ``."""
    return re.findall(r"^\| `(\w+)` \|", _section(f"### `{module}`", PUBLIC_API), re.MULTILINE)


@pytest.mark.parametrize("module", [plugin_api, testing], ids=lambda module: module.__name__)
def test_every_public_name_is_documented_and_exists(module: Any) -> None:
    documented = _documented(module.__name__)
    exported = list(module.__all__)
    assert len(documented) == len(set(documented)), f"a name is documented twice: {documented}"
    assert len(exported) == len(set(exported)), f"a name is exported twice: {exported}"
    undocumented = sorted(set(exported) - set(documented))
    assert not undocumented, (
        f"docs/plugins.md, '### `{module.__name__}`': add a row for {undocumented}"
    )
    unknown = sorted(set(documented) - set(exported))
    assert not unknown, f"docs/plugins.md documents {unknown}, which {module.__name__} lacks"
    for name in exported:
        assert getattr(module, name) is not None, f"{module.__name__}.{name}"


def test_the_guides_imports_from_the_public_api_exist() -> None:
    """Every ``from icn_graph.plugin_api import ...`` in the guide's Python names a real export."""
    guide = GUIDE.read_text(encoding="utf-8")
    blocks = re.findall(r"^ *```python[^\n]*\n(.*?)^ *```", guide, re.MULTILINE | re.DOTALL)
    imported: set[str] = set()
    for block in blocks:
        try:
            tree = ast.parse(textwrap.dedent(block))
        except SyntaxError:
            continue  # a hook's signature, shown without a body
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "icn_graph.plugin_api":
                imported.update(alias.name for alias in node.names)
    assert len(imported) > 20
    missing = sorted(imported - set(plugin_api.__all__))
    assert not missing, (
        f"docs/plugins.md imports {missing} from icn_graph.plugin_api, which lacks them"
    )


def test_plugin_api_only_reexports() -> None:
    """Every public name is defined elsewhere, and nothing public is left out of ``__all__``."""
    own = [
        name
        for name in plugin_api.__all__
        if getattr(getattr(plugin_api, name), "__module__", None) == plugin_api.__name__
    ]
    assert not own, f"icn_graph.plugin_api defines {own}: define them in core, re-export here"
    helpers = {"annotations", "importlib", "TYPE_CHECKING"}
    # Identifiers only: pytest's assertion rewriting adds ``@py_builtins`` to icn_graph's modules.
    public = {
        name
        for name in vars(plugin_api)
        if name.isidentifier() and not name.startswith("_") and name not in helpers
    }
    missing = sorted(public - set(plugin_api.__all__))
    assert not missing, f"imported into icn_graph.plugin_api but not in __all__: {missing}"


def _modules_after_importing(module: str) -> set[str]:
    """The modules a fresh interpreter holds after importing ``module`` first."""
    script = f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr  # it imports first: no import cycle
    return set(json.loads(result.stdout))


def test_plugin_api_imports_first_and_defers_heavy_names() -> None:
    """Imported first in a fresh interpreter, the module loads little beyond the GraphQL context
    it must re-export (``Info``): neither the app nor the demo, and pandas only if that context
    does; its lazy names' modules load on first use."""
    context = _modules_after_importing("icn_graph.schema.context")
    api = _modules_after_importing("icn_graph.plugin_api")
    assert "icn_graph.app" not in api
    assert not {name for name in api if name.startswith("icn_graph.demo")}
    assert ("pandas" in api) <= ("pandas" in context), "icn_graph.plugin_api loaded pandas"
    lazy_modules = {module for module, _ in plugin_api._LAZY.values()}
    assert (api & lazy_modules) <= context, "a lazy name's module was imported eagerly"
    assert lazy_modules - context, "no lazy name left to defer: drop the lazy mechanism"

    script = textwrap.dedent(
        """
        import icn_graph.plugin_api as api
        for name in api.__all__:
            getattr(api, name)
        from icn_graph.plugin_api import DemoContext, GoalType, ViewerType, visit_share
        assert GoalType.__name__ == "Goal" and ViewerType.__name__ == "ViewerHome"
        assert DemoContext.__name__ == "DemoContext" and callable(visit_share)
        try:
            api.NoSuchName
        except AttributeError as error:
            assert "NoSuchName" in str(error)
        else:
            raise AssertionError("an unknown name must be an AttributeError")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr


# -- the testing factories are shown with their arguments ---------------------------------------

FACTORIES = [
    testing.make_center,
    testing.make_person,
    testing.token_for,
    testing.make_staff_token,
    testing.snapshot,
]


def _default(value: object) -> str:
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    return repr(value)


def _call(function: Callable[..., Any]) -> str:
    """``make_person(db, kind=PersonKind.CLINICIAN, *, network_role=..., **fields)``."""
    parts: list[str] = []
    keyword_only_marked = False
    for parameter in inspect.signature(function).parameters.values():
        if parameter.kind is parameter.KEYWORD_ONLY and not keyword_only_marked:
            parts.append("*")
            keyword_only_marked = True
        if parameter.kind is parameter.VAR_KEYWORD:
            parts.append(f"**{parameter.name}")
        elif parameter.default is parameter.empty:
            parts.append(parameter.name)
        else:
            parts.append(f"{parameter.name}={_default(parameter.default)}")
    return f"{function.__name__}({', '.join(parts)})"


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda factory: factory.__name__)
def test_each_factory_is_shown_with_its_arguments(factory: Callable[..., Any]) -> None:
    section = _section("### `icn_graph.testing`", PUBLIC_API)
    row = re.search(rf"^\| `{factory.__name__}` \|(.*)$", section, re.MULTILINE)
    assert row, f"docs/plugins.md: no row for {factory.__name__}"
    assert f"`{_call(factory)}`" in row.group(1), (
        f"docs/plugins.md: the row of {factory.__name__} must show `{_call(factory)}`"
    )
