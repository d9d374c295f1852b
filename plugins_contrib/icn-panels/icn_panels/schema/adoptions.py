"""Call to action → 90-day goals in GraphQL: ``adoptCallToAction``, ``Proposal.adoptions``,
``Proposal.viewerCanAdopt``, ``Proposal.viewerAdoptableCenters`` and ``Goal.adoptedFrom``.
Every field reads through this request's loaders: one query per field for every proposal (or
goal) in the response. An adopted goal's details go through core's goal rules (``node``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import strawberry
from strawberry.dataloader import DataLoader

from icn_graph.plugin_api import (
    USER_ERRORS_DESCRIPTION,
    CenterType,
    Database,
    GoalType,
    Info,
    PersonType,
    UserError,
    described_enum,
    fetch_node,
    utcnow,
)
from icn_panels import adoption_reading
from icn_panels.adoption_reading import AdoptionRow, AdoptionStatus, Offer, summarise
from icn_panels.models import Adoption
from icn_panels.schema import loaders
from icn_panels.schema.types import Proposal, load_person

described_enum(
    AdoptionStatus,
    name="AdoptionStatus",
    description="How an adopted goal is doing, from core's goal status (set by each check-in), "
    "its due date and its latest check-in.",
    values={
        AdoptionStatus.ON_TRACK: "Open, ON_TRACK, not past due, checked in on within 30 days.",
        AdoptionStatus.AT_RISK: "AT_RISK or OFF_TRACK at its latest check-in, dropped, past "
        "due while open, or not checked in on for 30 days.",
        AdoptionStatus.DONE: "Closed DONE.",
    },
)


def _adoptions(info: Info) -> DataLoader[int, list[AdoptionRow]]:
    return info.context.loaders.get("icn-panels.adoptions", adoption_reading.adoptions_of)


def _offers(info: Info) -> DataLoader[int, Offer]:
    viewer = info.context.viewer

    async def batch(db: Database, pks: Sequence[int]) -> list[Offer]:
        return await adoption_reading.offers(db, viewer, pks)

    return info.context.loaders.get("icn-panels.offers", batch)


def _adopted_from(info: Info) -> DataLoader[int, Adoption | None]:
    return info.context.loaders.get(
        "icn-panels.adoption_by_goal", adoption_reading.adoption_by_goal
    )


async def _goal(info: Info, pk: int) -> GoalType | None:
    found = await fetch_node(info, "Goal", pk)
    return found if isinstance(found, GoalType) else None


async def _center(info: Info, pk: int | None) -> CenterType | None:
    if pk is None:
        return None
    found = await fetch_node(info, "Center", pk)
    return found if isinstance(found, CenterType) else None


@strawberry.type(
    description="A delivered proposal's call to action taken up as a 90-day goal: by a center "
    "(its QI lead or network staff) or by a partner as their own goal."
)
class ProposalAdoption:
    adopted_at: datetime = strawberry.field(description="When it was adopted (UTC).")
    center_pk: strawberry.Private[int | None]
    person_pk: strawberry.Private[int | None]
    goal_pk: strawberry.Private[int]
    adopted_by_pk: strawberry.Private[int | None]
    state: strawberry.Private[adoption_reading.GoalState]

    @classmethod
    def from_row(cls, row: AdoptionRow) -> ProposalAdoption:
        adoption = row.adoption
        return cls(
            adopted_at=adoption.adopted_at,
            center_pk=adoption.center_id,
            person_pk=adoption.person_id,
            goal_pk=adoption.goal_id,
            adopted_by_pk=adoption.adopted_by,
            state=row.goal,
        )

    @strawberry.field(description="The center whose 90-day goal it became; null for a partner's.")
    async def center(self, info: Info) -> CenterType | None:
        if self.center_pk is None or await _goal(info, self.goal_pk) is None:
            return None
        return await _center(info, self.center_pk)

    @strawberry.field(description="The partner whose own goal it became; null for a center's.")
    async def partner(self, info: Info) -> PersonType | None:
        if self.person_pk is None or await _goal(info, self.goal_pk) is None:
            return None
        return await load_person(info, self.person_pk)

    @strawberry.field(
        description="The goal, as core shows goals (every member reads every goal); null for a "
        "viewer core does not show it to."
    )
    async def goal(self, info: Info) -> GoalType | None:
        return await _goal(info, self.goal_pk)

    @strawberry.field(
        description="How the goal is doing (see `AdoptionStatus`); null when `goal` is."
    )
    async def status(self, info: Info) -> AdoptionStatus | None:
        if await _goal(info, self.goal_pk) is None:
            return None
        return summarise(self.state, utcnow())

    @strawberry.field(description="Who adopted it: the QI lead, staff member or partner.")
    async def adopted_by(self, info: Info) -> PersonType | None:
        if await _goal(info, self.goal_pk) is None:
            return None
        return await load_person(info, self.adopted_by_pk)


@strawberry.type
class ProposalAdoptions:
    """Fields on the plugin's own ``Proposal`` (``root``)."""

    @strawberry.field(
        description="The centers and partners who adopted its call to action as 90-day goals "
        "(`adoptCallToAction`), oldest first, with how their goals are doing."
    )
    async def adoptions(self, root: Proposal, info: Info) -> list[ProposalAdoption]:
        rows = await _adoptions(info).load(root.pk)
        return [ProposalAdoption.from_row(row) for row in rows]

    @strawberry.field(
        description="Whether the viewer may adopt its call to action now (`adoptCallToAction`): "
        "it is delivered with a call to action, and the viewer is the QI lead of a center that "
        "has not adopted it (network staff: any center), or a parent or patient partner who "
        "has not."
    )
    async def viewer_can_adopt(self, root: Proposal, info: Info) -> bool:
        return (await _offers(info).load(root.pk)).can_adopt

    @strawberry.field(
        description="The centers the viewer may adopt its call to action for (`centerId` of "
        "`adoptCallToAction`): those they lead as QI lead (network staff: every center) that "
        "have not adopted it; empty if it is not delivered or has no call to action."
    )
    async def viewer_adoptable_centers(self, root: Proposal, info: Info) -> list[CenterType]:
        offer = await _offers(info).load(root.pk)
        if not offer.open:
            return []
        return [CenterType.from_model(row) for row in offer.centers]


