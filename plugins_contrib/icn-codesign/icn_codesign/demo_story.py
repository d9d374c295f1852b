"""The Spring 2014 parent panel, co-designed over three months: the demo's story, as data.

Each step happens at a writer's *local* wall-clock time (the loader converts it with the
writer's time zone), because partners write "at 11:00 PM and 4:00 AM, during their time".
Writers are roles the loader maps to demo people: "staff" (Jordan Avery, network staff),
"clinician" (Priya Raman), "parent" (Dana Whitfield) and two more parent partners, "parent2"
and "parent3".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

THREAD_TITLE = "A parent panel for Spring 2014"
# Whom the parent wrote her offhand comment to: the thread starts with them in it.
STARTED_WITH = ("staff",)
OFFHAND_COMMENT_AGENDA_TITLE = "Parents as partners: engaging families in QI"
OBJECTIVES = "Panel objectives"
CALL_TO_ACTION = "Call to action"


@dataclass(frozen=True)
class Post:
    writer: str
    at: datetime  # the writer's local time
    text: str


@dataclass(frozen=True)
class Invite:
    writer: str
    at: datetime
    invitees: tuple[str, ...]


@dataclass(frozen=True)
class Revise:
    writer: str
    at: datetime
    draft: str
    text: str
    note: str


@dataclass(frozen=True)
class Agree:
    writer: str
    at: datetime
    draft: str  # agrees with the draft's latest revision


@dataclass(frozen=True)
class Finalise:
    writer: str
    at: datetime
    draft: str


@dataclass(frozen=True)
class Decide:
    writer: str
    at: datetime
    text: str
    rests_on_posts: tuple[int, ...]  # indexes into the story's Post steps (0-based, posts only)
    draft: str | None = None  # rests on that draft's latest revision


Step = Post | Invite | Revise | Agree | Finalise | Decide


def _t(month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(2014, month, day, hour, minute)


OBJECTIVES_V1 = """\
1. Parents tell what engaging families in QI looked like at their center.
2. Centers hear what helped and what got in the way.
"""

OBJECTIVES_V2 = """\
By the end of the panel, every care team will be able to:

1. Name two ways parents have joined QI work at other centers (not only as survey takers).
2. Say what got in the way, in parents' words: time, jargon, not knowing where we fit.
3. Pick one thing to try in their next 90 days.
"""

OBJECTIVES_V3 = """\
By the end of the panel, every care team will be able to:

1. Name **two ways** parents have joined QI work at other centers: on the QI team,
   co-designing pre-visit planning, and reviewing the center's data with the team.
2. Say what got in the way, in parents' words: meetings at 2 PM on a weekday, jargon
   ("PDSA", "key driver"), and not knowing where we fit.
3. Leave with **one change** to test at their center in the next 90 days, with a parent
   on the team that tests it.
"""

OBJECTIVES_V4 = """\
By the end of the panel, every care team will be able to:

1. Name **two ways** parents have joined QI work at other centers: on the QI team,
   co-designing pre-visit planning, and reviewing the center's data with the team.
2. Say what got in the way, in parents' words: meetings at 2 PM on a weekday, jargon
   ("PDSA", "key driver"), and not knowing where we fit.
3. Leave with **one change** to test at their center in the next 90 days, with a parent
   on the team that tests it, written down as a 90-day goal before they leave the room.
"""

CALL_V1 = """\
Invite a parent to your next QI meeting.
"""

CALL_V2 = """\
**Ask one family this month.** Invite one parent or patient to join your QI team, at a
time they can make (evenings count), and give them a real job in your next PDSA cycle.
"""

CALL_V3 = """\
**Ask one family this month.** Before the Fall 2014 Learning Session, every center:

- invites one parent or patient to its QI team, at a time they can make (evenings count);
- gives them a real job in the next PDSA cycle, not a seat at the back;
- writes it down as a 90-day goal, so the network can see it and help.

