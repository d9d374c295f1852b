"""The plugin's event types, one per state change: registered in plugin.py, recorded by the
services in the transaction of the change.

Events about a proposal have the proposal as their subject (a restricted type: only staff, the
session's committee, its proposer and presenters hear of it). A review's event has the review
as its subject, a type only the committee may see (less the proposal's own people), and keeps
the score and comment out of notification data besides: presenters never learn them.
"""

from __future__ import annotations

from icn_graph.plugin_api import DomainEvent, SubjectRef, event_type


@event_type("call_for_proposals.opened", subject="learning_session")
class CallForProposalsOpened(DomainEvent):
    """Network staff opened (or rescheduled) a Learning Session's call for proposals."""

    learning_session: SubjectRef
    opens_at: str  # ISO 8601, UTC
    closes_at: str

    def summary(self, actor: str, title: str) -> str:
        return f"{actor} opened the call for proposals for {title}"


@event_type("proposal.submitted", subject="proposal")
class ProposalSubmitted(DomainEvent):
    """A member proposed a panel, breakout, workshop, plenary or poster for a session."""

    proposal: SubjectRef
    learning_session: SubjectRef
    title: str
    kind: str

    def summary(self, actor: str, title: str) -> str:
        return f"{actor} proposed {title}"


@event_type("proposal.presenter_requested", subject="proposal", personal=True)
class PresenterRequested(DomainEvent):
    """A proposal names someone as a presenter: they alone hear of it, to confirm or decline."""

    proposal: SubjectRef
    person: SubjectRef
    title: str

    def summary(self, actor: str, title: str) -> str:
        return f"{actor} asks you to present {title}: confirm or decline"


@event_type("proposal.presenter_responded", subject="proposal")
class PresenterResponded(DomainEvent):
    """A proposed presenter confirmed (consented to be listed) or declined."""

    proposal: SubjectRef
    presenter: SubjectRef
    presenter_name: str
    consent: str  # CONFIRMED or DECLINED
    # The proposer: they hear of it (the field core's notifications address).
    person: SubjectRef | None = None

    def summary(self, actor: str, title: str) -> str:
        verb = "confirmed" if self.consent == "CONFIRMED" else "declined"
        return f"{self.presenter_name} {verb} presenting {title}"


@event_type("proposal.reviewer_granted", subject="learning_session", personal=True)
class ReviewerGranted(DomainEvent):
    """Network staff added someone to a session's review committee: they alone hear of it."""

    learning_session: SubjectRef
    person: SubjectRef

    def summary(self, actor: str, title: str) -> str:
        return f"{actor} added you to the review committee of {title}"


@event_type("proposal.reviewed", subject="review", withheld=["score", "comment"])
class ProposalReviewed(DomainEvent):
    """A committee member scored a proposal (or revised their review)."""

    review: SubjectRef
    proposal: SubjectRef
    title: str
    score: int
    comment: str

    def summary(self, actor: str, title: str) -> str:
        return f"{actor} reviewed {title}"


@event_type("proposal.decided", subject="proposal")
class ProposalDecided(DomainEvent):
    """Network staff accepted, accepted with coaching, or declined a proposal."""

    proposal: SubjectRef
    title: str
    decision: str  # ACCEPT, ACCEPT_WITH_COACHING or DECLINE
    reason: str = ""
    # The proposer: they hear of it however they follow it.
    person: SubjectRef | None = None

    def summary(self, actor: str, title: str) -> str:
        match self.decision:
            case "ACCEPT":
                return f"{actor} accepted {title}"
            case "ACCEPT_WITH_COACHING":
                return f"{actor} accepted {title}, with coaching"
            case _:
                return f"{actor} declined {title}"


@event_type("proposal.stage_advanced", subject="proposal")
class StageAdvanced(DomainEvent):
    """A stage of an accepted proposal was completed, with its evidence; the next one is due."""

    proposal: SubjectRef
    title: str
    stage: str  # the stage completed: OUTLINE, COACHED, ...
    evidence: str = ""
    rehearsal_on: str | None = None  # ISO date, for RUN_THROUGH
    next_stage: str | None = None
    # The owner of the next stage: they hear of it.
    person: SubjectRef | None = None

    def summary(self, actor: str, title: str) -> str:
        label = self.stage.replace("_", "-").lower()
        return f"{actor} completed the {label} stage of {title}"


@event_type("proposal.stage_assigned", subject="proposal")
class StageAssigned(DomainEvent):
    """Network staff set a stage's owner, coach or due date."""

    proposal: SubjectRef
    title: str
    stage: str
    due_on: str  # ISO date
    owner: SubjectRef | None = None
    coach: SubjectRef | None = None
    # The stage's owner: they hear of it.
    person: SubjectRef | None = None

    def summary(self, actor: str, title: str) -> str:
        label = self.stage.replace("_", "-").lower()
        return f"{actor} updated the {label} stage of {title} (due {self.due_on})"


