"""Posting, editing and hiding messages.

Each write has a session-level function (``post_message_in``: for the reply handler, the demo,
and the drafts module, inside a transaction they hold) and a ``Database`` one that is a
transaction of its own (``post_message``: for the GraphQL mutations). Both check the viewer
first: a thread or message the viewer may not see is ``NotFound``, like one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from icn_codesign import markup
from icn_codesign.access import load_thread, may_moderate, may_post
from icn_codesign.clock import in_zone
from icn_codesign.events import Mentioned, MessageEdited, MessageHidden, MessagePosted
from icn_codesign.mentions import mentioned_people
from icn_codesign.models import REASON_LENGTH, Mention, Message, MessageEdit, Thread
from icn_codesign.participation import active_participant, join
from icn_graph.plugin_api import (
    Checker,
    Database,
    Forbidden,
    NotFound,
    Person,
    SubjectRef,
    Viewer,
    record,
    utcnow,
)

MAX_BODY = 20_000
MESSAGE_NOT_FOUND = "No message has that ID."


@dataclass(frozen=True)
class Written:
    """A message's text as stored: the source, its safe HTML, and who it mentions."""

    body: str
    body_html: str
    mentions: list[int]


async def _written(session: AsyncSession, thread: Thread, body: str) -> Written:
    check = Checker()
    text = check.text("body", body, max_length=MAX_BODY, label="Message", multiline=True)
    check.raise_if_any()
    return Written(text, markup.render(text), await mentioned_people(session, thread, text))


async def _author(session: AsyncSession, person_id: int) -> Person:
    person = await session.get(Person, person_id)
    if person is None:
        raise NotFound("Your account no longer exists.")
    return person


def _mention(posted: MessagePosted, person_id: int) -> Mentioned:
    """The mention of ``person_id`` in the message ``posted`` is about."""
    return Mentioned(
        thread=posted.thread,
        title=posted.title,
        message=posted.message,
        person=SubjectRef("Person", person_id),
        author_name=posted.author_name,
        written_local=posted.written_local,
        body=posted.body,
        body_html=posted.body_html,
    )


async def post_message_in(
    session: AsyncSession,
    viewer: Viewer,
    thread: Thread,
    body: str,
    *,
    at: datetime | None = None,
    source: str = "app",
) -> Message:
    """Post ``body`` (Markdown) in ``thread`` as ``viewer``, who joins the thread if they were
    not a participant; tells the participants and the people it mentions."""
    author_id = viewer.require_member()
    if not await may_post(session, viewer, thread):
        raise NotFound("No thread has that ID.")
    written = await _written(session, thread, body)
    moment = at or utcnow()
    author = await _author(session, author_id)
    await join(session, thread, [author_id], invited_by=None, at=moment)
    message = Message(
        thread_id=thread.id,
        author_id=author_id,
        body=written.body,
        body_html=written.body_html,
        created_at=moment,
        source=source,
    )
    session.add(message)
    await session.flush()
    mentioned = [person for person in written.mentions if person != author_id]
    if mentioned:
        await session.execute(
            insert(Mention), [{"message_id": message.id, "person_id": p} for p in mentioned]
        )
    thread.last_activity_at = max(thread.last_activity_at, moment)
    participant = await active_participant(session, thread.id, author_id)
    if participant is not None:  # what one wrote oneself is read
        participant.last_read_at = max(participant.last_read_at or moment, moment)
    posted = MessagePosted(
        thread=SubjectRef("Thread", thread.id),
        title=thread.title,
        message=SubjectRef("ThreadMessage", message.id),
        author_name=author.display_name,
        written_local=in_zone(moment, author.timezone),
        body=written.body,
        body_html=written.body_html,
    )
    record(session, posted, actor_id=author_id)
    for person in mentioned:
        record(session, _mention(posted, person), actor_id=author_id)
    return message


async def post_message(
    db: Database, viewer: Viewer, thread_id: int, body: str, *, source: str = "app"
) -> Message:
    """:func:`post_message_in` in a transaction of its own."""
    async with db.transaction() as session:
        thread = await load_thread(session, viewer, thread_id)
        return await post_message_in(session, viewer, thread, body, source=source)


