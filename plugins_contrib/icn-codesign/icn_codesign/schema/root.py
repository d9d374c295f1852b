"""Root fields: the ``threads`` listing and the mutations on threads and messages.

Resolvers turn GraphQL input into plain values and call the services, which authorise; refused
input comes back as ``userErrors`` (``attempt``), a thread or message the viewer may not see as a
``NOT_FOUND`` error, exactly as if it did not exist.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from icn_codesign import messages, reading, threads
from icn_codesign.models import Thread as ThreadRow
from icn_codesign.models import ThreadAudience as AudienceValue
from icn_codesign.schema.threads import Thread, ThreadMessage
from icn_graph.plugin_api import (
    USER_ERRORS_DESCRIPTION,
    AfterArgument,
    Connection,
    FirstArgument,
    Info,
    InputArgument,
    UserError,
    attempt,
    connection_from_page,
    expect_global_id,
    parse_global_id,
)

THREAD_ID = "The thread's ID."
MESSAGE_ID = "The message's ID."


def _person_ids(values: list[strawberry.ID], field: str) -> list[int]:
    return [
        expect_global_id(value, "Person", field=f"{field}[{index}]")
        for index, value in enumerate(values)
    ]


@strawberry.input(description="Which threads `threads` lists (all the viewer may see).")
class ThreadFilter:
    subject_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only threads attached to this Node."
    )
    participant_id: strawberry.ID | None = strawberry.field(
        default=None, description="Only threads this person takes part in."
    )
    audience: AudienceValue | None = strawberry.field(
        default=None, description="Only threads with this audience."
    )
    unread: bool | None = strawberry.field(
        default=None,
        description="true: only threads with messages the viewer has not read; false: only threads "
        "with none unread.",
    )


@strawberry.type
class ThreadQuery:
    @strawberry.field(
        description="Co-design threads the viewer may see, most recently active first."
    )
    async def threads(
        self,
        info: Info,
        first: FirstArgument = 20,
        after: AfterArgument = None,
        filter: Annotated[
            ThreadFilter | None,
            strawberry.argument(description="Which threads; every one you may see by default."),
        ] = None,
    ) -> Connection[Thread]:
        where = filter or ThreadFilter()
        participant = (
            expect_global_id(where.participant_id, "Person", field="filter.participantId")
            if where.participant_id
            else None
        )
        if where.subject_id:
            parse_global_id(where.subject_id, field="filter.subjectId")
        page = await reading.list_threads(
            info.context.db,
            info.context.viewer,
            reading.ThreadFilter(
                subject_id=where.subject_id.strip() if where.subject_id else None,
                participant_id=participant,
                audience=where.audience,
                unread=where.unread,
            ),
            first=first,
            after=after,
        )
        return connection_from_page(page, Thread.from_row)


@strawberry.input(description="A new co-design thread, who may read it, and whom to invite.")
class StartThreadInput:
    title: str = strawberry.field(description="What it is about, up to 200 characters.")
    audience: AudienceValue = strawberry.field(
        description="PARTICIPANTS, CENTER (needs `centerId`, or a subject of a center) or NETWORK."
    )
    center_id: strawberry.ID | None = strawberry.field(
        default=None, description="The center whose team may read it (CENTER)."
    )
    subject_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The Node it is about (a Learning Session, an agenda item, a goal, a "
        "center, another plugin's node); the viewer, and everyone invited, must see it.",
    )
    person_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="People to invite (Person IDs)."
    )
    body: str | None = strawberry.field(default=None, description="A first message (Markdown).")


@strawberry.type(description="What `startThread` did.")
class StartThreadPayload:
    thread: Thread | None = strawberry.field(description="The new thread; null if refused.")
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.input(description="A message to post in a thread.")
class PostMessageInput:
    thread_id: strawberry.ID = strawberry.field(description=THREAD_ID)
    body: str = strawberry.field(
        description="Markdown. Mention people with `@Full Name` or `@email@example.org`."
    )


@strawberry.type(description="What `postMessage` did.")
class PostMessagePayload:
    message: ThreadMessage | None = strawberry.field(
        description="The message posted; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.input(description="A new text for one of your messages; the old one is kept.")
class EditMessageInput:
    id: strawberry.ID = strawberry.field(description=MESSAGE_ID)
    body: str = strawberry.field(description="The whole new text, in Markdown.")


@strawberry.type(description="What `editMessage` did.")
class EditMessagePayload:
    message: ThreadMessage | None = strawberry.field(
        description="The message with its new text; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.input(description="A message for network staff to hide, and why.")
class HideMessageInput:
    id: strawberry.ID = strawberry.field(description=MESSAGE_ID)
    reason: str = strawberry.field(description="Why: shown to everyone who may read the thread.")


@strawberry.type(description="What `hideMessage` did.")
class HideMessagePayload:
    message: ThreadMessage | None = strawberry.field(
        description="The message, now hidden; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.input(description="People to invite to a thread.")
class InviteToThreadInput:
    thread_id: strawberry.ID = strawberry.field(description=THREAD_ID)
    person_ids: list[strawberry.ID] = strawberry.field(
        description="Person IDs, at least one; each must be able to see what the thread is about."
    )


@strawberry.type(description="What `inviteToThread` did.")
class InviteToThreadPayload:
    thread: Thread | None = strawberry.field(
        description="The thread with its participants; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.input(description="A thread to stop taking part in.")
class LeaveThreadInput:
    id: strawberry.ID = strawberry.field(description=THREAD_ID)


@strawberry.type(description="What `leaveThread` did.")
class LeaveThreadPayload:
    thread: Thread | None = strawberry.field(
        description="The thread, or null when leaving it closed it to the viewer."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.input(description="A thread whose messages you have read.")
class MarkThreadReadInput:
    id: strawberry.ID = strawberry.field(description=THREAD_ID)


@strawberry.type(description="What `markThreadRead` did.")
class MarkThreadReadPayload:
    thread: Thread | None = strawberry.field(
        description="The thread, its `unreadCount` now 0; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


def _thread_pk(value: strawberry.ID, field: str = "threadId") -> int:
    return expect_global_id(value, "Thread", field=field)


def _message_pk(value: strawberry.ID) -> int:
    return expect_global_id(value, "ThreadMessage", field="id")


async def _visible_thread(info: Info, pk: int) -> Thread | None:
    rows = await reading.threads_by_id(info.context.db, info.context.viewer, [pk])
    return Thread.from_row(rows[pk]) if pk in rows else None


def _thread(row: ThreadRow | None) -> Thread | None:
    return Thread.from_row(row) if row is not None else None


@strawberry.type
class ThreadMutation:
    @strawberry.mutation(description="Start a co-design thread; the viewer takes part in it.")
    async def start_thread(
        self, info: Info, input: InputArgument[StartThreadInput]
    ) -> StartThreadPayload:
        center = (
            expect_global_id(input.center_id, "Center", field="centerId")
            if input.center_id
            else None
        )
        new = threads.NewThread(
            title=input.title,
            audience=input.audience,
            center_id=center,
            subject_id=input.subject_id,
            participant_ids=_person_ids(input.person_ids, "personIds"),
            body=input.body,
        )
        row, errors = await attempt(threads.start_thread(info.context.db, info.context.viewer, new))
        return StartThreadPayload(thread=_thread(row), user_errors=errors)

    @strawberry.mutation(description="Post a message (Markdown) in a thread.")
    async def post_message(
        self, info: Info, input: InputArgument[PostMessageInput]
    ) -> PostMessagePayload:
        call = messages.post_message(
            info.context.db, info.context.viewer, _thread_pk(input.thread_id), input.body
        )
        row, errors = await attempt(call)
        message = ThreadMessage.from_row(row) if row else None
        return PostMessagePayload(message=message, user_errors=errors)

    @strawberry.mutation(description="Edit one's own message; its earlier text is kept.")
    async def edit_message(
        self, info: Info, input: InputArgument[EditMessageInput]
    ) -> EditMessagePayload:
        call = messages.edit_message(
            info.context.db, info.context.viewer, _message_pk(input.id), input.body
        )
        row, errors = await attempt(call)
        message = ThreadMessage.from_row(row) if row else None
        return EditMessagePayload(message=message, user_errors=errors)

    @strawberry.mutation(description="Hide a message, giving a reason (network staff).")
    async def hide_message(
        self, info: Info, input: InputArgument[HideMessageInput]
    ) -> HideMessagePayload:
        call = messages.hide_message(
            info.context.db, info.context.viewer, _message_pk(input.id), input.reason
        )
        row, errors = await attempt(call)
        message = ThreadMessage.from_row(row) if row else None
        return HideMessagePayload(message=message, user_errors=errors)

    @strawberry.mutation(description="Invite people who can see what the thread is about.")
    async def invite_to_thread(
        self, info: Info, input: InputArgument[InviteToThreadInput]
    ) -> InviteToThreadPayload:
        people = _person_ids(input.person_ids, "personIds")
        call = threads.invite(
            info.context.db, info.context.viewer, _thread_pk(input.thread_id), people
        )
        row, errors = await attempt(call)
        return InviteToThreadPayload(
            thread=Thread.from_row(row) if row else None, user_errors=errors
        )

    @strawberry.mutation(description="Stop taking part in a thread (and hearing about it).")
    async def leave_thread(
        self, info: Info, input: InputArgument[LeaveThreadInput]
    ) -> LeaveThreadPayload:
        pk = _thread_pk(input.id, "id")
        row, errors = await attempt(threads.leave_thread(info.context.db, info.context.viewer, pk))
        thread = await _visible_thread(info, pk) if row else None
        return LeaveThreadPayload(thread=thread, user_errors=errors)

    @strawberry.mutation(description="Mark everything in a thread read, for the viewer.")
    async def mark_thread_read(
        self, info: Info, input: InputArgument[MarkThreadReadInput]
    ) -> MarkThreadReadPayload:
        pk = _thread_pk(input.id, "id")
        row, errors = await attempt(threads.mark_read(info.context.db, info.context.viewer, pk))
        return MarkThreadReadPayload(
            thread=Thread.from_row(row) if row else None, user_errors=errors
        )
