"""A data view as it is shown: ``DataView.rendering``, ``DataView.files``, ``DataView.links``
(added to the workflow's ``DataView`` type), the root ``dataViewRendering`` for members reading
a published view, and the types of series and funnels.

A rendering is computed at each read from the consents in force and the published table, the
same for every reader; a read that names a center is audited in its own transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, cast

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.scalars import JSON

from icn_graph.db.database import Database
from icn_graph.db.types import utcnow
from icn_graph.errors import Forbidden, NotFound, ServiceError
from icn_graph.ids import to_global_id
from icn_graph.models.stewardship import DataViewChart, DataViewLink
from icn_graph.reports.funnel import Limits, Position
from icn_graph.schema.context import Info
from icn_graph.schema.described_enums import described_enum
from icn_graph.schema.people import Person
from icn_graph.schema.relay import expect_global_id
from icn_graph.schema.reports.types import Measure, ReportPointType, ReportSignalType
from icn_graph.schema.stewardship import enums as _enums  # noqa: F401  (registers the enums)
from icn_graph.schema.stewardship import loaders
from icn_graph.schema.stewardship.types import DataView
from icn_graph.services.data_views import links as link_service
from icn_graph.services.data_views.rendering import (
    FunnelEntry,
    RenderedFunnel,
    RenderedSeries,
    Rendering,
    SeriesKind,
    WithheldMonth,
    WithheldReason,
)
from icn_graph.services.data_views.view_access import is_published as view_is_published
from icn_graph.services.data_views.view_access import may_preview, why_not_rendered
from icn_graph.services.data_views.view_charts import view_spec
from icn_graph.services.data_views.view_files import FileUrls, view_urls
from icn_graph.services.data_views.view_reads import read_views
from icn_graph.services.stewardship.read_audit import ReadChannel
from icn_graph.services.stewardship.states import today

SeriesKindEnum = described_enum(
    SeriesKind,
    name="DataViewSeriesKind",
    description="NAMED: a center shown by name with its consent; BLINDED: a center shown by its "
    "letter in the view; NETWORK: the network total.",
    values={
        SeriesKind.NAMED: "A center shown by name, under its consent in force.",
        SeriesKind.BLINDED: 'A center shown by its letter in the view ("Center A").',
        SeriesKind.NETWORK: "The network total.",
    },
)
WithheldReasonEnum = described_enum(
    WithheldReason,
    name="WithheldReason",
    description="SMALL_COUNTS: hidden in the published table for everyone (a count from 1 to 10, "
    "or what would let one be worked out); UNNAMED_REMAINDER: a shown (named or blinded) "
    "center's month, withheld because too few centers not shown had data that month.",
    values={
        WithheldReason.SMALL_COUNTS: "Hidden in the published table for everyone: a count from "
        "1 to 10, or what would let one be worked out.",
        WithheldReason.UNNAMED_REMAINDER: "A shown center's month, withheld because 1 to 3 "
        "centers not shown had data that month (the total would single them out).",
    },
)
FunnelPositionEnum = described_enum(
    Position,
    name="FunnelPosition",
    description="Where a point falls against the limits at its denominator (on a limit is "
    "inside it).",
    values={
        Position.INSIDE: "Within the 95 % limits.",
        Position.ABOVE_95: "Above the upper 95 % limit, within the 99.8 % one.",
        Position.ABOVE_998: "Above the upper 99.8 % limit.",
        Position.BELOW_95: "Below the lower 95 % limit, within the 99.8 % one.",
        Position.BELOW_998: "Below the lower 99.8 % limit.",
    },
)


@strawberry.type(description="A month a series does not show, and why.")
class DataViewWithheldMonth:
    series: str = strawberry.field(description="The series' label.")
    month: date = strawberry.field(description="The month (the 1st).")
    reason: WithheldReason = strawberry.field(description="Why it is withheld.")
    explanation: str = strawberry.field(description="The reason in a sentence, fit to show.")

    @classmethod
    def of(cls, series: str, withheld: WithheldMonth) -> DataViewWithheldMonth:
        return cls(
            series=series,
            month=withheld.month,
            reason=withheld.reason,
            explanation=withheld.explanation,
        )


@strawberry.type(description="One center's or the network's monthly series in a view.")
class DataViewSeries:
    label: str = strawberry.field(
        description='The center\'s name (NAMED), "Center X" with its letter (BLINDED), or '
        '"Network".'
    )
    kind: SeriesKind = strawberry.field(description="Named, blinded or the network.")
    points: list[ReportPointType] = strawberry.field(
        description="One per month of the view, oldest first; withheld and suppressed months "
        "have no counts, value or limits."
    )
    center_line: float | None = strawberry.field(
        description="p̄ (P_CHART) or the median (RUN_CHART) of the months shown; null without any."
    )
    signals: list[ReportSignalType] = strawberry.field(
        description="Signals over the months shown, in month order."
    )
    withheld_months: list[date] = strawberry.field(description="See the rendering's `withheld`.")

    @classmethod
    def of(cls, series: RenderedSeries) -> DataViewSeries:
        report = series.report
        return cls(
            label=series.label,
            kind=series.kind,
            points=[ReportPointType.from_point(point) for point in report.points],
            center_line=report.center_line,
            signals=[ReportSignalType.from_signal(signal) for signal in report.signals],
            withheld_months=[withheld.month for withheld in series.withheld],
        )


@strawberry.type(description="A funnel plot's limits at one denominator (proportions, 0-1).")
class FunnelLimits:
    denominator: float = strawberry.field(description="The denominator they are computed at.")
    lower_998: float = strawberry.field(name="lower998", description="The lower 99.8 % limit.")
    lower_95: float = strawberry.field(name="lower95", description="The lower 95 % limit.")
    upper_95: float = strawberry.field(name="upper95", description="The upper 95 % limit.")
    upper_998: float = strawberry.field(name="upper998", description="The upper 99.8 % limit.")

    @classmethod
    def of(cls, limits: Limits) -> FunnelLimits:
        return cls(
            denominator=limits.denominator,
            lower_998=limits.lower_998,
            lower_95=limits.lower_95,
            upper_95=limits.upper_95,
            upper_998=limits.upper_998,
        )


@strawberry.type(description="A center placed on a funnel plot.")
class FunnelPoint:
    label: str = strawberry.field(
        description='The center\'s name (NAMED) or "Center X" with its letter (BLINDED).'
    )
    kind: SeriesKind = strawberry.field(description="Named or blinded.")
    numerator: int = strawberry.field(description="Summed over the months shown.")
    denominator: int = strawberry.field(
        description="Summed over the months shown (patient-months over several months)."
    )
    rate: float = strawberry.field(description="numerator / denominator, 0-1.")
    position: Position = strawberry.field(description="Where the rate falls against the limits.")
    months: int = strawberry.field(description="How many months are summed into it.")
    limits: FunnelLimits = strawberry.field(description="The limits at its denominator.")

    @classmethod
    def of(cls, entry: FunnelEntry) -> FunnelPoint:
        point = entry.point
        return cls(
            label=entry.label,
            kind=entry.kind,
            numerator=point.numerator,
            denominator=point.denominator,
            rate=point.rate,
            position=point.position,
            months=entry.months,
            limits=FunnelLimits.of(point.limits),
        )


@strawberry.type(
    description="Spiegelhalter's funnel plot: centers' rates against their denominators, with "
    "95% and 99.8% limits around the network's rate (normal approximation, clipped to 0-1)."
)
class Funnel:
    target: float | None = strawberry.field(
        description="The network's rate over its published months; null without any (then "
        "nothing is placed)."
    )
    target_numerator: int = strawberry.field(
        description="The network's numerator over its published months of the period."
    )
    target_denominator: int = strawberry.field(
        description="The network's denominator over its published months of the period."
    )
    points: list[FunnelPoint] = strawberry.field(
        description="The centers placed; named ones by name, blinded ones by letter."
    )
    limits: list[FunnelLimits] = strawberry.field(description="The limit curves, to draw.")
    unplaced: list[str] = strawberry.field(
        description="Centers shown but not placed: no month of theirs shows in the period."
    )

    @classmethod
    def of(cls, funnel: RenderedFunnel) -> Funnel:
        return cls(
            target=funnel.target,
            target_numerator=funnel.target_numerator,
            target_denominator=funnel.target_denominator,
            points=[FunnelPoint.of(entry) for entry in funnel.entries],
            limits=[FunnelLimits.of(limits) for limits in funnel.curve],
            unplaced=list(funnel.unplaced),
        )


@strawberry.type(
    description="A data view as it is shown now: the same for every reader. It never names a "
    "center without a consent in force, and never shows a center that is only in the network "
    "total."
)
class DataViewRendering:
    measure: Measure = strawberry.field(description="The measure shown.")
    chart: DataViewChart = strawberry.field(description="How it is drawn.")
    months: list[date] = strawberry.field(
        description="The months of the view's period (each the 1st), oldest first."
    )
    as_of: date = strawberry.field(description="The day (UTC) the consents were read on.")
    series: list[DataViewSeries] = strawberry.field(
        description="RUN_CHART and P_CHART: the network first (when included), then named "
        "centers, then blinded ones. Empty for a FUNNEL."
    )
    funnel: Funnel | None = strawberry.field(description="FUNNEL only.")
    withheld: list[DataViewWithheldMonth] = strawberry.field(
        description="Every month a series (or, for a funnel, a center's or the network's sum) "
        "leaves out, and why."
    )
    data: strawberry.Private[Rendering]

    @classmethod
    def of(cls, rendering: Rendering) -> DataViewRendering:
        return cls(
            measure=Measure.from_definition(rendering.measure),
            chart=rendering.chart,
            months=list(rendering.months),
            as_of=rendering.as_of,
            series=[DataViewSeries.of(series) for series in rendering.series],
            funnel=Funnel.of(rendering.funnel) if rendering.funnel is not None else None,
            withheld=[
                DataViewWithheldMonth.of(label, month) for label, month in rendering.withheld
            ],
            data=rendering,
        )

    @strawberry.field(
        description="The chart as a Vega-Lite v5 spec (data inline): what the PNG and SVG draw."
    )
    def vega_lite(self) -> JSON:
        return cast("JSON", view_spec(self.data))


@strawberry.type(description="Where a view's files are served.")
class DataViewFiles:
    png: str = strawberry.field(description="URL of the chart as a PNG slide.")
    svg: str = strawberry.field(description="URL of the chart as an SVG.")
    vega_lite: str = strawberry.field(description="The Vega-Lite spec as JSON (.vl.json).")
    csv: str = strawberry.field(description="URL of the values shown, as CSV.")

    @classmethod
    def of(cls, urls: FileUrls) -> DataViewFiles:
        return cls(png=urls.png, svg=urls.svg, vega_lite=urls.vega_lite, csv=urls.csv)


@strawberry.type(
    name="DataViewLink",
    description="A public link to a published view for a PUBLIC audience: it opens without "
    "signing in until it expires or is revoked. Its token is shown only when it is made.",
)
class DataViewLinkType:
    id: strawberry.ID = strawberry.field(description="Pass it to `revokeDataViewLink`.")
    created_at: datetime = strawberry.field(description="When it was made (UTC).")
    expires_at: datetime = strawberry.field(
        description="When it stops opening (UTC); at most the end of the request's last day."
    )
    revoked_at: datetime | None = strawberry.field(
        description="When it was revoked (UTC); null while not revoked."
    )
    row: strawberry.Private[DataViewLink]

    @classmethod
    def of(cls, row: DataViewLink) -> DataViewLinkType:
        return cls(
            id=strawberry.ID(to_global_id("DataViewLink", row.id)),
            created_at=row.created_at,
            expires_at=row.expires_at,
            revoked_at=row.revoked_at,
            row=row,
        )

    @strawberry.field(description="Neither revoked nor expired.")
    def active(self) -> bool:
        return self.row.revoked_at is None and self.row.expires_at > utcnow()

    @strawberry.field(description="Who made it (publishing makes the first).")
    async def created_by(self, info: Info) -> Person | None:
        row = await info.context.loaders.person.load(self.row.created_by_id)
        return Person.from_model(row) if row else None

    @strawberry.field(description="Who revoked it; null while not revoked.")
    async def revoked_by(self, info: Info) -> Person | None:
        if self.row.revoked_by_id is None:
            return None
        row = await info.context.loaders.person.load(self.row.revoked_by_id)
        return Person.from_model(row) if row else None


def _renderings(info: Info) -> DataLoader[int, Rendering | ServiceError]:
    """This request's renderings: the views a query reads, in one transaction (each audited),
    and each view once however often the query asks for it."""
    from icn_graph.schema.reports.queries import measure_registry

    viewer, registry = info.context.viewer, measure_registry(info)

    async def batch(db: Database, keys: list[int]) -> list[Rendering | ServiceError]:
        return await read_views(db, viewer, registry, keys, channel=ReadChannel.GRAPHQL)

    return info.context.loaders.get("data_views:rendering", batch)


async def rendering_of(info: Info, view_id: int) -> Rendering:
    """The view's rendering as the viewer reads it now (audited); NOT_FOUND, FORBIDDEN."""
    found = await _renderings(info).load(view_id)
    if isinstance(found, ServiceError):
        raise found
    return found


