"""``Network.centerComparison``: every center's published rate of a measure on a funnel plot,
by name, for network staff and data managers (their own use); null for anyone else
(``Network.viewerCanCompareCenters``). Audited as a COMPARISON read."""

from __future__ import annotations

from datetime import date
from typing import Annotated, cast

import strawberry
from strawberry.scalars import JSON

from icn_graph.schema.context import Info
from icn_graph.schema.network import Network
from icn_graph.schema.reports.arguments import MeasureArgument
from icn_graph.schema.reports.types import Measure
from icn_graph.schema.stewardship.rendering import Funnel
from icn_graph.services.data_views.comparison import Comparison, center_comparison
from icn_graph.services.data_views.view_charts import LIMITS_NOTE
from icn_graph.services.reports.funnel_chart import FunnelMark, funnel_spec
from icn_graph.services.stewardship.access import is_steward
from icn_graph.services.stewardship.read_audit import ReadChannel


@strawberry.type(
    description="Centers compared on a funnel plot: each center's published months of the "
    "period summed, around the network's rate, every center named."
)
class CenterComparison:
    measure: Measure = strawberry.field(description="The measure compared.")
    from_month: date = strawberry.field(description="The first month (the 1st).")
    to_month: date = strawberry.field(description="The last month (the 1st).")
    funnel: Funnel = strawberry.field(
        description="Every center with data in the period, by name, around the network's rate."
    )
    data: strawberry.Private[Comparison]

    @strawberry.field(description="The funnel plot as a Vega-Lite v5 spec (data inline).")
    def vega_lite(self) -> JSON:
        part = self.data.funnel
        first, last = self.data.first_month, self.data.last_month
        months = f"{first:%b %Y}" if first == last else f"{first:%b %Y} to {last:%b %Y}"
        spec = funnel_spec(
            title=f"{self.data.measure.title}: centers compared",
            subtitle=[
                f"Funnel plot · {months} · {LIMITS_NOTE}",
                "For network staff and data managers: every center named, published months only.",
            ],
            target=part.target,
            target_label="Network",
            marks=[FunnelMark(e.label, e.point, highlighted=True) for e in part.entries],
            curve=part.curve,
            x_title="Patients" if first == last else "Patient-months (monthly counts summed)",
        )
        return cast("JSON", spec)


@strawberry.type
class NetworkComparison:
    """Fields the read side adds to ``Network``."""

    @strawberry.field(
        description="Every center's rate of `measure` over the months `from`-`to` on a funnel "
        "plot, by name, from published cells only: network staff and data managers, for their "
        "own use; null for others (see `viewerCanCompareCenters`). Recorded in the audit log."
    )
    async def center_comparison(
        self,
        root: Network,
        info: Info,
        measure: MeasureArgument,
        from_: Annotated[
            date, strawberry.argument(name="from", description="First month (any day in it).")
        ],
        to: Annotated[date, strawberry.argument(description="Last month (any day in it).")],
    ) -> CenterComparison | None:
        from icn_graph.schema.reports.queries import measure_registry

        if not is_steward(info.context.viewer):
            info.context.viewer.require_member()
            return None
        found = await center_comparison(
            info.context.db,
            info.context.viewer,
            measure_registry(info),
            measure,
            from_,
            to,
            channel=ReadChannel.GRAPHQL,
        )
        return CenterComparison(
            measure=Measure.from_definition(found.measure),
            from_month=found.first_month,
            to_month=found.last_month,
            funnel=Funnel.of(found.funnel),
            data=found,
        )

    @strawberry.field(
        description="Whether you may read `centerComparison`: network staff and network data "
        "managers."
    )
    def viewer_can_compare_centers(self, root: Network, info: Info) -> bool:
        return is_steward(info.context.viewer)
