"""What happens to an account after it is made: its profile changes, it is deactivated or
reactivated. Each is personal: only the person it is about hears of it (never followers of the
person), and never of their own action."""

from __future__ import annotations

from icn_graph.events.types import DomainEvent, FieldChange, SubjectRef, event_type


def _changed(changes: tuple[FieldChange, ...]) -> str:
    return ", ".join(change.field for change in changes) or "nothing"


@event_type("person.updated", subject="person", personal=True)
class PersonUpdated(DomainEvent):
    """A person's profile changed (their own edit, a confirmed email, or staff's)."""

    person: SubjectRef
    name: str
    changes: tuple[FieldChange, ...]

    def summary(self, actor: str, title: str) -> str:
        return f"{actor} changed the account of {title}: {_changed(self.changes)}"


# Staff's reason is theirs: no field shows it, so Notification.data does not either.
@event_type("person.deactivated", subject="person", personal=True, withheld=["reason"])
class PersonDeactivated(DomainEvent):
    """Staff deactivated an account: its tokens were revoked and it can no longer sign in."""

    person: SubjectRef
    name: str
    reason: str

    def summary(self, actor: str, title: str) -> str:
        return f"{actor} deactivated the account of {title}"


@event_type("person.reactivated", subject="person", personal=True)
class PersonReactivated(DomainEvent):
    """Staff reactivated an account: the person can sign in again."""

    person: SubjectRef
    name: str

    def summary(self, actor: str, title: str) -> str:
        return f"{actor} reactivated the account of {title}"


ACCOUNT_EVENT_TYPES: tuple[type[DomainEvent], ...] = (
    PersonUpdated,
    PersonDeactivated,
    PersonReactivated,
)
