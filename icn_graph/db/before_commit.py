"""Steps a transaction runs just before it commits, in the same transaction.

A writer registers an async step with :func:`before_commit`;
:class:`~icn_graph.db.database.Database` runs each registered step once, after the unit of work
and before the commit, so what a step writes commits (or rolls back) with the change itself. A
step registered again in the same transaction still runs once; a step may register others,
which run after it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

BeforeCommitStep = Callable[[AsyncSession], Awaitable[None]]

STEPS = "icn_graph.before_commit"


def before_commit(session: AsyncSession, step: BeforeCommitStep) -> None:
    steps: list[BeforeCommitStep] = session.info.setdefault(STEPS, [])
    if step not in steps:
        steps.append(step)


async def run_before_commit(session: AsyncSession) -> None:
    """Run the registered steps in order (those registered meanwhile too), then forget them."""
    while steps := session.info.pop(STEPS, None):
        await session.flush()
        for step in steps:
            await step(session)


def discard_before_commit(session: AsyncSession) -> None:
    session.info.pop(STEPS, None)
