"""Fan-out: one in-app notification per person who should hear about an event.

A consumer of committed events; the automatic follows were made in the transaction that
recorded them (so a person just assigned to an agenda item hears about the assignment). Who hears:

- followers of the subject at NORMAL or WATCHING, and people WATCHING what contains it (a goal's
  center, an agenda item's Learning Session), who followed before the event occurred;
- the person an event is about (its ``person`` field: "you were added to the team"); a
  ``personal`` event type ("Sam mentioned you") reaches that person alone, never followers;
- never the actor, nor a deactivated person, nor anyone who MUTED the subject, nor anyone who
  MUTED the container they would hear through (a direct follow of the subject outranks a muted
  container);
- of a subject whose type says who may see it (a plugin's restricted type; core's are seen by
  every member), only those who may see it now: not someone of another center watching the
  subject's center, nor someone who followed it before losing access.

Each notification records why it was sent, the followed subject its mail threads on (see
``roll_up``) and how it will be mailed (from the recipient's preferences). A suppressed address's
notifications are planned like any other: composing records their mail as SUPPRESSED, never
delivered. Idempotent: people already notified of the event are skipped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.config import Settings
from icn_graph.errors import BadInput
from icn_graph.events import Event, SubjectRef
from icn_graph.ids import parse_global_id
from icn_graph.notifications.models import (
    Follow,
    FollowLevel,
    FollowReason,
    Notification,
)
from icn_graph.notifications.preferences import effective_preferences
from icn_graph.notifications.realtime.announce import announce_notifications
from icn_graph.notifications.roll_up import followed_subject
from icn_graph.notifications.schedule import plan_email
from icn_graph.notifications.subjects import (
    UNKNOWN_LABEL,
    SubjectInfo,
    describe_subjects,
    is_restricted,
    subject_label,
    visible_to_each,
)
from icn_graph.services.viewers import viewers_of

# The typed event's field naming the person an event is about.
ABOUT_FIELD = "person"
# Fields naming what contains a subject: used when the subject itself is gone (removed).
CONTAINER_FIELDS = ("goal", "owner", "center", "learning_session")

REASON_LIMIT = 200


@dataclass(frozen=True)
class Recipient:
    """Why a person hears of an event, and the followed subject its mail threads on."""

    reason: str
    followed_subject_id: str


def _parse(value: object) -> tuple[str, int] | None:
    """``(type name, pk)`` if ``value`` is a global ID, else None (payloads are free-form)."""
    if not isinstance(value, str):
        return None
    try:
        return parse_global_id(value)
    except BadInput:
        return None


def _person(value: object) -> int | None:
    parsed = _parse(value)
    return parsed[1] if parsed is not None and parsed[0] == "Person" else None


def _label(subject_id: str) -> str:
    parsed = _parse(subject_id)
    return subject_label(parsed[0]) if parsed is not None else UNKNOWN_LABEL


def _direct_reason(follow: Follow, label: str) -> str:
    match follow.reason:
        case FollowReason.CREATED:
            return f"You created this {label}."
        case FollowReason.ASSIGNED:
            return f"You are assigned to this {label}."
        case FollowReason.MEMBER:
            return f"You belong to this {label}."
        case FollowReason.CONTRIBUTED:
            return f"You contributed to this {label}."
        case _:
            return f"You follow this {label}."


def _ref(event: Event, field: str) -> SubjectRef | None:
    value = getattr(event.data, field, None)
    return value if isinstance(value, SubjectRef) else None


def _containers(event: Event) -> list[str]:
    """What contained a subject that is gone (removed), from the event's fields."""
    found = []
    for field in CONTAINER_FIELDS:
        ref = _ref(event, field)
        if ref is not None and ref.type != "Person" and ref.global_id != event.subject_id:
            found.append(ref.global_id)
    return found


