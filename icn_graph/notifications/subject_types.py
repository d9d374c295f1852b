"""Which types can be followed, and how each is described: core's and every plugin's.

A :class:`SubjectType` names a GraphQL Node type and says, for a batch of its rows, what each is
called, the center it belongs to and what contains it (``describe``), who may see and follow it
(``visible``, nobody unless it says so) and where it opens in the front-end (``app_path``).
Core's areas register theirs through the ``register_subject_types`` hook like a plugin does.

Built once at start-up; the registry in use is process-wide, like the event types' (every
replica loads the same plugins). Two owners of one type name stop start-up naming both.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.services.viewer import Viewer


@dataclass(frozen=True)
class SubjectDescription:
    """What one row of a subject type is, for notifications and mail.

    ``title``: what people call it ("Reduce steroid use"). ``center_id``: the center whose data
    it is, if any. ``containers``: global IDs of what contains it, nearest first (people
    watching a container hear about it, and mail about it threads on the followed container).
    """

    title: str
    center_id: int | None = None
    containers: Sequence[str] = ()


Describe = Callable[[AsyncSession, Sequence[int]], Awaitable[Mapping[int, SubjectDescription]]]
"""``describe(session, pks)``: the rows ``pks`` that exist, by pk, in one query."""

Visible = Callable[
    [AsyncSession, Viewer, Mapping[int, SubjectDescription]], Awaitable[Collection[int]]
]
"""``visible(session, viewer, described)``: the pks among ``described`` that ``viewer`` may see
and follow (at most one query; ``described`` is what ``describe`` returned)."""


async def nobody(
    session: AsyncSession, viewer: Viewer, described: Mapping[int, SubjectDescription]
) -> Collection[int]:
    """The default visibility: no one may see or follow the type's rows."""
    return ()


async def every_member(
    session: AsyncSession, viewer: Viewer, described: Mapping[int, SubjectDescription]
) -> Collection[int]:
    """Every signed-in person may see and follow every row (core's goals, Learning Sessions
    and directory are shared network-wide)."""
    return described.keys() if viewer.is_authenticated else ()


@dataclass(frozen=True)
class SubjectType:
    """A type people can follow. ``type_name`` is the GraphQL Node type's name (the first part
    of its global IDs); ``kind`` how people call it, lower case unless a proper name ("co-design
    note": mail says "Mute this co-design note"); ``app_path`` its path in the front-end app,
    ``{id}`` standing for the global ID (``/codesign/notes/{id}``), used when ``ICN_APP_URL``
    is set and ``ICN_APP_URL_PATTERNS`` does not override it."""

    type_name: str
    kind: str
    describe: Describe
    visible: Visible = field(default=nobody)
    app_path: str | None = None


class SubjectTypeConflict(Exception):
    """Two owners declared one subject type, or a plugin returned something else."""


@dataclass(frozen=True)
class RegisteredSubjectType:
    subject_type: SubjectType
    owner: str  # the plugin (or core's internal plugin) that declared it


class SubjectTypeRegistry:
    def __init__(self, entries: Iterable[RegisteredSubjectType] = ()) -> None:
        self._by_name: dict[str, RegisteredSubjectType] = {}
        for entry in entries:
            self._add(entry)

    @classmethod
    def build(cls, contributions: Iterable[tuple[str, Sequence[object]]]) -> SubjectTypeRegistry:
        """From ``(owner, subject types)`` pairs; SubjectTypeConflict naming both owners."""
        registry = cls()
        for owner, types in contributions:
            for candidate in types:
                if not isinstance(candidate, SubjectType):
                    raise SubjectTypeConflict(
                        f"plugin '{owner}': register_subject_types returned {candidate!r}, "
                        "which is not a SubjectType"
                    )
                _check_app_path(owner, candidate)
                registry._add(RegisteredSubjectType(candidate, owner))
        return registry

    def _add(self, entry: RegisteredSubjectType) -> None:
        name = entry.subject_type.type_name
        known = self._by_name.get(name)
        if known is not None:
            raise SubjectTypeConflict(
                f"subject type '{name}' is declared twice: by '{known.owner}' and by "
                f"'{entry.owner}'"
            )
        self._by_name[name] = entry

    def __iter__(self) -> Iterator[SubjectType]:
        return iter(entry.subject_type for _, entry in sorted(self._by_name.items()))

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def get(self, name: str) -> SubjectType | None:
        entry = self._by_name.get(name)
        return entry.subject_type if entry is not None else None

    def owner(self, name: str) -> str | None:
        entry = self._by_name.get(name)
        return entry.owner if entry is not None else None

    def app_paths(self) -> dict[str, str]:
        """``{type name: app path}`` of the types that have one."""
        return {t.type_name: t.app_path for t in self if t.app_path is not None}


def _check_app_path(owner: str, candidate: SubjectType) -> None:
    """The app path is formatted with the global ID when mail is composed: a path that does not
    format with ``id`` alone would fail there, so it stops start-up instead."""
    path = candidate.app_path
    if path is None:
        return
    if not (path.startswith("/") and "{id}" in path):
        raise SubjectTypeConflict(
            f"plugin '{owner}': the app_path of {candidate.type_name} must be a path "
            f"starting with / that contains {{id}} (got {path!r})"
        )
    try:
        path.format(id="x")
    except (KeyError, IndexError, ValueError) as error:
        raise SubjectTypeConflict(
            f"plugin '{owner}': the app_path of {candidate.type_name} may use only {{id}} "
            f"(got {path!r})"
        ) from error


_current: SubjectTypeRegistry | None = None


def use_subject_types(registry: SubjectTypeRegistry) -> None:
    """Make ``registry`` the one subjects are described with (start-up, after loading plugins)."""
    global _current
    _current = registry


def installed_subject_types() -> SubjectTypeRegistry | None:
    """The registry the last plugin host installed; None before any (see ``subjects``)."""
    return _current