async def load_message(
    session: AsyncSession, viewer: Viewer, message_id: int, *, for_update: bool = False
) -> tuple[Message, Thread]:
    """The message and its thread if ``viewer`` may see the thread; else ``NotFound``."""
    viewer.require_member()
    statement = select(Message).where(Message.id == message_id)
    message = await session.scalar(statement.with_for_update() if for_update else statement)
    if message is None:
        raise NotFound(MESSAGE_NOT_FOUND)
    try:
        thread = await load_thread(session, viewer, message.thread_id)
    except NotFound:
        raise NotFound(MESSAGE_NOT_FOUND) from None
    return message, thread


async def edit_message_in(
    session: AsyncSession, viewer: Viewer, message_id: int, body: str
) -> Message:
    """Replace the text of the viewer's own message, keeping the earlier text as an edit."""
    editor = viewer.require_member()
    message, thread = await load_message(session, viewer, message_id, for_update=True)
    if message.author_id != editor:
        raise Forbidden("Only its author can edit a message.")
    if message.hidden_at is not None:
        raise Forbidden("A hidden message cannot be edited.")
    written = await _written(session, thread, body)
    if written.body == message.body:
        return message
    moment = utcnow()
    session.add(
        MessageEdit(
            message_id=message.id,
            body=message.body,
            body_html=message.body_html,
            edited_by=editor,
            edited_at=moment,
        )
    )
    before = set(
        await session.scalars(select(Mention.person_id).where(Mention.message_id == message.id))
    )
    now_mentioned = [person for person in written.mentions if person != editor]
    await session.execute(delete(Mention).where(Mention.message_id == message.id))
    if now_mentioned:
        await session.execute(
            insert(Mention), [{"message_id": message.id, "person_id": p} for p in now_mentioned]
        )
    message.body, message.body_html, message.edited_at = written.body, written.body_html, moment
    await session.flush()
    ref, thread_ref = SubjectRef("ThreadMessage", message.id), SubjectRef("Thread", thread.id)
    record(session, MessageEdited(message=ref, thread=thread_ref), actor_id=editor)
    author = await _author(session, editor)
    for person in now_mentioned:
        if person not in before:  # newly mentioned: they hear of it, once
            mention = Mentioned(
                thread=thread_ref,
                title=thread.title,
                message=ref,
                person=SubjectRef("Person", person),
                author_name=author.display_name,
                written_local=in_zone(moment, author.timezone),
                body=written.body,
                body_html=written.body_html,
            )
            record(session, mention, actor_id=editor)
    return message


async def edit_message(db: Database, viewer: Viewer, message_id: int, body: str) -> Message:
    async with db.transaction() as session:
        return await edit_message_in(session, viewer, message_id, body)


async def hide_message_in(
    session: AsyncSession, viewer: Viewer, message_id: int, reason: str
) -> Message:
    """Network staff hide a message: its text is served to staff only, the reason to all who see
    the thread. Hiding a hidden message again replaces the reason."""
    moderator = viewer.require_member()
    message, thread = await load_message(session, viewer, message_id, for_update=True)
    if not may_moderate(viewer):
        raise Forbidden("Only network staff can hide a message.")
    check = Checker()
    why = check.text("reason", reason, max_length=REASON_LENGTH, label="Reason")
    check.raise_if_any()
    message.hidden_at = message.hidden_at or utcnow()
    message.hidden_by, message.hidden_reason = moderator, why
    await session.flush()
    hidden = MessageHidden(
        message=SubjectRef("ThreadMessage", message.id),
        thread=SubjectRef("Thread", thread.id),
        reason=why,
    )
    record(session, hidden, actor_id=moderator)
    return message


async def hide_message(db: Database, viewer: Viewer, message_id: int, reason: str) -> Message:
    async with db.transaction() as session:
        return await hide_message_in(session, viewer, message_id, reason)
