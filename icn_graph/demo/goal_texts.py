"""What the demo's 90-day goals say: center and partner goals, key results, check-in notes."""

from __future__ import annotations

from dataclasses import dataclass

from icn_graph.models import GoalStatus


@dataclass(frozen=True)
class KeyResultTemplate:
    title: str
    unit: str
    start: tuple[float, float]  # the start value is drawn from this range
    target: tuple[float, float]
    whole: bool = True  # counts and days are whole numbers; percentages keep one decimal


@dataclass(frozen=True)
class GoalTemplate:
    title: str
    aim: str
    key_results: tuple[KeyResultTemplate, ...]


CENTER_GOALS: tuple[GoalTemplate, ...] = (
    GoalTemplate(
        "Raise our remission rate",
        "Increase the share of our patients in clinical remission by planning every visit in "
        "advance and acting on the pre-visit report.",
        (
            KeyResultTemplate("Patients in remission", "%", (68, 76), (80, 84), whole=False),
            KeyResultTemplate("Visits with pre-visit planning", "%", (35, 60), (90, 95)),
        ),
    ),
    GoalTemplate(
        "Reliable nutrition screening",
        "Every patient gets a nutrition screen and a documented growth measure at every visit.",
        (
            KeyResultTemplate("Visits with nutrition screening", "%", (45, 65), (95, 95)),
            KeyResultTemplate("Patients with growth documented", "%", (60, 75), (95, 98)),
        ),
    ),
    GoalTemplate(
        "Faster registry entry for new patients",
        "Enter newly diagnosed patients in the registry within a week, so population "
        "management starts with the first visit.",
        (
            KeyResultTemplate(
                "Median days from diagnosis to registry entry", "days", (25, 40), (7, 7)
            ),
        ),
    ),
    GoalTemplate(
        "Families at the QI table",
        "Build a parent advisory council that takes part in our monthly QI meetings.",
        (
            KeyResultTemplate(
                "Families on the parent advisory council", "families", (0, 2), (6, 8)
            ),
            KeyResultTemplate("QI meetings with a parent present", "%", (0, 20), (75, 80)),
        ),
    ),
    GoalTemplate(
        "Self-management support",
        "Help each patient and family set and review a self-management goal.",
        (
            KeyResultTemplate(
                "Patients with a self-management goal documented", "%", (10, 25), (60, 70)
            ),
        ),
    ),
    GoalTemplate(
        "Psychosocial screening for adolescents",
        "Screen every adolescent for depression and anxiety once a year and follow up on every "
        "positive screen.",
        (
            KeyResultTemplate("Adolescents screened this year", "%", (25, 45), (90, 90)),
            KeyResultTemplate("Positive screens with a follow-up plan", "%", (40, 60), (100, 100)),
        ),
    ),
    GoalTemplate(
        "Ready for adult care",
        "Assess transition readiness for every patient aged 16 and over.",
        (
            KeyResultTemplate(
                "Patients 16+ with a transition readiness assessment", "%", (5, 20), (70, 80)
            ),
        ),
    ),
    GoalTemplate(
        "Population management",
        "Use the registry's population report to reach patients who are overdue.",
        (
            KeyResultTemplate("Patients seen in the last six months", "%", (72, 80), (90, 92)),
            KeyResultTemplate("Patients overdue for labs", "patients", (30, 50), (8, 12)),
        ),
    ),
)

PARENT_PANEL = GoalTemplate(
    "Bring a parent panel to the Spring 2014 Learning Session",
    "Co-design, with a clinician and network staff, a parent panel that tells centers how to "
    "engage families in QI work, ending with a call to action.",
    (
        KeyResultTemplate("Panelists confirmed", "panelists", (0, 0), (4, 4)),
        KeyResultTemplate("Call-to-action drafts reviewed with staff", "drafts", (0, 0), (3, 3)),
    ),
)

PARTNER_GOALS: tuple[GoalTemplate, ...] = (
    PARENT_PANEL,
    GoalTemplate(
        "Share our family's story on the ICN Exchange",
        "Post what we learned in our first year after diagnosis, for families who are new to IBD.",
        (KeyResultTemplate("Posts published", "posts", (0, 0), (3, 4)),),
    ),
    GoalTemplate(
        "Recruit families to our center's QI team",
        "Invite families from clinic to join our center's improvement work.",
        (KeyResultTemplate("Families recruited", "families", (0, 1), (3, 4)),),
    ),
    GoalTemplate(
        "Co-design a transition checklist",
        "Work with our care team and teens to write a checklist for moving to adult care.",
        (
            KeyResultTemplate("Checklist drafts tested in clinic", "drafts", (0, 0), (2, 3)),
            KeyResultTemplate("Teens giving feedback", "teens", (0, 2), (10, 12)),
        ),
    ),
    GoalTemplate(
        "Show network remission data at a community event",
        "Present the network's remission story, with the centers' permission, to families and "
        "donors.",
        (
            KeyResultTemplate("Centers agreeing to show their data", "centers", (0, 0), (5, 6)),
            KeyResultTemplate("Events presented at", "events", (0, 0), (2, 2)),
        ),
    ),
    GoalTemplate(
        "Start a peer support group for newly diagnosed families",
        "Meet monthly with families in their first year after diagnosis.",
        (
            KeyResultTemplate("Meetings held", "meetings", (0, 0), (3, 3)),
            KeyResultTemplate("Families attending", "families", (0, 0), (10, 12)),
        ),
    ),
    GoalTemplate(
        "Make clinic visits easier for kids",
        "Test ideas with our care team that make waiting and procedures less stressful.",
        (KeyResultTemplate("Ideas tested with the care team", "ideas", (0, 0), (3, 3)),),
    ),
    GoalTemplate(
        "Learn the basics of quality improvement",
        "Finish the network's QI training so I can take part in PDSA cycles at our center.",
        (KeyResultTemplate("QI training modules completed", "modules", (0, 1), (6, 6)),),
    ),
)

NOTES: dict[GoalStatus, tuple[str, ...]] = {
    GoalStatus.ON_TRACK: (
        "Good two weeks: the changes are sticking.",
        "Right where we planned to be. Sharing the run chart at the next team huddle.",
        "Another PDSA cycle done; small tweaks, steady progress.",
        "The team is on board and the numbers show it.",
        "On track. Families are giving us useful feedback.",
    ),
    GoalStatus.AT_RISK: (
        "Slower than hoped: two people were out and nobody covered.",
        "We are behind; rethinking how we run the huddle.",
        "Progress stalled this cycle. Asking another center how they did it.",
        "Holiday weeks cost us time. Need a push this month.",
    ),
    GoalStatus.OFF_TRACK: (
        "This is not working as designed; we need a different change idea.",
        "Well behind. Considering whether to narrow the aim.",
        "Clinic staffing changes put this on hold for now.",
    ),
}

REFLECTIONS: dict[GoalStatus, tuple[str, ...]] = {
    GoalStatus.DONE: (
        "Done. Small daily tests beat one big launch; we will spread this to the other clinic.",
        "Reached the target. Having a parent in the room changed what we tried.",
        "Met the aim. The run chart convinced the skeptics.",
    ),
    GoalStatus.DROPPED: (
        "Dropped: the aim was too broad for 90 days. Splitting it next quarter.",
        "Dropped after the staffing change; will revisit in the spring.",
    ),
}
