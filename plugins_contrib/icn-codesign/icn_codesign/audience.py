"""The audience rules over people rather than one viewer: who of some people may see a thread.

Used where the thread meets people other than the viewer (mentions, invitations): one query,
whatever the number of people. Kept in step with ``access.visible_clause``.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import ColumnElement, exists, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from icn_codesign.models import Participant, Thread, ThreadAudience
from icn_graph.plugin_api import Membership, NetworkRole, Person

STAFF_ROLES = (NetworkRole.STAFF, NetworkRole.ADMIN)


def can_see_clause(thread: Thread) -> ColumnElement[bool]:
    """SQL over ``Person``: the people who may see ``thread``."""
    if thread.audience == ThreadAudience.NETWORK:
        return true()
    rules = [
        Person.network_role.in_(STAFF_ROLES),
        exists().where(
            Participant.thread_id == thread.id,
            Participant.person_id == Person.id,
            Participant.left_at.is_(None),
        ),
    ]
    if thread.audience == ThreadAudience.CENTER and thread.center_id is not None:
        rules.append(
            exists().where(
                Membership.person_id == Person.id, Membership.center_id == thread.center_id
            )
        )
    return or_(*rules)


async def who_can_see(
    session: AsyncSession, thread: Thread, person_ids: Collection[int]
) -> set[int]:
    """Of ``person_ids``, the people who exist and may see ``thread``: one query."""
    if not person_ids:
        return set()
    rows = await session.scalars(
        select(Person.id).where(Person.id.in_(sorted(set(person_ids))), can_see_clause(thread))
    )
    return set(rows)
