"""Registration type and the filter on ``LearningSession.registrations``."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from icn_graph import models
from icn_graph.errors import NotFound
from icn_graph.schema.context import Info
from icn_graph.schema.following import Followable
from icn_graph.schema.learning_sessions import enums, loaders
from icn_graph.schema.loaders import loaded
from icn_graph.schema.people import Person

if TYPE_CHECKING:
    from icn_graph.schema.learning_sessions.sessions import LearningSession

LearningSessionRef = Annotated[
    "LearningSession", strawberry.lazy("icn_graph.schema.learning_sessions.sessions")
]

__all__ = ["Registration", "RegistrationFilter", "enums"]


@strawberry.input(description="Which registrations to list; the conditions given all apply.")
class RegistrationFilter:
    part: models.RegistrationPart | None = strawberry.field(
        default=None, description="Only registrations with this part."
    )
    attended: bool | None = strawberry.field(
        default=None, description="Only those marked attended (true) or not (false)."
    )


@strawberry.type(description="A person registered for a Learning Session.")
class Registration(Followable):
    type_name = "Registration"

    part: models.RegistrationPart = strawberry.field(description="Why they come.")
    registered_at: datetime = strawberry.field(description="When they registered (UTC).")
    attended: bool = strawberry.field(
        description="Whether staff marked them attended (false until attendance is taken)."
    )
    person_pk: strawberry.Private[int]
    session_pk: strawberry.Private[int]

    @classmethod
    def from_model(cls, row: models.Registration) -> Registration:
        return cls(
            pk=row.id,
            part=row.part,
            registered_at=row.registered_at,
            attended=row.attended,
            person_pk=row.person_id,
            session_pk=row.session_id,
        )

    # These answer at once when a session's registrations page read them ahead.

    @strawberry.field(description="Who registered.", graphql_type=Person)
    def person(self, info: Info) -> Person | Awaitable[Person]:
        return loaded(info.context.loaders.person, self.person_pk, _registrant)

    @strawberry.field(
        description="The Learning Session they registered for.", graphql_type=LearningSessionRef
    )
    def session(self, info: Info) -> LearningSession | Awaitable[LearningSession]:
        return loaded(loaders.learning_session(info), self.session_pk, _session)


def _registrant(row: models.Person | None) -> Person:
    if row is None:
        raise NotFound("This registration's person no longer exists.")
    return Person.from_model(row)


def _session(row: models.LearningSession | None) -> LearningSession:
    from icn_graph.schema.learning_sessions.sessions import LearningSession

    if row is None:
        raise NotFound("This registration's Learning Session no longer exists.")
    return LearningSession.from_model(row)
