"""The plugin's demo: Spring 2014's call for proposals as history, and the next session's as the
present.

Spring 2014 (history): the call opened in November 2013; every item on the session's agenda came
from an accepted proposal, its presenters its people, each proposal's pipeline completed around
its due dates (a few days late now and then). The parent panel "Parents as partners" is the
parent partner's proposal, accepted with coaching by network staff; its objectives and call to
action are the ones the co-design thread finalised, and its rehearsals are the story's. Three
proposals that stalled (at the outline, coaching and prep stages) and three declined ones, each
with a reason, are there too, so the board shows every stage; the stalled ones were flagged
overdue back then, so the overdue job does not alert anyone about 2014 today.

The present (relative to the day the demo is loaded): the next session's call is open for
another week; two proposals wait for a decision with the committee's reviews coming in, one is
declined, and the accepted ones are spread over the pipeline. One proposal's outline is due five
days ago (its coach asked for it early) and not done: the worker's first tick flags it and mails
its owner and coach.

Rows are written directly (no events): this is the network's past, not news.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from icn_codesign import demo_story
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.plugin_api import (
    PARTNER_KINDS,
    AgendaAssignment,
    AgendaItem,
    AgendaItemKind,
    DemoContext,
    LearningSession,
    Person,
    PersonKind,
)
from icn_panels import demo_after
from icn_panels.demo_texts import DECLINED_2014, PRESENT_PROPOSALS, PresentProposal
from icn_panels.models import (
    DUE_DAYS_BEFORE,
    STAGES,
    CallForProposals,
    Presenter,
    PresenterConsent,
    Proposal,
    ProposalKind,
    ProposalStage,
    ProposalStatus,
    Review,
    Reviewer,
    Stage,
)

PLUGIN = "icn-panels"
SPRING_2014_CALL = (datetime(2013, 11, 18, 14, tzinfo=UTC), datetime(2014, 1, 10, 23, tzinfo=UTC))
SPRING_2014_DECIDED = datetime(2014, 1, 17, 16, tzinfo=UTC)
# The story's rehearsals: "Run-through with Priya tonight" (20 March), "Final run-through done".
PARENT_PANEL_REHEARSAL = date(2014, 3, 27)
STALLED_AT = (Stage.OUTLINE, Stage.COACHED, Stage.PREPPED)


@dataclass(frozen=True)
class Cast:
    staff: int
    clinician: int
    parent: int
    committee: tuple[int, ...]
    by_kind: dict[PersonKind, list[int]]


async def _cast(session: AsyncSession, context: DemoContext, rng: random.Random) -> Cast:
    personas = context.persona_ids
    taken = set(personas.values())
    by_kind: dict[PersonKind, list[int]] = defaultdict(list)
    for index, person in enumerate(context.network.people):
        pk = context.person_ids[index]
        if pk not in taken:
            by_kind[person.kind].append(pk)
    committee = (
        personas["staff"],
        *rng.sample(by_kind[PersonKind.CLINICIAN], 2),
        rng.choice(by_kind[PersonKind.QI_LEAD]),
        rng.choice(by_kind[PersonKind.PATIENT_PARTNER] or by_kind[PersonKind.PARENT_PARTNER]),
    )
    return Cast(
        staff=personas["staff"],
        clinician=personas["clinician"],
        parent=personas["parent"],
        committee=committee,
        by_kind=by_kind,
    )


def _at(day: date, hour: int = 16) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


async def _open_call(
    session: AsyncSession, session_id: int, opens: datetime, closes: datetime, cast: Cast
) -> None:
    session.add(
        CallForProposals(
            session_id=session_id,
            opens_at=opens,
            closes_at=closes,
            opened_by=cast.staff,
            created_at=opens,
            updated_at=opens,
        )
    )
    for person in cast.committee:
        session.add(
            Reviewer(
                session_id=session_id, person_id=person, granted_by=cast.staff, granted_at=opens
            )
        )


async def _propose(
    session: AsyncSession,
    *,
    session_id: int,
    proposer: int,
    title: str,
    kind: ProposalKind,
    abstract: str,
    presenters: Sequence[int],
    submitted: datetime,
    objectives: str = "",
    audience: str = "",
) -> Proposal:
    proposal = Proposal(
        session_id=session_id,
        proposer_id=proposer,
        title=title,
        kind=kind,
        abstract=abstract,
        objectives=objectives,
        intended_audience=audience,
        created_at=submitted,
        updated_at=submitted,
    )
    session.add(proposal)
    await session.flush()
    for position, person in enumerate(dict.fromkeys(presenters)):
        session.add(
            Presenter(
                proposal_id=proposal.id,
                person_id=person,
                position=position,
                consent=PresenterConsent.CONFIRMED,
                responded_at=submitted + timedelta(days=1),
            )
        )
    return proposal


def _review(
    session: AsyncSession,
    rng: random.Random,
    proposal: Proposal,
    reviewers: Sequence[int],
    scores: tuple[int, int],
    at: datetime,
) -> None:
    for offset, reviewer in enumerate(reviewers):
        score = rng.randint(*scores)
        comment = rng.choice(REVIEW_COMMENTS[score])
        when = at + timedelta(days=offset, hours=rng.randint(0, 9))
        session.add(
            Review(
                proposal_id=proposal.id,
                reviewer_id=reviewer,
                score=score,
                comment=comment,
                created_at=when,
                updated_at=when,
            )
        )


REVIEW_COMMENTS: dict[int, tuple[str, ...]] = {
    1: ("Not ready for this session; the ask is unclear.",),
    2: ("Interesting, but it overlaps with two other proposals.", "Needs a clearer audience."),
    3: ("Solid. The objectives could be more concrete.", "Fine as a poster; thin as a talk."),
    4: ("Strong, practical, and centers can act on it.", "Good mix of voices on the panel."),
    5: ("Exactly what centers keep asking for.", "Must have: families and clinicians together."),
}


def _decide(
    proposal: Proposal, status: ProposalStatus, by: int, at: datetime, reason: str | None = None
) -> None:
    proposal.status = status
    proposal.decided_by, proposal.decided_at, proposal.decision_reason = by, at, reason
    proposal.updated_at = at


def _stages(
    session: AsyncSession,
    rng: random.Random,
    proposal: Proposal,
    *,
    starts_on: date,
    coach: int,
    done_through: Stage | None,
    decided: datetime,
    overdue_flagged: bool = False,
    due: dict[Stage, date] | None = None,
    rehearsal: date | None = None,
) -> None:
    """Stages for an accepted proposal; those up to ``done_through`` completed around their
    due dates, each after the one before."""
    owner = proposal.proposer_id
    last_done = STAGES.index(done_through) if done_through is not None else -1
    previous = decided
    for position, stage in enumerate(STAGES):
        due_on = (due or {}).get(stage, starts_on - timedelta(days=DUE_DAYS_BEFORE[stage]))
        completed: datetime | None = None
        if stage == Stage.IDEA:
            completed = decided
        elif position <= last_done:
            jittered = _at(due_on, 15) + timedelta(days=rng.choice((-6, -3, -1, 0, 2, 4)))
            completed = max(jittered, previous + timedelta(hours=6))  # stages done in order
            previous = completed
        is_overdue_then = overdue_flagged and completed is None
        session.add(
            ProposalStage(
                proposal_id=proposal.id,
                stage=stage,
                position=position,
                due_on=due_on,
                owner_id=owner,
                coach_id=coach,
                evidence=_evidence(stage, proposal) if completed else None,
                rehearsal_on=rehearsal if stage == Stage.RUN_THROUGH and completed else None,
                completed_at=completed,
                completed_by=(coach if stage in (Stage.IDEA, Stage.COACHED) else owner)
                if completed
                else None,
                overdue_at=_at(due_on + timedelta(days=1), 6) if is_overdue_then else None,
            )
        )


def _evidence(stage: Stage, proposal: Proposal) -> str | None:
    match stage:
        case Stage.IDEA:
            return None
        case Stage.OUTLINE:
            return f"Outline of “{proposal.title}” shared with the coach."
        case Stage.COACHED:
            return "Coaching call held; objectives tightened and timing agreed."
        case Stage.PREPPED:
            return "Slides and handout ready."
        case Stage.RUN_THROUGH:
            return "Run-through held with the coach."
        case Stage.DELIVERED:
            return "Delivered at the Learning Session."


async def _agenda(session: AsyncSession, session_id: int) -> list[tuple[AgendaItem, list[int]]]:
    items = list(
        await session.scalars(
            select(AgendaItem)
            .where(AgendaItem.session_id == session_id, AgendaItem.kind != AgendaItemKind.BREAK)
            .order_by(AgendaItem.starts_at, AgendaItem.id)
        )
    )
    people: dict[int, list[int]] = defaultdict(list)
    rows = await session.execute(
        select(AgendaAssignment.agenda_item_id, AgendaAssignment.person_id)
        .where(AgendaAssignment.agenda_item_id.in_([item.id for item in items]))
        .order_by(AgendaAssignment.id)
    )
    for item_id, person_id in rows:
        people[item_id].append(person_id)
    return [(item, people[item.id]) for item in items]


async def _spring_2014(
    session: AsyncSession,
    rng: random.Random,
    cast: Cast,
    spring: LearningSession,
    after: random.Random,
) -> None:
    opens, closes = SPRING_2014_CALL
    await _open_call(session, spring.id, opens, closes, cast)
    kinds = await _kinds(session)
    panel: tuple[Proposal, int] | None = None
    for index, (item, people) in enumerate(await _agenda(session, spring.id)):
        parent_panel = item.title == demo_story.OFFHAND_COMMENT_AGENDA_TITLE
        partners = [p for p in people if kinds.get(p) in PARTNER_KINDS]
        proposer = cast.parent if parent_panel else (partners or people or [cast.staff])[0]
        presenters = [proposer, *people] if parent_panel else people
        submitted = opens + timedelta(days=3 + (index * 5) % 45, hours=rng.randint(0, 12))
        proposal = await _propose(
            session,
            session_id=spring.id,
            proposer=proposer,
            title=item.title,
            kind=ProposalKind(item.kind.value),
            abstract=item.description or item.title,
            presenters=presenters,
            submitted=submitted,
            objectives=demo_story.OBJECTIVES_V4 if parent_panel else "",
        )
        proposal.agenda_item_id = item.id
        _review(session, rng, proposal, _reviewers(rng, cast, presenters), (3, 5), closes)
        coached = parent_panel or index % 3 == 0
        status = ProposalStatus.ACCEPTED_WITH_COACHING if coached else ProposalStatus.ACCEPTED
        _decide(proposal, status, cast.staff, SPRING_2014_DECIDED)
        if parent_panel:
            proposal.call_to_action = demo_story.CALL_V3
            panel = (proposal, item.id)
            await demo_after.panel_people(session, proposal, item.id, cast.parent)
        _stages(
            session,
            rng,
            proposal,
            starts_on=spring.starts_on,
            coach=cast.staff if parent_panel else rng.choice(cast.committee),
            done_through=Stage.DELIVERED,
            decided=SPRING_2014_DECIDED,
            rehearsal=PARENT_PANEL_REHEARSAL if parent_panel else None,
        )
    await _stalled_and_declined_2014(session, rng, cast, spring)
    if panel is not None:
        await demo_after.feedback(session, after, spring, panel[1])
        await demo_after.adoptions(session, after, spring, panel[0])


async def _kinds(session: AsyncSession) -> dict[int, PersonKind]:
    rows = await session.execute(select(Person.id, Person.kind))
    return {pk: kind for pk, kind in rows}


def _reviewers(rng: random.Random, cast: Cast, people: Sequence[int]) -> list[int]:
    """Two or three of the committee, never one of the proposal's own people."""
    eligible = [person for person in cast.committee if person not in people]
    return rng.sample(eligible, min(len(eligible), rng.choice((2, 3))))


