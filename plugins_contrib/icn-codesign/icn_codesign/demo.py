"""The plugin's demo: the Spring 2014 parent panel played through the services, and a thread
of today's.

The story (``demo_story``) is history: each step happens at its writer's local time, converted
with that person's time zone, and is played with core's ``MailedHistory``: its events are stored
as already dispatched (no live consumer hears of them in 2026), and go through the notification
engine at their own time, so each participant's mail about the thread is composed as they would
have had it in 2014 (batched, held through their quiet hours, dated then) and is written to the
mail folder by the worker, never sent over SMTP. The story's parents take the thread's mail as
it comes rather than in their daily digest. Its thread is attached to the Spring 2014 agenda item
"Parents as partners: engaging families in QI".

The present thread is relative to the day the demo is loaded: a few days of history, then a
message and an agreement recorded live at load time. Those events wait in the outbox; the
worker that ``make run`` starts fans them out to the thread's participants and mails them, so
``var/mail`` holds the demo's threaded mail.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from icn_codesign import demo_story as story
from icn_codesign.decisions import NewDecision, record_decision_in
from icn_codesign.draft_events import (
    DecisionRecorded,
    DraftFinalised,
    DraftRevised,
    RevisionAgreed,
)
from icn_codesign.draft_models import Draft
from icn_codesign.drafts import Revision, agree_in, finalise_in, revise_draft_in
from icn_codesign.events import Invited, Mentioned, MessagePosted
from icn_codesign.messages import post_message_in
from icn_codesign.models import Message, Participant, Thread, ThreadAudience
from icn_codesign.threads import NewThread, invite_in, start_thread_in
from icn_graph.plugin_api import (
    AgendaItem,
    DeliveryMode,
    DemoContext,
    LearningSession,
    MailedHistory,
    Person,
    PersonKind,
    PluginHost,
    Settings,
    Viewer,
    choose_delivery,
    recording_history,
    to_global_id,
    utcnow,
    viewers_of,
)

PLUGIN = "icn-codesign"
PRESENT_TITLE = "Welcoming this season's new parent partners"
CHECKLIST = "Orientation checklist"


@dataclass
class Cast:
    """The story's roles as demo people: their ids, viewers and time zones."""

    ids: dict[str, int]
    viewers: Mapping[int, Viewer]
    zones: dict[int, ZoneInfo]

    def viewer(self, role: str) -> Viewer:
        return self.viewers[self.ids[role]]

    def utc(self, role: str, local: datetime) -> datetime:
        """``local`` (a wall-clock time on ``role``'s clock) as an aware UTC datetime."""
        return local.replace(tzinfo=self.zones[self.ids[role]]).astimezone(UTC)


@dataclass
class Played:
    """What the story made so far, for the steps that refer back."""

    thread: Thread | None = None
    posts: list[int] = field(default_factory=list)  # message ids, in story order
    latest: dict[str, int] = field(default_factory=dict)  # draft name -> latest revision id


async def _cast(session: AsyncSession, context: DemoContext) -> Cast:
    personas = context.persona_ids
    taken = set(personas.values())
    parents = sorted(
        context.person_ids[index]
        for index, person in enumerate(context.network.people)
        if person.kind == PersonKind.PARENT_PARTNER and context.person_ids[index] not in taken
    )
    parent2, parent3 = context.rng(PLUGIN).sample(parents, 2)
    ids = {
        "staff": personas["staff"],
        "clinician": personas["clinician"],
        "parent": personas["parent"],
        "parent2": parent2,
        "parent3": parent3,
    }
    people = await session.scalars(select(Person).where(Person.id.in_(ids.values())))
    zones = {person.id: ZoneInfo(person.timezone) for person in people}
    return Cast(ids, await viewers_of(session, list(ids.values())), zones)


async def _panel_agenda_item(session: AsyncSession) -> str | None:
    item = await session.scalar(
        select(AgendaItem.id)
        .join(LearningSession, LearningSession.id == AgendaItem.session_id)
        .where(
            AgendaItem.title == story.OFFHAND_COMMENT_AGENDA_TITLE,
            LearningSession.year == 2014,
        )
        .order_by(AgendaItem.id)
        .limit(1)
    )
    return to_global_id("AgendaItem", item) if item is not None else None


