"""``icn-graph plugin new NAME``: write a working plugin package to start from.

The templates under ``templates/`` mirror the package written: ``PACKAGE`` and ``REVISION`` in a
path become the package's name and its first revision's id; ``.jinja`` files are rendered with
the names of :class:`PluginNames`.
"""

from __future__ import annotations

import importlib.util
import keyword
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from jinja2 import Environment, StrictUndefined

TEMPLATES = Path(__file__).parent / "templates"
# A distribution name (PEP 508), at most MAX_LENGTH long; tables and indexes are named after it.
_DISTRIBUTION_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?")
MAX_LENGTH = 40
RESERVED = frozenset({"core", "icn-graph", "icn_graph"})


class ScaffoldError(Exception):
    """A name or a folder the scaffold refuses; the message says why and what to do."""


@dataclass(frozen=True)
class PluginNames:
    """Every name the new plugin uses, derived from its distribution name (``icn-notes``)."""

    name: str  # the distribution, the entry point and the plugin: icn-notes
    package: str  # icn_notes
    title: str  # IcnNotes: prefixes its GraphQL types, so they can't clash with anyone's
    camel: str  # icnNotes: prefixes its GraphQL fields
    table: str  # icn_notes_notes
    revision: str  # icn_notes_0001

    @classmethod
    def parse(cls, name: str) -> PluginNames:
        if not _DISTRIBUTION_NAME.fullmatch(name):
            raise ScaffoldError(
                f"'{name}' is not a valid distribution name: use letters, digits, '-', '_' and "
                "'.', starting and ending with a letter or digit (e.g. icn-notes)"
            )
        if len(name) > MAX_LENGTH:
            raise ScaffoldError(
                f"'{name}' is {len(name)} characters long; at most {MAX_LENGTH}, since its "
                "tables and indexes are named after it"
            )
        if not name[0].isalpha():
            raise ScaffoldError(
                f"'{name}' must start with a letter: its Python package is named after it"
            )
        package = re.sub(r"[-_.]+", "_", name).lower()
        if keyword.iskeyword(package) or name.lower() in RESERVED or package in RESERVED:
            raise ScaffoldError(f"'{name}' is taken; choose another name")
        if importlib.util.find_spec(package) is not None:
            raise ScaffoldError(
                f"a module named '{package}' is already importable here, and the new package "
                "would be confused with it; choose another name"
            )
        parts = package.split("_")
        return cls(
            name=name,
            package=package,
            title="".join(part.capitalize() for part in parts),
            camel=parts[0] + "".join(part.capitalize() for part in parts[1:]),
            table=f"{package}_notes",
            revision=f"{package}_0001",
        )


def _environment() -> Environment:
    # Generating Python and TOML, not HTML: nothing to escape.
    return Environment(
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # noqa: S701
    )


def render(names: PluginNames) -> dict[Path, str]:
    """``{relative path: text}`` of every file of the new plugin."""
    environment = _environment()
    values = asdict(names)
    files: dict[Path, str] = {}
    for template in sorted(TEMPLATES.rglob("*.jinja")):
        relative = template.relative_to(TEMPLATES).as_posix().removesuffix(".jinja")
        relative = relative.replace("PACKAGE", names.package).replace("REVISION", names.revision)
        source = template.read_text(encoding="utf-8")
        files[Path(relative)] = environment.from_string(source).render(values)
    return files


def write_plugin(name: str, parent: Path) -> tuple[Path, PluginNames]:
    """Write the plugin ``name`` into ``parent/name``, which must not exist yet."""
    names = PluginNames.parse(name)
    target = parent / name
    files = render(names)  # everything rendered before anything is written
    try:
        target.mkdir()
    except FileExistsError:
        raise ScaffoldError(
            f"{target} already exists; choose another name or move it away"
        ) from None
    for relative, text in files.items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return target, names
