"""The ``Draft``, ``DraftRevision`` and ``Decision`` types, and the fields they add to
``Thread`` (``drafts``, ``draft(name:)``, ``decisions``).

Every list goes through this request's loaders, so a thread's drafts with all their revisions,
agreements and authors, and its decisions with their messages, cost a fixed number of
statements however many there are.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

import strawberry

from icn_codesign import draft_reading
from icn_codesign.clock import in_zone
from icn_codesign.diff import Diff, LineKind, diff
from icn_codesign.draft_models import Decision as DecisionRow
from icn_codesign.draft_models import Draft as DraftRow
from icn_codesign.draft_models import DraftRevision as RevisionRow
from icn_codesign.draft_models import DraftStatus as StatusValue
from icn_codesign.drafts import may_finalise
from icn_codesign.schema import draft_loaders, loaders, local_times
from icn_codesign.schema.threads import Thread, ThreadMessage
from icn_graph.plugin_api import BadInput, Info, Node, PersonType, described_enum

# The models' enums, registered as GraphQL enums (strawberry.enum marks the class itself).
described_enum(
    StatusValue,
    name="DraftStatus",
    description="DRAFT while it is being revised; FINAL once its owner (or network staff) "
    "finalised a revision participants agreed with.",
    values={
        StatusValue.DRAFT: "Being revised.",
        StatusValue.FINAL: "Finalised: one agreed revision is final; no more revisions.",
    },
)
described_enum(
    LineKind,
    name="DraftDiffLineKind",
    description="A line of a diff: added, removed or kept.",
    values={
        LineKind.CONTEXT: "In both texts, shown around a change.",
        LineKind.ADDED: "Only in the newer text.",
        LineKind.REMOVED: "Only in the older text.",
    },
)


@strawberry.type(description="Someone's agreement with a revision.")
class DraftAgreement:
    agreed_at: datetime = strawberry.field(description="When they agreed (UTC).")
    person_pk: strawberry.Private[int]

    @strawberry.field(description="Who agreed.")
    async def person(self, info: Info) -> PersonType | None:
        return await PersonType.load(info, self.person_pk)


@strawberry.type(description="One version of a draft's whole text, with who wrote it and why.")
class DraftRevision(Node):
    type_name = "DraftRevision"

    number: int = strawberry.field(description="1 for the first revision, then 2, 3, ...")
    body: str = strawberry.field(description="The whole text, in Markdown.")
    body_html: str = strawberry.field(description="The text rendered and sanitized, as messages.")
    note: str = strawberry.field(description="What changed, in its author's words.")
    created_at: datetime = strawberry.field(description="When it was written (UTC).")
    row: strawberry.Private[RevisionRow]

    @classmethod
    def from_row(cls, row: RevisionRow) -> DraftRevision:
        return cls(
            pk=row.id,
            number=row.number,
            body=row.body,
            body_html=row.body_html,
            note=row.note,
            created_at=row.created_at,
            row=row,
        )

    @classmethod
    async def resolve_nodes(cls, info: Info, pks: Sequence[int]) -> list[DraftRevision | None]:
        rows = await draft_reading.revisions_by_id(info.context.db, info.context.viewer, pks)
        return [cls.from_row(rows[pk]) if pk in rows else None for pk in pks]

    @strawberry.field(description="Who wrote it.")
    async def author(self, info: Info) -> PersonType | None:
        return await PersonType.load(info, self.row.author_id)

    @strawberry.field(description=local_times.DESCRIPTION)
    async def written_local(self, info: Info) -> str | None:
        author = await PersonType.load(info, self.row.author_id)
        return in_zone(self.created_at, author.timezone) if author else None

    @strawberry.field(description="The draft it is a revision of.")
    async def draft(self, info: Info) -> Draft | None:
        row = await draft_loaders.drafts(info).load(self.row.draft_id)
        return Draft.from_row(row) if row else None

    @strawberry.field(
        description="Who agreed with this revision, in the order they did (its author's "
        "agreement goes without saying and is not listed)."
    )
    async def agreements(self, info: Info) -> list[DraftAgreement]:
        rows = await draft_loaders.agreements_of(info).load(self.pk)
        return [DraftAgreement(agreed_at=row.agreed_at, person_pk=row.person_id) for row in rows]

    @strawberry.field(description="Whether the viewer agreed with it.")
    async def viewer_has_agreed(self, info: Info) -> bool:
        rows = await draft_loaders.agreements_of(info).load(self.pk)
        return any(row.person_id == info.context.viewer.person_id for row in rows)

    @strawberry.field(
        description="Whether `agreeToRevision` would record the viewer's agreement now: it is "
        "the latest revision of a draft still DRAFT, the viewer did not write it and has not "
        "agreed yet."
    )
    async def viewer_can_agree(self, info: Info) -> bool:
        viewer = info.context.viewer.person_id
        draft = await draft_loaders.drafts(info).load(self.row.draft_id)
        if draft is None or draft.status != StatusValue.DRAFT or viewer is None:
            return False
        if self.row.number != draft.revision_count or self.row.author_id == viewer:
            return False
        rows = await draft_loaders.agreements_of(info).load(self.pk)
        return all(row.person_id != viewer for row in rows)


@strawberry.type(description="A line of a diff, with its numbers in the older and newer text.")
class DraftDiffLine:
    kind: LineKind = strawberry.field(description="Added, removed or context.")
    text: str = strawberry.field(description="The line, without its line break.")
    old_number: int | None = strawberry.field(description="Null for an added line.")
    new_number: int | None = strawberry.field(description="Null for a removed line.")


@strawberry.type(description="A run of changed lines with up to three lines of context.")
class DraftDiffHunk:
    header: str = strawberry.field(description="As `diff -u` writes it: `@@ -1,4 +1,5 @@`.")
    old_start: int = strawberry.field(description="Its first line's number in the older text.")
    old_count: int = strawberry.field(description="How many of its lines the older text has.")
    new_start: int = strawberry.field(description="Its first line's number in the newer text.")
    new_count: int = strawberry.field(description="How many of its lines the newer text has.")
    lines: list[DraftDiffLine] = strawberry.field(description="Its lines, in order.")


@strawberry.type(description="What changed between two revisions of a draft, line by line.")
class DraftDiff:
    from_number: int = strawberry.field(description="The older revision's number.")
    to_number: int = strawberry.field(description="The newer revision's number.")
    added: int = strawberry.field(description="How many lines were added.")
    removed: int = strawberry.field(description="How many lines were removed.")
    hunks: list[DraftDiffHunk] = strawberry.field(
        description="The changes, in order; empty if the texts are equal."
    )
    text: str = strawberry.field(description="The same as a unified diff (empty if equal).")

    @classmethod
    def of(cls, found: Diff, old: int, new: int) -> DraftDiff:
        return cls(
            from_number=old,
            to_number=new,
            added=found.added,
            removed=found.removed,
            text=found.text,
            hunks=[
                DraftDiffHunk(
                    header=hunk.header,
                    old_start=hunk.old_start,
                    old_count=hunk.old_count,
                    new_start=hunk.new_start,
                    new_count=hunk.new_count,
                    lines=[
                        DraftDiffLine(
                            kind=line.kind,
                            text=line.text,
                            old_number=line.old_number,
                            new_number=line.new_number,
                        )
                        for line in hunk.lines
                    ],
                )
                for hunk in found.hunks
            ],
        )


@strawberry.type(description="A named text a thread works on, revision by revision.")
class Draft(Node):
    type_name = "Draft"

    name: str = strawberry.field(
        description="Its name, unique in its thread whatever the case (`draft(name:)`)."
    )
    kind: str = strawberry.field(
        description="What it is: `general`, or a kind a plugin declares (`codesignDraftKinds`)."
    )
    status: StatusValue = strawberry.field(description="Being revised, or final.")
    created_at: datetime = strawberry.field(description="When it was started (UTC).")
    finalised_at: datetime | None = strawberry.field(
        description="When it was made final (UTC); null while it is a DRAFT."
    )
    row: strawberry.Private[DraftRow]

    @classmethod
    def from_row(cls, row: DraftRow) -> Draft:
        return cls(
            pk=row.id,
            name=row.name,
            kind=row.kind,
            status=row.status,
            created_at=row.created_at,
            finalised_at=row.finalised_at,
            row=row,
        )

    @classmethod
    async def resolve_nodes(cls, info: Info, pks: Sequence[int]) -> list[Draft | None]:
        rows = await draft_reading.drafts_by_id(info.context.db, info.context.viewer, pks)
        return [cls.from_row(rows[pk]) if pk in rows else None for pk in pks]

    @strawberry.field(description="Who started it; they (or network staff) may finalise it.")
    async def owner(self, info: Info) -> PersonType | None:
        return await PersonType.load(info, self.row.owner_id)

    @strawberry.field(description="Who made it final.")
    async def finalised_by(self, info: Info) -> PersonType | None:
        return await PersonType.load(info, self.row.finalised_by)

    @strawberry.field(description="The thread it belongs to.")
    async def thread(self, info: Info) -> Thread | None:
        row = await loaders.threads(info).load(self.row.thread_id)
        return Thread.from_row(row) if row else None

    async def _revisions(self, info: Info) -> list[RevisionRow]:
        rows: list[RevisionRow] = await draft_loaders.revisions_of(info).load(self.pk)
        return rows

    @strawberry.field(description="Its revisions, first to latest.")
    async def revisions(self, info: Info) -> list[DraftRevision]:
        return [DraftRevision.from_row(row) for row in await self._revisions(info)]

    @strawberry.field(description="Its latest revision.")
    async def latest_revision(self, info: Info) -> DraftRevision | None:
        rows = await self._revisions(info)
        return DraftRevision.from_row(rows[-1]) if rows else None

    @strawberry.field(description="The revision made final; null while it is a DRAFT.")
    async def final_revision(self, info: Info) -> DraftRevision | None:
        for row in await self._revisions(info):
            if row.number == self.row.final_number:
                return DraftRevision.from_row(row)
        return None

    @strawberry.field(description="Its revision `number`, if it has one.")
    async def revision(
        self,
        info: Info,
        number: Annotated[int, strawberry.argument(description="1 for the first revision.")],
    ) -> DraftRevision | None:
        for row in await self._revisions(info):
            if row.number == number:
                return DraftRevision.from_row(row)
        return None

    @strawberry.field(
        description="What changed from revision `from` to revision `to` (numbers), line by line."
    )
    async def diff(
        self,
        info: Info,
        from_: Annotated[
            int, strawberry.argument(name="from", description="The older revision's number.")
        ],
        to: Annotated[int, strawberry.argument(description="The newer revision's number.")],
    ) -> DraftDiff | None:
        by_number = {row.number: row for row in await self._revisions(info)}
        for field, number in (("from", from_), ("to", to)):
            if number not in by_number:
                raise BadInput(f"{field}: '{self.name}' has no revision {number}.", field=field)
        old, new = by_number[from_], by_number[to]
        found = diff(
            old.body,
            new.body,
            old_label=f"{self.name} (revision {old.number})",
            new_label=f"{self.name} (revision {new.number})",
        )
        return DraftDiff.of(found, old.number, new.number)

    @strawberry.field(description="Whether the viewer may finalise it (its owner, or staff).")
    def viewer_can_finalise(self, info: Info) -> bool:
        return self.row.status == StatusValue.DRAFT and may_finalise(info.context.viewer, self.row)


@strawberry.type(description="A decision a thread recorded: what, by whom, when, resting on what.")
class Decision(Node):
    type_name = "Decision"

    text: str = strawberry.field(description="What was decided, in Markdown.")
    text_html: str = strawberry.field(description="The text rendered and sanitized.")
    decided_at: datetime = strawberry.field(description="When it was recorded (UTC).")
    row: strawberry.Private[DecisionRow]

    @classmethod
    def from_row(cls, row: DecisionRow) -> Decision:
        return cls(
            pk=row.id, text=row.text, text_html=row.text_html, decided_at=row.decided_at, row=row
        )

    @classmethod
    async def resolve_nodes(cls, info: Info, pks: Sequence[int]) -> list[Decision | None]:
        rows = await draft_reading.decisions_by_id(info.context.db, info.context.viewer, pks)
        return [cls.from_row(rows[pk]) if pk in rows else None for pk in pks]

    @strawberry.field(description="Who recorded it.")
    async def decided_by(self, info: Info) -> PersonType | None:
        return await PersonType.load(info, self.row.decided_by)

    @strawberry.field(description="The thread whose decision it is.")
    async def thread(self, info: Info) -> Thread | None:
        row = await loaders.threads(info).load(self.row.thread_id)
        return Thread.from_row(row) if row else None

    @strawberry.field(description="The draft revision it rests on, if any.")
    async def revision(self, info: Info) -> DraftRevision | None:
        if self.row.revision_id is None:
            return None
        row = await draft_loaders.revisions(info).load(self.row.revision_id)
        return DraftRevision.from_row(row) if row else None

    @strawberry.field(description="The thread's messages it rests on, oldest first.")
    async def messages(self, info: Info) -> list[ThreadMessage]:
        rows = await draft_loaders.decision_messages(info).load(self.pk)
        return [ThreadMessage.from_row(row) for row in rows]


@strawberry.type
class ThreadDrafts:
    """Fields drafts and decisions add to ``Thread`` (``root`` is a thread the viewer sees)."""

    @strawberry.field(description="Its drafts, in the order they were started.")
    async def drafts(self, root: Thread, info: Info) -> list[Draft] | None:
        rows = await draft_loaders.drafts_of(info).load(root.pk)
        return [Draft.from_row(row) for row in rows]

    @strawberry.field(description="Its draft called `name` (whatever the case), if any.")
    async def draft(
        self,
        root: Thread,
        info: Info,
        name: Annotated[str, strawberry.argument(description="The draft's name, in any case.")],
    ) -> Draft | None:
        key = name.strip().casefold()
        for row in await draft_loaders.drafts_of(info).load(root.pk):
            if row.name_key == key:
                return Draft.from_row(row)
        return None

    @strawberry.field(description="Its decision log, oldest first.")
    async def decisions(self, root: Thread, info: Info) -> list[Decision] | None:
        rows = await draft_loaders.decisions_of(info).load(root.pk)
        return [Decision.from_row(row) for row in rows]
