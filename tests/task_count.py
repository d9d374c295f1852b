"""The ``tasks`` fixture: how many asyncio tasks the code under test creates (a page whose rows
each resolve through a coroutine makes a task per row: graphql-core gathers them)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from typing import Any

import pytest


class TaskCount:
    def __init__(self) -> None:
        self.count = 0

    def factory(
        self, loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, Any], **kwargs: Any
    ) -> asyncio.Task[Any]:
        self.count += 1
        return asyncio.Task(coro, loop=loop, **kwargs)


@pytest.fixture
async def tasks() -> AsyncIterator[TaskCount]:
    loop = asyncio.get_running_loop()
    counter = TaskCount()
    previous = loop.get_task_factory()
    loop.set_task_factory(counter.factory)  # type: ignore[arg-type]
    yield counter
    loop.set_task_factory(previous)
