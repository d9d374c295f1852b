"""What drafts and decisions mean for ``threadActivity``: a revision, an agreement, a draft
made final, a decision recorded (the subject is the revision, or the decision)."""

from __future__ import annotations

from icn_codesign.draft_events import DecisionRecorded, DraftFinalised, DraftRevised, RevisionAgreed
from icn_codesign.live import Activity, ActivityKind
from icn_graph.plugin_api import Event


def draft_activity(event: Event) -> Activity | None:
    data = event.data
    match data:
        case DraftRevised():
            kind, thread, subject = ActivityKind.DRAFT_REVISED, data.thread, data.revision
        case RevisionAgreed():
            kind, thread, subject = ActivityKind.REVISION_AGREED, data.thread, data.revision
        case DraftFinalised():
            kind, thread, subject = ActivityKind.DRAFT_FINALISED, data.thread, data.revision
        case DecisionRecorded():
            kind, thread, subject = ActivityKind.DECISION_RECORDED, data.thread, data.decision
        case _:
            return None
    return Activity(thread.pk, kind, subject.global_id, event.occurred_at)
