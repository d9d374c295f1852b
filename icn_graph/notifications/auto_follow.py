"""Following without asking: people follow what they create, are assigned to, or belong to.

Applied in the transaction that records the events (:mod:`icn_graph.events.in_transaction`),
so a mutation's answer already shows its author following what they made. A rule names the
person and the subject through the event (its actor, its subject, or a ``SubjectRef`` field of
the typed event; a field holding a tuple of ``SubjectRef`` names each of those people, e.g. the
data managers told of a data request).
Automatic follows never overwrite a follow that exists (a person who muted a goal stays muted
when assigned to it), and an automatic unfollow removes only the follow its rule made (a manual
follow stays). Idempotent: an event handled twice changes nothing the second time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import and_, delete, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.errors import BadInput
from icn_graph.events import Event, SubjectRef, history_time
from icn_graph.ids import parse_global_id
from icn_graph.notifications.models import Follow, FollowLevel, FollowReason

ACTOR = "actor"
SUBJECT = "subject"


@dataclass(frozen=True)
class FollowRule:
    """``person`` follows ``subject``: each is ACTOR, SUBJECT, or a field of the typed event."""

    person: str
    subject: str
    level: FollowLevel
    reason: FollowReason


@dataclass(frozen=True)
class UnfollowRule:
    """``person`` stops following ``subject`` if they follow it for ``reason``."""

    person: str
    subject: str
    reason: FollowReason


W, N = FollowLevel.WATCHING, FollowLevel.NORMAL
CREATED, ASSIGNED, MEMBER = FollowReason.CREATED, FollowReason.ASSIGNED, FollowReason.MEMBER
CONTRIBUTED = FollowReason.CONTRIBUTED

FOLLOW_RULES: Mapping[str, tuple[FollowRule, ...]] = {
    # A person-owned goal's owner follows it too ("owner" is a Center for a center's goal).
    "goal.created": (
        FollowRule(ACTOR, SUBJECT, W, CREATED),
        FollowRule("owner", SUBJECT, W, ASSIGNED),
    ),
    # Whoever checks in on a goal (or closes it) hears how it goes on.
    "goal.checked_in": (FollowRule(ACTOR, SUBJECT, N, CONTRIBUTED),),
    "goal.closed": (FollowRule(ACTOR, SUBJECT, N, CONTRIBUTED),),
    "learning_session.created": (FollowRule(ACTOR, SUBJECT, W, CREATED),),
    "agenda_item.added": (FollowRule(ACTOR, SUBJECT, W, CREATED),),
    "agenda_item.assigned": (FollowRule("person", SUBJECT, N, ASSIGNED),),
    "membership.added": (FollowRule("person", "center", N, MEMBER),),
    "registration.created": (FollowRule("person", "learning_session", N, MEMBER),),
    # A data request's requester, the data managers told of it, whoever comments or proposes,
    # and the deciders of the centers asked.
    "data_request.submitted": (
        FollowRule(ACTOR, SUBJECT, W, CREATED),
        FollowRule("stewards", SUBJECT, N, MEMBER),
    ),
    "data_request.commented": (FollowRule(ACTOR, SUBJECT, N, CONTRIBUTED),),
    "data_view.proposed": (FollowRule(ACTOR, SUBJECT, N, CONTRIBUTED),),
    "data_view.accepted": (FollowRule("asked", SUBJECT, N, MEMBER),),
}

UNFOLLOW_RULES: Mapping[str, tuple[UnfollowRule, ...]] = {
    "agenda_item.unassigned": (UnfollowRule("person", SUBJECT, ASSIGNED),),
    "membership.removed": (UnfollowRule("person", "center", MEMBER),),
    "registration.cancelled": (UnfollowRule("person", "learning_session", MEMBER),),
}


def _global_ids(event: Event, source: str) -> list[str]:
    """The global IDs ``source`` names in ``event``: one, or each of a tuple of refs."""
    if source == ACTOR:
        return [event.actor_id] if event.actor_id is not None else []
    if source == SUBJECT:
        return [event.subject_id]
    value = getattr(event.data, source, None)
    values = value if isinstance(value, tuple) else (value,)
    return [item.global_id for item in values if isinstance(item, SubjectRef)]


def _person_ids(event: Event, source: str) -> list[int]:
    """The people ``source`` names in ``event`` (a Center or anything else is left out)."""
    found = []
    for value in _global_ids(event, source):
        try:
            type_name, pk = parse_global_id(value)
        except BadInput:
            continue
        if type_name == "Person":
            found.append(pk)
    return found


Key = tuple[int, str]  # (person id, subject global ID)


@dataclass(frozen=True)
class Made:
    """A follow a rule makes, dated when its event occurred: fan-out counts a follow only for
    events that occurred since it began, so in a batch a later event's follow (a check-in's)
    does not reach an earlier event (the goal's creation)."""

    rule: FollowRule
    at: datetime


# What a batch's rules leave for a key: a follow they made, the reason of the follow that was
# there, or None when there is no follow.
State = Made | FollowReason | None


def _changes(event: Event) -> list[tuple[Key, FollowRule | UnfollowRule]]:
    """``event``'s follow and unfollow rules, applied to the people and subjects it names."""
    found: list[tuple[Key, FollowRule | UnfollowRule]] = []
    rules: list[FollowRule | UnfollowRule] = [
        *FOLLOW_RULES.get(event.type, ()),
        *UNFOLLOW_RULES.get(event.type, ()),
    ]
    for rule in rules:
        for person_id in _person_ids(event, rule.person):
            for subject_id in _global_ids(event, rule.subject):
                found.append(((person_id, subject_id), rule))
    return found


def _reason_of(state: State) -> FollowReason | None:
    return state.rule.reason if isinstance(state, Made) else state


async def follow_automatically(session: AsyncSession, event: Event) -> None:
    """Apply ``event``'s follow and unfollow rules in ``session``'s transaction."""
    await follow_automatically_all(session, [event])


async def follow_automatically_all(session: AsyncSession, events: Sequence[Event]) -> None:
    """Apply the rules of ``events``, in order, with one query to read the follows they touch
    and at most one statement each to delete and insert, whatever the batch's size."""
    changes = [(key, rule, event.occurred_at) for event in events for key, rule in _changes(event)]
    if not changes:
        return
    keys = sorted({key for key, _rule, _at in changes})
    rows = {
        (row.person_id, row.subject_id): row
        for row in await session.scalars(
            select(Follow).where(
                or_(*(and_(Follow.person_id == p, Follow.subject_id == s) for p, s in keys))
            )
        )
    }
    states: dict[Key, State] = {key: row.reason if (row := rows.get(key)) else None for key in keys}
    for key, rule, at in changes:
        state = states[key]
        if isinstance(rule, FollowRule):
            if state is None:  # never over a follow that exists: a person's choice stands
                states[key] = Made(rule, at)
        elif _reason_of(state) == rule.reason:  # only the follow its own rule made
            states[key] = None

    made = [(key, state) for key, state in states.items() if isinstance(state, Made)]
    # A row the batch removed, or removed and made again (then it starts anew).
    gone = [rows[key].id for key, state in states.items() if key in rows and state is None]
    gone += [rows[key].id for key, _state in made if key in rows]
    if gone:
        await session.execute(delete(Follow).where(Follow.id.in_(gone)))
    if made:
        await session.execute(
            insert(Follow),
            [
                {
                    "person_id": person_id,
                    "subject_id": subject_id,
                    "level": state.rule.level,
                    "reason": state.rule.reason,
                    "created_at": state.at,
                    "updated_at": state.at,
                }
                for (person_id, subject_id), state in made
            ],
        )


async def add_member_follows(
    session: AsyncSession, subject_id: str, person_ids: Sequence[int]
) -> None:
    """``person_ids`` follow ``subject_id`` because they belong to it (a plugin's participants of
    a thread), in ``session``'s transaction: NORMAL, reason MEMBER. Never over a follow that
    exists (a person who muted it stays muted). Call it before recording the events they should
    hear of: a follow hears what happens after it began."""
    wanted = sorted(set(person_ids))
    if not wanted:
        return
    existing = set(
        await session.scalars(
            select(Follow.person_id).where(
                Follow.subject_id == subject_id, Follow.person_id.in_(wanted)
            )
        )
    )
    missing = [person_id for person_id in wanted if person_id not in existing]
    if missing:
        # Inside recording_history the follow began then, so it hears the history after it.
        now = history_time(session) or datetime.now(UTC)
        await session.execute(
            insert(Follow),
            [
                {
                    "person_id": person_id,
                    "subject_id": subject_id,
                    "level": N,
                    "reason": MEMBER,
                    "created_at": now,
                    "updated_at": now,
                }
                for person_id in missing
            ],
        )


async def remove_member_follow(session: AsyncSession, subject_id: str, person_id: int) -> None:
    """``person_id`` no longer belongs to ``subject_id``: remove the follow
    :func:`add_member_follows` made (a follow they set themselves stays)."""
    await session.execute(
        delete(Follow).where(
            Follow.person_id == person_id,
            Follow.subject_id == subject_id,
            Follow.reason == MEMBER,
        )
    )