async def _stalled_and_declined_2014(
    session: AsyncSession, rng: random.Random, cast: Cast, spring: LearningSession
) -> None:
    opens, closes = SPRING_2014_CALL
    for index, (title, kind, who, abstract, reason) in enumerate(DECLINED_2014):
        stalled = reason is None
        proposer = rng.choice(cast.by_kind[who])
        proposal = await _propose(
            session,
            session_id=spring.id,
            proposer=proposer,
            title=title,
            kind=kind,
            abstract=abstract,
            presenters=[proposer],
            submitted=opens + timedelta(days=20 + 4 * index),
        )
        scores = (2, 4) if stalled else (1, 3)
        _review(session, rng, proposal, _reviewers(rng, cast, [proposer]), scores, closes)
        if not stalled:
            _decide(proposal, ProposalStatus.DECLINED, cast.staff, SPRING_2014_DECIDED, reason)
            continue
        _decide(proposal, ProposalStatus.ACCEPTED_WITH_COACHING, cast.staff, SPRING_2014_DECIDED)
        stalled_at = STALLED_AT[index % len(STALLED_AT)]
        _stages(
            session,
            rng,
            proposal,
            starts_on=spring.starts_on,
            coach=rng.choice(cast.committee),
            done_through=STAGES[STAGES.index(stalled_at) - 1],
            decided=SPRING_2014_DECIDED,
            overdue_flagged=True,
        )