async def _post(
    session: AsyncSession,
    cast: Cast,
    played: Played,
    step: story.Post,
    at: datetime,
    subject: str | None,
) -> None:
    viewer = cast.viewer(step.writer)
    if played.thread is None:
        new = NewThread(
            title=story.THREAD_TITLE,
            audience=ThreadAudience.PARTICIPANTS,
            subject_id=subject,
            participant_ids=[cast.ids[role] for role in story.STARTED_WITH],
            body=step.text,
        )
        played.thread = await start_thread_in(session, viewer, new, at=at)
        first = await session.scalar(
            select(Message.id).where(Message.thread_id == played.thread.id).order_by(Message.id)
        )
        assert first is not None
        played.posts.append(first)
        return
    message = await post_message_in(session, viewer, played.thread, step.text, at=at)
    played.posts.append(message.id)


async def _draft_id(session: AsyncSession, thread: Thread, name: str) -> int:
    found = await session.scalar(
        select(Draft.id).where(Draft.thread_id == thread.id, Draft.name_key == name.casefold())
    )
    assert found is not None, name
    return found


async def _play(
    session: AsyncSession, cast: Cast, played: Played, step: story.Step, subject: str | None
) -> None:
    at = cast.utc(step.writer, step.at)
    viewer = cast.viewer(step.writer)
    if isinstance(step, story.Post):
        await _post(session, cast, played, step, at, subject)
        return
    thread = played.thread
    assert thread is not None, "the story starts with a post"
    match step:
        case story.Invite():
            invited = [cast.ids[role] for role in step.invitees]
            await invite_in(session, viewer, thread.id, invited, at=at)
        case story.Revise():
            revision = Revision(thread.id, step.draft, step.text, step.note)
            row = await revise_draft_in(session, viewer, revision, at=at)
            played.latest[step.draft] = row.id
        case story.Agree():
            await agree_in(session, viewer, played.latest[step.draft], at=at)
        case story.Finalise():
            draft_id = await _draft_id(session, thread, step.draft)
            await finalise_in(session, viewer, draft_id, at=at)
        case story.Decide():
            decision = NewDecision(
                thread_id=thread.id,
                text=step.text,
                message_ids=[played.posts[index] for index in step.rests_on_posts],
                revision_id=played.latest[step.draft] if step.draft else None,
            )
            await record_decision_in(session, viewer, decision, at=at)


async def _all_read(session: AsyncSession, thread: Thread) -> None:
    """Everyone in it read it back then: the story's thread is not all unread today."""
    await session.execute(
        update(Participant)
        .where(Participant.thread_id == thread.id)
        .values(last_read_at=thread.last_activity_at)
    )


# What the story's parents chose to get as it came, not in their daily digest: they were in
# the conversation by email, day and night.
AS_IT_CAME = {
    event.event_name: DeliveryMode.IMMEDIATE
    for event in (
        MessagePosted,
        Mentioned,
        Invited,
        DraftRevised,
        RevisionAgreed,
        DraftFinalised,
        DecisionRecorded,
    )
}


async def play_story(
    session: AsyncSession, cast: Cast, settings: Settings, plugins: PluginHost | None
) -> Thread:
    """The Spring 2014 parent panel, as history that mailed its participants then: their
    mail is in the mail folder once the worker runs, dated 2014."""
    for role in ("parent", "parent2", "parent3"):
        await choose_delivery(session, cast.ids[role], settings, AS_IT_CAME)
    subject = await _panel_agenda_item(session)
    played = Played()
    history = MailedHistory(session, settings, plugins)
    for step in story.STORY:
        async with history.at(cast.utc(step.writer, step.at)):
            await _play(session, cast, played, step, subject)
    await history.finish()
    assert played.thread is not None
    await _all_read(session, played.thread)
    return played.thread


