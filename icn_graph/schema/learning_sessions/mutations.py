"""The Learning Session mutations: planning (staff), registering (everyone), attendance (staff)."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from icn_graph import models
from icn_graph.schema.context import Info
from icn_graph.schema.descriptions import USER_ERRORS_DESCRIPTION, InputArgument
from icn_graph.schema.learning_sessions import enums, loaders
from icn_graph.schema.learning_sessions.agenda import AgendaItem
from icn_graph.schema.learning_sessions.registrations import Registration
from icn_graph.schema.learning_sessions.sessions import LearningSession
from icn_graph.schema.payload_viewer import ViewerRef, payload_viewer
from icn_graph.schema.payloads import UserError, attempt
from icn_graph.schema.people import Person
from icn_graph.schema.relay import expect_global_id
from icn_graph.services.learning_sessions import agenda as agenda_service
from icn_graph.services.learning_sessions import registrations as registration_service
from icn_graph.services.learning_sessions import sessions as session_service

__all__ = ["LearningSessionMutations", "enums"]

TIME_HELP = (
    "ISO 8601. With a UTC offset (`2014-04-04T10:00:00-04:00`, `...Z`) it is that instant; "
    "without one (`2014-04-04T10:00`) it is a wall-clock time in the session's time zone."
)


SEASON = "Spring or fall; one session per season and year."
YEAR = "1990 to 2100."
STARTS_ON = "First day, in the session's time zone."
VENUE = 'Where it is held, up to 200 characters (e.g. "Hyatt Regency Chicago").'
STATUS = "Staff move it along: what registration and attendance allow."
ITEM_TITLE = "Up to 200 characters."
ITEM_DESCRIPTION = "Plain text, up to 5000 characters."
ITEM_KIND = "What sort of item; a BREAK may overlap anything and has no people."


def _tuple(values: list[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(values)


# --- sessions ---------------------------------------------------------------------------------


@strawberry.input(description="A new Learning Session.")
class CreateLearningSessionInput:
    season: models.Season = strawberry.field(description=SEASON)
    year: int = strawberry.field(description=YEAR)
    starts_on: date = strawberry.field(description=STARTS_ON)
    ends_on: date = strawberry.field(description="On or after `startsOn`; at most 14 days long.")
    venue: str = strawberry.field(description=VENUE)
    timezone: str = strawberry.field(description="IANA time zone of the venue.")
    title: str | None = strawberry.field(
        default=None, description='Defaults to "<Season> <year> Learning Session".'
    )
    status: models.LearningSessionStatus = strawberry.field(
        default=models.LearningSessionStatus.PLANNING, description=STATUS
    )
    objectives: list[str] = strawberry.field(default_factory=list, description="In order.")
    priorities: list[str] = strawberry.field(
        default_factory=list, description="Free tags; stored lower-case, without duplicates."
    )


@strawberry.input(description="Fields left out (or null) stay as they are.")
class UpdateLearningSessionInput:
    id: strawberry.ID = strawberry.field(description="The session to change.")
    title: str | None = strawberry.field(default=None, description="Up to 200 characters.")
    season: models.Season | None = strawberry.field(default=None, description=SEASON)
    year: int | None = strawberry.field(default=None, description=YEAR)
    starts_on: date | None = strawberry.field(default=None, description=STARTS_ON)
    ends_on: date | None = strawberry.field(
        default=None, description="On or after `startsOn`; at most 14 days long."
    )
    venue: str | None = strawberry.field(default=None, description=VENUE)
    timezone: str | None = strawberry.field(
        default=None,
        description="IANA time zone of the venue.",
    )
    status: models.LearningSessionStatus | None = strawberry.field(default=None, description=STATUS)
    objectives: list[str] | None = strawberry.field(
        default=None, description="Replaces the whole list."
    )
    priorities: list[str] | None = strawberry.field(
        default=None, description="Replaces the whole list."
    )


@strawberry.type(description="What `createLearningSession` did.")
class CreateLearningSessionPayload:
    learning_session: LearningSession | None = strawberry.field(
        description="The new session; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type(description="What `updateLearningSession` did.")
class UpdateLearningSessionPayload:
    learning_session: LearningSession | None = strawberry.field(
        description="The session as changed; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


# --- agenda -----------------------------------------------------------------------------------


@strawberry.input(description="A new item on a session's agenda, within the session's days.")
class AddAgendaItemInput:
    learning_session_id: strawberry.ID = strawberry.field(
        description="The session whose agenda it goes on."
    )
    title: str = strawberry.field(description=ITEM_TITLE)
    kind: models.AgendaItemKind = strawberry.field(description=ITEM_KIND)
    starts_at: datetime = strawberry.field(description=TIME_HELP)
    ends_at: datetime = strawberry.field(description=TIME_HELP)
    description: str = strawberry.field(default="", description=ITEM_DESCRIPTION)
    room: str = strawberry.field(default="", description="Up to 100 characters; empty: none.")


@strawberry.input(description="Fields left out (or null) stay as they are.")
class UpdateAgendaItemInput:
    id: strawberry.ID = strawberry.field(description="The agenda item to change.")
    title: str | None = strawberry.field(default=None, description=ITEM_TITLE)
    description: str | None = strawberry.field(default=None, description=ITEM_DESCRIPTION)
    kind: models.AgendaItemKind | None = strawberry.field(default=None, description=ITEM_KIND)
    starts_at: datetime | None = strawberry.field(default=None, description=TIME_HELP)
    ends_at: datetime | None = strawberry.field(default=None, description=TIME_HELP)
    room: str | None = strawberry.field(default=None, description='"" clears the room.')


@strawberry.input(description="An agenda item to remove.")
class RemoveAgendaItemInput:
    id: strawberry.ID = strawberry.field(description="The agenda item to remove.")


@strawberry.input(description="A person to put on an agenda item.")
class AssignToAgendaItemInput:
    agenda_item_id: strawberry.ID = strawberry.field(description="The agenda item.")
    person_id: strawberry.ID = strawberry.field(description="Who goes on it.")
    part: models.AgendaPart = strawberry.field(description="What they do on it.")


@strawberry.input(description="A person to take off an agenda item.")
class UnassignFromAgendaItemInput:
    agenda_item_id: strawberry.ID = strawberry.field(description="The agenda item.")
    person_id: strawberry.ID = strawberry.field(description="Who comes off it.")


@strawberry.type(description="What `addAgendaItem` did.")
class AddAgendaItemPayload:
    agenda_item: AgendaItem | None = strawberry.field(description="The new item; null if refused.")
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type(description="What `updateAgendaItem` did.")
class UpdateAgendaItemPayload:
    agenda_item: AgendaItem | None = strawberry.field(
        description="The item as changed; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type(description="What `removeAgendaItem` did.")
class RemoveAgendaItemPayload:
    removed_agenda_item_id: strawberry.ID | None = strawberry.field(
        description="The ID of the item removed, to drop it from client caches; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)
    session_pk: strawberry.Private[int | None] = None

    @strawberry.field(
        description="The session without the item (its `agenda` as it is now), for client "
        "caches; null if refused."
    )
    async def learning_session(self, info: Info) -> LearningSession | None:
        return await _loaded_session(info, self.session_pk)


@strawberry.type(description="What `assignToAgendaItem` did.")
class AssignToAgendaItemPayload:
    agenda_item: AgendaItem | None = strawberry.field(
        description="The item, with the person on it; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)
    person_pk: strawberry.Private[int | None] = None

    @strawberry.field(
        description="The person put on the item, with `agendaItems` and `following` as they "
        "are now (for client caches); null if refused."
    )
    async def person(self, info: Info) -> Person | None:
        return await Person.load(info, self.person_pk)


@strawberry.type(description="What `unassignFromAgendaItem` did.")
class UnassignFromAgendaItemPayload:
    agenda_item: AgendaItem | None = strawberry.field(
        description="The item, without the person; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)
    person_pk: strawberry.Private[int | None] = None

    @strawberry.field(
        description="The person taken off, with `agendaItems` as they are now (for client "
        "caches); null if refused."
    )
    async def person(self, info: Info) -> Person | None:
        return await Person.load(info, self.person_pk)


# --- registrations ----------------------------------------------------------------------------


@strawberry.input(description="A registration for a Learning Session.")
class RegisterInput:
    learning_session_id: strawberry.ID = strawberry.field(
        description="The session to register for."
    )
    person_id: strawberry.ID | None = strawberry.field(
        default=None, description="Defaults to you. Registering someone else is for staff."
    )
    part: models.RegistrationPart | None = strawberry.field(
        default=None, description="Defaults to ATTENDEE; SPEAKER and STAFF are set by staff."
    )


@strawberry.input(description="A registration to cancel.")
class CancelRegistrationInput:
    id: strawberry.ID = strawberry.field(description="The registration to cancel.")


@strawberry.input(description="Whether a registered person came.")
class MarkAttendedInput:
    id: strawberry.ID = strawberry.field(description="The registration.")
    attended: bool = strawberry.field(default=True, description="false clears the mark.")


@strawberry.type(description="What `register` did.")
class RegisterPayload:
    registration: Registration | None = strawberry.field(
        description="The new registration; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)

    @strawberry.field(
        description="You, with `registrations` and `following` as they are now (for client "
        "caches); null if refused."
    )
    def viewer(self, info: Info) -> ViewerRef | None:
        return payload_viewer(info) if self.registration is not None else None


@strawberry.type(description="What `cancelRegistration` did.")
class CancelRegistrationPayload:
    cancelled_registration_id: strawberry.ID | None = strawberry.field(
        description="The ID of the registration cancelled, to drop it from client caches; null "
        "if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)
    session_pk: strawberry.Private[int | None] = None

    @strawberry.field(
        description="The session without the registration (its `registrations` and "
        "`attendanceMix` as they are now), for client caches; null if refused."
    )
    async def learning_session(self, info: Info) -> LearningSession | None:
        return await _loaded_session(info, self.session_pk)

    @strawberry.field(
        description="You, with `registrations` as they are now (for client caches); null if "
        "refused."
    )
    def viewer(self, info: Info) -> ViewerRef | None:
        return payload_viewer(info) if self.session_pk is not None else None


@strawberry.type(description="What `markAttended` did.")
class MarkAttendedPayload:
    registration: Registration | None = strawberry.field(
        description="The registration with its mark; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


def _session_node(row: models.LearningSession | None) -> LearningSession | None:
    return LearningSession.from_model(row) if row else None


async def _loaded_session(info: Info, pk: int | None) -> LearningSession | None:
    return _session_node(await loaders.learning_session(info).load(pk)) if pk else None


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
            removed_agenda_item_id=input.id if row else None,
            user_errors=errors,
            session_pk=row.session_id if row else None,
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
        return AssignToAgendaItemPayload(
            agenda_item=_item_node(row),
            user_errors=errors,
            person_pk=draft.person_id if row else None,
        )

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
        return UnassignFromAgendaItemPayload(
            agenda_item=_item_node(row),
            user_errors=errors,
            person_pk=person_id if row else None,
        )

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
            cancelled_registration_id=input.id if row else None,
            user_errors=errors,
            session_pk=row.session_id if row else None,
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
