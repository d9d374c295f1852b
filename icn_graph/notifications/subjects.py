"""What a subject (any followable node's global ID) is: its title, where it belongs, where to see
it and who may follow it.

Notification fan-out uses ``ancestors`` (people watching a center hear about its goals), mail
uses ``title``, ``label`` and ``path``. Who may see a subject is checked when someone follows
it, at fan-out (``visible_to_each``) and when the inbox shows its title (``hidden_subjects``).
Every type, core's and plugins', is described through the registry of subject types
(``subject_types``): one query per type, however many subjects of it are described at once.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import quote

from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.errors import BadInput
from icn_graph.ids import parse_global_id, to_global_id
from icn_graph.notifications.core_subjects import (
    DIRECTORY_SUBJECT_TYPES,
    GOAL_SUBJECT_TYPES,
    LEARNING_SESSION_SUBJECT_TYPES,
)
from icn_graph.notifications.data_request_subjects import DATA_REQUEST_SUBJECT_TYPES
from icn_graph.notifications.subject_types import (
    SubjectDescription,
    SubjectTypeRegistry,
    every_member,
    installed_subject_types,
)
from icn_graph.services.viewer import Viewer

log = logging.getLogger(__name__)

UNKNOWN_LABEL = "item"


@dataclass(frozen=True)
class SubjectInfo:
    subject_id: str
    type_name: str
    title: str
    # The center whose data this is, if any (patient-level data never leaves it).
    center_id: int | None = None
    # Global IDs of what contains the subject, nearest first (an AgendaItem's LearningSession).
    ancestors: list[str] = field(default_factory=list)

    @property
    def path(self) -> str:
        """The explorer opened on this subject (relative to ``ICN_PUBLIC_URL``)."""
        query = f'{{ node(id: "{self.subject_id}") {{ id __typename }} }}'
        return f"/graphql?explore={quote(query, safe='')}"

    @property
    def label(self) -> str:
        """The type for people: "goal", "Learning Session", a plugin's "co-design note"."""
        return subject_label(self.type_name)


def subject_types() -> SubjectTypeRegistry:
    """The registry in use: the last one a plugin host installed, or, before any (a script
    that loads no plugins), core's alone, as its internal plugins register it."""
    installed = installed_subject_types()
    if installed is not None:
        return installed
    return SubjectTypeRegistry.build(
        [
            ("core.directory", DIRECTORY_SUBJECT_TYPES),
            ("core.goals", GOAL_SUBJECT_TYPES),
            ("core.learning_sessions", LEARNING_SESSION_SUBJECT_TYPES),
            ("core.stewardship", DATA_REQUEST_SUBJECT_TYPES),
        ]
    )


def subject_label(type_name: str) -> str:
    """The kind of ``type_name`` for people; "item" for a type nobody registers."""
    subject_type = subject_types().get(type_name)
    return subject_type.kind if subject_type is not None else UNKNOWN_LABEL


def label_of(subject_id: str) -> str:
    """The kind named by a global ID's type, even when its row is gone ("agenda item")."""
    try:
        type_name, _pk = parse_global_id(subject_id)
    except BadInput:
        return UNKNOWN_LABEL
    return subject_label(type_name)


def _wanted(subject_ids: Iterable[str]) -> dict[str, set[int]]:
    """``{type name: pks}`` of the IDs naming a registered type (others are left out)."""
    registry = subject_types()
    wanted: dict[str, set[int]] = defaultdict(set)
    for subject_id in subject_ids:
        try:
            type_name, pk = parse_global_id(subject_id)
        except BadInput:
            continue
        if type_name in registry:
            wanted[type_name].add(pk)
    return wanted


def _info(type_name: str, pk: int, description: SubjectDescription) -> SubjectInfo:
    return SubjectInfo(
        to_global_id(type_name, pk),
        type_name,
        description.title,
        center_id=description.center_id,
        ancestors=list(description.containers),
    )


