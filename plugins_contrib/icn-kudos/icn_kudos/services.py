"""The rules: who may thank whom, how long a message may be, celebrating closed goals, and how
many kudos each goal got."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError

from icn_graph.plugin_api import (
    Center,
    Checker,
    Database,
    Event,
    Goal,
    GoalClosed,
    GoalStatus,
    Page,
    Person,
    SortKey,
    SubjectRef,
    UserErrorCode,
    Viewer,
    paginate,
    plugin_settings,
    record,
    rows_by_id,
)
from icn_kudos.events import KudosGiven
from icn_kudos.models import Kudos

PLUGIN = "icn-kudos"
DEFAULT_MAX_LENGTH = 280


@dataclass(frozen=True)
class Recipient:
    """A person or a center, by primary key."""

    type_name: str
    pk: int


def max_length() -> int:
    configured = plugin_settings(PLUGIN).get("max_length", "")
    return int(configured) if configured.isdigit() else DEFAULT_MAX_LENGTH


async def give_kudos(
    db: Database, viewer: Viewer, recipient: Recipient, message: str, *, goal: int | None = None
) -> Kudos:
    """Kudos from the viewer to ``recipient``, for the goal ``goal`` if given."""
    giver = viewer.require_member()
    check = Checker()
    text = check.text("message", message, max_length=max_length(), label="Message")
    if recipient == Recipient("Person", giver):
        check.add("recipientId", "Kudos are for someone else.")
    if recipient.type_name == "Person":
        found = bool(await rows_by_id(db, Person, [recipient.pk]))
    else:
        found = bool(await rows_by_id(db, Center, [recipient.pk]))
    if not found:
        check.add("recipientId", "No person or center has that id.", UserErrorCode.NOT_FOUND)
    if goal is not None and not await rows_by_id(db, Goal, [goal]):
        check.add("goalId", "No goal has that id.", UserErrorCode.NOT_FOUND)
    check.raise_if_any()
    kudos = Kudos(
        from_person_id=giver,
        to_person_id=recipient.pk if recipient.type_name == "Person" else None,
        to_center_id=recipient.pk if recipient.type_name == "Center" else None,
        goal_id=goal,
        message=text,
    )
    async with db.transaction() as session:
        session.add(kudos)
        await session.flush()
        thanked = SubjectRef("Person", kudos.to_person_id) if kudos.to_person_id else None
        given = KudosGiven(
            kudos=SubjectRef("Kudos", kudos.id), message=kudos.message, person=thanked
        )
        record(session, given, actor_id=giver)
    return kudos


def _listing(recipient: Recipient | None) -> Select[Kudos]:
    statement = select(Kudos)
    if recipient is not None and recipient.type_name == "Person":
        statement = statement.where(Kudos.to_person_id == recipient.pk)
    elif recipient is not None:
        statement = statement.where(Kudos.to_center_id == recipient.pk)
    return statement


async def list_kudos(
    db: Database,
    viewer: Viewer,
    *,
    recipient: Recipient | None,
    first: int | None,
    after: str | None,
) -> Page[Kudos]:
    """Newest first; every member of the network may read them."""
    viewer.require_member()
    key = SortKey("created_at", Kudos.created_at, Kudos.id, lambda k: k.created_at, True)
    return await paginate(
        db, _listing(recipient), key, first=first, after=after, parse_value=datetime.fromisoformat
    )


async def count_by_goal(db: Database, goal_ids: Sequence[int]) -> list[int]:
    """How many kudos each goal got, in the order of ``goal_ids``: one query for all of them."""
    async with db.session() as session:
        rows = await session.execute(
            select(Kudos.goal_id, func.count())
            .where(Kudos.goal_id.in_(goal_ids))
            .group_by(Kudos.goal_id)
        )
        counts = {goal_id: count for goal_id, count in rows}
    return [counts.get(goal_id, 0) for goal_id in goal_ids]


async def celebrate_goal(event: Event, db: Database) -> None:
    """``goal.closed`` as DONE → kudos from the network to the goal's owner. Idempotent."""
    closed = event.data
    if not isinstance(closed, GoalClosed) or closed.outcome != GoalStatus.DONE:
        return
    if closed.owner.type not in {"Person", "Center"}:
        return
    # The goal as it is now, from core's table: congratulate under its current name.
    goal = (await rows_by_id(db, Goal, [closed.goal.pk])).get(closed.goal.pk)
    title = (goal.title if goal else closed.title)[:200]
    kudos = Kudos(
        to_person_id=closed.owner.pk if closed.owner.type == "Person" else None,
        to_center_id=closed.owner.pk if closed.owner.type == "Center" else None,
        goal_id=goal.id if goal else None,
        message=f"Goal reached: {title}. Congratulations from the network!",
        celebrates=event.subject_id,
    )
    try:
        async with db.transaction() as session:
            session.add(kudos)
    except IntegrityError:
        return  # already celebrated: the event was delivered twice