async def _chains(
    session: AsyncSession, events: Sequence[Event]
) -> tuple[dict[int, list[str]], dict[str, SubjectInfo]]:
    """Per event id: its subject and what contains the subject, nearest first; and the
    subjects that exist, described."""
    infos = await describe_subjects(session, {event.subject_id for event in events})
    chains: dict[int, list[str]] = {}
    for event in events:
        info = infos.get(event.subject_id)
        ancestors = info.ancestors if info is not None else _containers(event)
        chains[_id(event)] = list(dict.fromkeys([event.subject_id, *ancestors]))
    return chains, infos


async def _only_who_may_see(
    session: AsyncSession,
    events: Sequence[Event],
    found: dict[int, dict[int, Recipient]],
    infos: Mapping[str, SubjectInfo],
) -> None:
    """Drop, from the recipients of events about a restricted subject, those who may not see it
    (everyone, when it is gone). No query for events about core's subjects."""
    restricted = [event for event in events if is_restricted(event.subject_id)]
    candidates = sorted({person for event in restricted for person in found[_id(event)]})
    if not candidates:
        return
    subjects = {event.subject_id for event in restricted}
    seen = await visible_to_each(
        session,
        await viewers_of(session, candidates),
        [info for subject_id, info in infos.items() if subject_id in subjects],
    )
    for event in restricted:
        theirs = found[_id(event)]
        for person_id in list(theirs):
            if event.subject_id not in seen.get(person_id, ()):
                del theirs[person_id]


def _deciding(follows: list[Follow], subject_id: str) -> Follow | None:
    """Of a person's follows along a subject's chain (nearest first), the one that decides
    whether they hear of it: on the subject itself any level decides, on a container MUTED and
    WATCHING do (NORMAL there is about the container alone, so the next one up decides)."""
    for follow in follows:
        if follow.subject_id == subject_id or follow.level != FollowLevel.NORMAL:
            return follow
    return None


def _reason(follow: Follow, subject_id: str, titles: Mapping[str, str]) -> str:
    if follow.subject_id == subject_id:
        return _direct_reason(follow, _label(subject_id))
    title = titles.get(follow.subject_id)
    if title is None:
        return f"You watch the {_label(follow.subject_id)} this belongs to."
    return f"You watch {title}."


def _recipients(
    event: Event,
    chain: list[str],
    follows: Mapping[str, list[Follow]],
    titles: Mapping[str, str],
) -> dict[int, Recipient]:
    """``{person id: recipient}`` for everyone who should hear about ``event``."""
    by_person: dict[int, list[Follow]] = defaultdict(list)
    for subject_id in chain:
        for follow in follows.get(subject_id, ()):
            # A follow hears what happens after it began; a mute silences at once.
            if follow.created_at <= event.occurred_at or follow.level == FollowLevel.MUTED:
                by_person[follow.person_id].append(follow)
    found: dict[int, Recipient] = {}
    muted: set[int] = set()
    for person_id, theirs in by_person.items():
        deciding = _deciding(theirs, event.subject_id)
        if deciding is None:
            continue
        if deciding.level == FollowLevel.MUTED:
            muted.add(person_id)
        else:
            reason = _reason(deciding, event.subject_id, titles)
            found[person_id] = Recipient(reason, followed_subject(chain, deciding.subject_id))
    about = _ref(event, ABOUT_FIELD)
    if event.data.personal:
        found = {pk: r for pk, r in found.items() if about is not None and pk == about.pk}
    if about is not None and about.type == "Person" and about.pk not in muted:
        found.setdefault(about.pk, Recipient("It is about you.", followed_subject(chain, None)))
    found.pop(_person(event.actor_id) or 0, None)  # never about one's own action
    return found