async def _present(
    session: AsyncSession,
    rng: random.Random,
    cast: Cast,
    upcoming: LearningSession,
    today: date,
) -> None:
    opens = _at(today - timedelta(days=60), 14)
    closes = max(_at(today + timedelta(days=7), 23), opens + timedelta(days=1))
    await _open_call(session, upcoming.id, opens, closes, cast)
    now = _at(today, 9)
    decided = _at(today - timedelta(days=14), 16)
    for index, plan in enumerate(PRESENT_PROPOSALS):
        proposer = _person_for(plan, cast, rng)
        presenters = [proposer, *(rng.choice(cast.by_kind[kind]) for kind in plan.with_kinds)]
        submitted = opens + timedelta(days=5 + 3 * index, hours=rng.randint(0, 10))
        proposal = await _propose(
            session,
            session_id=upcoming.id,
            proposer=proposer,
            title=plan.title,
            kind=plan.kind,
            abstract=plan.abstract,
            presenters=presenters,
            submitted=min(submitted, now - timedelta(days=1)),
            objectives=plan.objectives,
            audience=plan.audience,
        )
        reviewers = _reviewers(rng, cast, presenters)
        if plan.status is ProposalStatus.SUBMITTED:
            _review(session, rng, proposal, reviewers[:1], (3, 5), now - timedelta(days=2))
            continue
        _review(session, rng, proposal, reviewers, plan.scores, decided - timedelta(days=4))
        _decide(proposal, plan.status, cast.staff, decided, plan.reason)
        if plan.status is ProposalStatus.DECLINED or plan.done_through is None:
            continue
        due = {Stage.OUTLINE: today - timedelta(days=5)} if plan.slipping else None
        _stages(
            session,
            rng,
            proposal,
            starts_on=upcoming.starts_on,
            coach=cast.staff if plan.coached_by_staff else rng.choice(cast.committee),
            done_through=plan.done_through,
            decided=decided,
            due=due,
        )
    await _not_in_the_future(session, upcoming.id, now)


