"""Mutations on drafts and decisions, and the ``codesignDraftKinds`` listing.

Resolvers parse IDs and call the services, which authorise: refused input comes back as
``userErrors``; what belongs to a thread the viewer may not see is ``NOT_FOUND``, as if it did
not exist.
"""

from __future__ import annotations

import strawberry

from icn_codesign import decisions, drafts, hooks
from icn_codesign.schema import draft_loaders
from icn_codesign.schema.drafts import Decision, Draft, DraftRevision
from icn_codesign.schema.threads import Thread
from icn_graph.plugin_api import (
    USER_ERRORS_DESCRIPTION,
    Info,
    InputArgument,
    UserError,
    attempt,
    expect_global_id,
)


@strawberry.type(name="CodesignDraftKind", description="A kind of draft a plugin cares about.")
class DraftKindType:
    key: str = strawberry.field(description="What `reviseDraft(input: {kind})` takes.")
    label: str = strawberry.field(description="Its name for people, to show in a picker.")


@strawberry.type
class DraftQuery:
    @strawberry.field(description="The kinds of draft installed plugins declare (`general` first).")
    async def codesign_draft_kinds(self, info: Info) -> list[DraftKindType] | None:
        info.context.viewer.require_member()
        kinds = hooks.declared_kinds(info.context.plugins)
        return [DraftKindType(key=key, label=label) for key, label in kinds.items()]


@strawberry.input(description="A new revision of a thread's draft (the first starts the draft).")
class ReviseDraftInput:
    thread_id: strawberry.ID = strawberry.field(description="The thread the draft belongs to.")
    name: str = strawberry.field(
        description="The draft's name in the thread; the first revision of a new name starts "
        "the draft."
    )
    body: str = strawberry.field(description="The whole new text, in Markdown.")
    note: str = strawberry.field(default="", description="What changed, and why.")
    kind: str | None = strawberry.field(
        default=None,
        description="When the draft starts: `general` (the default) or a kind a plugin "
        "declares (`codesignDraftKinds`).",
    )


@strawberry.type(description="What `reviseDraft` did.")
class ReviseDraftPayload:
    revision: DraftRevision | None = strawberry.field(
        description="The new revision; null if refused."
    )
    draft: Draft | None = strawberry.field(
        description="The draft, with its new latest revision; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.input(description="A revision you agree with.")
class AgreeToRevisionInput:
    id: strawberry.ID = strawberry.field(description="The draft's latest revision.")


@strawberry.type(description="What `agreeToRevision` did.")
class AgreeToRevisionPayload:
    revision: DraftRevision | None = strawberry.field(
        description="The revision, with your agreement; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)

    @strawberry.field(
        description="The draft's thread, with you among its participants (agreeing joins it), "
        "for client caches; null if refused."
    )
    async def thread(self, info: Info) -> Thread | None:
        draft = await self.revision.draft(info) if self.revision else None
        return await draft.thread(info) if draft else None


@strawberry.input(description="A draft to make final (its owner, or network staff).")
class FinaliseDraftInput:
    id: strawberry.ID = strawberry.field(description="The draft to make final.")
    draft_revision_id: strawberry.ID | None = strawberry.field(
        default=None, description="The revision to make final (default: the latest)."
    )


@strawberry.type(description="What `finaliseDraft` did.")
class FinaliseDraftPayload:
    draft: Draft | None = strawberry.field(
        description="The draft, now FINAL with its final revision; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.input(description="A decision to record in a thread's decision log.")
class RecordDecisionInput:
    thread_id: strawberry.ID = strawberry.field(description="The thread that decided.")
    text: str = strawberry.field(description="What was decided, in Markdown.")
    thread_message_ids: list[strawberry.ID] = strawberry.field(
        default_factory=list, description="Messages of the thread it rests on."
    )
    draft_revision_id: strawberry.ID | None = strawberry.field(
        default=None, description="A revision of one of the thread's drafts it rests on."
    )


@strawberry.type(description="What `recordDecision` did.")
class RecordDecisionPayload:
    decision: Decision | None = strawberry.field(
        description="The decision recorded; null if refused."
    )
    user_errors: list[UserError] = strawberry.field(description=USER_ERRORS_DESCRIPTION)


@strawberry.type
class DraftMutation:
    @strawberry.mutation(
        description="Write a new revision of a thread's draft, starting the draft if it has no "
        "revision yet."
    )
    async def revise_draft(
        self, info: Info, input: InputArgument[ReviseDraftInput]
    ) -> ReviseDraftPayload:
        revision = drafts.Revision(
            thread_id=expect_global_id(input.thread_id, "Thread", field="threadId"),
            name=input.name,
            body=input.body,
            note=input.note,
            kind=input.kind,
        )
        known = hooks.declared_kinds(info.context.plugins)
        row, errors = await attempt(
            drafts.revise_draft(info.context.db, info.context.viewer, revision, known_kinds=known)
        )
        if row is None:
            return ReviseDraftPayload(revision=None, draft=None, user_errors=errors)
        draft = await draft_loaders.drafts(info).load(row.draft_id)
        return ReviseDraftPayload(
            revision=DraftRevision.from_row(row),
            draft=Draft.from_row(draft) if draft else None,
            user_errors=errors,
        )

    @strawberry.mutation(description="Agree with the latest revision of a draft.")
    async def agree_to_revision(
        self, info: Info, input: InputArgument[AgreeToRevisionInput]
    ) -> AgreeToRevisionPayload:
        pk = expect_global_id(input.id, "DraftRevision", field="id")
        row, errors = await attempt(drafts.agree(info.context.db, info.context.viewer, pk))
        return AgreeToRevisionPayload(
            revision=DraftRevision.from_row(row) if row else None, user_errors=errors
        )

    @strawberry.mutation(
        description="Make an agreed revision of a draft final (its owner, or network staff)."
    )
    async def finalise_draft(
        self, info: Info, input: InputArgument[FinaliseDraftInput]
    ) -> FinaliseDraftPayload:
        pk = expect_global_id(input.id, "Draft", field="id")
        revision = (
            expect_global_id(input.draft_revision_id, "DraftRevision", field="draftRevisionId")
            if input.draft_revision_id
            else None
        )
        row, errors = await attempt(
            drafts.finalise(info.context.db, info.context.viewer, pk, revision_id=revision)
        )
        return FinaliseDraftPayload(draft=Draft.from_row(row) if row else None, user_errors=errors)

    @strawberry.mutation(
        description="Record a decision in a thread's decision log, with the messages and the "
        "revision it rests on."
    )
    async def record_decision(
        self, info: Info, input: InputArgument[RecordDecisionInput]
    ) -> RecordDecisionPayload:
        new = decisions.NewDecision(
            thread_id=expect_global_id(input.thread_id, "Thread", field="threadId"),
            text=input.text,
            message_ids=[
                expect_global_id(value, "ThreadMessage", field=f"threadMessageIds[{index}]")
                for index, value in enumerate(input.thread_message_ids)
            ],
            revision_id=(
                expect_global_id(input.draft_revision_id, "DraftRevision", field="draftRevisionId")
                if input.draft_revision_id
                else None
            ),
        )
        row, errors = await attempt(
            decisions.record_decision(info.context.db, info.context.viewer, new)
        )
        return RecordDecisionPayload(
            decision=Decision.from_row(row) if row else None, user_errors=errors
        )
