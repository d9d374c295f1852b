"""The stewardship area's events: what happens to a data request, its views and its consents.

Every event's subject is the request (people follow requests, not views), and each carries the
request's purpose as ``title`` so mail reads right later. Events that name people who start to
follow the request (``stewards``, ``asked``) carry them as a snapshot; the notification engine's
automatic follows read those fields. A center's decision and a revocation are ``personal``: only
the requester (their ``person``) hears of them, so no other center learns another's answer.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from icn_graph.events.types import DomainEvent, SubjectRef, event_type
from icn_graph.models import (
    ConsentDecision,
    DataAudience,
    DataRequest,
    DataView,
    DataViewChart,
)


def request_refs(request: DataRequest) -> dict[str, Any]:
    """The fields every stewardship event has: the request and its purpose."""
    return {"request": SubjectRef("DataRequest", request.id), "title": request.purpose}


def view_ref(view: DataView) -> SubjectRef:
    return SubjectRef("DataView", view.id)


def people(person_ids: list[int] | tuple[int, ...] | set[int]) -> tuple[SubjectRef, ...]:
    return tuple(SubjectRef("Person", pk) for pk in sorted(set(person_ids)))


DECISION_WORDS = {
    ConsentDecision.CONSENT: "consented to be named",
    ConsentDecision.UNNAMED: "asked to be shown unnamed",
    ConsentDecision.DECLINE: "declined",
}


# Who else was told stays out of Notification.data (no field of the request shows them).
@event_type("data_request.submitted", subject="request", withheld=["stewards"])
class DataRequestSubmitted(DomainEvent):
    """Someone asked to use network data."""

    request: SubjectRef
    title: str
    audience: DataAudience
    measure_keys: tuple[str, ...]
    measure_names: tuple[str, ...]  # as the registry names them, for mail
    period_start: date
    period_end: date
    presentation: str
    stewards: tuple[SubjectRef, ...]  # the network data managers told of it (they follow it)

    def summary(self, actor: str, title: str) -> str:
        return f"{actor} asked to use network data for {title}"


@event_type("data_request.commented", subject="request")
class DataRequestCommented(DomainEvent):
    """Someone commented on a data request."""

    request: SubjectRef
    title: str
    comment: SubjectRef
    body: str

    def summary(self, actor: str, title: str) -> str:
        return f"{actor} commented on the data request {title}"


@event_type("data_view.proposed", subject="request")
class DataViewProposed(DomainEvent):
    """A data manager or staff member proposed a view for a data request."""

    request: SubjectRef
    title: str
    view: SubjectRef
    version: int
    measure_key: str
    measure_name: str
    chart: DataViewChart
    note: str

    def summary(self, actor: str, title: str) -> str:
        return f"{actor} proposed a view (version {self.version}) for {title}"


# The deciders asked name the view's centers, which a center's own decider may not see.
@event_type("data_view.accepted", subject="request", withheld=["asked"])
class DataViewAccepted(DomainEvent):
    """The requester accepted a proposed view: its centers are asked to decide."""

    request: SubjectRef
    title: str
    view: SubjectRef
    version: int
    asked: tuple[SubjectRef, ...]  # the deciders of the view's centers (they follow it)

    def summary(self, actor: str, title: str) -> str:
        return (
            f"{actor} accepted version {self.version} of the view for {title}: each center in it "
            "is asked whether it may be named"
        )


@event_type("data_view.rejected", subject="request")
class DataViewRejected(DomainEvent):
    """The requester rejected a proposed view ("no, let's try it this way")."""

    request: SubjectRef
    title: str
    view: SubjectRef
    version: int
    response: str

    def summary(self, actor: str, title: str) -> str:
        return f"{actor} rejected version {self.version} of the view for {title}"


@event_type("data_request.approved", subject="request")
class DataRequestApproved(DomainEvent):
    """Every center of a data request's accepted view has answered (or it names none)."""

    request: SubjectRef
    title: str
    view: SubjectRef
    version: int

    def summary(self, actor: str, title: str) -> str:
        return f"Every center has answered: {title} is approved"


@event_type("data_view.published", subject="request")
class DataViewPublished(DomainEvent):
    """A request's accepted view was published: its audience can open it from now on.

    A public audience opens it through a link; consent is applied at every read."""

    request: SubjectRef
    title: str
    view: SubjectRef
    version: int
    audience: DataAudience

    def summary(self, actor: str, title: str) -> str:
        shown_to = (
            "anyone holding its public link"
            if self.audience is DataAudience.PUBLIC
            else "every member of the network"
        )
        return f"{actor} published the view for {title}: {shown_to} can now open it"


@event_type("data_request.declined", subject="request")
class DataRequestDeclined(DomainEvent):
    """A data manager or staff member declined a data request, giving a reason."""

    request: SubjectRef
    title: str
    reason: str

    def summary(self, actor: str, title: str) -> str:
        return f"{actor} declined the data request {title}"


@event_type("data_request.withdrawn", subject="request")
class DataRequestWithdrawn(DomainEvent):
    """A data request was withdrawn (by its requester or staff)."""

    request: SubjectRef
    title: str
    reason: str | None

    def summary(self, actor: str, title: str) -> str:
        return f"{actor} withdrew the data request {title}"


@event_type("display_consent.decided", subject="request", personal=True)
class DisplayConsentDecided(DomainEvent):
    """A center consented to be named in a data view (the requester hears).

    No other answer is recorded as an event: see ``access.sees_decision``."""

    request: SubjectRef
    title: str
    person: SubjectRef  # the requester: they alone hear of it
    view: SubjectRef
    version: int
    consent: SubjectRef
    center_name: str
    decision: ConsentDecision
    expires_on: date
    note: str

    def summary(self, actor: str, title: str) -> str:
        return f"{self.center_name} {DECISION_WORDS[self.decision]} for {title}"


@event_type("display_consent.revoked", subject="request", personal=True)
class DisplayConsentRevoked(DomainEvent):
    """A center revoked its consent to a data view (the requester hears).

    Not recorded when an UNNAMED answer is revoked: see ``access.sees_decision``."""

    request: SubjectRef
    title: str
    person: SubjectRef  # the requester: they alone hear of it
    view: SubjectRef
    consent: SubjectRef
    center_name: str
    reason: str | None

    def summary(self, actor: str, title: str) -> str:
        return f"{self.center_name} revoked its consent for {title}"


EVENT_TYPES: tuple[type[DomainEvent], ...] = (
    DataRequestSubmitted,
    DataRequestCommented,
    DataViewProposed,
    DataViewAccepted,
    DataViewRejected,
    DataRequestApproved,
    DataViewPublished,
    DataRequestDeclined,
    DataRequestWithdrawn,
    DisplayConsentDecided,
    DisplayConsentRevoked,
)