def _person_for(plan: PresentProposal, cast: Cast, rng: random.Random) -> int:
    if plan.proposer == "parent":
        return cast.parent
    if plan.proposer == "clinician":
        return cast.clinician
    return rng.choice(cast.by_kind[plan.proposer_kind])


async def _not_in_the_future(session: AsyncSession, session_id: int, now: datetime) -> None:
    """A stage completed early is completed by now at the latest."""
    await session.flush()
    stages = await session.scalars(
        select(ProposalStage)
        .join(Proposal, Proposal.id == ProposalStage.proposal_id)
        .where(Proposal.session_id == session_id, ProposalStage.completed_at > now)
    )
    for stage in stages:
        stage.completed_at = now - timedelta(hours=stage.position + 1)


async def load(session: AsyncSession, context: DemoContext) -> None:
    rng = context.rng(PLUGIN)
    cast = await _cast(session, context, rng)
    spring = await session.scalar(
        select(LearningSession).where(
            LearningSession.year == 2014, LearningSession.starts_on < date(2014, 7, 1)
        )
    )
    if spring is not None and spring.ends_on < context.today:
        await _spring_2014(session, rng, cast, spring, context.rng(f"{PLUGIN}:after"))
    upcoming = await session.scalar(
        select(LearningSession)
        .where(LearningSession.starts_on > context.today)
        .order_by(LearningSession.starts_on)
        .limit(1)
    )
    if upcoming is not None:
        await _present(session, rng, cast, upcoming, context.today)
    await session.flush()
