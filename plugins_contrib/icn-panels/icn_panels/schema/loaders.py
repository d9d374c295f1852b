"""This request's loaders for the plugin's fields: one query per field for every object in the
response. Named ``icn-panels.*``; those that depend on the viewer read it from the request."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from icn_graph.plugin_api import Database, Info
from icn_panels import reading
from icn_panels.models import (
    CallForProposals,
    PanelInvitation,
    Presenter,
    Proposal,
    ProposalStage,
    Review,
)


def proposals(info: Info) -> DataLoader[int, Proposal | None]:
    viewer = info.context.viewer

    async def batch(db: Database, pks: Sequence[int]) -> list[Proposal | None]:
        found = await reading.proposals_by_id(db, viewer, pks)
        return [found.get(pk) for pk in pks]

    return info.context.loaders.get("icn-panels.proposals", batch)


def proposals_of_sessions(info: Info) -> DataLoader[int, list[Proposal]]:
    viewer = info.context.viewer

    async def batch(db: Database, pks: Sequence[int]) -> list[list[Proposal]]:
        return await reading.proposals_of_sessions(db, viewer, pks)

    return info.context.loaders.get("icn-panels.proposals_of_sessions", batch)


def calls(info: Info) -> DataLoader[int, CallForProposals | None]:
    return info.context.loaders.get("icn-panels.calls", reading.calls_of_sessions)


def presenters(info: Info) -> DataLoader[int, list[Presenter]]:
    viewer = info.context.viewer

    async def batch(db: Database, pks: Sequence[int]) -> list[list[Presenter]]:
        return await reading.presenters_of(db, viewer, pks)

    return info.context.loaders.get("icn-panels.presenters", batch)


def standings(info: Info) -> DataLoader[int, reading.Standing]:
    viewer = info.context.viewer

    async def batch(db: Database, pks: Sequence[int]) -> list[reading.Standing]:
        return await reading.standings(db, viewer, pks)

    return info.context.loaders.get("icn-panels.standings", batch)


def reviews(info: Info) -> DataLoader[int, list[Review]]:
    return info.context.loaders.get("icn-panels.reviews", reading.reviews_of)


def committee(info: Info) -> DataLoader[int, bool]:
    viewer = info.context.viewer

    async def batch(db: Database, pks: Sequence[int]) -> list[bool]:
        return await reading.committee_sessions(db, viewer, pks)

    return info.context.loaders.get("icn-panels.committee", batch)


def stages(info: Info) -> DataLoader[int, list[ProposalStage]]:
    """Only for proposals the viewer may see (``Proposal`` objects are)."""
    return info.context.loaders.get("icn-panels.stages", reading.stages_of)


def proposals_of_items(info: Info) -> DataLoader[int, Proposal | None]:
    viewer = info.context.viewer

    async def batch(db: Database, pks: Sequence[int]) -> list[Proposal | None]:
        return await reading.proposals_of_items(db, viewer, pks)

    return info.context.loaders.get("icn-panels.proposals_of_items", batch)


def invitations(info: Info) -> DataLoader[int, list[PanelInvitation]]:
    """Only for proposals the viewer may see (``Proposal`` objects are)."""
    return info.context.loaders.get("icn-panels.invitations", reading.invitations_of)
