"""One class per root or extended type, each area's fields kept in its own module: the
contribution's classes combine them by inheritance."""

from __future__ import annotations

import strawberry

from icn_panels.schema.extensions import LearningSessionProposals
from icn_panels.schema.feedback import FeedbackMutation, LearningSessionFeedback
from icn_panels.schema.root import PanelsMutation


@strawberry.type
class PanelsMutations(PanelsMutation, FeedbackMutation):
    """Proposals and their pipeline (``root``), and feedback (``feedback``)."""


@strawberry.type
class LearningSessionPanels(LearningSessionProposals, LearningSessionFeedback):
    """``root`` is the Learning Session: its proposals and its feedback."""
