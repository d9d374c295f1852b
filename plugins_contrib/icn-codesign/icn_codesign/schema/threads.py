"""The ``Thread`` and ``ThreadMessage`` types, with their participants and edits.

Fields resolved on many objects go through this request's loaders (``loaders.py``), so a page of
100 messages with their authors and mentions costs the same statements as a page of 2.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from icn_codesign import reading
from icn_codesign.access import may_moderate
from icn_codesign.models import Message as MessageRow
from icn_codesign.models import MessageEdit as MessageEditRow
from icn_codesign.models import Participant as ParticipantRow
from icn_codesign.models import Thread as ThreadRow
from icn_codesign.models import ThreadAudience as AudienceValue
from icn_codesign.schema import loaders
from icn_graph.plugin_api import (
    AfterArgument,
    CenterType,
    Connection,
    FirstArgument,
    Followable,
    Info,
    Node,
    Person,
    PersonType,
    connection_from_page,
    described_enum,
    fetch_node,
    in_connection,
    loaded,
    parse_global_id,
    read_ahead,
)

# Registered with GraphQL under this name; fields are annotated with the Python enum itself.
described_enum(
    AudienceValue,
    name="ThreadAudience",
    description="Who may read a thread: its participants, a center's team and its "
    "participants, or every member of the network (network staff always may, to moderate).",
    values={
        AudienceValue.PARTICIPANTS: "Its participants only.",
        AudienceValue.CENTER: "The center's care team, and its participants.",
        AudienceValue.NETWORK: "Every signed-in member of the network.",
    },
)


class ThreadMessageSource(Enum):
    APP = "app"
    EMAIL = "email"


described_enum(
    ThreadMessageSource,
    name="ThreadMessageSource",
    description="Where a message was written: in the app, or as a reply by email.",
    values={
        ThreadMessageSource.APP: "Posted in the app (or through the API).",
        ThreadMessageSource.EMAIL: "A reply by email to a notification about the thread.",
    },
)


class MessageOrder(Enum):
    NEWEST_FIRST = "NEWEST_FIRST"
    OLDEST_FIRST = "OLDEST_FIRST"


described_enum(
    MessageOrder,
    name="ThreadMessageOrder",
    description="The order of a thread's messages.",
    values={
        MessageOrder.NEWEST_FIRST: "The latest message first.",
        MessageOrder.OLDEST_FIRST: "The first message first, as a conversation reads.",
    },
)


def _people_types(rows: list[Person]) -> list[PersonType]:
    return [PersonType.from_model(row) for row in rows]


def _thread_type(row: ThreadRow | None) -> Thread | None:
    return Thread.from_row(row) if row else None


# Where a page of messages shows what each message's fields read through a loader.
_AUTHOR = in_connection("author")
_THREAD = in_connection("thread")
_MENTIONS = in_connection("mentions")
_EDITS = in_connection("edits")
_PARTICIPANTS = [("person",), ("invitedBy",)]


@strawberry.type(description="Someone taking part in a thread.")
class ThreadParticipant:
    joined_at: datetime = strawberry.field(description="When they started taking part (UTC).")
    person_pk: strawberry.Private[int]
    invited_by_pk: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: ParticipantRow) -> ThreadParticipant:
        return cls(joined_at=row.joined_at, person_pk=row.person_id, invited_by_pk=row.invited_by)

    # These answer at once when `Thread.participants` read them ahead.

    @strawberry.field(description="Who takes part.", graphql_type=PersonType | None)
    def person(self, info: Info) -> PersonType | Awaitable[PersonType | None] | None:
        return PersonType.of(info, self.person_pk)

    @strawberry.field(
        description="Who invited them; null if they started the thread or joined.",
        graphql_type=PersonType | None,
    )
    def invited_by(self, info: Info) -> PersonType | Awaitable[PersonType | None] | None:
        return PersonType.of(info, self.invited_by_pk)


@strawberry.type(description="A co-design conversation, standing alone or attached to a Node.")
class Thread(Followable):
    type_name = "Thread"

    title: str = strawberry.field(description="What the conversation is about.")
    audience: AudienceValue = strawberry.field(description="Who may read it.")
    created_at: datetime = strawberry.field(description="When it was started (UTC).")
    last_activity_at: datetime = strawberry.field(
        description="When something last happened in it: a message, a draft's revision or "
        "agreement, a draft made final, a decision (`threads` lists the latest first)."
    )
    subject_id: strawberry.ID | None = strawberry.field(
        description="The global ID of the Node it is attached to; null if it stands alone."
    )
    center_pk: strawberry.Private[int | None]
    created_by_pk: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: ThreadRow) -> Thread:
        return cls(
            pk=row.id,
            title=row.title,
            audience=row.audience,
            created_at=row.created_at,
            last_activity_at=row.last_activity_at,
            subject_id=strawberry.ID(row.subject_id) if row.subject_id else None,
            center_pk=row.center_id,
            created_by_pk=row.created_by,
        )

    @classmethod
    async def resolve_nodes(cls, info: Info, pks: Sequence[int]) -> list[Thread | None]:
        rows = await reading.threads_by_id(info.context.db, info.context.viewer, pks)
        return [cls.from_row(rows[pk]) if pk in rows else None for pk in pks]

    @strawberry.field(description="What it is attached to, if the viewer may see it.")
    async def subject(self, info: Info) -> Node | None:
        if self.subject_id is None:
            return None
        type_name, pk = parse_global_id(self.subject_id)
        return await fetch_node(info, type_name, pk)

    @strawberry.field(description="The center whose team it is for (CENTER), if any.")
    async def center(self, info: Info) -> CenterType | None:
        if self.center_pk is None:
            return None
        row = await info.context.loaders.center.load(self.center_pk)
        return CenterType.from_model(row) if row else None

    @strawberry.field(description="Who started it.")
    async def created_by(self, info: Info) -> PersonType | None:
        return await PersonType.load(info, self.created_by_pk)

    @strawberry.field(description="The people taking part, in the order they joined.")
    async def participants(self, info: Info) -> list[ThreadParticipant]:
        rows = await loaders.participants(info).load(self.pk)
        people = [pk for row in rows for pk in (row.person_id, row.invited_by)]
        await read_ahead(info, (info.context.loaders.person, people, _PARTICIPANTS))
        return [ThreadParticipant.from_row(row) for row in rows]

    @strawberry.field(description="Its messages; `first` at most 100.")
    async def messages(
        self,
        info: Info,
        first: FirstArgument = 20,
        after: AfterArgument = None,
        order: Annotated[
            MessageOrder, strawberry.argument(description="Oldest first unless given.")
        ] = MessageOrder.OLDEST_FIRST,
    ) -> Connection[ThreadMessage]:
        page = await reading.messages_page(
            info.context.db,
            info.context.viewer,
            self.pk,
            order=reading.MessageOrder(order.value),
            first=first,
            after=after,
        )
        rows = [row for _, row in page.items]
        await read_ahead(
            info,
            (info.context.loaders.person, [row.author_id for row in rows], _AUTHOR),
            (loaders.threads(info), [row.thread_id for row in rows], _THREAD),
            (loaders.mentions(info), [row.id for row in rows], _MENTIONS),
            (loaders.edits(info), [row.id for row in rows], _EDITS),
        )
        return connection_from_page(page, ThreadMessage.from_row)

    @strawberry.field(
        description="Whether the viewer may post in it (posting makes them a participant)."
    )
    async def viewer_can_post(self, info: Info) -> bool:
        visible = await loaders.visible_threads(info).load(self.pk)
        return bool(visible)

    @strawberry.field(description="Whether the viewer takes part in it.")
    async def viewer_is_participant(self, info: Info) -> bool:
        return await loaders.unread(info).load(self.pk) is not None

    @strawberry.field(
        description="How many messages by others the viewer has not read; null unless the "
        "viewer takes part (only participants keep read state)."
    )
    async def unread_count(self, info: Info) -> int | None:
        return await loaders.unread(info).load(self.pk)


@strawberry.type(description="An earlier text of a message, kept when it was edited.")
class ThreadMessageEdit:
    edited_at: datetime = strawberry.field(description="When this text was replaced.")
    body: str | None = strawberry.field(description="The Markdown it replaced.")
    body_html: str | None = strawberry.field(description="That text as safe HTML.")


@strawberry.type(description="A message in a thread: Markdown, and that Markdown as safe HTML.")
class ThreadMessage(Node):
    type_name = "ThreadMessage"

    created_at: datetime = strawberry.field(description="When it was posted (UTC).")
    edited_at: datetime | None = strawberry.field(description="When it was last edited.")
    hidden: bool = strawberry.field(description="Whether network staff hid it.")
    hidden_reason: str | None = strawberry.field(
        description="Why staff hid it (shown to everyone who may read the thread)."
    )
    source: ThreadMessageSource = strawberry.field(
        description="Where it was written: in the app or by email."
    )
    row: strawberry.Private[MessageRow]

    @classmethod
    def from_row(cls, row: MessageRow) -> ThreadMessage:
        return cls(
            pk=row.id,
            created_at=row.created_at,
            edited_at=row.edited_at,
            hidden=row.hidden_at is not None,
            hidden_reason=row.hidden_reason,
            source=ThreadMessageSource(row.source),
            row=row,
        )

    @classmethod
    async def resolve_nodes(cls, info: Info, pks: Sequence[int]) -> list[ThreadMessage | None]:
        rows = await reading.messages_by_id(info.context.db, info.context.viewer, pks)
        return [cls.from_row(rows[pk]) if pk in rows else None for pk in pks]

    def _shown(self, info: Info) -> bool:
        return self.row.hidden_at is None or may_moderate(info.context.viewer)

    @strawberry.field(description="The Markdown source; null when hidden (except for staff).")
    def body(self, info: Info) -> str | None:
        return self.row.body if self._shown(info) else None

    @strawberry.field(
        description="The message rendered from Markdown and sanitized: no scripts, event "
        "handlers, styles or non-http(s) links. Null when hidden (except for staff)."
    )
    def body_html(self, info: Info) -> str | None:
        return self.row.body_html if self._shown(info) else None

    # The fields below answer at once when the page read them ahead (``Thread.messages``).

    @strawberry.field(description="Who wrote it.", graphql_type=PersonType | None)
    def author(self, info: Info) -> PersonType | Awaitable[PersonType | None] | None:
        if self.row.author_id is None:
            return None
        return PersonType.of(info, self.row.author_id)

    @strawberry.field(description="The thread it is in.", graphql_type=Thread | None)
    def thread(self, info: Info) -> Thread | Awaitable[Thread | None] | None:
        return loaded(loaders.threads(info), self.row.thread_id, _thread_type)

    @strawberry.field(
        description="The people it mentions (who could see the thread); none when hidden "
        "(except for staff): they are part of its text.",
        graphql_type=list[PersonType],
    )
    def mentions(self, info: Info) -> list[PersonType] | Awaitable[list[PersonType]]:
        if not self._shown(info):
            return []
        return loaded(loaders.mentions(info), self.pk, _people_types)

    @strawberry.field(
        description="Its earlier texts, oldest first (their text null when the message is "
        "hidden, except for staff).",
        graphql_type=list[ThreadMessageEdit],
    )
    def edits(self, info: Info) -> list[ThreadMessageEdit] | Awaitable[list[ThreadMessageEdit]]:
        shown = self._shown(info)

        def edits_of(rows: list[MessageEditRow]) -> list[ThreadMessageEdit]:
            return [
                ThreadMessageEdit(
                    edited_at=row.edited_at,
                    body=row.body if shown else None,
                    body_html=row.body_html if shown else None,
                )
                for row in rows
            ]

        return loaded(loaders.edits(info), self.pk, edits_of)

    @strawberry.field(description="Whether the viewer may edit it (its author, unless hidden).")
    def viewer_can_edit(self, info: Info) -> bool:
        return self.row.author_id == info.context.viewer.person_id and self.row.hidden_at is None

    @strawberry.field(
        description="Whether the viewer may hide it (`hideMessage`: network staff, unless "
        "it is hidden already)."
    )
    def viewer_can_hide(self, info: Info) -> bool:
        return may_moderate(info.context.viewer) and self.row.hidden_at is None
