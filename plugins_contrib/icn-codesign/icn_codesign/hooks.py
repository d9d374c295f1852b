"""The hooks icn-codesign publishes for other plugins (``register_hookspecs``).

- ``icn_codesign_draft_kinds()``: the kinds of draft a plugin cares about, each a ``DraftKind``
  (``key`` like ``panel.objectives``, and a ``label``). ``reviseDraft`` accepts these kinds (and
  ``general``); ``codesignDraftKinds`` lists them for the app.
- ``icn_codesign_draft_finalised(draft, session)``: a draft became FINAL. Called after the
  finalising transaction committed, by a transactional event consumer on
  ``thread.draft_finalised``: at least once, in the consumer's transaction (write your rows
  with ``session``; they commit with the delivery). An exception rolls the delivery back and it
  is retried (the worker tries an event up to 10 times), so be quick and idempotent: key what you
  write on ``draft.event_id`` or ``draft.revision_id``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from icn_codesign.draft_events import DraftFinalised
from icn_codesign.draft_models import GENERAL_KIND, KIND_LENGTH
from icn_graph.plugin_api import Event, EventConsumer, PluginHost, hookspec

log = logging.getLogger("icn_codesign")

KIND_KEY = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")


@dataclass(frozen=True)
class DraftKind:
    """A kind of draft a plugin cares about: ``key`` (lower-case words joined by dots, e.g.
    ``panel.call_to_action``) and how people call it (``label``)."""

    key: str
    label: str


@dataclass(frozen=True)
class FinalisedDraft:
    """What ``icn_codesign_draft_finalised`` hears: the draft, its final revision (global IDs
    and primary keys), its text, and where its thread is attached."""

    event_id: int
    draft_id: str
    draft_pk: int
    name: str
    kind: str
    thread_id: str
    thread_title: str
    revision_id: str
    revision_pk: int
    number: int
    body: str
    attached_to: str | None  # the global ID of the Node the thread is about, if any
    finalised_by: str | None  # the global ID of the person who finalised it
    finalised_at: datetime

    @classmethod
    def from_event(cls, event: Event, data: DraftFinalised) -> FinalisedDraft:
        assert event.id is not None
        return cls(
            event_id=event.id,
            draft_id=data.draft.global_id,
            draft_pk=data.draft.pk,
            name=data.draft_name,
            kind=data.kind,
            thread_id=data.thread.global_id,
            thread_title=data.title,
            revision_id=data.revision.global_id,
            revision_pk=data.revision.pk,
            number=data.number,
            body=data.body,
            attached_to=data.attached_to,
            finalised_by=event.actor_id,
            finalised_at=event.occurred_at,
        )


class CodesignHooks:
    """Hooks icn-codesign calls; other plugins implement them with
    ``@hookimpl(optionalhook=True)``."""

    @staticmethod
    @hookspec
    def icn_codesign_draft_kinds() -> Sequence[DraftKind] | None:
        """The kinds of draft this plugin cares about."""

    @staticmethod
    @hookspec
    async def icn_codesign_draft_finalised(draft: FinalisedDraft, session: AsyncSession) -> None:
        """A draft became FINAL (at least once; in the delivery's transaction)."""


def declared_kinds(plugins: PluginHost | None) -> dict[str, str]:
    """``{key: label}`` of the draft kinds plugins declare, ``general`` first. A malformed key
    is logged and left out; a key declared twice keeps its first label."""
    kinds = {GENERAL_KIND: "General"}
    if plugins is None:
        return kinds
    for declared in plugins.call_hook(CodesignHooks.icn_codesign_draft_kinds):
        for kind in declared:
            key, label = str(getattr(kind, "key", "")), str(getattr(kind, "label", ""))
            if len(key) > KIND_LENGTH or not KIND_KEY.fullmatch(key):
                log.warning("icn-codesign: ignoring the malformed draft kind %r", key)
                continue
            kinds.setdefault(key, label.strip()[:100] or key)
    return kinds


def finalised_consumer(plugins: PluginHost) -> EventConsumer:
    """The consumer that tells other plugins of finalised drafts."""

    async def tell_finalised(session: AsyncSession, events: Sequence[Event], now: datetime) -> None:
        for event in events:
            if isinstance(event.data, DraftFinalised):
                await plugins.acall_hook(
                    CodesignHooks.icn_codesign_draft_finalised,
                    draft=FinalisedDraft.from_event(event, event.data),
                    session=session,
                )

    return tell_finalised