We'll ask at Fall 2014 how it went, and we'll be there to help.
"""

STORY: tuple[Step, ...] = (
    Post(
        "parent",
        _t(1, 7, 23, 12),
        "Just read the Spring agenda draft. Wild idea: what if parents ran a panel on how "
        "centers can get families into QI work? Half the parents I talk to don't know "
        "they're allowed in the room.",
    ),
    Post(
        "staff",
        _t(1, 8, 9, 5),
        "Not wild at all, Dana. There's a plenary slot Saturday morning that needs exactly "
        "this. Could we pull a few people together to shape it? I'd love @Priya Raman's "
        "view from the clinic side.",
    ),
    Invite("staff", _t(1, 8, 9, 7), ("clinician", "parent2", "parent3")),
    Post(
        "clinician",
        _t(1, 8, 21, 40),
        "Yes please. We tried adding a parent to our QI team last year and it stalled "
        "because every meeting was at 2 PM on a Tuesday. A panel that names that kind of "
        "thing would land with care teams.",
    ),
    Post(
        "parent2",
        _t(1, 9, 4, 10),
        "Up with my son (flare week), so reading this at 4 AM. Count me in. The thing I'd "
        "want centers to hear: we don't need a seat at the back, we need a job.",
    ),
    Post(
        "parent3",
        _t(1, 9, 22, 55),
        "In. I'd add jargon to the list. My first QI meeting I spent an hour googling "
        '"PDSA" under the table.',
    ),
    Post(
        "staff",
        _t(1, 10, 10, 30),
        "Great start. Proposal: we draft the panel's objectives here first, then a call to "
        "action the panel delivers to the whole network. I'll put up a rough first version.",
    ),
    Revise(
        "staff",
        _t(1, 10, 10, 45),
        OBJECTIVES,
        OBJECTIVES_V1,
        "A rough start to react to.",
    ),
    Post(
        "parent",
        _t(1, 14, 23, 30),
        "These read like a conference abstract. What should a care team be able to *do* "
        "when they walk out?",
    ),
    Post(
        "clinician",
        _t(1, 15, 7, 20),
        "Agree with Dana. Objectives should be things teams can act on by Monday.",
    ),
    Revise(
        "parent",
        _t(1, 16, 0, 5),
        OBJECTIVES,
        OBJECTIVES_V2,
        "Rewritten as what teams can do afterwards.",
    ),
    Post(
        "parent2",
        _t(1, 16, 21, 15),
        "Much better. Can #1 be concrete? Say the actual ways: QI team, pre-visit planning, "
        "looking at the data together.",
    ),
    Post(
        "staff",
        _t(1, 17, 8, 50),
        "Quick worry from my side: are we sure centers are ready for this? I don't want "
        "anyone to feel called out on stage.",
    ),
    Post(
        "parent3",
        _t(1, 17, 23, 48),
        "We're not going to get you all fired, are we? :) Seriously though, we'll tell "
        "stories, not name centers.",
    ),
    Post(
        "clinician",
        _t(1, 20, 19, 2),
        "Stories, not names: agreed. And a parent on the team that *tests* the change, "
        "not just hears about it.",
    ),
    Revise(
        "clinician",
        _t(1, 21, 22, 10),
        OBJECTIVES,
        OBJECTIVES_V3,
        "Concrete ways in; the 2 PM meetings and the jargon; one change with a parent on it.",
    ),
    Agree("parent", _t(1, 21, 23, 40), OBJECTIVES),
    Agree("parent2", _t(1, 22, 4, 5), OBJECTIVES),
    Post(
        "staff",
        _t(1, 27, 9, 15),
        "Talked with the Learning Session planning group. The panel is a go: 45 minutes "
        "in the Saturday plenary, Priya moderating, Dana and two parents on the panel.",
    ),
    Decide(
        "staff",
        _t(1, 27, 9, 20),
        "The parent panel is on the Spring 2014 agenda: 45 minutes in the Saturday "
        "plenary, moderated by Priya Raman, with three parent panelists.",
        rests_on_posts=(0, 1, 12),
    ),
    Post(
        "parent",
        _t(2, 3, 22, 30),
        "Now the call to action. I keep coming back to something small enough that every "
        "center can do it in a month.",
    ),
    Revise(
        "parent",
        _t(2, 3, 22, 50),
        CALL_TO_ACTION,
        CALL_V1,
        "Smallest possible ask.",
    ),
    Post(
        "clinician",
        _t(2, 5, 6, 45),
        'Small is right, but "invite to a meeting" is exactly what stalled for us. The ask '
        "has to include when, and what the parent will actually do.",
    ),
    Post(
        "parent2",
        _t(2, 5, 23, 20),
        "Evenings. Say evenings count. Half of us work days.",
    ),
    Revise(
        "parent2",
        _t(2, 6, 0, 15),
        CALL_TO_ACTION,
        CALL_V2,
        "When (evenings count) and a real job.",
    ),
    Post(
        "staff",
        _t(2, 12, 11, 0),
        "Love it. Could we tie it to 90-day goals, so the network can see who took it up "
        "and help them? That's how centers already track their work.",
    ),
    Post(
        "parent3",
        _t(2, 13, 4, 20),
        "Yes, and a date. Fall 2014 Learning Session: we ask how it went. Otherwise it "
        "fades by May.",
    ),
    Post(
        "parent",
        _t(2, 20, 23, 5),
        "Agree with all of that. One more: say we'll help. Parents are nervous about this "
        "too, not just centers.",
    ),
    Revise(
        "staff",
        _t(2, 24, 10, 20),
        CALL_TO_ACTION,
        CALL_V3,
        "Folded in: a 90-day goal, a date (Fall 2014) and 'we'll be there to help'.",
    ),
    Post(
        "clinician",
        _t(2, 25, 20, 30),
        "This I can sell to my own team. One tweak on the objectives to match: have teams "
        "write the goal down before they leave the room.",
    ),
    Revise(
        "clinician",
        _t(2, 26, 21, 0),
        OBJECTIVES,
        OBJECTIVES_V4,
        "Objective 3 ends with writing the 90-day goal in the room, to match the call to action.",
    ),
    Agree("parent", _t(2, 26, 23, 15), OBJECTIVES),
    Agree("parent2", _t(2, 27, 4, 40), OBJECTIVES),
    Agree("parent3", _t(2, 27, 22, 10), OBJECTIVES),
    Agree("staff", _t(2, 28, 9, 0), OBJECTIVES),
    Finalise("staff", _t(2, 28, 9, 5), OBJECTIVES),
    Decide(
        "staff",
        _t(2, 28, 9, 10),
        "The panel's objectives are final.",
        rests_on_posts=(6, 7, 8, 11, 19),
        draft=OBJECTIVES,
    ),
    Agree("parent", _t(3, 3, 23, 50), CALL_TO_ACTION),
    Agree("parent2", _t(3, 4, 4, 15), CALL_TO_ACTION),
    Agree("parent3", _t(3, 4, 21, 30), CALL_TO_ACTION),
    Agree("clinician", _t(3, 5, 7, 10), CALL_TO_ACTION),
    Post(
        "staff",
        _t(3, 6, 9, 30),
        "Everyone has agreed to the call to action. Finalising it now so the slides can "
        "be made from the exact text.",
    ),
    Finalise("staff", _t(3, 6, 9, 35), CALL_TO_ACTION),
    Decide(
        "staff",
        _t(3, 6, 9, 40),
        "The call to action is final: every center asks one family this month, gives them "
        "a real job in the next PDSA cycle and writes it down as a 90-day goal; we ask how "
        "it went at Fall 2014.",
        rests_on_posts=(13, 14, 15, 16, 17, 18, 20),
        draft=CALL_TO_ACTION,
    ),
    Post(
        "parent",
        _t(3, 20, 22, 45),
        "Run-through with Priya tonight went well. Twelve minutes each is tight but doable.",
    ),
    Post(
        "clinician",
        _t(3, 27, 21, 15),
        "Final run-through done. See you all in Cincinnati.",
    ),
    Post(
        "staff",
        _t(4, 7, 8, 30),
        "Thank you, all of you. The panel was one of the highlights of this Learning "
        "Session, and three centers have already emailed about parents joining their QI "
        "teams.",
    ),
)