@strawberry.type
class DataViewShown:
    """Fields the read side adds to ``DataView``."""

    @strawberry.field(
        description="The view as it is shown now, computed at this read: null when you may not "
        "read it (see `viewerCanReadRendering`) or it no longer renders (`notRenderedReason`). "
        "A rendering that names a center is recorded in the audit log."
    )
    async def rendering(self, root: DataView, info: Info) -> DataViewRendering | None:
        try:
            return DataViewRendering.of(await rendering_of(info, root.pk))
        except (Forbidden, NotFound):
            return None

    @strawberry.field(
        description="Whether you may read its rendering now: before publication the requester, "
        "network staff and data managers and the view's deciders; once published, every member."
    )
    async def viewer_can_read_rendering(self, root: DataView, info: Info) -> bool:
        viewer = info.context.viewer
        if viewer.person_id is None or why_not_rendered(root.row, root.request_row, today()):
            return False
        if view_is_published(root.row, root.request_row, today()):
            return True
        rows = await loaders.centers_of_view(info).load(root.pk)
        return may_preview(viewer, root.request_row, [row.center_id for row in rows])

    @strawberry.field(
        description="Why it renders for no one now (superseded, request withdrawn, declined or "
        "expired); null while it renders."
    )
    def not_rendered_reason(self, root: DataView) -> str | None:
        return why_not_rendered(root.row, root.request_row, today())

    @strawberry.field(
        description="Whether it is published now: published, its request approved and not "
        "expired, the view not superseded."
    )
    def is_published(self, root: DataView) -> bool:
        return view_is_published(root.row, root.request_row, today())

    @strawberry.field(
        description="Its files (PNG, SVG, Vega-Lite JSON, CSV), served with your bearer token to "
        "whoever may read the rendering."
    )
    def files(self, root: DataView, info: Info) -> DataViewFiles:
        return DataViewFiles.of(view_urls(info.context.settings.public_url, root.pk))

    @strawberry.field(
        description="Its public links, newest first: network staff, data managers and the "
        "requester; null for others."
    )
    async def links(self, root: DataView, info: Info) -> list[DataViewLinkType] | None:
        if not link_service.may_manage_links(info.context.viewer, root.request_row):
            return None
        async with info.context.db.session() as session:
            rows = await link_service.links_of(session, root.pk)
        return [DataViewLinkType.of(row) for row in rows]

    @strawberry.field(
        description="Whether you may make and revoke its public links (staff, network data "
        "managers, the requester)."
    )
    def viewer_can_manage_links(self, root: DataView, info: Info) -> bool:
        return link_service.may_manage_links(info.context.viewer, root.request_row)


async def resolve_data_view_rendering(
    info: Info,
    view_id: Annotated[
        strawberry.ID,
        strawberry.argument(description="A published view's ID; any other is NOT_FOUND."),
    ],
) -> DataViewRendering:
    pk = expect_global_id(view_id, "DataView", field="viewId")
    return DataViewRendering.of(await rendering_of(info, pk))


@strawberry.type
class DataViewsQuery:
    data_view_rendering: DataViewRendering = strawberry.field(
        resolver=resolve_data_view_rendering,
        description="A data view as it is shown now, by the view's ID: for every member once "
        "it is published (whether or not you may see its request), before that for its "
        "requester, stewards and deciders. NOT_FOUND for a view you may not know of; FORBIDDEN "
        "(saying why) for one that no longer renders. Audited when it names a center.",
    )
