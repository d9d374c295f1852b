"""LearningSession type, its attendance mix, and the ``learningSessions`` listing."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from icn_graph import models
from icn_graph.schema.connections import Connection, connection_from_page
from icn_graph.schema.context import Info
from icn_graph.schema.descriptions import AfterArgument, FirstArgument
from icn_graph.schema.following import Followable
from icn_graph.schema.learning_sessions import enums, loaders
from icn_graph.schema.lookahead import in_connection, read_ahead
from icn_graph.schema.relay import to_global_id
from icn_graph.services.learning_sessions import attendance
from icn_graph.services.learning_sessions import registrations as registration_service
from icn_graph.services.learning_sessions import sessions as service
from icn_graph.services.learning_sessions.planning import may_plan
from icn_graph.services.ordering import OrderDirection

if TYPE_CHECKING:
    from icn_graph.schema.learning_sessions.agenda import AgendaItem
    from icn_graph.schema.learning_sessions.registrations import Registration, RegistrationFilter

AgendaItemRef = Annotated[
    "AgendaItem", strawberry.lazy("icn_graph.schema.learning_sessions.agenda")
]
RegistrationRef = Annotated[
    "Registration", strawberry.lazy("icn_graph.schema.learning_sessions.registrations")
]
RegistrationFilterRef = Annotated[
    "RegistrationFilter", strawberry.lazy("icn_graph.schema.learning_sessions.registrations")
]

__all__ = ["LearningSession", "enums"]


@strawberry.type(description="How many people of one kind registered, and how many came.")
class AttendanceCount:
    kind: models.PersonKind = strawberry.field(description="CLINICIAN counts physicians.")
    label: str = strawberry.field(description='As reports say it: "Parents", "Physicians", ...')
    registered: int = strawberry.field(description="How many of them registered.")
    attended: int = strawberry.field(description="How many of them were marked attended.")


@strawberry.type(description="Registrations and attendance by kind of person, with totals.")
class AttendanceMix:
    by_kind: list[AttendanceCount] = strawberry.field(
        description="Every kind, zeros included: patients, parents, physicians, nurses, "
        "dietitians, social workers, psychologists, QI leads, data managers, staff."
    )
    registered: int = strawberry.field(description="Everyone registered.")
    attended: int = strawberry.field(description="Everyone marked attended.")

    @classmethod
    def from_service(cls, mix: attendance.AttendanceMix) -> AttendanceMix:
        return cls(
            by_kind=[
                AttendanceCount(
                    kind=row.kind, label=row.label, registered=row.registered, attended=row.attended
                )
                for row in mix.rows
            ],
            registered=mix.registered,
            attended=mix.attended,
        )


@strawberry.type(description="A Learning Session: the network's twice-yearly meeting.")
class LearningSession(Followable):
    type_name = "LearningSession"

    title: str = strawberry.field(description='e.g. "Spring 2014 Learning Session".')
    season: models.Season = strawberry.field(description="Spring or fall.")
    year: int = strawberry.field(description="One session per season and year.")
    starts_on: date = strawberry.field(description="First day, in the session's time zone.")
    ends_on: date = strawberry.field(description="Last day, in the session's time zone.")
    venue: str = strawberry.field(description='Where it is held, e.g. "Hyatt Regency Chicago".')
    timezone: str = strawberry.field(
        description="IANA time zone of the venue: agenda times are planned and checked in it."
    )
    status: models.LearningSessionStatus = strawberry.field(
        description="Where the session stands: what registration and attendance allow."
    )
    objectives: list[str] = strawberry.field(description="In order.")
    priorities: list[str] = strawberry.field(
        description="Network priorities the session addresses: lower-case tags, no duplicates."
    )
    created_at: datetime = strawberry.field(description="When it was planned (UTC).")
    updated_at: datetime = strawberry.field(description="When its details last changed (UTC).")

    @classmethod
    def from_model(cls, row: models.LearningSession) -> LearningSession:
        return cls(
            pk=row.id,
            title=row.title,
            season=row.season,
            year=row.year,
            starts_on=row.starts_on,
            ends_on=row.ends_on,
            venue=row.venue,
            timezone=row.timezone,
            status=row.status,
            objectives=list(row.objectives),
            priorities=list(row.priorities),
            created_at=row.created_at,
            updated_at=row.updated_at,
        )

    @strawberry.field(description="The agenda, by start time.")
    async def agenda(self, info: Info) -> list[AgendaItemRef]:
        from icn_graph.schema.learning_sessions.agenda import AgendaItem

        rows = await loaders.agenda_of_session(info).load(self.pk)
        return [AgendaItem.from_model(row) for row in rows]

    @strawberry.field(description="Who registered, oldest registration first.")
    async def registrations(
        self,
        info: Info,
        first: FirstArgument = 20,
        after: AfterArgument = None,
        filter: Annotated[
            RegistrationFilterRef | None,
            strawberry.argument(description="Which registrations; all by default."),
        ] = None,
    ) -> Connection[RegistrationRef]:
        from icn_graph.schema.learning_sessions.registrations import Registration

        query = registration_service.RegistrationQuery(
            first=first,
            after=after,
            filter=registration_service.RegistrationFilter(
                part=filter.part if filter else None,
                attended=filter.attended if filter else None,
            ),
        )
        page = await loaders.registration_page(info).load((self.pk, query))
        people = [row.person_id for _, row in page.items]
        await read_ahead(
            info,
            (info.context.loaders.person, people, in_connection("person")),
            (loaders.learning_session(info), [self.pk], in_connection("session")),
        )
        return connection_from_page(page, Registration.from_model)

    @strawberry.field(
        description="Counts by kind of person (patients, parents, physicians, ...), with totals."
    )
    async def attendance_mix(self, info: Info) -> AttendanceMix:
        return AttendanceMix.from_service(await loaders.attendance_mix(info).load(self.pk))

    @strawberry.field(
        description="Path of the agenda as an iCalendar file: GET it with your bearer token, "
        "or append it to your calendar feed's `baseUrl` (`createCalendarFeed`) to subscribe."
    )
    def calendar_path(self) -> str:
        return f"/learning-sessions/{to_global_id(self.type_name, self.pk)}/agenda.ics"

    @strawberry.field(
        description="Whether you may register yourself (`register`): any member while the "
        "session is PLANNING or REGISTRATION_OPEN; network staff at any time."
    )
    def viewer_can_register(self, info: Info) -> bool:
        return registration_service.may_register(info.context.viewer, self.status)

    @strawberry.field(
        description="Whether you may edit the session and its agenda (`updateLearningSession`, "
        "`addAgendaItem`): network staff."
    )
    def viewer_can_edit(self, info: Info) -> bool:
        return may_plan(info.context.viewer)


@strawberry.input(
    description="Which sessions `learningSessions` lists; the conditions given all apply."
)
class LearningSessionFilter:
    status: models.LearningSessionStatus | None = strawberry.field(
        default=None, description="Only sessions in this status."
    )
    year: int | None = strawberry.field(default=None, description="Only sessions of this year.")


@strawberry.input(description="How `learningSessions` is sorted.")
class LearningSessionOrder:
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.DESC, description="By start date; the newest first by default."
    )


async def resolve_learning_sessions(
    info: Info,
    first: FirstArgument = 20,
    after: AfterArgument = None,
    filter: Annotated[
        LearningSessionFilter | None,
        strawberry.argument(description="Which sessions; all by default."),
    ] = None,
    order_by: Annotated[
        LearningSessionOrder | None,
        strawberry.argument(description="The order; the newest first by default."),
    ] = None,
) -> Connection[LearningSession]:
    given = filter or LearningSessionFilter()
    page = await service.list_learning_sessions(
        info.context.db,
        info.context.viewer,
        filter=service.LearningSessionFilter(status=given.status, year=given.year),
        direction=(order_by or LearningSessionOrder()).direction,
        first=first,
        after=after,
    )
    return connection_from_page(page, LearningSession.from_model)
