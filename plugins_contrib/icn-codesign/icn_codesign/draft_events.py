"""Event types of drafts and decisions: registered in plugin.py with the threads' own.

Their subject is the thread, so the notification engine mails them to the thread's followers
in the thread's one mail thread, to those its audience lets see it. They carry what the mail
shows (the draft's name, the revision's number and note, the decision's text) and what the
``icn_codesign_draft_finalised`` hook hands other plugins.
"""

from __future__ import annotations

from icn_graph.plugin_api import DomainEvent, SubjectRef, event_type

# Mail shows a revision's text up to this many characters; a longer one is cut, with a note.
MAIL_BODY_LENGTH = 4000


# The text stays out of Notification.data (the app reads the revision itself).
@event_type("thread.draft_revised", subject="thread", withheld=["body"])
class DraftRevised(DomainEvent):
    """Someone wrote a new revision of a draft in a co-design thread (the first one starts it)."""

    thread: SubjectRef
    title: str
    draft: SubjectRef
    draft_name: str
    revision: SubjectRef
    number: int
    note: str = ""
    author_name: str = ""
    # The revision's Markdown source, for mail (events recorded before it was kept have "").
    body: str = ""

    @property
    def body_cut(self) -> bool:
        """Whether mail shows only the start of the text (``mailed_body``)."""
        return len(self.body) > MAIL_BODY_LENGTH

    @property
    def mailed_body(self) -> str:
        if not self.body_cut:
            return self.body
        return self.body[:MAIL_BODY_LENGTH].rstrip() + " …"

    def summary(self, actor: str, title: str) -> str:
        if self.number == 1:
            return f"{actor} started the draft '{self.draft_name}' in {title}"
        return f"{actor} revised '{self.draft_name}' (revision {self.number}) in {title}"


@event_type("thread.revision_agreed", subject="thread")
class RevisionAgreed(DomainEvent):
    """A participant agreed with a revision of a draft."""

    thread: SubjectRef
    title: str
    draft: SubjectRef
    draft_name: str
    revision: SubjectRef
    number: int
    person_name: str = ""

    def summary(self, actor: str, title: str) -> str:
        return f"{actor} agreed with revision {self.number} of '{self.draft_name}' in {title}"


@event_type("thread.draft_finalised", subject="thread")
class DraftFinalised(DomainEvent):
    """A draft's owner (or network staff) made an agreed revision final."""

    thread: SubjectRef
    title: str
    draft: SubjectRef
    draft_name: str
    kind: str
    revision: SubjectRef
    number: int
    body: str
    attached_to: str | None = None  # the global ID of the Node the thread is attached to

    def summary(self, actor: str, title: str) -> str:
        return f"{actor} made '{self.draft_name}' final (revision {self.number}) in {title}"


@event_type("thread.decision_recorded", subject="thread")
class DecisionRecorded(DomainEvent):
    """Someone recorded a decision in a co-design thread's decision log."""

    thread: SubjectRef
    title: str
    decision: SubjectRef
    text: str
    text_html: str
    revision: SubjectRef | None = None
    message_count: int = 0

    def summary(self, actor: str, title: str) -> str:
        return f"{actor} recorded a decision in {title}"


DRAFT_EVENT_TYPES: tuple[type[DomainEvent], ...] = (
    DraftRevised,
    RevisionAgreed,
    DraftFinalised,
    DecisionRecorded,
)
