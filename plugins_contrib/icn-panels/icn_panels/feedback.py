"""Feedback on a Learning Session: the closing poll (four Sense of Community statements, 1 to 5),
optional ratings of its agenda items (1 to 5) and an optional comment.

- Any signed-in member answers, from the session's first day on (``starts_on`` in the session's
  time zone); answering again replaces their answer (one per person and session).
- Results are aggregates per role group and overall, published through ``suppression``: a group
  of fewer than 5 answers is hidden, and so is what would let it be worked out.
- Comments are read by network staff only, without names, roles or times, in alphabetical order
  (so their order cannot be matched to when people answered).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, insert, literal, select, union_all
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.plugin_api import (
    AgendaItem,
    AgendaItemKind,
    Checker,
    Database,
    LearningSession,
    NetworkRole,
    Person,
    PersonKind,
    SubjectRef,
    UserErrorCode,
    Viewer,
    record,
    utcnow,
)
from icn_panels.events import FeedbackAnswered
from icn_panels.models import (
    COMMUNITY_ITEMS,
    FEEDBACK_COMMENT_LENGTH,
    CommunityItem,
    FeedbackRating,
    FeedbackRole,
    SessionFeedback,
)
from icn_panels.suppression import Table, publish

SESSION_NOT_FOUND = "No Learning Session has that ID."
MIN_SCORE, MAX_SCORE = 1, 5
STAFF_NETWORK_ROLES = frozenset({NetworkRole.ADMIN, NetworkRole.STAFF})

# The column of each closing-poll statement, and its input field.
COLUMNS = {
    CommunityItem.BELONGING: SessionFeedback.belonging,
    CommunityItem.NEEDS_MET: SessionFeedback.needs_met,
    CommunityItem.SHARED_GOALS: SessionFeedback.shared_goals,
    CommunityItem.INFLUENCE: SessionFeedback.influence,
}
FIELDS = {
    CommunityItem.BELONGING: "belonging",
    CommunityItem.NEEDS_MET: "needsMet",
    CommunityItem.SHARED_GOALS: "sharedGoals",
    CommunityItem.INFLUENCE: "influence",
}


@dataclass(frozen=True)
class Rating:
    agenda_item_id: int
    score: int


@dataclass(frozen=True)
class Answer:
    """What ``answerFeedback`` was given: a score per statement, ratings, a comment."""

    scores: dict[CommunityItem, int]
    ratings: tuple[Rating, ...] = ()
    comment: str = ""


def role_of(kind: PersonKind, network_role: NetworkRole) -> FeedbackRole:
    """The group a person's answers count in (see ``FeedbackRole``)."""
    if kind is PersonKind.PARENT_PARTNER:
        return FeedbackRole.PARENT_PARTNER
    if kind is PersonKind.PATIENT_PARTNER:
        return FeedbackRole.PATIENT_PARTNER
    if network_role in STAFF_NETWORK_ROLES or kind is PersonKind.STAFF:
        return FeedbackRole.NETWORK_STAFF
    return FeedbackRole.CARE_TEAM


def session_today(timezone: str, at: datetime) -> date:
    return at.astimezone(ZoneInfo(timezone)).date()


def has_started(starts_on: date, timezone: str, at: datetime) -> bool:
    """Feedback opens on the session's first day, in its time zone."""
    return session_today(timezone, at) >= starts_on


def may_answer(viewer: Viewer, starts_on: date, timezone: str, at: datetime) -> bool:
    return viewer.is_authenticated and has_started(starts_on, timezone, at)


MAX_RATINGS = 100  # more than any session's agenda; a bigger list is refused whole


def _check_score(check: Checker, field_name: str, value: int, label: str) -> None:
    if not MIN_SCORE <= value <= MAX_SCORE:
        check.add(field_name, f"{label} is from {MIN_SCORE} to {MAX_SCORE} (got {value}).")


async def answer_feedback(
    db: Database, viewer: Viewer, session_pk: int, answer: Answer
) -> SessionFeedback:
    """Store (or replace) the viewer's answer for the session ``session_pk``. Two answers at
    once (a double submit) are an answer and its revision: the one that lost the race to insert
    runs again and revises."""
    try:
        return await _answer(db, viewer, session_pk, answer)
    except IntegrityError:
        return await _answer(db, viewer, session_pk, answer)


