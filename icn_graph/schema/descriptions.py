"""Descriptions that recur across the schema, written once: paging arguments, every mutation's
``input`` and every payload's ``userErrors``, and the root types."""

from __future__ import annotations

from typing import Annotated, TypeVar

import strawberry

T = TypeVar("T")

FIRST_DESCRIPTION = "How many items to return: 0 to 100."
AFTER_DESCRIPTION = (
    "A cursor from an earlier page (its `pageInfo.endCursor`, or an edge's `cursor`): the "
    "items after it. Leave out for the first page."
)
INPUT_DESCRIPTION = "What to do: each field is described on the input type."
USER_ERRORS_DESCRIPTION = (
    "Why the input was refused, one entry per problem; empty when the mutation succeeded. "
    "When it is not empty, nothing was written (unless a message says what was)."
)

FirstArgument = Annotated[int | None, strawberry.argument(description=FIRST_DESCRIPTION)]
AfterArgument = Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)]
InputArgument = Annotated[T, strawberry.argument(description=INPUT_DESCRIPTION)]
"""A mutation's ``input`` argument: ``input: InputArgument[CreateCenterInput]``."""

IncludeArchivedArgument = Annotated[
    bool, strawberry.argument(description="Also archived goals (left out by default).")
]
"""``Center.goals`` and ``Person.goals`` (their modules cannot import the goals package)."""

ROOT_DESCRIPTIONS = {
    "Query": "Everything you can read. Most fields need a signed-in member (an `Authorization: "
    "Bearer ...` header); `viewer` tells who that is.",
    "Mutation": "Everything you can change. Each mutation takes one `input` and returns a "
    "payload with what it changed and `userErrors` for input it refused.",
    "Subscription": "Live updates, over graphql-transport-ws at the same `/graphql` URL.",
}
