"""Mutation payload parts: ``userErrors`` and the helper that fills them."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

import strawberry

from icn_graph import errors
from icn_graph.schema import enums

T = TypeVar("T")


@strawberry.type(
    description="An input field the mutation refused, and why. Nothing was written, unless the"
    " message says what was (importVisits: visits imported but measures not refreshed)."
)
class UserError:
    field: str = strawberry.field(description="The input field, as named in the input type.")
    message: str = strawberry.field(
        description="What is wrong and how to fix it, in a sentence fit to show next to the "
        "field (English)."
    )
    code: errors.UserErrorCode = strawberry.field(description="The kind of problem, for code.")

    @classmethod
    def from_service(cls, error: errors.UserError) -> UserError:
        return cls(field=error.field, message=error.message, code=error.code)


async def attempt(action: Awaitable[T]) -> tuple[T | None, list[UserError]]:
    """Run a service call; refused input becomes ``userErrors``, everything else propagates."""
    try:
        return await action, []
    except errors.InvalidInput as refused:
        return None, [UserError.from_service(error) for error in refused.errors]


__all__ = ["UserError", "attempt", "enums"]