async def _answer(db: Database, viewer: Viewer, session_pk: int, answer: Answer) -> SessionFeedback:
    me = viewer.require_member()
    check = Checker()
    for item in COMMUNITY_ITEMS:
        _check_score(check, FIELDS[item], answer.scores[item], "A statement's answer")
    if len(answer.ratings) > MAX_RATINGS:
        check.add("ratings", f"At most {MAX_RATINGS} ratings.", UserErrorCode.TOO_LONG)
        check.raise_if_any()
    for index, rating in enumerate(answer.ratings):
        _check_score(check, f"ratings[{index}].score", rating.score, "A rating")
    comment = check.text(
        "comment",
        answer.comment,
        max_length=FEEDBACK_COMMENT_LENGTH,
        label="Comment",
        multiline=True,
        required=False,
    )
    async with db.transaction() as session:
        row = await session.get(LearningSession, session_pk)
        if row is None:
            check.add("learningSessionId", SESSION_NOT_FOUND, UserErrorCode.NOT_FOUND)
        elif not has_started(row.starts_on, row.timezone, utcnow()):
            check.add(
                "learningSessionId",
                f"Feedback opens on the session's first day ({row.starts_on.isoformat()}).",
                UserErrorCode.CONFLICT,
            )
        await _check_items(session, check, session_pk, answer.ratings)
        check.raise_if_any()
        person = await session.get(Person, me)
        assert person is not None  # a signed-in viewer's person exists
        feedback = await session.scalar(
            select(SessionFeedback).where(
                SessionFeedback.session_id == session_pk, SessionFeedback.person_id == me
            )
        )
        revised = feedback is not None
        if feedback is None:
            feedback = SessionFeedback(session_id=session_pk, person_id=me)
            session.add(feedback)
        feedback.role = role_of(person.kind, person.network_role)
        feedback.belonging = answer.scores[CommunityItem.BELONGING]
        feedback.needs_met = answer.scores[CommunityItem.NEEDS_MET]
        feedback.shared_goals = answer.scores[CommunityItem.SHARED_GOALS]
        feedback.influence = answer.scores[CommunityItem.INFLUENCE]
        feedback.comment, feedback.updated_at = comment, utcnow()
        await session.flush()
        if revised:
            await session.execute(
                delete(FeedbackRating).where(FeedbackRating.feedback_id == feedback.id)
            )
        if answer.ratings:
            await session.execute(
                insert(FeedbackRating),
                [
                    {
                        "feedback_id": feedback.id,
                        "agenda_item_id": r.agenda_item_id,
                        "score": r.score,
                    }
                    for r in answer.ratings
                ],
            )
        answered = FeedbackAnswered(
            learning_session=SubjectRef("LearningSession", session_pk),
            person=SubjectRef("Person", me),
            revised=revised,
            ratings=len(answer.ratings),
        )
        record(session, answered, actor_id=me)
    return feedback


async def _check_items(
    session: AsyncSession, check: Checker, session_pk: int, ratings: Sequence[Rating]
) -> None:
    """Each rated item must be an agenda item of this session (not a break), rated once."""
    wanted = {rating.agenda_item_id for rating in ratings}
    found: dict[int, tuple[int, AgendaItemKind]] = {}
    if wanted:
        rows = await session.execute(
            select(AgendaItem.id, AgendaItem.session_id, AgendaItem.kind).where(
                AgendaItem.id.in_(sorted(wanted))
            )
        )
        found = {pk: (owner, kind) for pk, owner, kind in rows}
    seen: set[int] = set()
    for index, rating in enumerate(ratings):
        name = f"ratings[{index}].agendaItemId"
        item = found.get(rating.agenda_item_id)
        if item is None:
            check.add(name, "No agenda item has that ID.", UserErrorCode.NOT_FOUND)
        elif item[0] != session_pk:
            check.add(name, "This agenda item belongs to another Learning Session.")
        elif item[1] is AgendaItemKind.BREAK:
            check.add(name, "A break is not rated.")
        elif rating.agenda_item_id in seen:
            check.add(name, "This agenda item is rated more than once.")
        seen.add(rating.agenda_item_id)


# -- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemResults:
    agenda_item: AgendaItem
    table: Table


@dataclass(frozen=True)
class Results:
    """A session's published results; ``comments`` None unless the viewer is network staff."""

    community: dict[CommunityItem, Table]
    agenda: list[ItemResults]
    comments: list[str] | None = field(default=None)


Counts = dict[FeedbackRole, list[int]]


def _zero() -> list[int]:
    return [0] * (MAX_SCORE - MIN_SCORE + 1)