# The present: (days before the load day, the writer's local clock, step).
PRESENT: tuple[tuple[int, str, story.Step], ...] = (
    (
        3,
        "21:40",
        story.Post(
            "parent",
            datetime.min,
            "Three new parent partners joined this month. Could we put together a short "
            "orientation checklist, so nobody spends their first Learning Session figuring "
            "out where they fit?",
        ),
    ),
    (
        2,
        "09:10",
        story.Post(
            "staff",
            datetime.min,
            "Yes. I'll start a draft: add what you wish someone had told you.",
        ),
    ),
    (
        2,
        "09:25",
        story.Revise(
            "staff",
            datetime.min,
            CHECKLIST,
            "- Who to email with questions (any of us, any time)\n"
            "- What a PDSA cycle is, in plain words\n"
            "- Which meetings are in the evening\n",
            "A first list.",
        ),
    ),
    (
        2,
        "23:50",
        story.Post(
            "parent2",
            datetime.min,
            "Add: you can say no to a meeting time. And a buddy from another center for the "
            "first 90 days.",
        ),
    ),
    (
        1,
        "00:20",
        story.Revise(
            "parent2",
            datetime.min,
            CHECKLIST,
            "- Who to email with questions (any of us, any time)\n"
            "- What a PDSA cycle is, in plain words\n"
            "- Which meetings are in the evening, and that you can say no to a time\n"
            "- A buddy from another center for your first 90 days\n",
            "Saying no to a time; a buddy.",
        ),
    ),
    (
        1,
        "07:30",
        story.Agree("clinician", datetime.min, CHECKLIST),
    ),
)

# Recorded live when the demo loads: the worker mails these.
LIVE: tuple[story.Step, ...] = (
    story.Post(
        "clinician",
        datetime.min,
        "Our team will read the checklist at Thursday's huddle. @Dana Whitfield, could you "
        "join us for ten minutes to say what the buddy part meant for you?",
    ),
    story.Agree("parent", datetime.min, CHECKLIST),
)


def _local(cast: Cast, role: str, day: date, clock: str) -> datetime:
    return cast.utc(role, datetime.combine(day, time.fromisoformat(clock)))


async def play_present(session: AsyncSession, cast: Cast, now: datetime) -> Thread:
    """A thread of the last few days, relative to ``now``; its last steps are live."""
    played = Played()
    start_at = _local(cast, "parent", now.date() - timedelta(days=PRESENT[0][0]), PRESENT[0][1])
    first = PRESENT[0][2]
    assert isinstance(first, story.Post)
    with recording_history(session, start_at):
        new = NewThread(title=PRESENT_TITLE, audience=ThreadAudience.NETWORK, body=first.text)
        played.thread = await start_thread_in(session, cast.viewer("parent"), new, at=start_at)
        invited = [cast.ids[role] for role in ("staff", "clinician", "parent2")]
        await invite_in(session, cast.viewer("parent"), played.thread.id, invited, at=start_at)
    for days, clock, step in PRESENT[1:]:
        at = min(_local(cast, step.writer, now.date() - timedelta(days=days), clock), now)
        with recording_history(session, at):
            await _play(session, cast, played, step_at(step, at, cast), None)
    await _all_read(session, played.thread)
    for step in LIVE:
        if isinstance(step, story.Post):
            await post_message_in(session, cast.viewer(step.writer), played.thread, step.text)
        else:
            assert isinstance(step, story.Agree)
            await agree_in(session, cast.viewer(step.writer), played.latest[step.draft])
    return played.thread


def step_at(step: story.Step, at: datetime, cast: Cast) -> story.Step:
    """``step`` with its local time set to ``at`` on its writer's clock."""
    local = at.astimezone(cast.zones[cast.ids[step.writer]]).replace(tzinfo=None)
    fields = {name: getattr(step, name) for name in step.__dataclass_fields__}
    return type(step)(**(fields | {"at": local}))


async def load(session: AsyncSession, context: DemoContext) -> None:
    cast = await _cast(session, context)
    await play_story(session, cast, context.settings, context.plugins)
    await play_present(session, cast, utcnow())
