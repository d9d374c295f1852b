"""The demo's proposals that are not on an agenda: Spring 2014's stalled and declined ones, and
the next session's (``demo``)."""

from __future__ import annotations

from dataclasses import dataclass

from icn_graph.plugin_api import PersonKind
from icn_panels.models import ProposalKind, ProposalStatus, Stage

# (title, kind, proposer's kind, abstract, decline reason or None for an accepted one that
# stalled in the pipeline)
DECLINED_2014: tuple[tuple[str, ProposalKind, PersonKind, str, str | None], ...] = (
    (
        "A transition clinic toolkit for teenagers",
        ProposalKind.WORKSHOP,
        PersonKind.NURSE,
        "Hands-on: build a transition checklist with a teenager from your clinic.",
        None,
    ),
    (
        "What our registry can tell families",
        ProposalKind.BREAKOUT,
        PersonKind.DATA_MANAGER,
        "Which registry measures families ask about, and how to show them safely.",
        None,
    ),
    (
        "Meal planning on a budget during flares",
        ProposalKind.POSTER,
        PersonKind.DIETITIAN,
        "A one-page plan families can use in a flare, tested with ten families.",
        None,
    ),
    (
        "Our center's new EHR build",
        ProposalKind.PLENARY,
        PersonKind.QI_LEAD,
        "How we rebuilt our flowsheets in the EHR over six months.",
        "Too specific to one center's EHR for a plenary; we'd welcome it as a poster in the fall.",
    ),
    (
        "Sleep and fatigue: what the evidence says",
        ProposalKind.PLENARY,
        PersonKind.CLINICIAN,
        "A review of the literature on fatigue in pediatric IBD.",
        "Strong topic, but the agenda already has a clinical plenary; please resubmit as a "
        "breakout with a patient partner for the fall.",
    ),
    (
        "Fundraising walks",
        ProposalKind.BREAKOUT,
        PersonKind.PARENT_PARTNER,
        "How three parent groups organised walks and what they raised.",
        "Outside this session's aim (partnering in QI); the Patient Advisory Council's "
        "newsletter would reach more families.",
    ),
)


@dataclass(frozen=True)
class PresentProposal:
    title: str
    kind: ProposalKind
    abstract: str
    status: ProposalStatus
    proposer: str = ""  # "parent" or "clinician" (the personas), else one of proposer_kind
    proposer_kind: PersonKind = PersonKind.CLINICIAN
    with_kinds: tuple[PersonKind, ...] = ()
    objectives: str = ""
    audience: str = ""
    scores: tuple[int, int] = (3, 5)
    reason: str | None = None
    done_through: Stage | None = None  # the last completed stage of an accepted proposal
    slipping: bool = False  # its outline was due five days ago
    coached_by_staff: bool = False


PRESENT_PROPOSALS: tuple[PresentProposal, ...] = (
    PresentProposal(
        title="Reading your center's remission run chart with families",
        kind=ProposalKind.BREAKOUT,
        abstract="A parent partner and a data manager walk through one center's monthly "
        "remission run chart: what a shift means, what it doesn't, and how to talk about it "
        "with families in clinic.",
        status=ProposalStatus.ACCEPTED_WITH_COACHING,
        proposer="parent",
        with_kinds=(PersonKind.DATA_MANAGER,),
        objectives="Read a run chart's median, shifts and trends; explain one to a family.",
        audience="Care teams, parent and patient partners",
        done_through=Stage.IDEA,
        slipping=True,
        coached_by_staff=True,
    ),
    PresentProposal(
        title="Pre-visit planning, co-designed with parents",
        kind=ProposalKind.WORKSHOP,
        abstract="Build a pre-visit planning form with the parents on your team.",
        status=ProposalStatus.ACCEPTED,
        proposer="clinician",
        with_kinds=(PersonKind.PARENT_PARTNER,),
        objectives="Leave with a draft form and a PDSA cycle to test it.",
        audience="QI teams",
        done_through=Stage.COACHED,
    ),
    PresentProposal(
        title="Growing up with IBD: patients on the panel",
        kind=ProposalKind.PANEL,
        abstract="Three patient partners and a psychologist on transition to adult care.",
        status=ProposalStatus.ACCEPTED,
        proposer_kind=PersonKind.PATIENT_PARTNER,
        with_kinds=(PersonKind.PATIENT_PARTNER, PersonKind.PSYCHOLOGIST),
        done_through=Stage.OUTLINE,
    ),
    PresentProposal(
        title="Shared decision-making for biologics",
        kind=ProposalKind.BREAKOUT,
        abstract="Decision aids for starting a biologic, tested at four centers.",
        status=ProposalStatus.ACCEPTED_WITH_COACHING,
        proposer_kind=PersonKind.CLINICIAN,
        with_kinds=(PersonKind.PARENT_PARTNER,),
        done_through=Stage.PREPPED,
    ),
    PresentProposal(
        title="Storyboards that tell a center's story",
        kind=ProposalKind.POSTER,
        abstract="What made last session's best storyboards readable from across the hall.",
        status=ProposalStatus.ACCEPTED,
        proposer_kind=PersonKind.QI_LEAD,
        done_through=Stage.RUN_THROUGH,
    ),
    PresentProposal(
        title="Psychosocial screening at every visit",
        kind=ProposalKind.WORKSHOP,
        abstract="Screening workflows from three centers, and what families said about them.",
        status=ProposalStatus.ACCEPTED,
        proposer_kind=PersonKind.SOCIAL_WORKER,
        with_kinds=(PersonKind.PSYCHOLOGIST,),
        done_through=Stage.IDEA,
    ),
    PresentProposal(
        title="Our new infusion chairs",
        kind=ProposalKind.PLENARY,
        abstract="The renovation of our infusion center.",
        status=ProposalStatus.DECLINED,
        proposer_kind=PersonKind.NURSE,
        scores=(1, 3),
        reason="One center's renovation is not a plenary for the network; the storyboard hall "
        "is a good place to show it.",
    ),
    PresentProposal(
        title="Parents on the data team",
        kind=ProposalKind.PANEL,
        abstract="Parents who review their center's registry data with the QI team each month.",
        status=ProposalStatus.SUBMITTED,
        proposer_kind=PersonKind.PARENT_PARTNER,
        with_kinds=(PersonKind.DATA_MANAGER, PersonKind.PARENT_PARTNER),
    ),
    PresentProposal(
        title="Nutrition therapy as a first step",
        kind=ProposalKind.BREAKOUT,
        abstract="Exclusive enteral nutrition: what four centers learned in a year.",
        status=ProposalStatus.SUBMITTED,
        proposer_kind=PersonKind.DIETITIAN,
    ),
)
