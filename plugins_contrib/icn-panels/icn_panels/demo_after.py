"""What the demo's Spring 2014 parent panel became (``demo``): its moderator and panelists (the
agenda item's people, invited by the parent and accepted in January), its co-design thread (the
story's, when icn-codesign's demo wrote it), the session's feedback (about eighty attendees'
closing poll and ratings), and its call to action adopted by five centers as 90-day goals
written on the session's last day, with check-ins through the spring; four done by July, one
dropped."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from icn_codesign import demo_story
from icn_codesign.models import Thread
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.plugin_api import (
    AgendaAssignment,
    AgendaPart,
    CenterRole,
    CheckIn,
    Goal,
    GoalStatus,
    LearningSession,
    Membership,
    Person,
    Registration,
)
from icn_panels.adoptions import prefill_aim
from icn_panels.feedback import role_of
from icn_panels.models import (
    Adoption,
    FeedbackRating,
    InvitationState,
    PanelInvitation,
    PanelRole,
    Proposal,
    SessionFeedback,
)

INVITED = datetime(2014, 1, 20, 3, 30, tzinfo=UTC)  # Dana writes at night
ANSWERS = 80
GOAL_DAYS = 90
# How the five centers' goals went: the check-ins' statuses, then how each closed.
GOAL_PATHS: tuple[tuple[tuple[GoalStatus, ...], GoalStatus], ...] = (
    ((GoalStatus.ON_TRACK, GoalStatus.ON_TRACK), GoalStatus.DONE),
    ((GoalStatus.ON_TRACK, GoalStatus.AT_RISK), GoalStatus.DONE),
    ((GoalStatus.AT_RISK, GoalStatus.ON_TRACK), GoalStatus.DONE),
    ((GoalStatus.ON_TRACK, GoalStatus.ON_TRACK), GoalStatus.DONE),
    ((GoalStatus.AT_RISK, GoalStatus.OFF_TRACK), GoalStatus.DROPPED),
)
CHECK_IN_NOTES: dict[GoalStatus, str] = {
    GoalStatus.ON_TRACK: "A parent joined our QI meeting (evening slot) and took the pre-visit "
    "planning test.",
    GoalStatus.AT_RISK: "We asked two families; both said yes, but the meeting time is still "
    "a problem.",
    GoalStatus.OFF_TRACK: "Our QI lead is on leave; nothing moved this month.",
}


async def panel_people(
    session: AsyncSession, proposal: Proposal, item_id: int, proposer: int
) -> None:
    """The agenda item's moderator and panelists as the panel's accepted invitations."""
    rows = await session.execute(
        select(AgendaAssignment.person_id, AgendaAssignment.part)
        .where(AgendaAssignment.agenda_item_id == item_id)
        .order_by(AgendaAssignment.id)
    )
    for offset, (person_id, part) in enumerate(rows):
        if person_id == proposer or part not in (AgendaPart.MODERATOR, AgendaPart.PANELIST):
            continue
        role = PanelRole.MODERATOR if part == AgendaPart.MODERATOR else PanelRole.PANELIST
        session.add(
            PanelInvitation(
                proposal_id=proposal.id,
                person_id=person_id,
                role=role,
                state=InvitationState.ACCEPTED,
                message="Would you join our panel at Spring 2014? Evenings work for calls.",
                invited_by=proposer,
                invited_at=INVITED + timedelta(minutes=offset),
                responded_at=INVITED + timedelta(days=1 + offset % 3, hours=offset),
            )
        )
    thread = await session.scalar(
        select(Thread.id).where(Thread.title == demo_story.THREAD_TITLE).limit(1)
    )
    if thread is not None:
        proposal.thread_id = thread


async def feedback(
    session: AsyncSession, rng: random.Random, spring: LearningSession, panel_item: int
) -> None:
    """About eighty attendees answer the closing poll on the last day, most rating the panel."""
    attendees = list(
        await session.execute(
            select(Person.id, Person.kind, Person.network_role)
            .join(Registration, Registration.person_id == Person.id)
            .where(Registration.session_id == spring.id)
            .order_by(Person.id)
        )
    )
    answered = datetime.combine(spring.ends_on, datetime.min.time(), tzinfo=UTC)
    for person_id, kind, network_role in rng.sample(attendees, min(ANSWERS, len(attendees))):
        role = role_of(kind, network_role)
        lift = 1 if role.value.endswith("PARTNER") else 0
        row = SessionFeedback(
            session_id=spring.id,
            person_id=person_id,
            role=role,
            belonging=min(5, rng.randint(3, 5) + lift),
            needs_met=rng.randint(3, 5),
            shared_goals=rng.randint(4, 5),
            influence=min(5, rng.randint(2, 4) + lift),
            comment=rng.choice(COMMENTS),
            created_at=answered + timedelta(hours=rng.randint(15, 40)),
        )
        row.updated_at = row.created_at
        session.add(row)
        await session.flush()
        if rng.random() < 0.8:
            session.add(
                FeedbackRating(
                    feedback_id=row.id, agenda_item_id=panel_item, score=rng.randint(4, 5)
                )
            )


COMMENTS = (
    "",
    "",
    "The parent panel was the best hour of the session.",
    "For the first time I knew where parents fit in our QI work.",
    "More time for the storyboard walk, please.",
    "Evening calls made it possible for me to be part of this.",
)


async def adoptions(
    session: AsyncSession,
    rng: random.Random,
    spring: LearningSession,
    proposal: Proposal,
) -> None:
    """Five centers' QI leads adopt the call to action on the last day; their goals' spring."""
    leads = list(
        await session.execute(
            select(Membership.center_id, Membership.person_id)
            .where(Membership.role == CenterRole.QI_LEAD)
            .order_by(Membership.center_id, Membership.person_id)
        )
    )
    first_lead: dict[int, int] = {}
    for center_id, person_id in leads:
        first_lead.setdefault(center_id, person_id)
    centers = rng.sample(sorted(first_lead), min(len(GOAL_PATHS), len(first_lead)))
    written = datetime.combine(spring.ends_on, datetime.min.time(), tzinfo=UTC) + timedelta(
        hours=17
    )
    for center_id, (checks, closed) in zip(centers, GOAL_PATHS, strict=False):
        lead = first_lead[center_id]
        goal = Goal(
            center_id=center_id,
            title=f"Adopted: {proposal.title}"[:200],
            aim=prefill_aim(proposal.call_to_action or ""),
            starts_on=spring.ends_on,
            due_on=spring.ends_on + timedelta(days=GOAL_DAYS),
            status=closed,
            confidence=7,
            created_by_id=lead,
            updated_by_id=lead,
            created_at=written,
            updated_at=written,
        )
        session.add(goal)
        await session.flush()
        for month, status in enumerate(checks, start=1):
            session.add(
                CheckIn(
                    goal_id=goal.id,
                    author_id=lead,
                    note=CHECK_IN_NOTES[status],
                    status=status,
                    confidence=8 if status == GoalStatus.ON_TRACK else 5,
                    created_at=written + timedelta(days=30 * month),
                )
            )
        goal.closed_at = _at(spring.ends_on + timedelta(days=GOAL_DAYS - rng.randint(0, 10)))
        session.add(
            Adoption(
                proposal_id=proposal.id,
                goal_id=goal.id,
                center_id=center_id,
                adopted_by=lead,
                adopted_at=written,
            )
        )


def _at(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=16)
