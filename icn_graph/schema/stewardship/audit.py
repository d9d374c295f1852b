"""The audit log of identified reads: ``identifiedReads`` and ``Center.identifiedReads``.

Who may see what is ``services.stewardship.audit_log``'s rule: network staff and data managers
every read; a center's QI lead the reads of their center's data, listing only their centers.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.dataloader import DataLoader

from icn_graph.db.database import Database
from icn_graph.errors import NotFound
from icn_graph.models.stewardship import IdentifiedRead as ReadRow
from icn_graph.models.stewardship import IdentifiedReadCenter as ReadCenterRow
from icn_graph.schema.centers import Center
from icn_graph.schema.connections import Connection, connection_from_page
from icn_graph.schema.context import Info
from icn_graph.schema.described_enums import described_enum
from icn_graph.schema.descriptions import AfterArgument, FirstArgument
from icn_graph.schema.people import Person
from icn_graph.schema.relay import Node, expect_global_id, to_global_id
from icn_graph.services.stewardship import audit_log as service
from icn_graph.services.stewardship.read_audit import ReadChannel, ReadSubject

# The type names these IDs refer to (defined with data requests and published views).
CONSENT_TYPE = "DisplayConsent"
LINK_TYPE = "DataViewLink"
VIEW_TYPE = "DataView"

described_enum(
    ReadChannel,
    name="IdentifiedReadChannel",
    description="How identified data was read: in a GraphQL response, or downloaded as a PNG, "
    "SVG, Vega-Lite or CSV file.",
    values={
        ReadChannel.GRAPHQL: "In a GraphQL response.",
        ReadChannel.PNG: "A PNG chart downloaded.",
        ReadChannel.SVG: "An SVG chart downloaded.",
        ReadChannel.VEGA_LITE: "A Vega-Lite spec (in GraphQL or downloaded), data inline.",
        ReadChannel.CSV: "A CSV file downloaded.",
    },
)
described_enum(
    ReadSubject,
    name="IdentifiedReadSubject",
    description="What was read: a center's REPORT, a DATA_VIEW of a data request, a "
    "KEY_RESULT linked to a measure, or a COMPARISON of centers.",
    values={
        ReadSubject.REPORT: "A center's report (`Center.report`, `report`, or its chart or "
        "spreadsheet).",
        ReadSubject.DATA_VIEW: "A data view of a data request, under the centers' consents.",
        ReadSubject.KEY_RESULT: "A key result whose current value comes from a center's measure.",
        ReadSubject.COMPARISON: "The center-comparison funnel (`Network.centerComparison`).",
    },
)

SinceArgument = Annotated[
    datetime | None, strawberry.argument(description="Only reads at or after this instant.")
]


@strawberry.type(description="A center whose identified data one read showed.")
class IdentifiedReadCenter:
    center_pk: strawberry.Private[int]
    consent_pk: strawberry.Private[int | None]

    @strawberry.field(description="The center whose data was shown.")
    async def center(self, info: Info) -> Center:
        row = await info.context.loaders.center.load(self.center_pk)
        if row is None:
            raise NotFound("This center no longer exists.")
        return Center.from_model(row)

    @strawberry.field(
        description="The ID of the DisplayConsent it was shown under; null when shown by role "
        "(to network staff or a data manager)."
    )
    def consent_id(self) -> strawberry.ID | None:
        return None if self.consent_pk is None else to_global_id(CONSENT_TYPE, self.consent_pk)


@strawberry.type(
    description="One read or download of identified center data by someone outside the center "
    "(or through a public link). The log is append-only."
)
class IdentifiedRead(Node):
    type_name = "IdentifiedRead"

    at: datetime = strawberry.field(description="When it was read (UTC).")
    channel: ReadChannel = strawberry.field(description="How it was read.")
    subject: ReadSubject = strawberry.field(description="What was read.")
    measure_key: str | None = strawberry.field(description="The measure read, if one.")
    reader_pk: strawberry.Private[int | None]
    link_pk: strawberry.Private[int | None]
    view_pk: strawberry.Private[int | None]

    @classmethod
    def from_row(cls, row: ReadRow) -> IdentifiedRead:
        return cls(
            pk=row.id,
            at=row.at,
            channel=ReadChannel(row.channel),
            subject=ReadSubject(row.subject),
            measure_key=row.measure_key,
            reader_pk=row.reader_id,
            link_pk=row.link_id,
            view_pk=row.view_id,
        )

    @classmethod
    async def resolve_nodes(cls, info: Info, pks: Sequence[int]) -> list[IdentifiedRead | None]:
        rows = await service.visible_reads(info.context.db, info.context.viewer, pks)
        return [None if row is None else cls.from_row(row) for row in rows]

    @strawberry.field(description="Who read it; null for a read through a public link.")
    async def reader(self, info: Info) -> Person | None:
        if self.reader_pk is None:
            return None
        row = await info.context.loaders.person.load(self.reader_pk)
        return None if row is None else Person.from_model(row)

    @strawberry.field(description="The ID of the public link (DataViewLink) it was read through.")
    def link_id(self) -> strawberry.ID | None:
        return None if self.link_pk is None else to_global_id(LINK_TYPE, self.link_pk)

    @strawberry.field(description="The ID of the DataView read, for DATA_VIEW reads.")
    def view_id(self) -> strawberry.ID | None:
        return None if self.view_pk is None else to_global_id(VIEW_TYPE, self.view_pk)

    @strawberry.field(
        description="The centers whose data it showed, and under which consent: only those "
        "whose audit log you may see."
    )
    async def centers(self, info: Info) -> list[IdentifiedReadCenter]:
        rows = await _centers_of_reads(info).load(self.pk)
        return [IdentifiedReadCenter(center_pk=r.center_id, consent_pk=r.consent_id) for r in rows]


def _centers_of_reads(info: Info) -> DataLoader[int, list[ReadCenterRow]]:
    scope = service.audit_scope(info.context.viewer)

    async def batch(db: Database, read_ids: list[int]) -> list[list[ReadCenterRow]]:
        if scope is None:
            return [[] for _ in read_ids]
        return await service.centers_of_reads(db, scope, read_ids)

    return info.context.loaders.get("stewardship.centers_of_reads", batch)


async def _reads(
    info: Info,
    *,
    since: datetime | None,
    center_id: int | None,
    first: int | None,
    after: str | None,
) -> Connection[IdentifiedRead]:
    page = await service.list_identified_reads(
        info.context.db,
        info.context.viewer,
        since=since,
        center_id=center_id,
        first=first,
        after=after,
    )
    return connection_from_page(page, IdentifiedRead.from_row)


async def resolve_identified_reads(
    info: Info,
    since: SinceArgument = None,
    center_id: Annotated[
        strawberry.ID | None,
        strawberry.argument(description="Only reads that showed this center's data."),
    ] = None,
    first: FirstArgument = 20,
    after: AfterArgument = None,
) -> Connection[IdentifiedRead]:
    pk = None if center_id is None else expect_global_id(center_id, "Center", field="centerId")
    return await _reads(info, since=since, center_id=pk, first=first, after=after)


@strawberry.type
class CenterIdentifiedReads:
    """``Center.identifiedReads`` and ``Center.viewerCanSeeIdentifiedReads``."""

    @strawberry.field(
        description="Reads of this center's identified data by people outside it, newest first "
        "(`first` at most 100). Null unless you are network staff, a network data manager or "
        "this center's QI lead (see `viewerCanSeeIdentifiedReads`)."
    )
    async def identified_reads(
        self,
        root: Center,
        info: Info,
        since: SinceArgument = None,
        first: FirstArgument = 20,
        after: AfterArgument = None,
    ) -> Connection[IdentifiedRead] | None:
        if not service.may_see_center_reads(info.context.viewer, root.pk):
            return None
        return await _reads(info, since=since, center_id=root.pk, first=first, after=after)

    @strawberry.field(description="Whether you may read this center's `identifiedReads`.")
    def viewer_can_see_identified_reads(self, root: Center, info: Info) -> bool:
        return service.may_see_center_reads(info.context.viewer, root.pk)


__all__ = ["CenterIdentifiedReads", "IdentifiedRead", "resolve_identified_reads"]
