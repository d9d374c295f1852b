"""Parsing and validating a document once, not on every request that sends it.

Clients send the same few documents over and over; parsing and validating one of them took
about as long as running a small query. Each schema keeps, in memory and per process, the last
``DOCUMENTS_KEPT`` parsed documents (by their text) and which of them passed validation under
which rules. Only successes are kept: a document that fails to parse or validate is checked
again each time, so its errors are never shared between requests.

The operation's cost (``limits/cost.py``) depends on the document, the operation chosen and
the variables (page sizes), so it is kept by a digest of all three (not for variables over 4 KB
of JSON): a client sending the same query with the same variables has it walked once.

The rules are part of the key: an anonymous client on a server with introspection turned off
validates under one more rule (``AnonymousIntrospection``) than a signed-in one, and a document
valid for one is looked up separately for the other. The checks that are not validation rules
(the length limit, the operation name, read-only tokens, the budget) run on every request as
before; a document the length limit refuses is never parsed, so never kept.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Hashable, Iterator, Mapping
from typing import Generic, TypeVar

import orjson
from graphql import ASTValidationRule, DocumentNode
from strawberry.extensions import SchemaExtension

# Distinct documents kept per process: the queries of a few apps with room to spare. A document
# is at most ``ICN_MAX_QUERY_LENGTH`` characters (32,000 by default), and kept documents are
# usually a few kilobytes: a few megabytes at most.
DOCUMENTS_KEPT = 512


K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRU(Generic[K, V]):
    """A dict that forgets its least recently used entry beyond ``size`` entries."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


_Rules = tuple[type[ASTValidationRule], ...]


class DocumentCache:
    """One per schema: what is valid depends on the schema."""

    def __init__(self, size: int = DOCUMENTS_KEPT) -> None:
        # (text, parse options) → document; (text, parse options, rules) → True when valid.
        self.documents: LRU[tuple[str, Hashable], DocumentNode] = LRU(size)
        self.valid: LRU[tuple[str, Hashable, _Rules], bool] = LRU(size)
        # A digest of (text, operation name, variables) → the operation's cost (cost.py).
        self.costs: LRU[bytes, int] = LRU(size)


# Variables longer than this as JSON are not kept with a cost: padding would fill the cache.
COST_KEY_VARIABLES_LIMIT = 4096


def cost_key(query: str | None, operation_name: str | None, variables: object) -> bytes | None:
    """A digest of what an operation's cost depends on, or None to walk it every time: no
    text, or variables that are not JSON (a file upload) or over ``COST_KEY_VARIABLES_LIMIT``."""
    if not query:
        return None
    try:
        encoded = orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return None
    if len(encoded) > COST_KEY_VARIABLES_LIMIT:
        return None
    named = orjson.dumps([query, operation_name])
    return hashlib.blake2b(named + b"\0" + encoded, digest_size=32).digest()


def _options_key(options: Mapping[str, object]) -> Hashable:
    return tuple(sorted(options.items()))


class CachedDocuments(SchemaExtension):
    """Looks the document up before parsing and its validity before validating."""

    _text: str | None = None

    def _cache(self) -> DocumentCache | None:
        cache = getattr(self.execution_context.schema, "documents", None)
        return cache if isinstance(cache, DocumentCache) else None

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        cache = self._cache()
        # Set already (the length limit's placeholder): not this text's document.
        if cache is None or context.graphql_document is not None or not context.query:
            yield
            return
        self._text = context.query
        key = (context.query, _options_key(context.parse_options))
        document = cache.documents.get(key)
        if document is not None:
            context.graphql_document = document
            yield
            return
        yield
        if context.graphql_document is not None and not context.pre_execution_errors:
            cache.documents.put(key, context.graphql_document)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        cache = self._cache()
        text = self._text
        if cache is None or text is None or context.pre_execution_errors is not None:
            yield
            return
        key = (text, _options_key(context.parse_options), tuple(context.validation_rules))
        if cache.valid.get(key):
            # An empty list is "validated": strawberry validates only when it is None.
            context.pre_execution_errors = []
            yield
            return
        yield
        if context.pre_execution_errors == []:
            cache.valid.put(key, True)
