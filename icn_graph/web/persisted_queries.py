"""Automatic persisted queries, Apollo's protocol (docs/api.md, "Persisted queries").

A client sends ``extensions.persistedQuery = {"version": 1, "sha256Hash": "<hex>"}`` without the
query. If this process knows the hash, it runs the query it stands for; if not, it answers the
error ``PersistedQueryNotFound`` (code ``PERSISTED_QUERY_NOT_FOUND``, HTTP 200) and the client
sends the hash again with the query, which is checked against the hash, kept and run. Hashed
queries may be sent over GET, so a CDN in front can cache public answers; GET still runs queries
only.

The queries are kept in memory, per process, the most recently used first, up to
``KEPT_CHARACTERS`` characters in all: each replica learns a query on its first miss, which the
protocol is made for. Nothing is kept that would not have been run: the length limit applies to
a query before it is kept.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from cross_web import HTTPException
from graphql import GraphQLError
from strawberry.types import ExecutionResult

NOT_FOUND = "PersistedQueryNotFound"
NOT_FOUND_CODE = "PERSISTED_QUERY_NOT_FOUND"
HASH_MISMATCH = "provided sha does not match query"
# Ten megabytes of text: a few thousand documents of a few kilobytes.
KEPT_CHARACTERS = 10_000_000
_HEX = frozenset("0123456789abcdef")


def persisted_hash(extensions: Mapping[str, Any] | None) -> str | None:
    """The ``sha256Hash`` a request names, ``None`` if it names none; a malformed one is a 400."""
    if not extensions or "persistedQuery" not in extensions:
        return None
    persisted = extensions["persistedQuery"]
    if not isinstance(persisted, Mapping):
        raise HTTPException(
            400, '`extensions.persistedQuery` must be an object: {"version": 1, "sha256Hash": …}.'
        )
    if persisted.get("version") != 1:
        raise HTTPException(400, "`extensions.persistedQuery.version` must be 1.")
    digest = persisted.get("sha256Hash")
    if not (isinstance(digest, str) and len(digest) == 64 and set(digest.lower()) <= _HEX):
        raise HTTPException(
            400,
            "`extensions.persistedQuery.sha256Hash` must be the SHA-256 of the query, as 64 "
            "hexadecimal digits.",
        )
    return digest.lower()


def sha256_hex(query: str) -> str:
    return hashlib.sha256(query.encode("utf-8", "surrogatepass")).hexdigest()


def not_found() -> ExecutionResult:
    """What Apollo Client takes as "send the query with the hash"."""
    error = GraphQLError(NOT_FOUND, extensions={"code": NOT_FOUND_CODE})
    return ExecutionResult(data=None, errors=[error])


class PersistedQueries:
    """Queries by their SHA-256, least recently used forgotten first beyond ``characters``."""

    def __init__(self, characters: int = KEPT_CHARACTERS) -> None:
        self.characters = characters
        self._kept = 0
        self._queries: OrderedDict[str, str] = OrderedDict()

    def get(self, digest: str) -> str | None:
        query = self._queries.get(digest)
        if query is not None:
            self._queries.move_to_end(digest)
        return query

    def put(self, digest: str, query: str) -> None:
        if digest in self._queries or len(query) > self.characters:
            return
        self._queries[digest] = query
        self._kept += len(query)
        while self._kept > self.characters:
            _, forgotten = self._queries.popitem(last=False)
            self._kept -= len(forgotten)

    def __len__(self) -> int:
        return len(self._queries)
