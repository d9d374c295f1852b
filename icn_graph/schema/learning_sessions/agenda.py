"""AgendaItem type, the people on an item, and ``Person.agendaItems``."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo

import strawberry

from icn_graph import models
from icn_graph.errors import NotFound
from icn_graph.schema.context import Info
from icn_graph.schema.following import Followable
from icn_graph.schema.learning_sessions import enums, loaders
from icn_graph.schema.people import Person
from icn_graph.services.learning_sessions.planning import may_plan

if TYPE_CHECKING:
    from icn_graph.schema.learning_sessions.sessions import LearningSession

LearningSessionRef = Annotated[
    "LearningSession", strawberry.lazy("icn_graph.schema.learning_sessions.sessions")
]

__all__ = ["AgendaItem", "AgendaPerson", "enums"]

PARTNER_KINDS = frozenset({models.PersonKind.PARENT_PARTNER, models.PersonKind.PATIENT_PARTNER})


async def _session(info: Info, pk: int) -> models.LearningSession:
    row = await loaders.learning_session(info).load(pk)
    if row is None:
        raise NotFound("This agenda item's Learning Session no longer exists.")
    return row


@strawberry.type(description="A person on an agenda item, and their part on it.")
class AgendaPerson:
    part: models.AgendaPart = strawberry.field(description="What they do on the item.")
    person_pk: strawberry.Private[int]

    @strawberry.field(description="Who it is.")
    async def person(self, info: Info) -> Person:
        person = await info.context.loaders.person.load(self.person_pk)
        if person is None:
            raise NotFound("This person no longer exists.")
        return Person.from_model(person)

    @strawberry.field(
        description="Their partner role when they are a parent or patient partner "
        "(`PARENT_PARTNER`, `PATIENT_PARTNER`: the person's `kind`), shown on the agenda; null "
        "for anyone else."
    )
    async def partner_role(self, info: Info) -> models.PersonKind | None:
        person = await info.context.loaders.person.load(self.person_pk)
        return person.kind if person is not None and person.kind in PARTNER_KINDS else None


@strawberry.type(description="One item on a Learning Session's agenda.")
class AgendaItem(Followable):
    type_name = "AgendaItem"

    title: str = strawberry.field(description='e.g. "Parent panel: what we learned".')
    description: str = strawberry.field(description="Plain text; empty if none.")
    kind: models.AgendaItemKind = strawberry.field(description="What sort of item it is.")
    starts_at: datetime = strawberry.field(description="In UTC; see `localStartsAt`.")
    ends_at: datetime = strawberry.field(description="In UTC; see `localEndsAt`.")
    room: str | None = strawberry.field(description="Null when no room is set.")
    session_pk: strawberry.Private[int]

    @classmethod
    def from_model(cls, item: models.AgendaItem) -> AgendaItem:
        return cls(
            pk=item.id,
            title=item.title,
            description=item.description,
            kind=item.kind,
            starts_at=item.starts_at,
            ends_at=item.ends_at,
            room=item.room or None,
            session_pk=item.session_id,
        )

    @strawberry.field(description="Length in minutes.")
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @strawberry.field(description="The start in the session's time zone, with its UTC offset.")
    async def local_starts_at(self, info: Info) -> datetime:
        row = await _session(info, self.session_pk)
        return self.starts_at.astimezone(ZoneInfo(row.timezone))

    @strawberry.field(description="The end in the session's time zone, with its UTC offset.")
    async def local_ends_at(self, info: Info) -> datetime:
        row = await _session(info, self.session_pk)
        return self.ends_at.astimezone(ZoneInfo(row.timezone))

    @strawberry.field(description="The Learning Session this item is on.")
    async def session(self, info: Info) -> LearningSessionRef:
        from icn_graph.schema.learning_sessions.sessions import LearningSession

        return LearningSession.from_model(await _session(info, self.session_pk))

    @strawberry.field(
        description="Whether you may edit, move or remove this item and change who is on it "
        "(`updateAgendaItem`, `assignToAgendaItem`): network staff."
    )
    def viewer_can_edit(self, info: Info) -> bool:
        return may_plan(info.context.viewer)

    @strawberry.field(
        description="Who is on it: speakers, then the moderator, panelists, facilitators."
    )
    async def people(self, info: Info) -> list[AgendaPerson]:
        rows = await loaders.people_of_item(info).load(self.pk)
        return [AgendaPerson(part=row.part, person_pk=row.person_id) for row in rows]


async def person_agenda_items(info: Info, person_id: int) -> list[AgendaItem]:
    """``Person.agendaItems``: every item the person is on, by start time."""
    info.context.viewer.require_member()
    rows = await loaders.agenda_of_person(info).load(person_id)
    return [AgendaItem.from_model(row) for row in rows]
