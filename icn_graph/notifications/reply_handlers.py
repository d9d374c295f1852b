"""Which types accept replies by email, and who posts them: core's registry of ReplyHandlers.

A plugin whose subjects (a co-design thread) accept replies returns a :class:`ReplyHandler` per
Node type from ``register_reply_handlers``. Immediate mail threaded on such a subject carries a
``Reply-To`` address bound to the reader and the subject (when ICN_MAIL_REPLY_DOMAIN is set), and
``icn-graph mail-in`` hands the new text of a verified reply to the type's handler, inside one
transaction, as the person who wrote it.

Built once at start-up; the registry in use is process-wide, like the subject types' (the worker
composing mail and ``mail-in`` receiving it load the same plugins). Two handlers for one type
stop start-up naming both.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.services.viewer import Viewer


@dataclass(frozen=True)
class InboundReply:
    """A verified reply by email, as a handler gets it."""

    person_id: int
    subject_id: str  # the global ID the reply address is bound to
    text: str  # only the new text: quoted history and signature stripped, HTML converted
    message_id: str | None
    received_at: datetime


ReplyHandle = Callable[[AsyncSession, Viewer, InboundReply], Awaitable[None]]
"""``handle(session, viewer, reply)``: post ``reply`` as ``viewer`` in ``session``'s transaction
(raise a ServiceError to refuse: nothing is posted and the sender is told the error's message)."""


@dataclass(frozen=True)
class ReplyHandler:
    """Replies to mail about subjects of ``type_name`` (a GraphQL Node type) go to ``handle``."""

    type_name: str
    handle: ReplyHandle


class ReplyHandlerConflict(Exception):
    """Two owners declared a handler for one type, or a plugin returned something else."""


def type_tag(type_name: str) -> bytes:
    """Four bytes naming a type inside a reply address (which has no room for the name)."""
    return hashlib.sha256(type_name.encode()).digest()[:4]


@dataclass(frozen=True)
class _Entry:
    handler: ReplyHandler
    owner: str


class ReplyHandlerRegistry:
    def __init__(self) -> None:
        self._by_name: dict[str, _Entry] = {}
        self._by_tag: dict[bytes, str] = {}

    @classmethod
    def build(cls, contributions: Iterable[tuple[str, Sequence[object]]]) -> ReplyHandlerRegistry:
        """From ``(owner, handlers)`` pairs; ReplyHandlerConflict naming both owners."""
        registry = cls()
        for owner, handlers in contributions:
            for candidate in handlers:
                if not isinstance(candidate, ReplyHandler) or not callable(candidate.handle):
                    raise ReplyHandlerConflict(
                        f"plugin '{owner}': register_reply_handlers returned {candidate!r}, "
                        "which is not a ReplyHandler"
                    )
                registry._add(candidate, owner)
        return registry

    def _add(self, handler: ReplyHandler, owner: str) -> None:
        name = handler.type_name
        known = self._by_name.get(name)
        if known is not None:
            raise ReplyHandlerConflict(
                f"replies to '{name}' are handled twice: by '{known.owner}' and by '{owner}'"
            )
        tag = type_tag(name)
        clash = self._by_tag.get(tag)
        if clash is not None:  # two names with the same 32-bit tag: rename one
            raise ReplyHandlerConflict(
                f"the reply handlers of '{clash}' and '{name}' cannot share reply addresses"
            )
        self._by_name[name] = _Entry(handler, owner)
        self._by_tag[tag] = name

    def __iter__(self) -> Iterator[ReplyHandler]:
        return iter(entry.handler for _, entry in sorted(self._by_name.items()))

    def __contains__(self, type_name: object) -> bool:
        return type_name in self._by_name

    def __bool__(self) -> bool:
        return bool(self._by_name)

    def get(self, type_name: str) -> ReplyHandler | None:
        entry = self._by_name.get(type_name)
        return entry.handler if entry is not None else None

    def owner(self, type_name: str) -> str | None:
        entry = self._by_name.get(type_name)
        return entry.owner if entry is not None else None

    def type_named_by(self, tag: bytes) -> str | None:
        return self._by_tag.get(tag)


_current: ReplyHandlerRegistry | None = None


def use_reply_handlers(registry: ReplyHandlerRegistry) -> None:
    """Make ``registry`` the one mail is composed and received with (start-up)."""
    global _current
    _current = registry


def reply_handlers() -> ReplyHandlerRegistry:
    """The registry the last plugin host installed; empty before any (no replies accepted)."""
    return _current if _current is not None else ReplyHandlerRegistry()
