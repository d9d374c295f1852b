"""The hooks icn_graph calls. This module is the ``icn_graph`` entry point.

icn-panels needs icn-codesign (a panel's co-design thread and drafts): it imports it (not
installed: the plugin fails to import, naming ``icn_codesign``) and implements its hooks
without ``optionalhook`` (installed but disabled: start-up stops, "plugin 'icn-panels' implements
unknown hook 'icn_codesign_draft_...'")."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from icn_codesign.hooks import DraftKind, FinalisedDraft
from sqlalchemy.ext.asyncio import AsyncSession

from icn_graph.plugin_api import (
    DomainEvent,
    MigrationLocation,
    SchemaContribution,
    SubjectType,
    WorkerJob,
    hookimpl,
)
from icn_panels import codesign
from icn_panels.events import EVENT_TYPES
from icn_panels.overdue import flag_overdue_stages
from icn_panels.subjects import PROPOSAL_SUBJECT, REVIEW_SUBJECT

if TYPE_CHECKING:
    from icn_graph.plugin_api import DemoContext


@hookimpl
def register_schema() -> SchemaContribution:
    from icn_panels.schema import contribution

    return contribution()


@hookimpl
def register_migrations() -> MigrationLocation:
    return MigrationLocation(path=Path(__file__).parent / "migrations", owns_module="icn_panels")


@hookimpl
def register_event_types() -> Sequence[type[DomainEvent]]:
    return list(EVENT_TYPES)


@hookimpl
def register_subject_types() -> Sequence[SubjectType]:
    return [PROPOSAL_SUBJECT, REVIEW_SUBJECT]


@hookimpl
def register_mail_templates() -> Path:
    return Path(__file__).parent / "mail_templates"


@hookimpl
def register_worker_jobs() -> Sequence[WorkerJob]:
    return [flag_overdue_stages]


@hookimpl
async def load_demo_data(session: AsyncSession, context: DemoContext) -> None:
    from icn_panels import demo  # the demo's texts load only for `demo load`

    await demo.load(session, context)


@hookimpl
def icn_codesign_draft_kinds() -> Sequence[DraftKind]:
    return list(codesign.DRAFT_KINDS)


@hookimpl
async def icn_codesign_draft_finalised(draft: FinalisedDraft, session: AsyncSession) -> None:
    await codesign.apply_final_draft(session, draft)
