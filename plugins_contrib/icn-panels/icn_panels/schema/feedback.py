"""Feedback on a Learning Session (icn-panels): ``answerFeedback``, and on core's
``LearningSession`` the published results (``feedback``), the viewer's own answer
(``viewerFeedback``) and ``viewerCanAnswerFeedback``. The rules are ``icn_panels.feedback``'s;
what is hidden is ``icn_panels.suppression``'s."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.dataloader import DataLoader

from icn_graph.plugin_api import (
    USER_ERRORS_DESCRIPTION,
    AgendaItemType,
    Database,
    Info,
    InputArgument,
    LearningSessionType,
    UserError,
    attempt,
    described_enum,
    expect_global_id,
    fetch_node,
    utcnow,
)
from icn_panels import feedback
from icn_panels.models import COMMUNITY_PROMPTS, CommunityItem, FeedbackRole
from icn_panels.suppression import MIN_ANSWERS, Cell, Table

described_enum(
    FeedbackRole,
    name="FeedbackRole",
    description="The group a feedback answer is counted in, from the person's kind and "
    "network role when they answered.",
    values={
        FeedbackRole.NETWORK_STAFF: "Network staff and admins (not partners).",
        FeedbackRole.CARE_TEAM: "Care teams: clinicians, nurses, dietitians, social workers, "
        "psychologists, QI leads and data managers.",
        FeedbackRole.PARENT_PARTNER: "Parent partners.",
        FeedbackRole.PATIENT_PARTNER: "Patient partners.",
    },
)
described_enum(
    CommunityItem,
    name="CommunityItem",
    description="A statement of the closing poll, adapted from the Sense of Community Index; "
    "answered from 1 (strongly disagree) to 5 (strongly agree).",
    values={item: f"{COMMUNITY_PROMPTS[item]!r}" for item in CommunityItem},
)


@strawberry.type(
    description="One group's answers to one question: hidden (all null, `suppressed` true, "
    "with a `reason`) when fewer than 5 answered, or when showing it would let a hidden group "
    "be worked out."
)
class FeedbackGroupResult:
    role: FeedbackRole | None = strawberry.field(
        description="The group; null for everyone together (the overall result)."
    )
    suppressed: bool = strawberry.field(description="Whether the numbers are hidden.")
    reason: str | None = strawberry.field(description="Why they are hidden; null if shown.")
    count: int | None = strawberry.field(description="How many answered; null if hidden.")
    mean: float | None = strawberry.field(
        description="The mean answer (1 to 5, two decimals); null if hidden or no answers."
    )
    distribution: list[int] | None = strawberry.field(
        description="How many answered 1, 2, 3, 4 and 5, in that order; null if hidden."
    )

    @classmethod
    def from_cell(cls, cell: Cell) -> FeedbackGroupResult:
        return cls(
            role=cell.role,
            suppressed=cell.suppressed,
            reason=cell.reason,
            count=cell.count,
            mean=cell.mean,
            distribution=list(cell.distribution) if cell.distribution is not None else None,
        )


def _groups(table: Table) -> list[FeedbackGroupResult]:
    return [FeedbackGroupResult.from_cell(cell) for cell in table.by_role]


@strawberry.type(description="The results of one closing-poll statement.")
class CommunityItemResult:
    item: CommunityItem = strawberry.field(description="The statement.")
    statement: str = strawberry.field(description="Its wording, as answered.")
    overall: FeedbackGroupResult = strawberry.field(description="Everyone's answers together.")
    by_role: list[FeedbackGroupResult] = strawberry.field(
        description="Per role group, every group listed (in `FeedbackRole` order)."
    )


@strawberry.type(description="The ratings of one agenda item.")
class AgendaItemFeedbackResult:
    agenda_item: AgendaItemType = strawberry.field(description="The agenda item.")
    overall: FeedbackGroupResult = strawberry.field(description="Every rating together.")
    by_role: list[FeedbackGroupResult] = strawberry.field(
        description="Per role group, every group listed (in `FeedbackRole` order)."
    )


@strawberry.type(
    description="A Learning Session's feedback results: aggregates only, the same for every "
    "member; a group of fewer than 5 answers is hidden."
)
class LearningSessionFeedbackResults:
    min_answers: int = strawberry.field(description="The smallest group shown: 5 answers.")
    community: list[CommunityItemResult] = strawberry.field(
        description="The closing poll, statement by statement."
    )
    agenda_items: list[AgendaItemFeedbackResult] = strawberry.field(
        description="Every agenda item but breaks, by start time, with its ratings."
    )
    comments: list[str] | None = strawberry.field(
        description="The comments, without names, in alphabetical order: network staff only "
        "(null for everyone else)."
    )

    @classmethod
    def from_results(cls, results: feedback.Results) -> LearningSessionFeedbackResults:
        return cls(
            min_answers=MIN_ANSWERS,
            community=[
                CommunityItemResult(
                    item=item,
                    statement=COMMUNITY_PROMPTS[item],
                    overall=FeedbackGroupResult.from_cell(table.overall),
                    by_role=_groups(table),
                )
                for item, table in results.community.items()
            ],
            agenda_items=[
                AgendaItemFeedbackResult(
                    agenda_item=AgendaItemType.from_model(entry.agenda_item),
                    overall=FeedbackGroupResult.from_cell(entry.table.overall),
                    by_role=_groups(entry.table),
                )
                for entry in results.agenda
            ],
            comments=results.comments,
        )


@strawberry.type(description="The viewer's rating of one agenda item.")
class AgendaItemRating:
    agenda_item: AgendaItemType = strawberry.field(description="The agenda item.")
    score: int = strawberry.field(description="From 1 (poor) to 5 (excellent).")


@strawberry.type(description="The viewer's own answer to a Learning Session's feedback survey.")
class FeedbackAnswer:
    role: FeedbackRole = strawberry.field(description="The group it is counted in.")
    belonging: int = strawberry.field(description=COMMUNITY_PROMPTS[CommunityItem.BELONGING])
    needs_met: int = strawberry.field(description=COMMUNITY_PROMPTS[CommunityItem.NEEDS_MET])
    shared_goals: int = strawberry.field(description=COMMUNITY_PROMPTS[CommunityItem.SHARED_GOALS])
    influence: int = strawberry.field(description=COMMUNITY_PROMPTS[CommunityItem.INFLUENCE])
    ratings: list[AgendaItemRating] = strawberry.field(
        description="The agenda items rated, by start time."
    )
    comment: str = strawberry.field(description="The comment (read by network staff, unnamed).")
    updated_at: datetime = strawberry.field(description="When it was last answered (UTC).")

    @classmethod
    def from_answer(cls, own: feedback.OwnAnswer) -> FeedbackAnswer:
        row = own.feedback
        return cls(
            role=row.role,
            belonging=row.belonging,
            needs_met=row.needs_met,
            shared_goals=row.shared_goals,
            influence=row.influence,
            ratings=[
                AgendaItemRating(agenda_item=AgendaItemType.from_model(item), score=score)
                for item, score in own.ratings
            ],
            comment=row.comment,
            updated_at=row.updated_at,
        )


def _results(info: Info) -> DataLoader[int, feedback.Results | None]:
    viewer = info.context.viewer

    async def batch(db: Database, pks: list[int]) -> list[feedback.Results | None]:
        return await feedback.results_of_sessions(db, viewer, pks)

    return info.context.loaders.get("icn-panels.feedback_results", batch)


def _own(info: Info) -> DataLoader[int, feedback.OwnAnswer | None]:
    viewer = info.context.viewer

    async def batch(db: Database, pks: list[int]) -> list[feedback.OwnAnswer | None]:
        return await feedback.own_answers(db, viewer, pks)

    return info.context.loaders.get("icn-panels.own_feedback", batch)


@strawberry.type
class LearningSessionFeedback:
    """``root`` is the Learning Session."""

    @strawberry.field(
        description="Its feedback results (icn-panels): the closing poll and the agenda "
        "items' ratings per role group and overall, groups of fewer than 5 answers hidden; "
        "null for anonymous viewers. Comments for network staff only."
    )
    async def feedback(
        self, root: LearningSessionType, info: Info
    ) -> LearningSessionFeedbackResults | None:
        results = await _results(info).load(root.pk)
        return LearningSessionFeedbackResults.from_results(results) if results else None

    @strawberry.field(
        description="The viewer's own feedback answer (icn-panels); null if none (or anonymous)."
    )
    async def viewer_feedback(self, root: LearningSessionType, info: Info) -> FeedbackAnswer | None:
        own = await _own(info).load(root.pk)
        return FeedbackAnswer.from_answer(own) if own else None

    @strawberry.field(
        description="Whether the viewer may answer its feedback survey (`answerFeedback`): any "
        "signed-in member, from the session's first day (in its time zone) on."
    )
    def viewer_can_answer_feedback(self, root: LearningSessionType, info: Info) -> bool:
        return feedback.may_answer(info.context.viewer, root.starts_on, root.timezone, utcnow())


@strawberry.input(description="The viewer's rating of one agenda item.")
class AgendaItemRatingInput:
    agenda_item_id: strawberry.ID = strawberry.field(
        description="An agenda item of the session (not a break), rated once."
    )
    score: int = strawberry.field(description="From 1 (poor) to 5 (excellent).")


@strawberry.input(
    description="An answer to a Learning Session's feedback survey; it replaces the viewer's "
    "earlier answer, ratings and comment included."
)
class AnswerFeedbackInput:
    learning_session_id: strawberry.ID = strawberry.field(
        description="The Learning Session; from its first day on."
    )
    belonging: int = strawberry.field(
        description=f"{COMMUNITY_PROMPTS[CommunityItem.BELONGING]} From 1 to 5."
    )
    needs_met: int = strawberry.field(
        description=f"{COMMUNITY_PROMPTS[CommunityItem.NEEDS_MET]} From 1 to 5."
    )
    shared_goals: int = strawberry.field(
        description=f"{COMMUNITY_PROMPTS[CommunityItem.SHARED_GOALS]} From 1 to 5."
    )
    influence: int = strawberry.field(
        description=f"{COMMUNITY_PROMPTS[CommunityItem.INFLUENCE]} From 1 to 5."
    )
    ratings: list[AgendaItemRatingInput] = strawberry.field(
        default_factory=list, description="Optional overall ratings of agenda items attended."
    )
    comment: str = strawberry.field(
        default="",
        description="Optional; read by network staff only, never with a name; at most 2000 "
        "characters.",
    )


@strawberry.type(description="What `answerFeedback` did.")
class AnswerFeedbackPayload:
    feedback: FeedbackAnswer | None = strawberry.field(
        description="The viewer's answer as stored; null if refused."
    )
    learning_session: LearningSessionType | None = strawberry.field(
        description="The Learning Session; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type
class FeedbackMutation:
    @strawberry.mutation(
        description="Answer (or revise the answer to) a Learning Session's feedback survey: "
        "the closing poll, optional agenda item ratings and a comment; any member, from the "
        "session's first day on."
    )
    async def answer_feedback(
        self, info: Info, input: InputArgument[AnswerFeedbackInput]
    ) -> AnswerFeedbackPayload:
        pk = expect_global_id(
            input.learning_session_id, "LearningSession", field="learningSessionId"
        )
        ratings = tuple(
            feedback.Rating(
                agenda_item_id=expect_global_id(
                    rating.agenda_item_id, "AgendaItem", field=f"ratings[{index}].agendaItemId"
                ),
                score=rating.score,
            )
            for index, rating in enumerate(input.ratings)
        )
        answer = feedback.Answer(
            scores={
                CommunityItem.BELONGING: input.belonging,
                CommunityItem.NEEDS_MET: input.needs_met,
                CommunityItem.SHARED_GOALS: input.shared_goals,
                CommunityItem.INFLUENCE: input.influence,
            },
            ratings=ratings,
            comment=input.comment,
        )
        row, errors = await attempt(
            feedback.answer_feedback(info.context.db, info.context.viewer, pk, answer)
        )
        if row is None:
            return AnswerFeedbackPayload(feedback=None, learning_session=None, user_errors=errors)
        own = await feedback.own_answers(info.context.db, info.context.viewer, [pk])
        found = await fetch_node(info, "LearningSession", pk)
        return AnswerFeedbackPayload(
            feedback=FeedbackAnswer.from_answer(own[0]) if own[0] else None,
            learning_session=found if isinstance(found, LearningSessionType) else None,
            user_errors=[],
        )
