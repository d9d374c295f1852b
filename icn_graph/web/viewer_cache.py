"""A short-lived token → viewer cache, shared by HTTP requests and websockets of one process.

A bearer token's viewer (who it is, their network role and memberships) is kept for
``ICN_VIEWER_CACHE_SECONDS`` (and never past the token's own expiry), keyed by the token's hash,
so a burst of requests pays for one lookup. Only tokens that work are kept.

What makes a cached viewer wrong is announced on the revocation topic ``auth.person.<id>``
(notifications/realtime/revocations.py): a token revoked, a person deactivated, a membership
added or removed, a network role changed. On PostgreSQL every API process hears it through the
listener's ``NOTIFY`` channel, on SQLite this process does; either way the person's entries are
forgotten at once, before any open websocket checks its token again. A lookup that started
before such a message is not kept (its answer may predate the change).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from icn_graph.db.database import Database
from icn_graph.notifications.realtime.revocations import person_of
from icn_graph.services.tokens import TokenUse, hash_token, token_viewer
from icn_graph.services.viewer import Viewer

MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class _Entry:
    viewer: Viewer
    until: datetime


class ViewerCache:
    def __init__(
        self,
        seconds: float,
        *,
        max_entries: int = MAX_ENTRIES,
        hearing: Callable[[], bool] = lambda: True,
    ) -> None:
        self.seconds = seconds
        # Whether revocations reach this process now: False before the app has started its
        # broadcaster and while the PostgreSQL listener is reconnecting (what is announced
        # meanwhile is lost); then nothing is cached.
        self.hearing = hearing
        self.max_entries = max_entries
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._keys_of: dict[int, set[str]] = {}
        self._lock = threading.Lock()
        # Bumped by every forget: a lookup that saw another value is not kept.
        self._generation = 0
        self.lookups = 0  # database lookups so far (tests read it)

    def __len__(self) -> int:
        return len(self._entries)

    def cached_people(self) -> set[int]:
        with self._lock:
            return {person for person, keys in self._keys_of.items() if keys}

    async def viewer(
        self, db: Database, headers: Mapping[str, str], use: TokenUse, *, now: datetime
    ) -> Viewer:
        """The viewer of an ``Authorization`` header (anonymous without one)."""
        header = headers.get("authorization")
        if header is None or not header.strip():
            return Viewer.anonymous()
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() != "bearer":
            return Viewer.anonymous(rejected_token=True)
        token = token.strip()
        key = hash_token(token)
        hearing = self.hearing()
        if not hearing and self._entries:
            self.forget_all()
        cached = self._get(key, now) if hearing else None
        if cached is not None:
            return cached
        generation = self._generation
        self.lookups += 1
        found = await token_viewer(db, token, use=use, now=now)
        if found.viewer.person_id is not None and self.seconds > 0 and hearing:
            until = now + timedelta(seconds=self.seconds)
            if found.expires_at is not None:
                until = min(until, found.expires_at)
            self._put(key, _Entry(found.viewer, until), generation)
        return found.viewer

    def _get(self, key: str, now: datetime) -> Viewer | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if now >= entry.until:
                self._drop(key)
                return None
            return entry.viewer

    def _put(self, key: str, entry: _Entry, generation: int) -> None:
        person_id = entry.viewer.person_id
        assert person_id is not None
        with self._lock:
            if generation != self._generation:
                return
            self._drop(key)
            self._entries[key] = entry
            self._keys_of.setdefault(person_id, set()).add(key)
            while len(self._entries) > self.max_entries:
                self._drop(next(iter(self._entries)))

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is None or entry.viewer.person_id is None:
            return
        keys = self._keys_of.get(entry.viewer.person_id)
        if keys is not None:
            keys.discard(key)
            if not keys:
                del self._keys_of[entry.viewer.person_id]

    def forget_person(self, person_id: int) -> None:
        with self._lock:
            self._generation += 1
            for key in list(self._keys_of.get(person_id, ())):
                self._drop(key)

    def forget_all(self) -> None:
        with self._lock:
            self._generation += 1
            self._entries.clear()
            self._keys_of.clear()

    def heard(self, topic: str, _message: str) -> None:
        """A message on a revocation topic (``TopicHub.watch``): forget that person."""
        person_id = person_of(topic)
        if person_id is not None:
            self.forget_person(person_id)
