"""Threads as a subject type: people follow them, notifications and mail are about them.

A thread is described by its title; what contains it is the Node it is attached to (people
watching a Learning Session hear of its threads, when the thread's audience lets them see it).
Who may see and follow it is the audience rule of ``access``, checked at fan-out for every
recipient, so a notification never reaches someone the thread is closed to.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_codesign.access import visible_thread_ids
from icn_codesign.models import Thread
from icn_graph.plugin_api import SubjectDescription, SubjectType, Viewer, to_global_id

THREAD_TYPE = "Thread"
MESSAGE_TYPE = "ThreadMessage"


async def describe_threads(
    session: AsyncSession, pks: Sequence[int]
) -> dict[int, SubjectDescription]:
    rows = await session.execute(
        select(Thread.id, Thread.title, Thread.center_id, Thread.subject_id).where(
            Thread.id.in_(pks)
        )
    )
    described = {}
    for pk, title, center_id, subject_id in rows:
        containers = [subject_id] if subject_id else []
        if center_id is not None and not containers:
            containers.append(to_global_id("Center", center_id))
        described[pk] = SubjectDescription(title, center_id=center_id, containers=containers)
    return described


async def visible_threads(
    session: AsyncSession, viewer: Viewer, described: Mapping[int, SubjectDescription]
) -> Collection[int]:
    return await visible_thread_ids(session, viewer, described.keys())


THREAD_SUBJECT = SubjectType(
    type_name=THREAD_TYPE,
    kind="co-design thread",
    describe=describe_threads,
    visible=visible_threads,
    app_path="/codesign/threads/{id}",
)
