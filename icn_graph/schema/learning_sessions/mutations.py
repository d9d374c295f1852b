"""The Learning Session mutations: planning (staff), registering (everyone), attendance (staff)."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from icn_graph import models
from icn_graph.schema.context import Info
from icn_graph.schema.descriptions import USER_ERRORS_DESCRIPTION, InputArgument
from icn_graph.schema.learning_sessions import enums
from icn_graph.schema.learning_sessions.agenda import AgendaItem
from icn_graph.schema.learning_sessions.registrations import Registration
from icn_graph.schema.learning_sessions.sessions import LearningSession
from icn_graph.schema.payloads import UserError, attempt
from icn_graph.schema.relay import expect_global_id
from icn_graph.services.learning_sessions import agenda as agenda_service
from icn_graph.services.learning_sessions import registrations as registration_service
from icn_graph.services.learning_sessions import sessions as session_service

__all__ = ["LearningSessionMutations", "enums"]

TIME_HELP = (
    "ISO 8601. With a UTC offset (`2014-04-04T10:00:00-04:00`, `...Z`) it is that instant; "
    "without one (`2014-04-04T10:00`) it is a wall-clock time in the session's time zone."
)


def _tuple(values: list[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(values)


# --- sessions ---------------------------------------------------------------------------------


@strawberry.input
class CreateLearningSessionInput:
    season: models.Season
    year: int
    starts_on: date
    ends_on: date = strawberry.field(description="On or after `startsOn`; at most 14 days long.")
    venue: str
    timezone: str = strawberry.field(description="IANA time zone of the venue.")
    title: str | None = strawberry.field(
        default=None, description='Defaults to "<Season> <year> Learning Session".'
    )
    status: models.LearningSessionStatus = models.LearningSessionStatus.PLANNING
    objectives: list[str] = strawberry.field(default_factory=list, description="In order.")
    priorities: list[str] = strawberry.field(
        default_factory=list, description="Free tags; stored lower-case, without duplicates."
    )


@strawberry.input(description="Fields left out (or null) stay as they are.")
class UpdateLearningSessionInput:
    id: strawberry.ID
    title: str | None = None
    season: models.Season | None = None
    year: int | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    venue: str | None = None
    timezone: str | None = None
    status: models.LearningSessionStatus | None = None
    objectives: list[str] | None = strawberry.field(
        default=None, description="Replaces the whole list."
    )
    priorities: list[str] | None = strawberry.field(
        default=None, description="Replaces the whole list."
    )


@strawberry.type
class CreateLearningSessionPayload:
    learning_session: LearningSession | None
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type
class UpdateLearningSessionPayload:
    learning_session: LearningSession | None
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


# --- agenda -----------------------------------------------------------------------------------


@strawberry.input
class AddAgendaItemInput:
    learning_session_id: strawberry.ID
    title: str
    kind: models.AgendaItemKind
    starts_at: datetime = strawberry.field(description=TIME_HELP)
    ends_at: datetime = strawberry.field(description=TIME_HELP)
    description: str = ""
    room: str = ""


@strawberry.input(description="Fields left out (or null) stay as they are.")
class UpdateAgendaItemInput:
    id: strawberry.ID
    title: str | None = None
    description: str | None = None
    kind: models.AgendaItemKind | None = None
    starts_at: datetime | None = strawberry.field(default=None, description=TIME_HELP)
    ends_at: datetime | None = strawberry.field(default=None, description=TIME_HELP)
    room: str | None = strawberry.field(default=None, description='"" clears the room.')


@strawberry.input
class RemoveAgendaItemInput:
    id: strawberry.ID


@strawberry.input
class AssignToAgendaItemInput:
    agenda_item_id: strawberry.ID
    person_id: strawberry.ID
    part: models.AgendaPart


@strawberry.input
class UnassignFromAgendaItemInput:
    agenda_item_id: strawberry.ID
    person_id: strawberry.ID


@strawberry.type
class AddAgendaItemPayload:
    agenda_item: AgendaItem | None
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type
class UpdateAgendaItemPayload:
    agenda_item: AgendaItem | None
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type
class RemoveAgendaItemPayload:
    removed_agenda_item_id: strawberry.ID | None
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type
class AssignToAgendaItemPayload:
    agenda_item: AgendaItem | None
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type
class UnassignFromAgendaItemPayload:
    agenda_item: AgendaItem | None
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


# --- registrations ----------------------------------------------------------------------------


@strawberry.input
class RegisterInput:
    learning_session_id: strawberry.ID
    person_id: strawberry.ID | None = strawberry.field(
        default=None, description="Defaults to you. Registering someone else is for staff."
    )
    part: models.RegistrationPart | None = strawberry.field(
        default=None, description="Defaults to ATTENDEE; SPEAKER and STAFF are set by staff."
    )


@strawberry.input
class CancelRegistrationInput:
    id: strawberry.ID


@strawberry.input
class MarkAttendedInput:
    id: strawberry.ID = strawberry.field(description="The registration.")
    attended: bool = strawberry.field(default=True, description="false clears the mark.")


@strawberry.type
class RegisterPayload:
    registration: Registration | None
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type
class CancelRegistrationPayload:
    cancelled_registration_id: strawberry.ID | None
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type
class MarkAttendedPayload:
    registration: Registration | None
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


def _session_node(row: models.LearningSession | None) -> LearningSession | None:
    return LearningSession.from_model(row) if row else None


def _item_node(row: models.AgendaItem | None) -> AgendaItem | None:
    return AgendaItem.from_model(row) if row else None


def _registration_node(row: models.Registration | None) -> Registration | None:
    return Registration.from_model(row) if row else None


@strawberry.type
class LearningSessionMutations:
    @strawberry.mutation(description="Plan a new Learning Session. Staff only.")
    async def create_learning_session(
        self, info: Info, input: InputArgument[CreateLearningSessionInput]
    ) -> CreateLearningSessionPayload:
        draft = session_service.LearningSessionDraft(
            season=input.season,
            year=input.year,
            starts_on=input.starts_on,
            ends_on=input.ends_on,
            venue=input.venue,
            timezone=input.timezone,
            title=input.title,
            status=input.status,
            objectives=tuple(input.objectives),
            priorities=tuple(input.priorities),
        )
        row, errors = await attempt(
            session_service.create_learning_session(info.context.db, info.context.viewer, draft)
        )
        return CreateLearningSessionPayload(learning_session=_session_node(row), user_errors=errors)

    @strawberry.mutation(
        description="Edit a Learning Session. Staff only. New dates or a new time zone must "
        "keep every agenda item inside the session."
    )
    async def update_learning_session(
        self, info: Info, input: InputArgument[UpdateLearningSessionInput]
    ) -> UpdateLearningSessionPayload:
        session_id = expect_global_id(input.id, "LearningSession", field="id")
        changes = session_service.LearningSessionChanges(
            title=input.title,
            season=input.season,
            year=input.year,
            starts_on=input.starts_on,
            ends_on=input.ends_on,
            venue=input.venue,
            timezone=input.timezone,
            status=input.status,
            objectives=_tuple(input.objectives),
            priorities=_tuple(input.priorities),
        )
        row, errors = await attempt(
            session_service.update_learning_session(
                info.context.db, info.context.viewer, session_id, changes
            )
        )
        return UpdateLearningSessionPayload(learning_session=_session_node(row), user_errors=errors)

    @strawberry.mutation(
        description="Add an item to a session's agenda. Staff only. It must lie inside the "
        "session's dates and not take a booked room (CONFLICT)."
    )
    async def add_agenda_item(
        self, info: Info, input: InputArgument[AddAgendaItemInput]
    ) -> AddAgendaItemPayload:
        draft = agenda_service.AgendaItemDraft(
            session_id=expect_global_id(
                input.learning_session_id, "LearningSession", field="learningSessionId"
            ),
            title=input.title,
            kind=input.kind,
            starts_at=input.starts_at,
            ends_at=input.ends_at,
            description=input.description,
            room=input.room,
        )
        row, errors = await attempt(
            agenda_service.add_agenda_item(info.context.db, info.context.viewer, draft)
        )
        return AddAgendaItemPayload(agenda_item=_item_node(row), user_errors=errors)

    @strawberry.mutation(
        description="Edit or move an agenda item. Staff only. Moving it re-checks the dates, "
        "the room and everyone on it (CONFLICT)."
    )
    async def update_agenda_item(
        self, info: Info, input: InputArgument[UpdateAgendaItemInput]
    ) -> UpdateAgendaItemPayload:
        item_id = expect_global_id(input.id, "AgendaItem", field="id")
        changes = agenda_service.AgendaItemChanges(
            title=input.title,
            description=input.description,
            kind=input.kind,
            starts_at=input.starts_at,
            ends_at=input.ends_at,
            room=input.room,
        )
        row, errors = await attempt(
            agenda_service.update_agenda_item(
                info.context.db, info.context.viewer, item_id, changes
            )
        )
        return UpdateAgendaItemPayload(agenda_item=_item_node(row), user_errors=errors)

    @strawberry.mutation(description="Take an item (and its people) off the agenda. Staff only.")
    async def remove_agenda_item(
        self, info: Info, input: InputArgument[RemoveAgendaItemInput]
    ) -> RemoveAgendaItemPayload:
        item_id = expect_global_id(input.id, "AgendaItem", field="id")
        row, errors = await attempt(
            agenda_service.remove_agenda_item(info.context.db, info.context.viewer, item_id)
        )
        return RemoveAgendaItemPayload(
            removed_agenda_item_id=input.id if row else None, user_errors=errors
        )

    @strawberry.mutation(
        description="Put a person on an agenda item as speaker, moderator, panelist or "
        "facilitator. Staff only. Someone already on an overlapping item is a CONFLICT."
    )
    async def assign_to_agenda_item(
        self, info: Info, input: InputArgument[AssignToAgendaItemInput]
    ) -> AssignToAgendaItemPayload:
        draft = agenda_service.AssignmentDraft(
            agenda_item_id=expect_global_id(
                input.agenda_item_id, "AgendaItem", field="agendaItemId"
            ),
            person_id=expect_global_id(input.person_id, "Person", field="personId"),
            part=input.part,
        )
        row, errors = await attempt(
            agenda_service.assign_to_agenda_item(info.context.db, info.context.viewer, draft)
        )
        return AssignToAgendaItemPayload(agenda_item=_item_node(row), user_errors=errors)

    @strawberry.mutation(description="Take a person off an agenda item. Staff only.")
    async def unassign_from_agenda_item(
        self, info: Info, input: InputArgument[UnassignFromAgendaItemInput]
    ) -> UnassignFromAgendaItemPayload:
        item_id = expect_global_id(input.agenda_item_id, "AgendaItem", field="agendaItemId")
        person_id = expect_global_id(input.person_id, "Person", field="personId")
        row, errors = await attempt(
            agenda_service.unassign_from_agenda_item(
                info.context.db, info.context.viewer, item_id, person_id
            )
        )
        return UnassignFromAgendaItemPayload(agenda_item=_item_node(row), user_errors=errors)

    @strawberry.mutation(
        description="Register for a Learning Session: yourself while it is PLANNING or "
        "REGISTRATION_OPEN; staff register anyone, any time."
    )
    async def register(self, info: Info, input: InputArgument[RegisterInput]) -> RegisterPayload:
        draft = registration_service.RegistrationDraft(
            session_id=expect_global_id(
                input.learning_session_id, "LearningSession", field="learningSessionId"
            ),
            person_id=(
                expect_global_id(input.person_id, "Person", field="personId")
                if input.person_id is not None
                else None
            ),
            part=input.part,
        )
        row, errors = await attempt(
            registration_service.register(info.context.db, info.context.viewer, draft)
        )
        return RegisterPayload(registration=_registration_node(row), user_errors=errors)

    @strawberry.mutation(
        description="Cancel a registration: your own while registration is open; staff any "
        "that is not marked attended."
    )
    async def cancel_registration(
        self, info: Info, input: InputArgument[CancelRegistrationInput]
    ) -> CancelRegistrationPayload:
        registration_id = expect_global_id(input.id, "Registration", field="id")
        row, errors = await attempt(
            registration_service.cancel_registration(
                info.context.db, info.context.viewer, registration_id
            )
        )
        return CancelRegistrationPayload(
            cancelled_registration_id=input.id if row else None, user_errors=errors
        )

    @strawberry.mutation(
        description="Mark a registration attended (or not). Staff only, once the session is "
        "IN_PROGRESS or COMPLETE."
    )
    async def mark_attended(
        self, info: Info, input: InputArgument[MarkAttendedInput]
    ) -> MarkAttendedPayload:
        registration_id = expect_global_id(input.id, "Registration", field="id")
        row, errors = await attempt(
            registration_service.mark_attended(
                info.context.db, info.context.viewer, registration_id, input.attended
            )
        )
        return MarkAttendedPayload(registration=_registration_node(row), user_errors=errors)