async def results_of_sessions(
    db: Database, viewer: Viewer, session_pks: Sequence[int]
) -> list[Results | None]:
    """Each session's results, None for anonymous viewers: three statements (four for staff)
    for any number of sessions and answers."""
    if not viewer.is_authenticated or not session_pks:
        return [None] * len(session_pks)
    keys = sorted(set(session_pks))
    community: dict[int, dict[CommunityItem, Counts]] = defaultdict(
        lambda: {item: defaultdict(_zero) for item in COMMUNITY_ITEMS}
    )
    agenda_counts: dict[int, dict[int, Counts]] = defaultdict(lambda: defaultdict(lambda: {}))
    comments: dict[int, list[str]] = defaultdict(list)
    async with db.session() as session:
        per_item = [
            select(
                literal(item.value).label("item"),
                SessionFeedback.session_id,
                SessionFeedback.role,
                column.label("score"),
                func.count().label("n"),
            )
            .where(SessionFeedback.session_id.in_(keys))
            .group_by(SessionFeedback.session_id, SessionFeedback.role, column)
            for item, column in COLUMNS.items()
        ]
        for item_value, session_pk, role, score, n in await session.execute(union_all(*per_item)):
            counts = community[session_pk][CommunityItem(item_value)]
            counts[FeedbackRole(role)][score - MIN_SCORE] += n
        rated = await session.execute(
            select(
                SessionFeedback.session_id,
                FeedbackRating.agenda_item_id,
                SessionFeedback.role,
                FeedbackRating.score,
                func.count(),
            )
            .join(SessionFeedback, SessionFeedback.id == FeedbackRating.feedback_id)
            .where(SessionFeedback.session_id.in_(keys))
            .group_by(
                SessionFeedback.session_id,
                FeedbackRating.agenda_item_id,
                SessionFeedback.role,
                FeedbackRating.score,
            )
        )
        for session_pk, item_pk, role, score, n in rated:
            by_role = agenda_counts[session_pk][item_pk]
            by_role.setdefault(FeedbackRole(role), _zero())[score - MIN_SCORE] += n
        items = await session.scalars(
            select(AgendaItem)
            .where(AgendaItem.session_id.in_(keys), AgendaItem.kind != AgendaItemKind.BREAK)
            .order_by(AgendaItem.starts_at, AgendaItem.id)
        )
        agenda: dict[int, list[AgendaItem]] = defaultdict(list)
        for item in items:
            agenda[item.session_id].append(item)
        if viewer.is_staff:
            written = await session.execute(
                select(SessionFeedback.session_id, SessionFeedback.comment)
                .where(SessionFeedback.session_id.in_(keys), SessionFeedback.comment != "")
                .order_by(SessionFeedback.session_id, SessionFeedback.comment)
            )
            for session_pk, text in written:
                comments[session_pk].append(text)
    found = {
        pk: Results(
            community={item: publish(community[pk][item]) for item in COMMUNITY_ITEMS},
            agenda=[ItemResults(item, publish(agenda_counts[pk][item.id])) for item in agenda[pk]],
            comments=sorted(comments[pk]) if viewer.is_staff else None,
        )
        for pk in keys
    }
    return [found[pk] for pk in session_pks]


@dataclass(frozen=True)
class OwnAnswer:
    feedback: SessionFeedback
    ratings: list[tuple[AgendaItem, int]]


async def own_answers(
    db: Database, viewer: Viewer, session_pks: Sequence[int]
) -> list[OwnAnswer | None]:
    """The viewer's own answer to each session, if any: two statements."""
    me = viewer.person_id
    if me is None or not session_pks:
        return [None] * len(session_pks)
    async with db.session() as session:
        rows = list(
            await session.scalars(
                select(SessionFeedback).where(
                    SessionFeedback.session_id.in_(sorted(set(session_pks))),
                    SessionFeedback.person_id == me,
                )
            )
        )
        ratings: dict[int, list[tuple[AgendaItem, int]]] = defaultdict(list)
        if rows:
            rated = await session.execute(
                select(FeedbackRating.feedback_id, AgendaItem, FeedbackRating.score)
                .join(AgendaItem, AgendaItem.id == FeedbackRating.agenda_item_id)
                .where(FeedbackRating.feedback_id.in_([row.id for row in rows]))
                .order_by(AgendaItem.starts_at, AgendaItem.id)
            )
            for feedback_pk, item, score in rated:
                ratings[feedback_pk].append((item, score))
    by_session = {row.session_id: OwnAnswer(row, ratings[row.id]) for row in rows}
    return [by_session.get(pk) for pk in session_pks]