@event_type("proposal.stage_overdue", subject="proposal")
class StageOverdue(DomainEvent):
    """A stage passed its due date undone: recorded once per stage by the overdue job. Its
    owner hears of it (``person``), its coach because they follow the proposal."""

    proposal: SubjectRef
    title: str
    stage: str
    due_on: str  # ISO date
    coach: SubjectRef | None = None
    person: SubjectRef | None = None

    def summary(self, actor: str, title: str) -> str:
        label = self.stage.replace("_", "-").lower()
        return f"The {label} stage of {title} is overdue (it was due {self.due_on})"


@event_type("proposal.scheduled", subject="proposal")
class ProposalScheduled(DomainEvent):
    """Network staff put a prepped proposal on its session's agenda (core records
    ``agenda_item.added`` and ``agenda_item.assigned`` in the same transaction)."""

    proposal: SubjectRef
    title: str
    agenda_item: SubjectRef
    learning_session: SubjectRef
    starts_at: str  # ISO 8601, UTC
    ends_at: str
    room: str = ""
    # The proposer: they hear of it, as do people following the proposal.
    person: SubjectRef | None = None

    def summary(self, actor: str, title: str) -> str:
        return f"{actor} put {title} on the agenda"


@event_type("feedback.answered", subject="learning_session", personal=True)
class FeedbackAnswered(DomainEvent):
    """A member answered (or revised their answer to) a Learning Session's feedback survey.
    Personal, about the one who answered (who is also its actor, and never hears of their own
    action): nobody is notified. The scores and comment stay out of the event (results are
    published only as suppressed aggregates)."""

    learning_session: SubjectRef
    person: SubjectRef
    revised: bool
    ratings: int  # how many agenda items the answer rates

    def summary(self, actor: str, title: str) -> str:
        return f"{actor} answered the feedback survey of {title}"


@event_type("proposal.panelist_invited", subject="proposal")
class PanelistInvited(DomainEvent):
    """Someone was invited to moderate or sit on a panel: they hear of it (``person``), as do
    people following the proposal (its proposer)."""

    proposal: SubjectRef
    invitation: SubjectRef
    title: str
    role: str  # MODERATOR or PANELIST
    person_name: str
    message: str = ""
    # The person invited.
    person: SubjectRef | None = None

    def summary(self, actor: str, title: str) -> str:
        part = "moderate" if self.role == "MODERATOR" else "sit on the panel"
        return f"{actor} invited {self.person_name} to {part}: {title}"


@event_type("proposal.panelist_responded", subject="proposal")
class PanelistResponded(DomainEvent):
    """An invited moderator or panelist accepted or declined (with a reason)."""

    proposal: SubjectRef
    invitation: SubjectRef
    title: str
    role: str
    panelist: SubjectRef
    panelist_name: str
    state: str  # ACCEPTED or DECLINED
    reason: str = ""
    # The proposer: they hear of it, as do people following the proposal.
    person: SubjectRef | None = None

    def summary(self, actor: str, title: str) -> str:
        verb = "accepted" if self.state == "ACCEPTED" else "declined"
        part = "moderating" if self.role == "MODERATOR" else "sitting on the panel"
        return f"{self.panelist_name} {verb} {part}: {title}"


@event_type("proposal.panel_text_finalised", subject="proposal")
class PanelTextFinalised(DomainEvent):
    """A panel's "Objectives" or "Call to action" draft became final in its co-design thread:
    the proposal's ``objectives`` or ``call_to_action`` is now its text. Recorded when
    icn-codesign tells of the final draft (after the finalising commit); its actor is the
    person who finalised it."""

    proposal: SubjectRef
    title: str
    field: str  # objectives or call_to_action
    draft: SubjectRef
    text: str
    # The proposer: they hear of it, as do people following the proposal.
    person: SubjectRef | None = None

    def summary(self, actor: str, title: str) -> str:
        if self.field == "objectives":
            return f"The objectives of {title} are final"
        return f"The call to action of {title} is final"


EVENT_TYPES: tuple[type[DomainEvent], ...] = (
    CallForProposalsOpened,
    ProposalSubmitted,
    PresenterRequested,
    PresenterResponded,
    ReviewerGranted,
    ProposalReviewed,
    ProposalDecided,
    StageAdvanced,
    StageAssigned,
    StageOverdue,
    ProposalScheduled,
    FeedbackAnswered,
    PanelistInvited,
    PanelistResponded,
    PanelTextFinalised,
)
