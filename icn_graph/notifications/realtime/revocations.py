"""Telling every API process that who a person is has changed: their tokens were revoked, or
their memberships or network role changed.

A revocation (a session or personal access token revoked, ``icn-graph token revoke``, a person
deactivated) or a change of roles (a membership added or removed, an invitation accepted, a
network role changed) publishes on the topic ``auth.person.<id>``: on PostgreSQL every API
process hears it (``NOTIFY``), on SQLite this process does. Each process's viewer cache forgets
that person's tokens at once (web/viewer_cache.py); then each open websocket of that person
looks its token up again: it closes with 4403 if the token no longer works, and otherwise goes
on with the fresh viewer (its roles). The message carries only the id and what happened: any
session on the database can ``LISTEN``.
"""

from __future__ import annotations

import logging
import threading
import weakref
from typing import Protocol

from icn_graph.db.database import Database
from icn_graph.notifications.realtime.local import url_key
from icn_graph.notifications.realtime.topics import publish_topic

log = logging.getLogger(__name__)


TOPIC_PREFIX = "auth.person."
REVOKED = "revoked"
CHANGED = "changed"


def revocation_topic(person_id: int) -> str:
    return f"{TOPIC_PREFIX}{person_id}"


def person_of(topic: str) -> int | None:
    """The person a revocation topic names; None for another topic."""
    if not topic.startswith(TOPIC_PREFIX):
        return None
    rest = topic.removeprefix(TOPIC_PREFIX)
    return int(rest) if rest.isdigit() else None


class Forgets(Protocol):
    def forget_person(self, person_id: int) -> None: ...


# This process's viewer caches by database URL: the process that makes a change forgets at once,
# before its own NOTIFY comes back to it (a request right after the mutation must not be served
# from memory).
_caches: dict[str, weakref.WeakSet[Forgets]] = {}
_caches_lock = threading.Lock()


def register_cache(database: Database, cache: Forgets) -> None:
    with _caches_lock:
        _caches.setdefault(url_key(database.engine.url), weakref.WeakSet()).add(cache)


def _forget_here(db: Database, person_id: int) -> None:
    with _caches_lock:
        caches = list(_caches.get(url_key(db.engine.url), ()))
    for cache in caches:
        cache.forget_person(person_id)


async def announce_revocation(db: Database, person_id: int) -> None:
    """Tell every API process that ``person_id``'s tokens changed; after the change committed.

    Best effort: if the message cannot be sent the sockets still close at their next operation.
    """
    _forget_here(db, person_id)
    try:
        await publish_topic(db, revocation_topic(person_id), REVOKED)
    except Exception:
        log.exception("could not announce the revocation of person %s's tokens", person_id)


async def announce_roles_changed(db: Database, person_id: int) -> None:
    """Tell every API process that ``person_id``'s memberships or network role changed (after
    the change committed): cached viewers of them are forgotten, open websockets take the new
    roles. Best effort, as :func:`announce_revocation`; the cache forgets by itself soon."""
    _forget_here(db, person_id)
    try:
        await publish_topic(db, revocation_topic(person_id), CHANGED)
    except Exception:
        log.exception("could not announce the change of person %s's roles", person_id)
