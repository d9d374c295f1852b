"""This request's loaders for drafts and decisions: one query per field for every object in
the response (named ``icn-codesign.*``)."""

from __future__ import annotations

from collections.abc import Sequence

from strawberry.dataloader import DataLoader

from icn_codesign import draft_reading
from icn_codesign.draft_models import Agreement, Decision, Draft, DraftRevision
from icn_codesign.models import Message
from icn_graph.plugin_api import Database, Info


def drafts_of(info: Info) -> DataLoader[int, list[Draft]]:
    return info.context.loaders.get("icn-codesign.drafts_of", draft_reading.drafts_of)


def revisions_of(info: Info) -> DataLoader[int, list[DraftRevision]]:
    return info.context.loaders.get("icn-codesign.revisions_of", draft_reading.revisions_of)


def agreements_of(info: Info) -> DataLoader[int, list[Agreement]]:
    return info.context.loaders.get("icn-codesign.agreements_of", draft_reading.agreements_of)


def decisions_of(info: Info) -> DataLoader[int, list[Decision]]:
    return info.context.loaders.get("icn-codesign.decisions_of", draft_reading.decisions_of)


def decision_messages(info: Info) -> DataLoader[int, list[Message]]:
    return info.context.loaders.get(
        "icn-codesign.decision_messages", draft_reading.decision_messages_of
    )


def drafts(info: Info) -> DataLoader[int, Draft | None]:
    viewer = info.context.viewer

    async def batch(db: Database, pks: Sequence[int]) -> list[Draft | None]:
        found = await draft_reading.drafts_by_id(db, viewer, pks)
        return [found.get(pk) for pk in pks]

    return info.context.loaders.get("icn-codesign.drafts", batch)


def revisions(info: Info) -> DataLoader[int, DraftRevision | None]:
    viewer = info.context.viewer

    async def batch(db: Database, pks: Sequence[int]) -> list[DraftRevision | None]:
        found = await draft_reading.revisions_by_id(db, viewer, pks)
        return [found.get(pk) for pk in pks]

    return info.context.loaders.get("icn-codesign.revisions", batch)
