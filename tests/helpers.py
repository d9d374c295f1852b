"""Test helpers: the fixtures module's client, counter and factories, plus ``error_codes``."""

from __future__ import annotations

from typing import Any

from icn_graph.testing import (
    GraphQLClient,
    StatementCounter,
    make_center,
    make_person,
    token_for,
)

__all__ = [
    "GraphQLClient",
    "StatementCounter",
    "error_codes",
    "make_center",
    "make_person",
    "token_for",
]


def error_codes(body: dict[str, Any]) -> list[str]:
    return [error.get("extensions", {}).get("code", "") for error in body.get("errors", [])]