async def recipients(
    session: AsyncSession, events: Sequence[Event]
) -> dict[int, dict[int, Recipient]]:
    """Per event id, ``{person id: recipient}``, in a few queries for the whole batch: the subjects,
    their followers, and the titles of the containers watched ("You watch Cincinnati
    Children's."); for events about a restricted subject, also the candidates as viewers and
    one visibility check per candidate and type."""
    chains, infos = await _chains(session, events)
    subjects = sorted({subject_id for chain in chains.values() for subject_id in chain})
    follows: dict[str, list[Follow]] = defaultdict(list)
    for follow in await session.scalars(select(Follow).where(Follow.subject_id.in_(subjects))):
        follows[follow.subject_id].append(follow)
    containers = {
        follow.subject_id
        for event in events
        for subject_id in chains[_id(event)][1:]
        for follow in follows.get(subject_id, ())
        if follow.level == FollowLevel.WATCHING
    }
    titles = {
        subject_id: info.title
        for subject_id, info in (await describe_subjects(session, containers)).items()
    }
    found = {
        _id(event): _recipients(event, chains[_id(event)], follows, titles) for event in events
    }
    await _only_who_may_see(session, events, found, infos)
    return found


def _id(event: Event) -> int:
    assert event.id is not None, "only committed (outbox) events fan out"
    return event.id


async def fan_out(
    session: AsyncSession, event: Event, settings: Settings, *, now: datetime
) -> list[Notification]:
    """Write ``event``'s notifications in ``session``'s transaction and announce them."""
    return await fan_out_events(session, [event], settings, now=now)


async def fan_out_events(
    session: AsyncSession, events: Sequence[Event], settings: Settings, *, now: datetime
) -> list[Notification]:
    """Write the notifications of ``events`` in ``session``'s transaction and announce them.

    The same handful of statements for one event or a sweep's batch, and for one recipient or
    hundreds: recipients, notifications already written (a re-delivered event), preferences,
    then one multi-row INSERT.
    """
    if not events:
        return []
    by_id = {_id(event): event for event in events}
    reasons = await recipients(session, events)
    wanted = {(event_id, person) for event_id, theirs in reasons.items() for person in theirs}
    if not wanted:
        return []
    already = await session.execute(
        select(Notification.event_id, Notification.person_id).where(
            Notification.event_id.in_(sorted({event_id for event_id, _ in wanted}))
        )
    )
    pending = sorted(wanted - {(event_id, person) for event_id, person in already.all()})
    # Deactivated people are left out here, the earliest point that reads them: they get no
    # notification at all, so none is mailed or announced (they could not read it anyway).
    preferences = await effective_preferences(
        session, sorted({person for _, person in pending}), settings, active_only=True
    )
    pending = [(event_id, person) for event_id, person in pending if person in preferences]
    if not pending:
        return []  # everyone was notified already, or is gone or deactivated
    rows: list[dict[str, Any]] = []
    for event_id, person_id in pending:
        event = by_id[event_id]
        plan = plan_email(
            event_type=event.type,
            created_at=event.occurred_at,
            prefs=preferences[person_id],
            batch_seconds=settings.notify_batch_seconds,
        )
        recipient = reasons[event_id][person_id]
        rows.append(
            {
                "person_id": person_id,
                "event_id": event_id,
                "type": event.type,
                "subject_id": event.subject_id,
                "followed_subject_id": recipient.followed_subject_id,
                "actor_id": event.actor_id,
                "reason": recipient.reason[:REASON_LIMIT],
                "created_at": now,
                "delivery": plan.delivery,
                "email_status": plan.status,
                "email_due_at": plan.due_at,
            }
        )
    # One multi-row INSERT whatever the number of recipients; ids matched by (event, person),
    # since a batch's RETURNING order is not guaranteed on every backend.
    inserted = await session.execute(
        insert(Notification).returning(
            Notification.event_id, Notification.person_id, Notification.id
        ),
        rows,
    )
    ids = {(event_id, person_id): id for event_id, person_id, id in inserted.all()}
    notifications = [
        Notification(id=ids[(row["event_id"], row["person_id"])], **row) for row in rows
    ]
    await announce_notifications(session, notifications)
    return notifications