async def _described(
    session: AsyncSession, subject_ids: Iterable[str], viewer: Viewer | None
) -> dict[str, SubjectInfo]:
    registry = subject_types()
    found: dict[str, SubjectInfo] = {}
    for type_name, pks in sorted(_wanted(subject_ids).items()):
        subject_type = registry.get(type_name)
        assert subject_type is not None
        try:
            described = {
                pk: description
                for pk, description in (await subject_type.describe(session, sorted(pks))).items()
                if pk in pks
            }
            if viewer is not None and described:
                allowed = set(await subject_type.visible(session, viewer, described))
                described = {pk: d for pk, d in described.items() if pk in allowed}
        except Exception:
            # One plugin's bug must not stop everyone's mail or pages: its rows read as removed.
            log.exception(
                "plugin '%s': describing %s subjects failed; they are treated as not found",
                registry.owner(type_name),
                type_name,
            )
            continue
        for pk, description in described.items():
            info = _info(type_name, pk, description)
            found[info.subject_id] = info
    return found


async def describe_subjects(
    session: AsyncSession, subject_ids: Iterable[str]
) -> dict[str, SubjectInfo]:
    """The subjects among ``subject_ids``, by ID, in one query per type named; IDs that are not
    IDs, of a type nobody registers, or of a deleted row are left out."""
    return await _described(session, subject_ids, None)


async def describe_subject(session: AsyncSession, subject_id: str) -> SubjectInfo | None:
    """The subject ``subject_id`` names, or None when it is not an ID, unknown, or deleted."""
    return (await describe_subjects(session, [subject_id])).get(subject_id)


async def visible_subjects(
    session: AsyncSession, viewer: Viewer, subject_ids: Iterable[str]
) -> dict[str, SubjectInfo]:
    """:func:`describe_subjects`, less the subjects ``viewer`` may not see (as its type
    decides: nobody, unless the type says who)."""
    return await _described(session, subject_ids, viewer)


def _type_of(subject_id: str) -> str | None:
    try:
        return parse_global_id(subject_id)[0]
    except BadInput:
        return None


def is_restricted(subject_id: str) -> bool:
    """Whether some members may not see ``subject_id``: its type is registered and says who may
    (anything but ``every_member``, as core's types do)."""
    type_name = _type_of(subject_id)
    subject_type = subject_types().get(type_name) if type_name is not None else None
    return subject_type is not None and subject_type.visible is not every_member


async def hidden_subjects(
    session: AsyncSession, viewer: Viewer, subject_ids: Iterable[str]
) -> set[str]:
    """Of ``subject_ids``, those of a restricted type that ``viewer`` may not see, or that are
    gone (then nobody can say who may). No query unless some are of a restricted type."""
    restricted = {subject_id for subject_id in subject_ids if is_restricted(subject_id)}
    if not restricted:
        return set()
    return restricted - set(await visible_subjects(session, viewer, restricted))


async def visible_to_each(
    session: AsyncSession, viewers: Mapping[int, Viewer], infos: Iterable[SubjectInfo]
) -> dict[int, set[str]]:
    """Per person of ``viewers``, which of the described subjects ``infos`` they may see: one
    ``visible`` call per person and type, whatever the number of subjects of that type."""
    registry = subject_types()
    by_type: dict[str, dict[int, SubjectDescription]] = defaultdict(dict)
    for info in infos:
        _type, pk = parse_global_id(info.subject_id)
        by_type[info.type_name][pk] = SubjectDescription(
            info.title, center_id=info.center_id, containers=tuple(info.ancestors)
        )
    seen: dict[int, set[str]] = {person_id: set() for person_id in viewers}
    for type_name, described in sorted(by_type.items()):
        subject_type = registry.get(type_name)
        assert subject_type is not None
        try:
            allowed = {
                person_id: set(await subject_type.visible(session, viewer, described))
                for person_id, viewer in viewers.items()
            }
        except Exception:
            # Fail closed: a plugin's bug hides its rows from everyone rather than from no one.
            log.exception(
                "plugin '%s': checking who may see %s subjects failed; nobody is told of them",
                registry.owner(type_name),
                type_name,
            )
            continue
        for person_id, pks in allowed.items():
            seen[person_id].update(to_global_id(type_name, pk) for pk in pks if pk in described)
    return seen