@strawberry.type
class GoalAdoptedFrom:
    """``root`` is core's goal."""

    @strawberry.field(
        description="The delivered proposal whose call to action this goal adopted "
        "(icn-panels, `adoptCallToAction`); null for other goals."
    )
    async def adopted_from(self, root: GoalType, info: Info) -> Proposal | None:
        adoption = await _adopted_from(info).load(root.pk)
        if adoption is None:
            return None
        row = await loaders.proposals(info).load(adoption.proposal_id)
        return Proposal.from_row(row) if row is not None else None


@strawberry.input(description="A delivered proposal's call to action, adopted as a 90-day goal.")
class AdoptCallToActionInput:
    proposal_id: strawberry.ID = strawberry.field(
        description="The delivered proposal; it must have a call to action."
    )
    center_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Adopt it as this center's goal (its QI lead or network staff); or set "
        "`partner`.",
    )
    partner: bool = strawberry.field(
        default=False,
        description="Adopt it as the viewer's own partner goal (parent and patient partners); "
        "instead of `centerId`.",
    )
    title: str | None = strawberry.field(
        default=None, description="The goal's title; default: the proposal's title."
    )
    description: str | None = strawberry.field(
        default=None,
        description="The goal's aim; default: the call to action; at most 2000 characters.",
    )
    due_on: date | None = strawberry.field(
        default=None, description="When the goal is due; default: 90 days from today (UTC)."
    )


@strawberry.type(description="What `adoptCallToAction` did.")
class AdoptCallToActionPayload:
    proposal: Proposal | None = strawberry.field(description="The proposal; null if refused.")
    goal: GoalType | None = strawberry.field(
        description="The new 90-day goal, linked back (`adoptedFrom`); null if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.input(description="What an accepted proposal asks centers and partners to do next.")
class UpdateCallToActionInput:
    proposal_id: strawberry.ID = strawberry.field(description="The accepted proposal.")
    call_to_action: str = strawberry.field(
        description="The call to action; empty clears it; at most 5000 characters."
    )
